"""The websocket hub: tails the event log and fans events out to this process's subscribers.

Every server process runs its own hub over the shared event log, so an event written by any
process reaches every subscriber. A write in this process wakes the hub at once; writes from
other processes are picked up by polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from cockpit.domain.events import visible_event
from cockpit.domain.roles import Principal
from cockpit.store import events

log = logging.getLogger("cockpit.hub")


@dataclass(eq=False)
class Subscriber:
    """One websocket client: a bounded queue, and a flag raised when it fell too far behind."""

    user: Principal
    queue: asyncio.Queue[dict[str, Any]]
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)


class EventHub:
    def __init__(self, engine: Engine, *, poll_interval: float = 0.5, queue_size: int = 1000,
                 retention: int = 100_000, gap_wait: float = 2.0) -> None:
        self.engine = engine
        self.poll_interval = poll_interval
        self.queue_size = queue_size
        self.retention = retention
        self.gap_wait = gap_wait
        self._gap_since: dict[int, float] = {}
        self.subscribers: set[Subscriber] = set()
        self.last_seq = 0
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.last_seq = await asyncio.to_thread(self._newest)
        self._task = asyncio.create_task(self._tail(), name="cockpit-event-tail")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        """Called from any thread after a commit that wrote events."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def subscribe(self, user: Principal) -> Subscriber:
        sub = Subscriber(user, asyncio.Queue(maxsize=self.queue_size))
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)

    def _newest(self) -> int:
        with self.engine.connect() as conn:
            return events.newest(conn)

    def _read(self, after: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return events.since(conn, after)

    def _trim(self) -> None:
        with self.engine.begin() as conn:
            events.trim(conn, self.retention)

    def _in_order(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events of `batch` that can be sent now.

        With several writers a higher seq can commit before a lower one; a gap is waited for
        (up to `gap_wait` seconds) rather than skipped, and after that taken as a rollback.
        """
        ready: list[dict[str, Any]] = []
        expected = self.last_seq + 1
        for event in batch:
            if event["seq"] != expected and self.last_seq:
                first_seen = self._gap_since.setdefault(expected, time.monotonic())
                if time.monotonic() - first_seen < self.gap_wait:
                    break
            ready.append(event)
            expected = event["seq"] + 1
        if ready:
            self._gap_since = {s: t for s, t in self._gap_since.items() if s > ready[-1]["seq"]}
        return ready

    async def _tail(self) -> None:
        since_trim = 0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            self._wake.clear()
            try:
                batch = self._in_order(await asyncio.to_thread(self._read, self.last_seq))
                while batch:
                    for event in batch:
                        self.dispatch(event)
                    self.last_seq = batch[-1]["seq"]
                    since_trim += len(batch)
                    batch = self._in_order(await asyncio.to_thread(self._read, self.last_seq))
                if since_trim >= 1000:
                    since_trim = 0
                    await asyncio.to_thread(self._trim)
            except Exception:  # a database hiccup must not end live updates for good
                log.exception("reading the event log failed; retrying")
                await asyncio.sleep(self.poll_interval)

    def dispatch(self, event: dict[str, Any]) -> None:
        """Queue `event` for every subscriber allowed to see it; never waits on a slow one."""
        for sub in list(self.subscribers):
            mine = visible_event(event, sub.user)
            if mine is None:
                continue
            try:
                sub.queue.put_nowait(mine)
            except asyncio.QueueFull:
                sub.overflowed.set()
