"""Running one command: parse, import that command's module alone, turn failures into one line."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from cockpit.cli.errors import NothingMatched, UsageError, fail
from cockpit.cli.parser import ALIASES, build_parser, print_help_of

# command -> (module, function); a module is imported only when its command runs.
COMMANDS: dict[str | None, tuple[str, str]] = {
    None: ("cockpit.cli.run", "cmd_app"),
    "serve": ("cockpit.cli.run", "cmd_serve"),
    "web": ("cockpit.cli.web", "cmd_web"),
    "users": ("cockpit.cli.users", "cmd_users"),
    "demo": ("cockpit.cli.demo", "cmd_demo"),
    "inbox": ("cockpit.cli.inbox", "cmd_inbox"),
    "audit": ("cockpit.cli.inbox", "cmd_audit"),
    "outbox": ("cockpit.cli.inbox", "cmd_outbox"),
    "completion": ("cockpit.cli.run", "cmd_completion"),
    "screenshots": ("cockpit.cli.screenshots", "cmd_screenshots"),
    "views": ("cockpit.cli.desk", "cmd_views"),
    "macros": ("cockpit.cli.desk", "cmd_macros"),
    "customers": ("cockpit.cli.desk", "cmd_customers"),
    "agents": ("cockpit.cli.floor", "cmd_agents"),
    "aux-codes": ("cockpit.cli.floor", "cmd_aux_codes"),
    "queues": ("cockpit.cli.floor", "cmd_queues"),
    "report": ("cockpit.cli.floor", "cmd_report"),
    **{alias: ("cockpit.cli.inbox", "cmd_alias") for alias in ALIASES},
}


def _complete(parser: argparse.ArgumentParser) -> None:
    """Shell completion: argcomplete answers and exits when the shell asked (`_ARGCOMPLETE`)."""
    if "_ARGCOMPLETE" in os.environ:
        import argcomplete

        argcomplete.autocomplete(parser)


def _settings(args: argparse.Namespace):
    from cockpit.config import load_settings

    return load_settings(server=getattr(args, "server", None), token=getattr(args, "token", None),
                         db=getattr(args, "db", None), theme=getattr(args, "theme", None))


def _message(exc: BaseException) -> str:
    """One line for any failure: a validation error in plain words, an API error as served."""
    from cockpit.cli.errors import describe_validation, is_validation_error, reword_detail

    if is_validation_error(exc):
        return describe_validation(exc)
    status = getattr(exc, "status", None)
    if type(exc).__name__ == "ApiError" and status == 422:
        return f"{reword_detail(exc.message)} (HTTP 422)"
    if type(exc).__name__ in ("ApiError", "ConfigError", "SetupError"):
        return str(exc)
    return f"{exc.__class__.__name__}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    _complete(parser)
    args = parser.parse_args(argv)
    if print_help_of(args):
        return 0
    try:
        settings = _settings(args)
        module, name = COMMANDS[args.command]
        command = getattr(importlib.import_module(module), name)
        outcome = command(args, settings)
        if hasattr(outcome, "__await__"):
            import asyncio

            outcome = asyncio.run(outcome)
        code = outcome
    except (UsageError, NothingMatched) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, as other Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - one clear line, never a traceback
        return fail(_message(exc))
    return int(code or 0)
