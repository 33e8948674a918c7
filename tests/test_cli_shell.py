"""The shell around the CLI: --version, completion (argcomplete), help, and a fast start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from cockpit.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"cockpit {version('cockpit')}\n"


def _complete(line: str) -> list[str]:
    """What the shell's completion function gets for `line`: argcomplete runs `cockpit` with
    _ARGCOMPLETE set and writes the candidates to fd 8 (here: stdout)."""
    env = {**os.environ, "_ARGCOMPLETE": "1", "_ARGCOMPLETE_IFS": "\n",
           "COMP_LINE": line, "COMP_POINT": str(len(line)), "COMP_TYPE": "9"}
    done = subprocess.run(["bash", "-c", 'exec "$0" -m cockpit.cli 8>&1 9>/dev/null',
                           sys.executable], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_completion_offers_commands_options_and_choices():
    assert {"inbox", "users", "demo", "approve", "completion"} <= set(_complete("cockpit "))
    assert set(_complete("cockpit inbox ")) >= {"list", "get", "read", "bulk", "count"}
    assert set(_complete("cockpit inbox list --state ")) == \
        {"active", "unread", "read", "resolved", "archived", "all"}
    assert set(_complete("cockpit inbox list --kind fa")) == {"failed_run"}
    assert set(_complete("cockpit users ")) - {"-h", "--help"} == \
        {"add", "list", "revoke", "rotate"}
    assert "--format" in _complete("cockpit inbox get 1 --fo")


@pytest.mark.parametrize(("shell", "marker"), [("bash", "complete "), ("zsh", "compdef"),
                                               ("fish", "complete ")])
def test_completion_scripts_for_each_shell(capsys, shell, marker):
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert marker in script and "cockpit" in script and "_ARGCOMPLETE" in script


HEAVY = ("rich", "yaml", "sqlalchemy", "alembic", "httpx", "fastapi", "uvicorn", "textual",
         "pydantic", "cockpit.server", "cockpit.client", "cockpit.tui")
PROBE = """
import json, sys
from cockpit.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
print(json.dumps([code, sorted({m.split(".")[0] if not m.startswith("cockpit") else
                                ".".join(m.split(".")[:2]) for m in sys.modules})]),
      file=sys.stderr)
"""


def _modules(*argv: str, env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)
    code, modules = json.loads(done.stderr.strip().splitlines()[-1])
    return code, set(modules)


def test_help_imports_nothing_heavy():
    code, modules = _modules("--help")
    assert code == 0 and not modules & set(HEAVY), modules & set(HEAVY)


def test_a_local_count_imports_no_web_stack_and_no_app(tmp_path):
    code, modules = _modules("inbox", "count", "--db", f"sqlite:///{tmp_path / 'c.db'}")
    assert code == 0
    assert not modules & {"fastapi", "uvicorn", "httpx", "textual", "rich", "yaml",
                          "cockpit.server", "cockpit.client", "cockpit.tui", "websockets"}
