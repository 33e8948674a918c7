"""`cockpit web` for real: a subprocess serving the app, driven through textual-serve's websocket
protocol as its browser page drives it (`["stdin", text]`, `["resize", {...}]`, `["ping", x]`
in; the app's terminal output as binary frames out), the screen read by a terminal emulator."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import select
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyte
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from cockpit.cli.main import main
from cockpit.cli.web import allowed_origins, exposure_warning

DEADLINE = 60.0  # seconds; reached only when something is really wrong
WIDTH, HEIGHT = 120, 36
PASTE = "\x1b[200~{}\x1b[201~"  # how the page sends a paste (the app asks for bracketed paste)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cockpit(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cockpit.cli", *args], env=env,
                          capture_output=True, text=True, timeout=DEADLINE, check=True)


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def output(self) -> str:
        return self.log.read_text()


@contextmanager
def serving(home: Path, *args: str) -> Iterator[Served]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "TEXTUAL"))}
    env.update(COCKPIT_DATA_DIR=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "share"), COCKPIT_USER="owner")
    port = _free_port()
    log = home / f"web-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cockpit.cli", "web", "--port", str(port), *args],
            env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    served = Served(f"http://127.0.0.1:{port}", process, log)
    try:
        end = time.monotonic() + DEADLINE
        while True:
            assert process.poll() is None, f"cockpit web stopped: {served.output()}"
            try:
                if httpx.get(served.url, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < end, f"no page within {DEADLINE}s: {served.output()}"
            time.sleep(0.1)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="module")
def member_token(home: Path) -> str:
    env = {**os.environ, "COCKPIT_DATA_DIR": str(home / "data"), "COCKPIT_USER": "owner"}
    out = _cockpit("users", "add", "tester", "--role", "member",
                   "--db", f"sqlite:///{home / 'cockpit.db'}", env=env)
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def web(home: Path, member_token: str) -> Iterator[Served]:
    with serving(home, "--db", f"sqlite:///{home / 'cockpit.db'}") as served:
        yield served


class Session:
    """One browser session: the websocket and the screen its output draws."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.screen = pyte.Screen(WIDTH, HEIGHT)
        self.stream = pyte.ByteStream(self.screen)
        self.notes: list[object] = []  # the server's own text messages (["pong", x], ...)

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def send(self, *envelope: object) -> None:
        await self.ws.send(json.dumps(list(envelope)))

    async def keys(self, *keys: str) -> None:
        for key in keys:  # one message a key, as the page sends typing
            await self.send("stdin", key)

    async def until(self, text: str) -> None:
        """Read the app's output until `text` is on screen."""
        end = time.monotonic() + DEADLINE
        while text not in self.text:
            left = end - time.monotonic()
            try:
                message = await asyncio.wait_for(self.ws.recv(), timeout=max(left, 0.01))
            except TimeoutError:
                raise AssertionError(f"{text!r} not on screen:\n{self.text}") from None
            if isinstance(message, bytes):
                self.stream.feed(message)
            else:
                self.notes.append(json.loads(message))


def _connect(served: Served, **kwargs: object):
    url = served.url.replace("http", "ws", 1) + f"/ws?width={WIDTH}&height={HEIGHT}"
    return websockets.connect(url, max_size=None, open_timeout=DEADLINE, **kwargs)


def _command_lines() -> str:
    lines = []
    for entry in Path("/proc").iterdir():
        try:
            lines.append((entry / "cmdline").read_bytes().decode(errors="replace"))
        except (OSError, NotADirectoryError):
            continue
    return "\n".join(lines)


async def test_a_browser_session_signs_in_then_drives_the_inbox(web: Served,
                                                                member_token: str) -> None:
    page = httpx.get(web.url, timeout=10).text
    assert f"{web.url.replace('http', 'ws', 1)}/ws" in page
    async with _connect(web) as ws:
        session = Session(ws)
        await session.send("resize", {"width": WIDTH, "height": HEIGHT})
        await session.send("ping", "t1")
        await session.until("Sign in to Cockpit")
        await session.until("Token")
        await session.keys(*"ck_not_this_one", "\r")
        await session.until("did not accept this token")
        assert "ck_not_this_one" not in session.text
        await session.keys(PASTE.format(member_token), "\r")
        await session.until("@tester")  # the header names who signed in
        await session.until("Inbox")
        assert ["pong", "t1"] in session.notes  # answered long before the app's first frame
        await session.keys("?")
        await session.until("Dimmed keys do not apply")
        await session.keys("\x1b")
        await session.send("resize", {"width": 100, "height": 30})
        session.screen.resize(30, 100)
        await session.until("@tester")
    assert member_token not in _command_lines()
    assert member_token not in web.output() and "ck_not_this_one" not in web.output()


async def test_a_page_elsewhere_cannot_open_a_session(web: Served) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with _connect(web, origin="http://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    async with _connect(web, origin="http://localhost:" + web.url.rsplit(":", 1)[1]) as ws:
        await Session(ws).until("Sign in to Cockpit")


async def test_local_opens_the_owners_inbox_without_a_token_in_sight(home: Path,
                                                                      web: Served) -> None:
    # The same database (seeded once), served a second time with --local.
    with serving(home, "--local", "--db", f"sqlite:///{home / 'cockpit.db'}") as served:
        async with _connect(served) as ws:
            session = Session(ws)
            await session.until("@owner")
            assert "Sign in" not in session.text
        token = next((home / "data").glob("local-token-*")).read_text().strip()
        assert token not in _command_lines() and token not in served.output()


def test_a_terminal_given_a_server_without_a_token_signs_in(tmp_path: Path) -> None:
    """`cockpit --server URL` with no token: the sign-in screen, in a real terminal (a pty)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "TEXTUAL"))}
    env.update(COCKPIT_DATA_DIR=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               TERM="xterm-256color")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "cockpit.cli", "--server", "http://127.0.0.1:9"], env=env,
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    screen = pyte.Screen(WIDTH, HEIGHT)
    stream = pyte.ByteStream(screen)
    try:
        end = time.monotonic() + DEADLINE
        # A frame can arrive in pieces: wait for the title and the address (editable) alike.
        while not all(text in "\n".join(screen.display)
                      for text in ("Sign in to Cockpit", "http://127.0.0.1:9")):
            assert time.monotonic() < end, "\n".join(screen.display)
            if select.select([master], [], [], 0.5)[0]:
                stream.feed(os.read(master, 65536))
            else:
                assert process.poll() is None, "\n".join(screen.display)
        os.write(master, b"\x1b")  # esc quits
        while process.poll() is None:  # reading on, or the app blocks writing its last frames
            assert time.monotonic() < end, "the app did not quit on esc"
            if select.select([master], [], [], 0.5)[0]:
                try:
                    os.read(master, 65536)
                except OSError:  # the terminal's other end closed: the app is gone
                    break
        assert process.wait(timeout=DEADLINE) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)


def test_local_refuses_an_address_others_reach(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.delenv("COCKPIT_SERVER", raising=False)
    monkeypatch.setenv("COCKPIT_CONFIG", str(tmp_path / "none.toml"))
    assert main(["web", "--local", "--host", "0.0.0.0"]) == 1
    assert "loopback" in capsys.readouterr().err
    assert main(["web", "--local", "--server", "http://cockpit.example"]) == 1
    assert "--server" in capsys.readouterr().err
    assert main(["web", "--port", "0"]) == 1


def test_exposure_and_origins() -> None:
    assert exposure_warning("127.0.0.1") == exposure_warning("localhost") == ""
    assert "HTTPS" in exposure_warning("0.0.0.0")
    assert "HTTPS" in exposure_warning("192.0.2.7")
    local = allowed_origins("127.0.0.1", 8080, "http://127.0.0.1:8080")
    assert {"http://localhost:8080", "http://127.0.0.1:8080"} <= local
    assert "http://localhost:8081" not in local
    proxied = allowed_origins("10.0.0.5", 8080, "https://cockpit.example.com")
    assert proxied == {"https://cockpit.example.com"}
