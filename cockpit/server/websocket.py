"""`GET /api/v1/ws`: the live event stream, with replay from `since` and heartbeats."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from starlette.concurrency import run_in_threadpool

from cockpit.domain.events import visible_event
from cockpit.server.auth import authenticate
from cockpit.server.hub import EventHub, Subscriber
from cockpit.store import events

router = APIRouter(prefix="/api/v1")

TOO_SLOW = 4008  # close code: the client fell behind; it reconnects with `since`
BAD_REQUEST = 4400  # close code: a malformed query parameter, named in the reason


def _replay(engine, user, since: int | None) -> tuple[list[dict[str, Any]], int]:
    """The events to send first and the seq they bring the client to.

    A `since` older than the log keeps, or newer than it has, answers one `reset` event.
    """
    with engine.connect() as conn:
        low, high = events.bounds(conn)
        if since is None:
            return [], high
        if since > high or (low and since < low - 1):
            return [{"seq": high, "type": "reset", "data": {}}], high
        backlog: list[dict[str, Any]] = []
        cursor = since
        while cursor < high:
            batch = events.since(conn, cursor)
            if not batch:
                break
            backlog.extend(e for e in (visible_event(ev, user) for ev in batch) if e)
            cursor = batch[-1]["seq"]
        return backlog, max(cursor, since)


@router.websocket("/ws")
async def stream(websocket: WebSocket, since: str | None = None) -> None:
    user = await authenticate(websocket)
    if user is None:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="invalid token")
        return
    try:
        resume = int(since) if since is not None else None
    except ValueError:
        await websocket.accept()
        await websocket.close(code=BAD_REQUEST, reason="since: must be a whole number")
        return
    hub: EventHub = websocket.app.state.hub
    sub = hub.subscribe(user)  # before the replay, so nothing falls between the two
    try:
        await websocket.accept()
        backlog, last = await run_in_threadpool(_replay, websocket.app.state.engine, user, resume)
        for event in backlog:
            await websocket.send_json(event)
        # Tells a fresh client where it stands, so a reconnect resumes from here.
        await websocket.send_json({"seq": last, "type": "heartbeat", "data": {}})
        await _pump(websocket, sub, last, websocket.app.state.heartbeat)
    except WebSocketDisconnect:
        pass
    finally:
        hub.unsubscribe(sub)


async def _pump(websocket: WebSocket, sub: Subscriber, last: int, heartbeat: float) -> None:
    """Send queued events in order, heartbeats when idle; end when the client goes away."""
    receiver = asyncio.create_task(_drain_incoming(websocket))
    overflow = asyncio.create_task(sub.overflowed.wait())
    try:
        while True:
            getter = asyncio.create_task(sub.queue.get())
            done, _ = await asyncio.wait({getter, receiver, overflow}, timeout=heartbeat,
                                         return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
            if receiver in done:
                return
            if overflow in done:
                await websocket.close(code=TOO_SLOW, reason="too slow: reconnect with since")
                return
            if not done:
                await websocket.send_json({"seq": last, "type": "heartbeat", "data": {}})
                continue
            event = getter.result()
            if event["seq"] > last:
                await websocket.send_json(event)
                last = event["seq"]
    finally:
        for task in (receiver, overflow):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await task


async def _drain_incoming(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, to notice when it disconnects."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
