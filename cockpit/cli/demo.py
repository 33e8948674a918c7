"""`cockpit demo`: the demo inbox, into the local database or through a server's API.

Either way a second run adds only what is missing: an item already there (same kind and
source id) is left exactly as people left it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cockpit.config import ConfigError, Settings

if TYPE_CHECKING:
    from cockpit.domain.demo import DemoItem


def cmd_demo(args: argparse.Namespace, settings: Settings):
    if settings.server:
        return _through_api(args, settings)
    return _local(args, settings)


def _local(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.domain.demo import synthetic_items
    from cockpit.runtime import open_local
    from cockpit.server.seed import seed, seed_demo

    engine, user_id, _token = open_local(settings.db, seed_demo=False)
    try:
        now = datetime.now(UTC)
        added = seed_demo(engine, user_id, now)
        if args.items:
            with _Progress(args.items) as progress:
                added += seed(engine, synthetic_items(args.items, now, user_id), now,
                              progress=progress.advance)
    finally:
        engine.dispose()
    print(f"{added} demo items added for {user_id}")
    return 0


class _Progress:
    """`seeding 1,200/5,000` on stderr, rewritten in place, when stderr is a terminal."""

    def __init__(self, total: int, label: str = "seeding") -> None:
        self.total, self.done, self.label = total, 0, label
        self.shown = sys.stderr.isatty()

    def __enter__(self) -> _Progress:
        return self

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.shown and (self.done == self.total or self.done % 25 == 0 or count > 1):
            print(f"\r{self.label} {self.done:,}/{self.total:,}", end="", file=sys.stderr,
                  flush=True)

    def __exit__(self, *_exc: object) -> None:
        if self.shown and self.done:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


async def _through_api(args: argparse.Namespace, settings: Settings) -> int:
    """Each demo item is POSTed to /inbox/items as a producer would; an item that is new is
    then moved to its demo state (read, archived, resolved) by the usual calls. Decided
    decision items are left out: deciding them would act, and journal, in your name."""
    import httpx

    from cockpit.client import CockpitClient
    from cockpit.domain.demo import demo_items, synthetic_items

    if not settings.token:
        raise ConfigError("--server needs --token (or COCKPIT_TOKEN): a service, admin or "
                          "owner token, since demo items are ingested")
    transport = _recorder()
    async with CockpitClient(settings.server, settings.token, origin="cli",
                             transport=transport) as client:
        me = await client.me()
        now = datetime.now(UTC)
        demo: list[DemoItem] = list(demo_items(now, me["id"]))
        if args.items:
            demo += list(synthetic_items(args.items, now, me["id"]))
        added, left_out, pipelines = 0, 0, set()
        with _Progress(len(demo), "posting") as progress:
            for entry in demo:
                progress.advance()
                if _decided_decision(entry):
                    left_out += 1
                    continue
                answer = await client.ingest(_body(entry))
                if transport.status != httpx.codes.CREATED:
                    continue  # already there (or dropped): leave it as it is
                added += 1
                await _settle(client, answer["id"], entry)
                pipeline = entry.item.payload.get("pipeline")
                if entry.item.kind == "failed_run" and isinstance(pipeline, str) and pipeline:
                    pipelines.add(pipeline)
        for slug in sorted(pipelines):  # so the demo's failed runs can be retried
            # POST /pipelines has no method of its own on the client (yet)
            await client._call("POST", "/pipelines", json={"slug": slug})
    note = (f"; {left_out} decided items left out (through the API, deciding them would "
            "act in your name)") if left_out else ""
    print(f"{added} demo items added through {settings.server} for {me['id']}{note}")
    return 0


def _recorder():
    """An httpx transport that remembers the status of its last answer (201: created)."""
    import httpx

    class Recorder(httpx.AsyncHTTPTransport):
        status = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            self.status = response.status_code
            return response

    return Recorder()


def _decided_decision(entry: DemoItem) -> bool:
    from cockpit.domain.rules import is_decision

    return entry.state == "resolved" and entry.resolved_action != "archived" \
        and is_decision(entry.item.kind, entry.item.payload)


def _body(entry: DemoItem) -> dict[str, Any]:
    return entry.item.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


async def _settle(client, item_id: int, entry: DemoItem) -> None:
    """Move a new item to the state the demo gives it."""
    if entry.state == "read":
        await client.patch(item_id, "read")
    elif entry.state == "resolved" and entry.resolved_action == "archived":
        await client.act(item_id, "archive")
    elif entry.state == "resolved":
        await client.patch(item_id, "resolved", entry.resolved_action)

