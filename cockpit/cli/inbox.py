"""`cockpit inbox ...`, the action shortcuts, `audit` and `outbox`: all through the API.

With a server configured they talk HTTP to it; without one, to an in-process server on the
local database (same rules, same journal). `inbox count` alone reads the local database
directly when there is no server, so a shell prompt can call it cheaply.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from cockpit.cli.errors import NothingMatched, UsageError
from cockpit.cli.parser import KINDS
from cockpit.config import ConfigError, Settings
from cockpit.output import (
    AUDIT_COLUMNS,
    OUTBOX_COLUMNS,
    print_item,
    print_items,
    print_records,
    print_value,
)

# The HTTP client and the models are imported by the commands that use them: `inbox count`
# on the local database needs neither.
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from cockpit.client import CockpitClient
    from cockpit.domain.models import Item

PAGE = 500  # the server's largest page


@asynccontextmanager
async def connect(settings: Settings) -> AsyncIterator[CockpitClient]:
    """A client for the configured server, or one wired to the local database."""
    from cockpit.client import CockpitClient

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


def parse_params(pairs: Sequence[str], *, force: bool = False) -> dict[str, Any]:
    """`--param K=V` pairs (V read as JSON when it is JSON); `--force` adds `force: true`,
    which lets an assignment or a transfer go past the agent's capacity."""
    params: dict[str, Any] = {"force": True} if force else {}
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
        ids = [int(t) for t in tokens]
    except ValueError as exc:
        raise UsageError(f"ids must be whole numbers: {exc}") from exc
    if not ids:
        raise UsageError("no ids given (on stdin)")
    return ids


# -- inbox list -------------------------------------------------------------------------------

async def _list(client: CockpitClient, args: argparse.Namespace) -> list[Item]:
    """Up to `--limit` items, page after page."""
    found: list[Item] = []
    cursor = None
    while len(found) < args.limit:
        page = await client.list_inbox(state=args.state, kind=args.kind, q=args.q,
                                       view=args.view, limit=min(PAGE, args.limit - len(found)),
                                       cursor=cursor, sort=args.sort)
        found.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    return found


async def _check_kind(client: CockpitClient, kind: str) -> None:
    """An empty list for a kind no item has is most likely a typo: say so, and fail."""
    if kind in KINDS:
        return
    page = await client.list_inbox(state="all", kind=kind, limit=1)
    if not page.items:
        raise NothingMatched(f"no item has kind {kind!r}; the kinds are {', '.join(KINDS)} "
                             "(and any a producer sent)")


# -- commands ---------------------------------------------------------------------------------

async def cmd_inbox(args: argparse.Namespace, settings: Settings) -> int:
    if args.inbox_command == "count" and not settings.server:
        counts = local_count(settings)
        print_value(counts, args.format, quiet=[str(counts["unread"])])
        return 0
    async with connect(settings) as client:
        match args.inbox_command:
            case "list":
                found = await _list(client, args)
                if not found and args.kind:
                    await _check_kind(client, args.kind)
                print_items(found, args.format)
            case "get":
                item = await client.get(args.id, reveal=args.reveal)
                entries = await _timeline(client, item) if args.format == "table" else []
                print_item(item, args.format, timeline=entries)
            case "read" | "unread":
                return await _each(args.ids, args.format,
                                   lambda i: client.patch(i, args.inbox_command))
            case "archive":
                return await _each(args.ids, args.format, lambda i: client.act(i, "archive"))
            case "resolve":
                return await _each([args.id], args.format,
                                   lambda i: client.patch(i, "resolved", args.action))
            case "count":
                counts = await client.count()
                print_value(counts, args.format, quiet=[str(counts["unread"])])
            case "bulk":
                return await _bulk(client, _read_ids(args.ids), args.op, args.format,
                                   parse_params(args.param, force=args.force))
            case "act":
                item = await client.act(args.id, args.action,
                                        parse_params(args.param, force=args.force))
                print_items([item], args.format)
    return 0


async def _timeline(client: CockpitClient, item: Item) -> list[dict[str, Any]]:
    """A ticket's customer messages, replies, internal notes and changes (not its first
    message: that is the body). Empty for other kinds, and from a server without the
    timeline."""
    from cockpit.client import ApiError

    fetch = getattr(client, "timeline", None)
    if item.kind != "ticket" or fetch is None:
        return []
    try:
        entries = await fetch(item.id)
    except ApiError as exc:
        if exc.status in (404, 405):
            return []
        raise
    # the server starts the timeline with the body as a customer message of id 0: shown above
    return [e for e in entries if not (e.get("type") == "customer_message" and not e.get("id"))]


async def _each(ids: Sequence[int], fmt: str, change) -> int:
    """Change each id in turn; what worked is printed, each failure is one line on stderr.
    Exit status 1 when any id failed (the others are still changed)."""
    from cockpit.client import ApiError

    done: list[Item] = []
    failures: list[str] = []
    for item_id in dict.fromkeys(ids):
        try:
            done.append(await change(item_id))
        except ApiError as exc:
            if len(ids) == 1:
                raise
            failures.append(f"{item_id}: {exc}" if str(item_id) not in exc.message else str(exc))
    if done:
        print_items(done, fmt)
    for line in failures:
        print(f"cockpit: {line}", file=sys.stderr)
    return 1 if failures else 0


async def _bulk(client: CockpitClient, ids: list[int], op: str, fmt: str,
                params: dict[str, Any]) -> int:
    """One bulk op; more ids than a request takes go in several requests, merged here."""
    from cockpit.domain.models import MAX_BULK_IDS, BulkResult

    result = BulkResult()
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), MAX_BULK_IDS):
        part = await client.bulk(unique[start:start + MAX_BULK_IDS], op, params)
        result.updated += part.updated
        result.skipped += part.skipped
        result.not_found += part.not_found
    if fmt == "table":
        reasons: dict[str, list[int]] = {}
        for skip in result.skipped:
            reasons.setdefault(skip.reason, []).append(skip.id)
        print_value({"updated": _ids(result.updated),
                     **{f"skipped ({reason})": _ids(i) for reason, i in reasons.items()},
                     **({"not found": _ids(result.not_found)} if result.not_found else {})},
                    fmt)
    else:
        print_value(result.model_dump(), fmt, ids=[str(i) for i in result.updated])
    if unique and len(result.not_found) == len(unique):
        raise NothingMatched(f"none of the {len(unique)} ids was found; nothing changed")
    return 0


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:20])
    more = f" … ({len(ids)} in all)" if len(ids) > 20 else ""
    return f"{len(ids)}: {shown}{more}" if ids else "0"


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


# -- the local count --------------------------------------------------------------------------

def local_count(settings: Settings) -> dict[str, int]:
    """`inbox count` on the local database without starting the in-process server: the same
    numbers as `GET /inbox/count` (the store's visibility rule, unread and unread + read)."""
    from cockpit.runtime import open_local

    engine, _user, token = open_local(settings.db, seed_demo=False)
    try:
        return _count(engine, token)
    finally:
        engine.dispose()


def _count(engine: Engine, token: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from cockpit.store.inbox import visible_to
    from cockpit.store.tables import items
    from cockpit.store.users import principal_for_token

    with engine.connect() as conn:
        user = principal_for_token(conn, token)
        if user is None:
            raise ConfigError("the local account has no working token")
        query = (select(items.c.state, func.count()).where(visible_to(user))
                 .group_by(items.c.state))
        by_state = dict(conn.execute(query).all())
    unread = by_state.get("unread", 0)
    return {"unread": unread, "active": unread + by_state.get("read", 0)}

