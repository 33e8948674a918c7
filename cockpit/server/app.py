"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from cockpit.server import routes, websocket
from cockpit.server.errors import ServiceError
from cockpit.server.hub import EventHub
from cockpit.server.inbox import Inbox
from cockpit.server.outbox import OutboxWorker
from cockpit.server.sweeper import run_sweeper
from cockpit.store import open_engine


@dataclass
class ServerOptions:
    db_url: str | None = None
    poll_interval: float = 0.5  # how soon other processes' writes reach this one's websockets
    heartbeat: float = 15.0
    queue_size: int = 1000  # events a websocket client may fall behind before it is dropped
    retention: int = 100_000  # events kept for replay; an older `since` gets a reset
    webhook_secret: str | None = None
    outbox_interval: float = 1.0
    outbox_base_delay: float = 2.0  # first retry after this many seconds, doubling to 5 min
    sweep_interval: float = 5.0  # how often expired waitpoints are resolved


def create_app(options: ServerOptions | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the server. The engine is opened (and migrated) when the app starts."""
    options = options or ServerOptions()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = engine or open_engine(options.db_url)
        hub = EventHub(db, poll_interval=options.poll_interval, queue_size=options.queue_size,
                       retention=options.retention)
        app.state.engine = db
        app.state.hub = hub
        app.state.heartbeat = options.heartbeat
        sender = OutboxWorker(db, options.webhook_secret, interval=options.outbox_interval,
                              base_delay=options.outbox_base_delay)

        def changed() -> None:
            hub.wake()
            sender.wake()

        app.state.inbox = Inbox(db, notify=changed)
        app.state.outbox = sender
        await hub.start()
        await sender.start()
        sweeper = asyncio.create_task(run_sweeper(db, options.sweep_interval, changed))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await sender.stop()
            await hub.stop()
            if engine is None:
                db.dispose()

    app = FastAPI(title="Cockpit", version="0.1.0", lifespan=lifespan,
                  description="The team inbox: items, decisions, and a live event stream.")
    _install_error_handlers(app)
    app.include_router(routes.router)
    app.include_router(websocket.router)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_describe(e) for e in exc.errors()]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return JSONResponse({"detail": summary, "errors": errors}, status_code=422)


def _describe(error: dict) -> dict[str, str]:
    if error["type"] == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        return {"field": "body", "message": f"malformed JSON {reason}".strip()}
    return {"field": _field_name(error["loc"]), "message": error["msg"]}


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"
