"""The live event stream: one websocket, reconnected with jittered backoff, resumed by `since`."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

LinkState = Literal["connecting", "live", "offline", "unauthorized"]
# The close code of a server going away on purpose (draining for a restart): reconnect at once,
# with `since`, and the address lands on another replica.
SERVICE_RESTART = 1012


@dataclass(frozen=True)
class Event:
    seq: int
    type: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkStatus:
    state: LinkState
    detail: str = ""


def backoff_delays(base: float = 0.5, cap: float = 15.0) -> Iterator[float]:
    """Full-jitter exponential backoff: 0..base, 0..2*base, ... up to 0..cap."""
    attempt = 0
    while True:
        yield random.uniform(0, min(cap, base * 2 ** attempt))
        attempt += 1


class EventStream:
    """Yields LinkStatus changes and Events, forever, until the consumer stops iterating."""

    def __init__(self, base_url: str, token: str, *, since: int | None = None,
                 base_delay: float = 0.5, max_delay: float = 15.0) -> None:
        scheme, rest = base_url.rstrip("/").split("://", 1)
        self.url = ("wss" if scheme == "https" else "ws") + "://" + rest + "/api/v1/ws"
        self.token = token
        self.since = since
        self.base_delay = base_delay
        self.max_delay = max_delay

    async def __aiter__(self) -> AsyncIterator[Event | LinkStatus]:
        delays = backoff_delays(self.base_delay, self.max_delay)
        loop = asyncio.get_running_loop()
        while True:
            yield LinkStatus("connecting")
            restarted = False
            live_since = loop.time()
            url = self.url if self.since is None else f"{self.url}?since={self.since}"
            try:
                async with websockets.connect(
                    url, additional_headers={"Authorization": f"Bearer {self.token}"},
                    open_timeout=10, ping_interval=20, max_size=2**24,
                ) as ws:
                    yield LinkStatus("live")
                    live_since = loop.time()
                    delays = backoff_delays(self.base_delay, self.max_delay)
                    async for raw in ws:
                        message = json.loads(raw)
                        event = Event(int(message["seq"]), str(message["type"]),
                                      message.get("data") or {})
                        self.since = event.seq
                        if event.type != "heartbeat":
                            yield event
                reason = "server closed the stream"
            except InvalidStatus as exc:
                if exc.response.status_code in (401, 403):
                    yield LinkStatus("unauthorized", "the server refused the token")
                reason = f"server answered {exc.response.status_code}"
            except (OSError, ConnectionClosed, asyncio.TimeoutError, ValueError, KeyError) as exc:
                reason = exc.__class__.__name__
                # at once, unless that connection lasted under a second (a server that keeps
                # restarting us gets the usual backoff)
                restarted = isinstance(exc, ConnectionClosed) and exc.rcvd is not None \
                    and exc.rcvd.code == SERVICE_RESTART and loop.time() - live_since >= 1.0
            yield LinkStatus("offline", "server restarting" if restarted else reason)
            if not restarted:
                await asyncio.sleep(next(delays))
