"""The websocket hub: tails the event log and fans events out to this process's subscribers.

Every server process runs its own hub over the shared event log, so an event written by any
process reaches every subscriber. A write in this process wakes the hub at once; writes from
other processes are picked up by polling.

`last_seq` is the hub's frontier: every seq up to it is settled (committed and dispatched, or
waited for and given up as rolled back). A higher seq can commit before a lower one when several
writers share the database, so the frontier stops at a gap for up to `gap_wait` seconds. The
replay of a reconnecting client stops at the frontier too (see `Subscriber.since`), so both paths
obey the one gap rule and a client is never taken past a seq still being committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from cockpit.domain.events import visible_event
from cockpit.domain.roles import Principal
from cockpit.store import events

log = logging.getLogger("cockpit.hub")

# How far back from the newest seq a starting hub looks for seqs still being committed.
START_WINDOW = 1000


def encode(event: dict[str, Any]) -> str:
    """An event as sent on the wire (what Starlette's send_json would send)."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


class Frame:
    """One event as queued for subscribers, serialised once for all who see the same event."""

    __slots__ = ("_text", "event", "seq")

    def __init__(self, event: dict[str, Any]) -> None:
        self.seq: int = event["seq"]
        self.event = event
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = encode(self.event)
        return self._text


@dataclass(eq=False)
class Subscriber:
    """One websocket client: a bounded queue, and a flag raised when it fell too far behind.

    `since` is the hub's frontier when it subscribed: the queue gets every event after it, so a
    replay covers what the client missed up to `since` and no further.
    """

    user: Principal
    queue: asyncio.Queue[Frame]
    since: int = 0
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
        self.last_seq = await asyncio.to_thread(self._start_point)
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
        """A new subscriber: its queue gets every event after the frontier as of now."""
        sub = Subscriber(user, asyncio.Queue(maxsize=self.queue_size), since=self.last_seq)
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)

    def _start_point(self) -> int:
        """The newest seq, or the seq before the first hole among the newest ones.

        A hole may be a transaction another process has not committed yet: starting past it
        would skip it, so the tail starts below it and the gap rule decides, as for any gap.
        """
        with self.engine.connect() as conn:
            recent = events.recent(conn, START_WINDOW)
        if not recent:
            return 0
        present = set(recent)
        holes = [s for s in range(recent[0], recent[-1]) if s not in present]
        if not holes:
            return recent[-1]
        now = time.monotonic()
        self._gap_since.update(dict.fromkeys(holes, now))  # all waited for at once, not in turn
        return holes[0] - 1

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
            if event["seq"] != expected:
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
            with contextlib.suppress(TimeoutError):  # not wait_for: it can swallow a cancel
                async with asyncio.timeout(self.poll_interval):
                    await self._wake.wait()
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
        """Queue `event` for every subscriber allowed to see it; never waits on a slow one.

        Subscribers who see the same part of it share one Frame, so it is serialised once.
        """
        frames: dict[tuple[int, ...] | None, Frame] = {}
        for sub in list(self.subscribers):
            mine = visible_event(event, sub.user)
            if mine is None:
                continue
            # the cut-down copies hold the very entries of `event`: their ids name the cut
            key = None if mine is event else tuple(id(e) for e in mine["data"]["items"])
            frame = frames.get(key)
            if frame is None:
                frame = frames[key] = Frame(mine)
            try:
                sub.queue.put_nowait(frame)
            except asyncio.QueueFull:
                sub.overflowed.set()
