"""The event stream client and close code 1012 (a server restarting): reconnect at once, with
`since`, unless the connection it closed lasted under a second."""

from __future__ import annotations

import asyncio
import itertools

import websockets

from cockpit.client import stream as stream_module
from cockpit.client.stream import SERVICE_RESTART, EventStream, LinkStatus


async def test_a_restart_close_reconnects_at_once_and_resumes_with_since(monkeypatch):
    # every backoff a day long: a reconnect that waited at all would never come
    monkeypatch.setattr(stream_module, "backoff_delays",
                        lambda *_: itertools.repeat(86_400.0))
    paths: list[str] = []

    async def handler(ws) -> None:
        paths.append(ws.request.path)
        if len(paths) == 1:
            await ws.send('{"seq": 41, "type": "heartbeat", "data": {}}')
            await asyncio.sleep(1.1)  # live for over a second: the client comes back at once
        await ws.close(SERVICE_RESTART, "service restart")

    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        offline: list[str] = []
        stream = EventStream(f"http://127.0.0.1:{port}", "t")
        async with asyncio.timeout(60):
            async for got in stream:
                if isinstance(got, LinkStatus) and got.state == "offline":
                    offline.append(got.detail)
                    if len(offline) == 2:
                        break
    assert paths == ["/api/v1/ws", "/api/v1/ws?since=41"]
    # the second connection closed at once: that one is not "at once" again, it backs off
    assert offline == ["server restarting", "ConnectionClosedError"]
