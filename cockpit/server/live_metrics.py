"""The floor's live figures pushed over the websocket: `{"seq", "type": "metrics", "data"}`,
where `data` is the body `GET /metrics/live` answers that receiver.

Each replica's hub computes them for its own clients; they do not go through the event log.
The log holds changes a client must not miss and may replay; these are figures of a moment
(stale on replay), different for each audience, and every replica would append its own copy
every second. Every hub sees every change anyway: its tail reads the events of all replicas
(woken by NOTIFY on PostgreSQL), so a ticket routed, assigned or closed anywhere recomputes
the figures everywhere. A change that writes no event (an agent's status, through the floor
service's `notify`) signals only the replica that made it; the periodic refresh (`refresh`
seconds) carries it to the other replicas' clients, as it does an agent the sweep took
offline, and keeps the waiting times moving.

Coalesced: at most one push per `interval` seconds. The first change after a quiet interval
goes out at once; the changes that follow within it go out together when it ends. An audience
is sent figures only when they differ from the last it was sent (`at` aside), so a refresh or
a change that leaves its figures as they were pushes nothing to it.

Visibility: the figures count only the tickets the receiver may see. They are computed once
per audience (cockpit.domain.events.audience: a role, or a user some item targets by name),
not once per client; a service account has no floor and gets none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from cockpit.domain.events import Audience, audience
from cockpit.domain.roles import Principal
from cockpit.server.agents import Floor
from cockpit.server.errors import Forbidden
from cockpit.server.floor import LiveMetrics
from cockpit.server.hub import EventHub, Frame
from cockpit.store.audiences import named_targets

log = logging.getLogger("cockpit.live_metrics")
METRICS = "metrics"


class LivePublisher:
    """Pushes the floor's figures to this process's clients: `run` until cancelled."""

    def __init__(self, hub: EventHub, floor: Floor, *, interval: float = 1.0,
                 refresh: float = 15.0) -> None:
        self.hub = hub
        self.floor = floor
        self.interval = interval
        self.refresh = refresh
        self.rounds = 0  # how many times the figures were computed
        self.pushes = 0  # how many times some went out (to any number of clients)
        self._sent: dict[Audience, dict[str, Any]] = {}  # the last figures of each audience
        told = floor.notify

        def notify() -> None:  # the floor's changes, most of which write no event
            told()
            hub.floor_change()

        floor.notify = notify

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        pushed_at = float("-inf")
        while True:
            with contextlib.suppress(TimeoutError):  # quiet for `refresh`: push anyway
                async with asyncio.timeout(self.refresh):
                    await self.hub.floor_changed.wait()
            await asyncio.sleep(max(0.0, pushed_at + self.interval - loop.time()))
            self.hub.floor_changed.clear()  # what changes from now on makes the next push
            pushed_at = loop.time()
            try:
                await self.push()
            except Exception:  # the next change or refresh tries again
                log.exception("computing the live metrics failed")

    async def push(self) -> None:
        """Compute the figures for every audience among the clients, and queue those that
        changed."""
        receivers = {sub.user for sub in list(self.hub.subscribers)}
        if not receivers:
            return
        named = await asyncio.to_thread(self._named, {user.id for user in receivers})
        members: dict[Audience, Principal] = {}
        for user in receivers:
            members.setdefault(audience(user, named), user)  # any member stands for its own
        # a thread each: on PostgreSQL a computation spends most of its time waiting on it
        bodies = await asyncio.gather(*(asyncio.to_thread(self._figures, user)
                                        for user in members.values()))
        self.rounds += 1
        self._sent = {key: body for key, body in self._sent.items() if key in members}
        seq = self.hub.last_seq  # every event up to here is queued ahead of these figures
        frames = {}
        for key, body in zip(members, bodies, strict=True):
            sent = self._sent.get(key)
            if body is None or (sent is not None and {**sent, "at": body["at"]} == body):
                continue
            self._sent[key] = body
            frames[key] = Frame({"seq": seq, "type": METRICS, "data": body}, logged=False)
        if not frames:
            return
        for sub in list(self.hub.subscribers):
            frame = frames.get(audience(sub.user, named))
            if frame is not None:
                sub.offer(frame)
        self.pushes += 1

    def _named(self, user_ids: set[str]) -> frozenset[str]:
        with self.floor.engine.connect() as conn:
            return named_targets(conn, user_ids)

    def _figures(self, user: Principal) -> dict[str, Any] | None:
        """GET /metrics/live's body for `user`, or None for a service account (no floor)."""
        try:
            figures = self.floor.live(user)
        except Forbidden:
            return None
        return LiveMetrics.model_validate(figures).model_dump(mode="json")
