"""Collision detection: who is viewing which ticket now (`POST /inbox/{id}/viewing`).

Design. The event log is the truth and the only channel between replicas. Every change of a
ticket's viewers appends a `presence` event:

    {"items": [item entry], "item_id": id, "viewers": [user ids, sorted],
     "until": {user id: ISO time that viewer expires}}

The item entry (`events.item_entry`) makes the hub's visibility filtering apply to it like to
any item event. Each process keeps a map (ticket -> {viewer: expiry}) and, under one lock in
each call, first catches it up from the `presence` events other processes wrote (a range read
by seq after the newest one it has read), then changes it and writes the new event. So a call
through any replica answers every viewer, whichever replica they called.

Expiry. A viewer expires 60 s after their last call by the server's clock; the app repeats
its call every 20 s while the ticket stays on screen. There is no timer: each call drops the
expired viewers of every ticket in the map first, appending one event per ticket that lost
someone, so an app that quit without a word disappears at the next call anyone makes.

Races. Two replicas changing one ticket's viewers at the same instant may each write a list
without the other's newcomer; that viewer's next call (within 20 s) puts them back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Engine, select

from cockpit.domain.roles import Principal
from cockpit.server.auth import current_user
from cockpit.server.errors import NotFound, error_responses
from cockpit.store import events, inbox
from cockpit.store.tables import events as events_table

EXPIRY = timedelta(seconds=60)
CATCH_UP_WINDOW = 10_000  # a new process reads presence from this many recent events

router = APIRouter(prefix="/api/v1", responses=error_responses(401))


class Presence:
    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock
        self.viewers: dict[int, dict[str, datetime]] = {}
        self.entries: dict[int, dict[str, Any]] = {}  # ticket -> its item entry, for events
        self.read_up_to: int | None = None
        self.lock = threading.Lock()

    def set(self, user: Principal, item_id: int, viewing: bool) -> list[str]:
        """`user` views `item_id` now (or stopped); answers who views it. 404 when `user` may
        not see it."""
        with self.lock, self.engine.begin() as conn:
            row = inbox.get_row(conn, item_id, user)
            if row is None:
                raise NotFound(f"item {item_id} not found")
            now = self.clock()
            self._catch_up(conn)
            self._expire(conn, now)
            self.entries[item_id] = events.item_entry(row)
            mine = self.viewers.setdefault(item_id, {})
            before = sorted(mine)
            if viewing:
                mine[user.id] = now + EXPIRY
            else:
                mine.pop(user.id, None)
            # a renewal changes no one's view of the ticket, but other replicas must hear the
            # new expiry: written as well, like any change
            if viewing or before != sorted(mine):
                self._write(conn, item_id)
            return sorted(mine)

    def _catch_up(self, conn: Connection) -> None:
        if self.read_up_to is None:
            self.read_up_to = max(0, events.newest(conn) - CATCH_UP_WINDOW)
        query = (select(events_table.c.seq, events_table.c.data)
                 .where(events_table.c.seq > self.read_up_to,
                        events_table.c.type == "presence")
                 .order_by(events_table.c.seq))
        for seq, data in conn.execute(query):
            self.read_up_to = seq
            item_id = data.get("item_id")
            if not isinstance(item_id, int):
                continue
            until = data.get("until") or {}
            self.viewers[item_id] = {u: datetime.fromisoformat(t) for u, t in until.items()}
            if data.get("items"):
                self.entries[item_id] = data["items"][0]

    def _expire(self, conn: Connection, now: datetime) -> None:
        for item_id, viewers in list(self.viewers.items()):
            gone = [u for u, until in viewers.items() if until <= now]
            for user_id in gone:
                del viewers[user_id]
            if gone:
                self._write(conn, item_id)
            if not viewers:
                del self.viewers[item_id]

    def _write(self, conn: Connection, item_id: int) -> None:
        viewers = self.viewers.get(item_id, {})
        entry = self.entries.get(item_id)
        if entry is None:  # known only from an event without an entry: no one to tell
            return
        events.append(conn, "presence", {
            "items": [entry], "item_id": item_id, "viewers": sorted(viewers),
            "until": {u: t.isoformat() for u, t in sorted(viewers.items())}})


_CREATING = threading.Lock()


def _presence(request: Request) -> Presence:
    state = request.app.state
    with _CREATING:
        if getattr(state, "presence", None) is None:
            state.presence = Presence(state.engine, lambda: state.inbox.clock())
    return state.presence


class ViewingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    viewing: bool


class Viewers(BaseModel):
    item_id: int
    viewers: list[str]


@router.post("/inbox/{item_id}/viewing", response_model=Viewers, tags=["desk"],
             responses=error_responses(404, 413, 422))
def viewing(item_id: Annotated[int, Path(ge=1, le=2**63 - 1)], body: ViewingIn,
            user: Annotated[Principal, Depends(current_user)], request: Request) -> Viewers:
    """Say you view a ticket (`viewing: true`, repeated at least every 60 s while you do) or
    left it; answers who views it now. Others hear it as a `presence` event."""
    viewers = _presence(request).set(user, item_id, body.viewing)
    request.app.state.inbox.notify()
    return Viewers(item_id=item_id, viewers=viewers)
