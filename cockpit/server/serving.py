"""Running the app under uvicorn as a service: draining on a stop signal, metrics on a port.

A stop signal (SIGTERM, or Ctrl-C) drains the process in this order:
1. `/readyz` answers 503 at once, so a load balancer stops sending new work here;
2. after `drain_delay` seconds (0 by default; a second signal cuts it short) uvicorn stops
   accepting, closes every websocket with 1012 (service restart: the app reconnects at once,
   to another replica) and lets the requests under way finish, for up to `graceful_timeout`;
3. the app's lifespan ends: the outbox hands the webhooks it holds back to the database for
   another replica to send at once (`OutboxWorker.stop`), and the hub stops.
"""

from __future__ import annotations

import gc
import socket
import time
from types import FrameType

import uvicorn
from fastapi import FastAPI
from prometheus_client import start_http_server

from cockpit.server.ops import Readiness


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, readiness: Readiness,
                 drain_delay: float = 0.0) -> None:
        super().__init__(config)
        self.readiness = readiness
        self.drain_delay = drain_delay
        self._stop_at: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # A plain attribute write: safe in a signal handler, seen by the next /readyz.
        self.readiness.draining = True
        if self._stop_at is None and self.drain_delay > 0:
            self._stop_at = time.monotonic() + self.drain_delay
            return
        super().handle_exit(sig, frame)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # What start-up built (modules, routes, schemas, pools) lives as long as the process:
        # kept out of the collector's full passes, which otherwise walk all of it (~0.1 s, a
        # request's p99) every few thousand allocations.
        gc.freeze()

    async def on_tick(self, counter: int) -> bool:
        if self._stop_at is not None and time.monotonic() >= self._stop_at:
            self.should_exit = True
        return await super().on_tick(counter)


def serve_metrics(app: FastAPI, port: int, host: str = "127.0.0.1") -> int:
    """Serve the app's metrics, without a token, on host:port (a thread of prometheus_client's
    own); answers the port (useful with 0)."""
    server, _thread = start_http_server(port, addr=host, registry=app.state.metrics.registry)
    return server.server_address[1]
