"""The `cockpit` command: the app, the server, and every inbox operation for scripts."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from cockpit.client import ApiError, CockpitClient
from cockpit.config import ConfigError, Settings, load_settings
from cockpit.domain.roles import Role
from cockpit.output import (
    AUDIT_COLUMNS,
    FORMATS,
    OUTBOX_COLUMNS,
    print_items,
    print_records,
    print_value,
)

Command = Callable[[argparse.Namespace, Settings], Awaitable[int] | int]


class UsageError(Exception):
    """A mistake on the command line that argparse cannot see (a bad --param)."""


def _count(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number, zero or more: {raw!r}")
    return value


def _user_name(raw: str) -> str:
    if not USER_NAME.fullmatch(raw):
        raise argparse.ArgumentTypeError(
            f"{raw!r}: 1-200 letters, digits and . _ - : @, starting with a letter or digit")
    return raw


USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}")


# -- parser -----------------------------------------------------------------------------------

def _connection_options() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    group = shared.add_argument_group("connection")
    group.add_argument("--server", default=argparse.SUPPRESS, help="Cockpit server URL")
    group.add_argument("--token", default=argparse.SUPPRESS, help="bearer token for --server")
    group.add_argument("--db", default=argparse.SUPPRESS,
                       help="database URL when working locally (default: COCKPIT_DB or SQLite)")
    return shared


def build_parser() -> argparse.ArgumentParser:
    conn = _connection_options()
    fmt = argparse.ArgumentParser(add_help=False)
    fmt.add_argument("--format", choices=FORMATS, default="table",
                     help="table for people, json/yaml for scripts, quiet for ids only")

    parser = argparse.ArgumentParser(
        prog="cockpit", parents=[conn],
        description="A keyboard-first terminal cockpit for triaging a team's inbox.",
        epilog="With no command, opens the app (on an embedded server unless --server is given).")
    parser.add_argument("--theme", default=None, help="app theme (see themes/)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", parents=[conn], help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    users = sub.add_parser("users", help="manage users").add_subparsers(dest="users_command",
                                                                       required=True)
    add = users.add_parser("add", parents=[conn], help="add a user and print its token last")
    add.add_argument("name", type=_user_name)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])

    demo = sub.add_parser("demo", parents=[conn], help="seed demo data")
    demo.add_argument("--items", type=_count, default=None, metavar="N",
                      help="also add N synthetic items (large inboxes)")

    inbox = sub.add_parser("inbox", help="list and change items").add_subparsers(
        dest="inbox_command", required=True)
    lst = inbox.add_parser("list", parents=[conn, fmt], help="list items, newest first")
    lst.add_argument("--state", default="active",
                     choices=["active", "unread", "read", "resolved", "all"])
    lst.add_argument("--kind")
    lst.add_argument("--q", help="search title, body and sender")
    lst.add_argument("--limit", type=int, default=50, help="at most this many (all pages)")
    get = inbox.add_parser("get", parents=[conn, fmt], help="show one item")
    get.add_argument("id", type=int)
    get.add_argument("--reveal", action="store_true",
                     help="show credentials in the payload unmasked (managers and above; "
                          "journalled)")
    for name, text in (("read", "mark read"), ("unread", "mark unread"), ("archive", "archive")):
        p = inbox.add_parser(name, parents=[conn, fmt], help=text)
        p.add_argument("ids", type=int, nargs="+", metavar="ID")
    resolve = inbox.add_parser("resolve", parents=[conn, fmt], help="resolve an item")
    resolve.add_argument("id", type=int)
    resolve.add_argument("--action", default=None, help="resolved_action to record")
    inbox.add_parser("count", parents=[conn, fmt], help="unread and active counts")
    bulk = inbox.add_parser("bulk", parents=[conn, fmt],
                            help="one bulk operation; ids as arguments or '-' for stdin")
    bulk.add_argument("op", choices=["read", "unread", "resolve", "archive"])
    bulk.add_argument("ids", nargs="+", metavar="ID")
    act = inbox.add_parser("act", parents=[conn, fmt], help="run any action on an item")
    act.add_argument("id", type=int)
    act.add_argument("action")
    act.add_argument("--param", action="append", default=[], metavar="K=V",
                     help="an action parameter (repeatable); V is JSON when it parses as JSON")
    for alias in ALIASES:
        short = sub.add_parser(alias, parents=[conn, fmt], help=f"{alias} an item (inbox act ID {alias})")
        short.add_argument("id", type=int)
        short.add_argument("--param", action="append", default=[], metavar="K=V")

    audit = sub.add_parser("audit", parents=[conn, fmt], help="the audit journal: who did what")
    audit.add_argument("--item-id", type=int)
    audit.add_argument("--actor")
    audit.add_argument("--origin", choices=["tui", "cli", "api", "bulk", "system"])
    audit.add_argument("--action")
    audit.add_argument("--limit", type=int, default=50)

    out = sub.add_parser("outbox", parents=[conn, fmt], help="outbound webhooks and their state")
    out.add_argument("--all", action="store_true", help="include delivered ones")
    return parser


# Friendly shortcuts for `cockpit inbox act ID ACTION`.
ALIASES = ("approve", "deny", "reject", "retry", "cancel", "dismiss", "restore", "close")


# -- plumbing ---------------------------------------------------------------------------------

def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(server=getattr(args, "server", None), token=getattr(args, "token", None),
                         db=getattr(args, "db", None), theme=getattr(args, "theme", None))


@asynccontextmanager
async def connect(settings: Settings):
    """A client for the configured server, or one wired to the local database."""
    if settings.server:
        if not settings.token:
            raise ConfigError("--server needs --token (or COCKPIT_TOKEN)")
        async with CockpitClient(settings.server, settings.token, origin="cli") as client:
            yield client
        return
    from cockpit.runtime import in_process_client, open_local
    from cockpit.server.app import ServerOptions

    engine, _user, token = open_local(settings.db, seed_demo=False)
    options = ServerOptions(webhook_secret=settings.webhook_secret)
    try:
        async with in_process_client(engine, token, origin="cli", options=options) as client:
            yield client
    finally:
        engine.dispose()


def parse_params(pairs: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE")
        try:
            params[key] = json.loads(raw)
        except ValueError:
            params[key] = raw
    return params


def _read_ids(raw: Sequence[str]) -> list[int]:
    tokens = sys.stdin.read().split() if list(raw) == ["-"] else list(raw)
    try:
        return [int(t) for t in tokens]
    except ValueError as exc:
        raise UsageError(f"ids must be whole numbers: {exc}") from exc


# -- commands ---------------------------------------------------------------------------------

async def cmd_inbox(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        match args.inbox_command:
            case "list":
                found, cursor = [], None
                while len(found) < args.limit:
                    page = await client.list_inbox(state=args.state, kind=args.kind, q=args.q,
                                                   limit=min(500, args.limit - len(found)),
                                                   cursor=cursor)
                    found.extend(page.items)
                    cursor = page.next_cursor
                    if cursor is None:
                        break
                print_items(found, args.format)
            case "get":
                print_items([await client.get(args.id, reveal=args.reveal)], args.format)
            case "read" | "unread":
                print_items([await client.patch(i, args.inbox_command) for i in args.ids],
                            args.format)
            case "archive":
                print_items([await client.act(i, "archive") for i in args.ids], args.format)
            case "resolve":
                print_items([await client.patch(args.id, "resolved", args.action)], args.format)
            case "count":
                print_value(await client.count(), args.format)
            case "bulk":
                result = await client.bulk(_read_ids(args.ids), args.op)
                print_value(result.model_dump(), args.format,
                            ids=[str(i) for i in result.updated])
            case "act":
                item = await client.act(args.id, args.action, parse_params(args.param))
                print_items([item], args.format)
    return 0


async def cmd_alias(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        item = await client.act(args.id, args.command, parse_params(args.param))
    print_items([item], args.format)
    return 0


async def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        records = await client.audit(item_id=args.item_id, actor=args.actor, origin=args.origin,
                                     action=args.action, limit=args.limit)
    print_records(records, args.format, AUDIT_COLUMNS)
    return 0


async def cmd_outbox(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        rows = await client.outbox(include_delivered=args.all)
    print_records(rows, args.format, OUTBOX_COLUMNS)
    return 0


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.store import open_engine
    from cockpit.store.users import UserExists, add_user, issue_token

    engine = open_engine(settings.db)
    try:
        with engine.begin() as conn:
            add_user(conn, args.name, args.role)
            token = issue_token(conn, args.name)
    except UserExists as exc:
        raise UsageError(str(exc)) from exc
    finally:
        engine.dispose()
    print(f"added {args.name} ({args.role}); its token, shown only this once:", file=sys.stderr)
    print(token)
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from cockpit.domain.demo import demo_items, synthetic_items
    from cockpit.runtime import open_local
    from cockpit.server.seed import seed

    engine, user_id, _token = open_local(settings.db, seed_demo=False)
    now = datetime.now(UTC)
    added = seed(engine, demo_items(now, user_id), now)
    if args.items:
        with Progress(transient=True) as progress:
            task = progress.add_task("seeding", total=args.items)
            added += seed(engine, synthetic_items(args.items, now, user_id), now,
                          progress=lambda n: progress.advance(task, n))
    engine.dispose()
    print(f"{added} demo items added for {user_id}")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.runtime import serve

    serve(settings, args.host, args.port)
    return 0


def cmd_app(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.runtime import app_connection
    from cockpit.tui import create_app

    url, token, embedded = app_connection(settings)
    try:
        create_app(settings, url, token).run()
    finally:
        if embedded:
            embedded.stop()
    return 0


COMMANDS: dict[str | None, Command] = {
    None: cmd_app,
    "serve": cmd_serve,
    "users": cmd_users,
    "demo": cmd_demo,
    "inbox": cmd_inbox,
    "audit": cmd_audit,
    "outbox": cmd_outbox,
    **{alias: cmd_alias for alias in ALIASES},
}


def _fail(message: str) -> int:
    """Errors are one line on stderr (a driver's multi-line message keeps its first line)."""
    first = next((line.strip() for line in message.splitlines() if line.strip()), "failed")
    print(f"cockpit: {first}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        outcome = COMMANDS[args.command](args, settings)
        code = asyncio.run(outcome) if asyncio.iscoroutine(outcome) else outcome
    except (ApiError, ConfigError, UsageError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, as other Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - one clear line, never a traceback
        from cockpit.runtime import SetupError

        kind = "" if isinstance(exc, SetupError) else f"{exc.__class__.__name__}: "
        return _fail(f"{kind}{exc}")
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
