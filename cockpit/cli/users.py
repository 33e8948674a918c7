"""`cockpit users add|list|revoke|rotate`: on the database directly, like an administrator."""

from __future__ import annotations

import argparse
import sys

from cockpit.cli.errors import UsageError
from cockpit.config import Settings
from cockpit.output import print_records


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.runtime import SetupError
    from cockpit.store import open_engine
    from cockpit.store.users import UnknownUser, UserExists, UserNotActive

    try:
        engine = open_engine(settings.db)
    except Exception as exc:  # noqa: BLE001 - shown as one line
        raise SetupError(f"cannot open database {settings.db or 'default'}: {exc}") from exc
    try:
        with engine.begin() as conn:
            return COMMANDS[args.users_command](conn, args)
    except (UserExists, UnknownUser, UserNotActive) as exc:
        raise UsageError(str(exc)) from exc
    finally:
        engine.dispose()


def _add(conn, args: argparse.Namespace) -> int:
    from cockpit.store.users import add_user, issue_token

    add_user(conn, args.name, args.role)
    token = issue_token(conn, args.name)
    print(f"added {args.name} ({args.role}); its token, shown only this once:", file=sys.stderr)
    print(token)
    return 0


def _list(conn, args: argparse.Namespace) -> int:
    from cockpit.store.users import list_users

    print_records(list_users(conn), args.format, ("id", "role", "status"))
    return 0


def _revoke(conn, args: argparse.Namespace) -> int:
    from cockpit.runtime import local_user_id
    from cockpit.store.users import revoke_user

    if args.name == local_user_id():
        raise UsageError(f"{args.name} is the local account this CLI works as; revoking it "
                         "would lock the CLI out of this database (set COCKPIT_USER to work "
                         "as another account)")
    tokens = revoke_user(conn, args.name)
    print(f"revoked {args.name}: disabled, {tokens} token(s) deleted")
    return 0


def _rotate(conn, args: argparse.Namespace) -> int:
    from cockpit.store.users import rotate_token

    token, old = rotate_token(conn, args.name)
    print(f"{args.name}: {old} old token(s) deleted; the new one, shown only this once:",
          file=sys.stderr)
    print(token)
    return 0


COMMANDS = {"add": _add, "list": _list, "revoke": _revoke, "rotate": _rotate}
