"""Draw screenshots/web.png and web-sign-in.png: `cockpit web` on a throwaway demo database, in headless Chromium,
signed in as the demo's owner.

    .venv/bin/python screenshots/web_screenshot.py [--out screenshots/web.png]

Needs a Chromium (`apt-get install chromium`). The browser is driven over the DevTools protocol;
what the app draws is read from the page's own websocket frames (fed to a terminal emulator), so
each step waits for what is on screen rather than for a time.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyte
import websockets

DEADLINE = 90.0
WINDOW = (1440, 860)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen) -> None:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} stopped before answering {url}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"nothing answered {url} within {DEADLINE}s")


class Browser:
    """One Chromium tab over the DevTools protocol, with the app's screen as it draws it."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.ids = 0
        self.replies: dict[int, asyncio.Future] = {}
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)

    async def call(self, method: str, **params: object) -> dict:
        self.ids += 1
        reply = self.replies[self.ids] = asyncio.get_running_loop().create_future()
        await self.ws.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        return await asyncio.wait_for(reply, DEADLINE)

    async def listen(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if "id" in message:
                self.replies.pop(message["id"]).set_result(message.get("result", {}))
            elif message.get("method") == "Network.webSocketFrameReceived":
                frame = message["params"]["response"]
                if frame["opcode"] == 2:  # the app's terminal output
                    self.stream.feed(base64.b64decode(frame["payloadData"]))
            elif message.get("method") == "Network.webSocketFrameSent":
                sent = json.loads(message["params"]["response"]["payloadData"])
                if sent[0] == "resize":  # the page's terminal size
                    self.screen.resize(sent[1]["height"], sent[1]["width"])

    async def until(self, text: str) -> None:
        end = time.monotonic() + DEADLINE
        while text not in "\n".join(self.screen.display):
            if time.monotonic() > end:
                raise SystemExit(f"{text!r} never appeared:\n" + "\n".join(self.screen.display))
            await asyncio.sleep(0.1)

    async def capture(self, path: Path) -> None:
        await asyncio.sleep(1.0)  # the page's own fade-in and the last frame's paint
        shot = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))

    async def type(self, text: str) -> None:
        await self.call("Input.insertText", text=text)

    async def press_enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                            windowsVirtualKeyCode=13, text="\r" if kind == "keyDown" else "")


async def shoot(page_url: str, devtools_port: int, token: str, out: Path,
                sign_in_out: Path) -> None:
    targets = httpx.get(f"http://127.0.0.1:{devtools_port}/json/list", timeout=10).json()
    tab = next(t for t in targets if t["type"] == "page")
    async with websockets.connect(tab["webSocketDebuggerUrl"], max_size=None) as ws:
        browser = Browser(ws)
        listener = asyncio.create_task(browser.listen())
        await browser.call("Network.enable")
        await browser.call("Page.enable")
        await browser.call("Page.navigate", url=page_url)
        await browser.until("Sign in to Cockpit")
        await browser.until("Token")
        await browser.call("Runtime.evaluate",
                           expression="document.querySelector('.xterm-helper-textarea').focus()")
        await browser.capture(sign_in_out)
        await browser.type(token)
        await browser.press_enter()
        await browser.until("live")  # signed in, the inbox loaded and the live link up
        await browser.until("@")
        await browser.type("j")  # the first item, open in the detail pane
        await browser.until("Deny")
        await browser.capture(out)
        listener.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).with_name("web.png")))
    parser.add_argument("--sign-in-out", default=str(Path(__file__).with_name("web-sign-in.png")))
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "TEXTUAL"))}
        env.update(COCKPIT_DATA_DIR=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
                   XDG_DATA_HOME=str(home / "share"), COCKPIT_USER="alex")
        web_port, devtools_port = free_port(), free_port()
        web = subprocess.Popen([sys.executable, "-m", "cockpit.cli", "web", "--port",
                                str(web_port), "--db", f"sqlite:///{home / 'demo.db'}"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        browser = None
        try:
            page_url = f"http://127.0.0.1:{web_port}/"
            wait_for_http(page_url, web)
            # The demo's owner signs in with the token `cockpit web` made for it locally.
            token = next((home / "data").glob("local-token-*")).read_text().strip()
            browser = subprocess.Popen(
                [chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                 "--hide-scrollbars", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                 f"--remote-debugging-port={devtools_port}", f"--user-data-dir={home / 'chr'}",
                 "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for_http(f"http://127.0.0.1:{devtools_port}/json/version", browser)
            asyncio.run(shoot(page_url, devtools_port, token, Path(args.out),
                              Path(args.sign_in_out)))
        finally:
            for process in (browser, web):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=20)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
