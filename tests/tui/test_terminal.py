"""The real `cockpit` in a pseudo-terminal, as a user starts it: what it writes to the terminal,
and how soon it is gone after `q`.

Pilot draws into memory; only a terminal shows which colour escapes the app really sends (an
ANSI theme must send only the 16 ANSI colours: `tmux capture-pane -e` shows the same bytes).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")

# 256-colour and truecolor escapes: an ANSI theme must send neither.
EXTENDED = re.compile(rb"\x1b\[[0-9;]*[34]8;[25];[0-9;]*m")
START = 60.0  # seconds for the first run to seed its demo inbox and draw it


class Terminal:
    """`cockpit` running in a pty of `size` (columns, lines); everything it wrote is kept."""

    def __init__(self, env: dict[str, str], size: tuple[int, int] = (120, 40)) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.master = master
        self.output = bytearray()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from cockpit.cli import main; raise SystemExit(main([]))"],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
            close_fds=True)
        os.close(slave)

    def read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the app is gone and the pty closed
                    return
                if not chunk:
                    return
                self.output += chunk

    def wait_for(self, condition: Callable[[], bool], seconds: float, what: str) -> None:
        end = time.monotonic() + seconds
        while not condition():
            gone = self.process.poll() is not None
            if (gone or time.monotonic() > end) and not condition():
                tail = bytes(self.output[-2000:]).decode(errors="replace")
                why = "the app exited" if gone else f"not within {seconds}s"
                raise AssertionError(f"{what} not seen ({why}); output ends: {tail!r}")
            self.read(0.1)

    def send(self, keys: bytes, settle: float = 0.5) -> None:
        os.write(self.master, keys)
        self.read(settle)

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)


@pytest.fixture
def terminal_env() -> dict[str, str]:
    """The user's environment (a fresh data and config folder, see conftest's `_isolated`),
    in a 256-colour terminal like tmux's, with nothing telling Textual to drop colour."""
    env = dict(os.environ)
    for name in ("NO_COLOR", "COLORTERM", "TEXTUAL", "COCKPIT_SERVER", "COCKPIT_TOKEN",
                 "COCKPIT_CONFIG", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    env.update(TERM="xterm-256color", COCKPIT_THEME="cockpit-ansi")
    return env


def test_the_ansi_theme_sends_only_ansi_colours_and_quits_at_once(terminal_env) -> None:
    term = Terminal(terminal_env)
    try:
        term.wait_for(lambda: b"live" in term.output and b"unread" in term.output, START,
                      "the inbox, live")
        term.read(1.0)
        # the inbox, an item, a dialog, the help, the palette, a search: every kind of widget
        for keys in (b"j", b"j", b"a", b"n", b"?", b"\x1b", b"\x10", b"them", b"\x1b", b"/dep",
                     b"\r", b"space", b"\x1b\x1b"):
            term.send(keys.replace(b"space", b" "))
        assert b"\x1b[3" in term.output  # it did draw in colour
        extended = sorted({m.group().decode() for m in EXTENDED.finditer(term.output)})
        assert extended == [], f"escapes outside the 16 ANSI colours: {extended[:10]}"

        os.write(term.master, b"q")  # (how fast it quits: bench_app prints it)
        term.wait_for(lambda: term.process.poll() is not None, 30, "the app exiting")
        assert term.process.returncode == 0
    finally:
        term.close()
