"""`GET /api/v1/ws`: the live event stream, with replay from `since` and heartbeats."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect, status
from starlette.concurrency import run_in_threadpool

from cockpit.domain.events import visible_event
from cockpit.server.auth import authenticate
from cockpit.server.hub import EventHub, Frame, Subscriber, encode
from cockpit.server.live_metrics import LivePublisher
from cockpit.store import events

TOO_SLOW = 4008  # close code: the client fell behind; it reconnects with `since`
BAD_REQUEST = 4400  # close code: a malformed query parameter, named in the reason


class TooSlow(Exception):
    """The client fell too far behind (its queue overflowed) or stopped taking what is sent."""


HEARTBEAT = Frame({"seq": 0, "type": "heartbeat", "data": {}}, logged=False)


def _replay(engine, user, since: int | None, upto: int) -> tuple[list[dict[str, Any]], int]:
    """The events to send first and the seq they bring the client to.

    `upto` is the hub's frontier when the client subscribed: every seq up to it is settled
    (committed, or given up as rolled back) and every event after it reaches the client through
    its queue. So the replay stops there, never past a seq another writer is still committing,
    and the queue takes over with nothing lost or sent twice.

    A `since` older than the log keeps, or newer than it has, answers one `reset` event.
    """
    if since is None:
        return [], upto
    reset = [{"seq": upto, "type": "reset", "data": {}}]
    with engine.connect() as conn:
        low, high = events.bounds(conn)
        if since > high:
            return reset, upto
        if since >= upto:  # e.g. it saw more on another replica than this hub has settled
            return [], since
        if low and since < low - 1:
            return reset, upto
        backlog: list[dict[str, Any]] = []
        cursor = since
        while batch := events.since(conn, cursor, upto=upto):
            backlog.extend(e for e in (visible_event(ev, user) for ev in batch) if e)
            cursor = batch[-1]["seq"]
        return backlog, upto


def _heartbeat(seq: int) -> str:
    return encode({"seq": seq, "type": "heartbeat", "data": {}})


async def _send(websocket: WebSocket, text: str, timeout: float) -> None:
    """Send, or raise TooSlow when the client has not taken it within `timeout` seconds.

    A client that stops reading fills its TCP window and then every send waits for ever; the
    queue check alone would never see it, as the pump is stuck in the send.
    """
    try:
        async with asyncio.timeout(timeout):  # not wait_for, which can swallow a cancel
            await websocket.send_text(text)
    except TimeoutError as exc:
        raise TooSlow from exc


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
    send_timeout: float = websocket.app.state.send_timeout
    sub = hub.subscribe(user)  # before the replay, which stops where the queue begins
    try:
        await websocket.accept()
        backlog, last = await run_in_threadpool(_replay, websocket.app.state.engine, user,
                                                resume, sub.since)
        for event in backlog:
            await _send(websocket, encode(event), send_timeout)
        # Tells a fresh client where it stands, so a reconnect resumes from here.
        await _send(websocket, _heartbeat(last), send_timeout)
        await _serve(websocket, sub, last)
    except WebSocketDisconnect:
        pass
    except TooSlow:
        hub.unsubscribe(sub)  # at once: the close below may wait on the same full window
        with contextlib.suppress(Exception):
            async with asyncio.timeout(send_timeout):
                await websocket.close(code=TOO_SLOW, reason="too slow: reconnect with since")
    finally:
        hub.unsubscribe(sub)


async def _serve(websocket: WebSocket, sub: Subscriber, last: int) -> None:
    """Pump the subscriber's queue to the client until it goes away or falls too far behind.

    Three tasks for the whole connection, not one per event: the pump, a reader that notices a
    disconnect, and a watcher of the too-slow flag (raised by the hub or by `_watch`).
    """
    pump = asyncio.create_task(_pump(websocket, sub, last))
    receiver = asyncio.create_task(_drain_incoming(websocket))
    too_slow = asyncio.create_task(sub.too_slow.wait())
    tasks = (pump, receiver, too_slow)
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        failures = {t: t.exception() for t in tasks if not t.cancelled()}
    if too_slow in done:
        raise TooSlow
    if failures.get(pump) is not None:
        raise failures[pump]  # the client's disconnect


async def _pump(websocket: WebSocket, sub: Subscriber, last: int) -> None:
    """Send queued events in order, and heartbeats when `_watch` queues them.

    No timer per event: `_watch` times the sends (`send_started`) and queues the heartbeats.
    """
    loop = asyncio.get_running_loop()
    queue = sub.queue
    while True:
        frame = queue.get_nowait() if queue.qsize() else await queue.get()
        if frame is HEARTBEAT:
            text = _heartbeat(last)
        elif not frame.logged:
            # Live figures as of the hub's frontier: stamped no lower than what the client
            # has seen, or its resume point would go back.
            text = frame.text if frame.seq >= last else encode({**frame.event, "seq": last})
        elif frame.seq > last:
            text = frame.text
            last = frame.seq
        else:
            continue  # the replay sent it already
        sub.send_started = loop.time()
        await websocket.send_text(text)
        sub.send_started = None
        sub.sent_at = loop.time()


async def _watch(hub: EventHub, heartbeat: float, send_timeout: float) -> None:
    """For every connection at once, on one timer: flag a client whose send has been stuck for
    `send_timeout` (it stopped reading, and its TCP window is full), and queue a heartbeat for
    one that has been sent nothing for `heartbeat` seconds."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(min(heartbeat, send_timeout) / 4)
        now = loop.time()
        for sub in list(hub.subscribers):
            if sub.send_started is not None:
                if now - sub.send_started >= send_timeout:
                    sub.too_slow.set()
            elif now - sub.sent_at >= heartbeat and not sub.queue.qsize():
                sub.sent_at = now  # one heartbeat per idle period, queued or sent
                sub.offer(HEARTBEAT)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The watch over every connection, and the live metrics pushed to them (after the floor
    router's own step, which made `app.state.floor`)."""
    hub: EventHub = app.state.hub
    app.state.live_metrics = LivePublisher(hub, app.state.floor)
    tasks = [asyncio.create_task(_watch(hub, app.state.heartbeat, app.state.send_timeout),
                                 name="cockpit-ws-watch"),
             asyncio.create_task(app.state.live_metrics.run(), name="cockpit-live-metrics")]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


router = APIRouter(prefix="/api/v1", lifespan=_lifespan)
router.add_api_websocket_route("/ws", stream)


async def _drain_incoming(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, to notice when it disconnects."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
