"""The app as a person meets it, in a real terminal (a pty at 120x40), on a 100k-item inbox.

Prints: launch -> first rows painted (beside an empty Textual app launched the same way), key ->
frame for a move, a toggle, a folder collapse/expand, select all, a tab switch and a search
keystroke (p50/p99), the app's memory (RSS), and the bytes the terminal receives per cursor move
(beside a full repaint).

    python -m tests.benchmarks.bench_app [ITEMS]          # default 100,000

Set BENCH_APP_DIR to a folder to keep the seeded database between runs (seeding 100k takes
about a minute here), and BENCH_APP_DB to a PostgreSQL URL to run on PostgreSQL instead of
SQLite (the database is seeded once; its token kept in BENCH_APP_DIR).
"""

from __future__ import annotations

import os
import pty
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from datetime import UTC, datetime
from fcntl import ioctl
from pathlib import Path

from tests.benchmarks.timing import p as percentile

COLS, ROWS = 120, 40
QUIET = 0.15  # seconds without output: the screen is quiet
FRAME = 0.02  # seconds without output: one frame is complete (the detail pane waits 50 ms)
EMPTY_APP = """
from textual.app import App
from textual.widgets import Static
class Empty(App):
    def compose(self):
        yield Static("ready")
Empty().run()
"""


class Terminal:
    """A program in a pty of COLS x ROWS; what it writes is read and counted."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the program
            os.execvpe(argv[0], argv, env)
        ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.pid, self.fd = pid, fd
        self.seen = b""

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 1 << 20)
        except OSError:
            return b""
        self.seen += data
        return data

    def wait_for(self, marker: bytes, timeout: float = 120) -> float:
        """Seconds from launch until `marker` appears in the output."""
        end = time.perf_counter() + timeout
        while marker not in self.seen:
            if time.perf_counter() > end:
                raise TimeoutError(f"{marker!r} not seen")
            self.read(0.05)
        return time.perf_counter() - self.started

    def settle(self) -> int:
        """Read until the output goes quiet; answers the bytes read."""
        total = 0
        while chunk := self.read(QUIET):
            total += len(chunk)
        return total

    def press(self, keys: bytes) -> tuple[float, int, int]:
        """(seconds from the key to its frame's first bytes, bytes of that first frame, bytes
        of everything that follows until the screen is quiet: the detail pane following the
        cursor, the footer)."""
        self.settle()
        sent = time.perf_counter()
        os.write(self.fd, keys)
        first = len(self.read(10))
        latency = time.perf_counter() - sent
        while chunk := self.read(FRAME):
            first += len(chunk)
        return latency, first, first + self.settle()

    def rss_mb(self) -> float:
        """Resident memory of the program and its children (the embedded server runs in
        the same process)."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines()
                  if line.startswith("VmRSS"))
        return kb / 1024

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def seed(data_dir: Path, count: int) -> None:
    marker = data_dir / f"seeded-{count}"
    if marker.exists():
        return
    code = (
        "from datetime import UTC, datetime\n"
        "from cockpit.domain.demo import synthetic_items\n"
        "from cockpit.runtime import open_local\n"
        "from cockpit.server.seed import seed\n"
        "engine, user, token = open_local(None, seed_demo=False)\n"
        "now = datetime.now(UTC)\n"
        f"seed(engine, synthetic_items({count}, now, user), now)\n")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True,
                   env={**os.environ, "COCKPIT_DATA_DIR": str(data_dir)})
    marker.touch()
    print(f"seeded {count:,} items in {time.perf_counter() - started:.1f} s")


def remote_launch(env: dict[str, str], data_dir: Path) -> float:
    """Launch -> first rows for an app pointed at a server already running (a team's
    `cockpit serve`): the app's own cost, without starting a server."""
    token = subprocess.run(
        [sys.executable, "-c", "from cockpit.runtime import open_local; "
         "print(open_local(None, seed_demo=False)[2])"],
        env=env, capture_output=True, text=True, check=True).stdout.strip()
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "cockpit.cli", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import httpx
        deadline = time.perf_counter() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/me",
                          headers={"Authorization": f"Bearer {token}"}, timeout=5)
                break
            except httpx.HTTPError:
                if time.perf_counter() > deadline:
                    raise
                time.sleep(0.1)
        app = Terminal([sys.executable, "-m", "cockpit.cli"],
                       {**env, "COCKPIT_SERVER": f"http://127.0.0.1:{port}",
                        "COCKPIT_TOKEN": token})
        try:
            return app.wait_for(b"Approve ")
        finally:
            app.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def line(label: str, seconds: list[float], goal: str) -> None:
    p50, p99 = percentile(seconds, 0.5) * 1000, percentile(seconds, 0.99) * 1000
    print(f"  {label:<34} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms   goal {goal}")


def main(count: int) -> None:
    data_dir = Path(os.environ.get("BENCH_APP_DIR") or tempfile.mkdtemp(prefix="bench-app-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    if os.environ.get("BENCH_APP_DB"):
        os.environ["COCKPIT_DB"] = os.environ["BENCH_APP_DB"]
    seed(data_dir, count)
    # As an installed app runs: its bytecode cached (this machine may set
    # PYTHONDONTWRITEBYTECODE, and compiling ~70 modules each launch costs ~0.1-0.3 s).
    import compileall
    compileall.compile_dir(Path(__file__).parents[2] / "cockpit", quiet=1)
    env = {**os.environ, "COCKPIT_DATA_DIR": str(data_dir), "TERM": "xterm-256color",
           "XDG_CONFIG_HOME": str(data_dir / "config"), "COLUMNS": str(COLS),
           "LINES": str(ROWS)}
    env.pop("COCKPIT_SERVER", None)
    engine = "PostgreSQL" if env.get("COCKPIT_DB", "").startswith("postgresql") else "SQLite"
    print(f"\nThe app on {count:,} items ({engine}), {COLS}x{ROWS}, "
          f"load {os.getloadavg()[0]:.2f} "
          f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")

    empty = Terminal([sys.executable, "-c", EMPTY_APP], env)
    empty_paint = empty.wait_for(b"ready")
    empty.close()

    remote = remote_launch(env, data_dir)
    print(f"  launch -> first rows, to a server   {remote * 1000:7.0f} ms   "
          f"empty Textual app {empty_paint * 1000:.0f} ms "
          f"(ratio {remote / empty_paint:.2f}; goal <= 600 ms, <= 2x)")
    app = Terminal([sys.executable, "-m", "cockpit.cli"], env)
    try:
        first_rows = app.wait_for(b"Approve ")  # an item title: the first rows are up
        print(f"  launch -> first rows, own server    {first_rows * 1000:7.0f} ms   "
              f"(ratio {first_rows / empty_paint:.2f}; the server's imports alone take "
              f"about 0.9 s)")
        app.settle()
        time.sleep(1)
        app.settle()

        moves = [app.press(b"j") for _ in range(60)]
        line("move (j)", [m[0] for m in moves], "p99 <= 16 ms")
        sizes = sorted(m[1] for m in moves)
        totals = sorted(m[2] for m in moves)
        print(f"  bytes per cursor move (the list)    median {sizes[len(sizes) // 2]:,} B, "
              f"max {sizes[-1]:,} B   goal <= 2 KB")
        print(f"  ... with the detail pane following  median {totals[len(totals) // 2]:,} B, "
              f"max {totals[-1]:,} B")
        first_selection = app.press(b" ")[0]  # the bulk bar comes, and stays
        print(f"  first selection (the bar appears)   {first_selection * 1000:7.1f} ms")
        app.press(b" ")
        toggles = [app.press(b" ") for _ in range(20)]
        line("toggle (space)", [t[0] for t in toggles], "p99 <= 16 ms")
        app.press(b"g")  # the first folder row
        folds = [app.press(b"\r") for _ in range(20)]
        line("collapse/expand a folder (enter)", [f[0] for f in folds], "p99 <= 16 ms")
        selects = []
        for _ in range(5):
            selects.append(app.press(b"*")[0])
            app.press(b"\x1b")
        line("select all (*)", selects, "p99 <= 16 ms")
        tabs = [app.press(key)[0] for key in (b"2", b"1") * 5]
        line("tab switch (2/1, cached)", tabs, "first rows <= 100 ms")
        app.press(b"/")
        typing = [app.press(ch.encode())[0] for ch in "kind:ticket"]
        line("search keystroke -> echo", typing, "p99 <= 16 ms")
        print(f"  memory after all that               {app.rss_mb():7.0f} MB RSS   "
              f"goal <= 150 MB (the app; its server is another process)")
        app.press(b"\x1b")
        pressed = time.perf_counter()
        os.write(app.fd, b"q")
        while os.waitpid(app.pid, os.WNOHANG) == (0, 0):
            app.read(0.01)
        print(f"  quit (q) -> the process gone        {(time.perf_counter() - pressed) * 1000:7.0f}"
              f" ms")
    finally:
        app.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
