"""The websocket hub: tails the event log and fans events out to this process's subscribers.

Every server process runs its own hub over the shared event log, so an event written by any
process reaches every subscriber. A write in this process wakes the hub at once. On PostgreSQL
a write in any process wakes every hub too: `events.append` NOTIFYs in the writer's transaction
and each hub LISTENs on a connection of its own; NOTIFY only wakes, the log stays the truth, and
a slow poll (`safety_poll`) stands in for a notification lost with a dropped connection. On
SQLite writes from other processes are picked up by polling every `poll_interval`.

An event is cut and encoded once per audience (`cockpit.domain.events.audience`: a role, or a
user the event names), not once per subscriber.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from cockpit.domain.events import audience, named_users, touches_floor, visible_event
from cockpit.domain.roles import Principal
from cockpit.store import events

log = logging.getLogger("cockpit.hub")

# How far back from the newest seq a starting hub looks for seqs still being committed.
START_WINDOW = 1000


def encode(event: dict[str, Any]) -> str:
    """An event as sent on the wire (what Starlette's send_json would send)."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


class Frame:
    """One event as queued for subscribers, serialised once for all who see the same event.

    `logged` events come from the event log and are sent once each, in seq order; the others
    (live figures) carry the frontier they were computed at and are always sent.
    """

    __slots__ = ("_text", "event", "logged", "seq")

    def __init__(self, event: dict[str, Any], *, logged: bool = True) -> None:
        self.seq: int = event["seq"]
        self.event = event
        self.logged = logged
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = encode(self.event)
        return self._text


@dataclass(eq=False)
class Subscriber:
    """One websocket client: a bounded queue, and a flag raised when it fell too far behind
    (its queue overflowed, or a send to it has been stuck for too long).

    `since` is the hub's frontier when it subscribed: the queue gets every event after it, so a
    replay covers what the client missed up to `since` and no further. `send_started` (while a
    send is under way) and `sent_at` are loop times, kept by the connection's pump.
    """

    user: Principal
    queue: asyncio.Queue[Frame]
    since: int = 0
    too_slow: asyncio.Event = field(default_factory=asyncio.Event)
    send_started: float | None = None
    sent_at: float = field(default_factory=time.monotonic)

    def offer(self, frame: Frame) -> None:
        """Queue `frame`, or flag the subscriber as too slow when its queue is full."""
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.too_slow.set()


class EventHub:
    def __init__(self, engine: Engine, *, poll_interval: float = 0.5, queue_size: int = 1000,
                 retention: int = 100_000, gap_wait: float = 2.0,
                 safety_poll: float = 5.0) -> None:
        self.engine = engine
        self.poll_interval = poll_interval
        self.safety_poll = max(safety_poll, poll_interval)
        self.queue_size = queue_size
        self.retention = retention
        self.gap_wait = gap_wait
        self._gap_since: dict[int, float] = {}
        self.subscribers: set[Subscriber] = set()
        self.last_seq = 0
        self._wake = asyncio.Event()
        # Set when the floor's live figures may have changed (see live_metrics).
        self.floor_changed = asyncio.Event()
        self.listener = Listener(engine, self._wake.set) if events.notifies(engine) else None
        # Told how long each dispatch took (the server's metrics); None: nobody is counting.
        self.on_dispatch: Callable[[float], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.last_seq = await asyncio.to_thread(self._start_point)
        self._tasks.append(asyncio.create_task(self._tail(), name="cockpit-event-tail"))
        if self.listener is not None:
            self._tasks.append(asyncio.create_task(self.listener.run(self.poll_interval),
                                                   name="cockpit-event-listen"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    def wake(self) -> None:
        """Called from any thread after a commit that wrote events."""
        self._soon(self._wake.set)

    def floor_change(self) -> None:
        """Called from any thread after a change to the floor that writes no event (an
        agent's status, say)."""
        self._soon(self.floor_changed.set)

    def _soon(self, callback: Callable[[], None]) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(callback)

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

    def _poll_wait(self) -> float:
        """How long the tail sleeps unless woken: briefly while a gap is being waited for (its
        filler may have been rolled back, which wakes no one); otherwise the poll interval, or
        the safety poll while notifications wake the tail."""
        poll = self.safety_poll if self.listener and self.listener.listening \
            else self.poll_interval
        if self._gap_since:
            due = min(self._gap_since.values()) + self.gap_wait - time.monotonic()
            poll = min(poll, max(due, self.poll_interval))
        return poll

    async def _tail(self) -> None:
        since_trim = 0
        while True:
            with contextlib.suppress(TimeoutError):  # not wait_for: it can swallow a cancel
                async with asyncio.timeout(self._poll_wait()):
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

        The event is cut once per audience, and audiences that see the same cut share one
        Frame, so it is serialised once.
        """
        started = time.perf_counter()
        named = named_users(event)
        by_audience: dict[tuple[str, str | None], Frame | None] = {}
        by_cut: dict[tuple[int, ...] | None, Frame] = {}
        for sub in list(self.subscribers):
            key = audience(sub.user, named)
            try:
                frame = by_audience[key]
            except KeyError:
                frame = by_audience[key] = self._frame(event, sub.user, by_cut)
            if frame is not None:
                sub.offer(frame)
        if touches_floor(event):
            self.floor_changed.set()
        if self.on_dispatch is not None:
            self.on_dispatch(time.perf_counter() - started)

    @staticmethod
    def _frame(event: dict[str, Any], user: Principal,
               by_cut: dict[tuple[int, ...] | None, Frame]) -> Frame | None:
        mine = visible_event(event, user)
        if mine is None:
            return None
        # the cut-down copies hold the very entries of `event`: their ids name the cut
        cut = None if mine is event else tuple(id(e) for e in mine["data"]["items"])
        frame = by_cut.get(cut)
        if frame is None:
            frame = by_cut[cut] = Frame(mine)
        return frame


class Listener:
    """One dedicated PostgreSQL connection that LISTENs for new events and wakes the tail.

    `notified` counts the notifications received (how a wake from another replica shows).
    """

    def __init__(self, engine: Engine, wake: Callable[[], None]) -> None:
        self.dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.wake = wake
        self.listening = False
        self.notified = 0

    async def run(self, retry: float) -> None:
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.dsn,
                                                                 autocommit=True) as conn:
                    await conn.execute(f"LISTEN {events.CHANNEL}")
                    self.listening = True
                    self.wake()  # what was written while nobody listened
                    async for _ in conn.notifies():
                        self.notified += 1
                        self.wake()
            except Exception as exc:  # the poll carries on meanwhile; listen again shortly
                log.warning("listening for new events failed (%s); polling until it works "
                            "again", exc.__class__.__name__)
            finally:
                self.listening = False
            await asyncio.sleep(max(retry, 1.0))
