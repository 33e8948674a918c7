"""The live worker: follows the server's event stream and turns bursts into few messages.

Events are collected for a short window (100 ms after the first one), then the changed items
are fetched again with `client.get` (a 404 means the item is gone for this user) and posted as
one `LiveChanged`. A `reset` event, or a burst naming many items, asks for a full resync instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field

from textual.app import App

from cockpit.client import ApiError, CockpitClient, Event, LinkStatus
from cockpit.tui.messages import (
    LinkChanged,
    LiveChanged,
    MetricsChanged,
    PresenceChanged,
    ResyncNeeded,
)

StreamFactory = Callable[[], AsyncIterable[Event | LinkStatus]]
Query = Callable[[], tuple[str, str | None]]  # (state filter of the tab, search text)
# Ids the app wants fresh copies of even when they leave the tab: the item opened and kept
# listed, the one under the cursor, the one a question is about (to tell who decided it).
Watched = Callable[[], set[int]]

WINDOW = 0.1  # seconds to gather a burst
MANY = 50  # more changed items than this: reload the tab instead of fetching each
FETCH_CONCURRENCY = 8


# Which item states each tab's state filter shows.
TAB_STATES = {"active": {"unread", "read"}, "unread": {"unread"}, "read": {"read"},
              "resolved": {"resolved"}, "all": {"unread", "read", "resolved"}}


@dataclass
class Burst:
    ids: set[int] = field(default_factory=set)
    created: set[int] = field(default_factory=set)
    states: dict[int, str] = field(default_factory=dict)  # the newest state each event named
    reset: bool = False

    def leaving(self, state_filter: str) -> set[int]:
        """Ids whose new state takes them out of this tab: removed without fetching them."""
        shown = TAB_STATES.get(state_filter, TAB_STATES["all"])
        return {i for i, state in self.states.items() if state not in shown}

    def add(self, event: Event) -> None:
        if event.type == "reset":
            self.reset = True
            return
        for entry in event.data.get("items") or ():
            try:
                item_id = int(entry["id"])
            except (KeyError, TypeError, ValueError):
                continue
            self.ids.add(item_id)
            if isinstance(entry.get("state"), str):
                self.states[item_id] = entry["state"]
            if event.type == "item.created":
                self.created.add(item_id)

    def __bool__(self) -> bool:
        return self.reset or bool(self.ids)


class LiveFollower:
    """Runs inside one worker for the life of the app."""

    def __init__(self, app: App, client: CockpitClient, stream: StreamFactory, query: Query,
                 *, window: float = WINDOW, many: int = MANY,
                 watched: Watched | None = None) -> None:
        self.app = app
        self.watched = watched or set
        self.client = client
        self.stream = stream
        self.query = query
        self.window = window
        self.many = many
        self.connected_once = False
        self.stale = False  # a burst could not be fetched: resync on the next connection

    async def run(self) -> None:
        queue: asyncio.Queue[Event | LinkStatus] = asyncio.Queue()

        async def read() -> None:
            async for message in self.stream():
                await queue.put(message)

        reader = asyncio.create_task(read(), name="cockpit-live-reader")
        try:
            while True:
                burst = Burst()
                await self._take(await queue.get(), burst)
                if not burst:
                    continue
                loop = asyncio.get_running_loop()
                deadline = loop.time() + self.window
                while (left := deadline - loop.time()) > 0:
                    try:
                        message = await asyncio.wait_for(queue.get(), left)
                    except TimeoutError:
                        break
                    await self._take(message, burst)
                await self._flush(burst)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    async def _take(self, message: Event | LinkStatus, burst: Burst) -> None:
        if isinstance(message, LinkStatus):
            self.app.post_message(LinkChanged(message.state, message.detail))
            if message.state == "live":
                if self.connected_once and self.stale:
                    self.stale = False
                    burst.reset = True
                self.connected_once = True
            return
        if message.type == "metrics":  # the floor's live figures: for the Agents screen
            if isinstance(message.data, dict):
                self.app.post_message(MetricsChanged(message.data))
            return
        if message.type == "presence":  # who views a ticket: news for the pane, no change
            data = message.data
            if isinstance(data.get("item_id"), int):
                self.app.post_message(PresenceChanged(data["item_id"],
                                                      list(data.get("viewers") or [])))
            return
        burst.add(message)

    async def _flush(self, burst: Burst) -> None:
        state, q = self.query()
        leaving = burst.leaving(state) - self.watched()  # fetched, not just dropped
        wanted = burst.ids - leaving
        # A burst that only takes items out of this tab (a bulk archive, a timeout sweep)
        # never needs a reload, however large; one that brings many in does.
        if burst.reset or len(wanted) > self.many:
            self.app.post_message(ResyncNeeded())
            return
        try:
            items, missing = await self.client.get_many(sorted(wanted),
                                                        concurrency=FETCH_CONCURRENCY)
            counts = (await self.client.list_inbox(state=state, q=q or None, limit=1)).counts
        except ApiError:
            # The server went away mid-burst; the link status says so. Catch up on reconnect.
            self.stale = True
            return
        gone = sorted(leaving | set(missing))
        self.app.post_message(LiveChanged(items, gone, sorted(burst.created), counts))
