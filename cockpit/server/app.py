"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cockpit.server import desk, floor, ops, people, presence, routes, websocket
from cockpit.server.errors import ServiceError, ValidationErrorBody
from cockpit.server.hub import EventHub
from cockpit.server.inbox import Inbox
from cockpit.server.logs import RequestLog
from cockpit.server.metrics import ServerMetrics
from cockpit.server.outbox import OutboxWorker
from cockpit.server.sweeper import run_sweeper
from cockpit.store import open_engine


MAX_BODY_BYTES = 1_048_576  # 1 MiB: the default limit on a request body


@dataclass
class ServerOptions:
    db_url: str | None = None
    poll_interval: float = 0.5  # how soon other processes' writes reach this one's websockets
    heartbeat: float = 15.0
    send_timeout: float = 10.0  # a websocket send blocked this long drops the client (TOO_SLOW)
    gap_wait: float = 2.0  # how long a missing seq is waited for before it is taken as rolled back
    queue_size: int = 1000  # events a websocket client may fall behind before it is dropped
    retention: int = 100_000  # events kept for replay; an older `since` gets a reset
    webhook_secret: str | None = None
    outbox_interval: float = 1.0
    outbox_base_delay: float = 2.0  # first retry after this many seconds, doubling to 5 min
    sweep_interval: float = 5.0  # how often expired waitpoints are resolved
    max_body_bytes: int = MAX_BODY_BYTES  # a larger request body answers 413, unparsed
    metrics_token: str | None = None  # GET /metrics needs it as a bearer token; none: 404


def create_app(options: ServerOptions | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the server. The engine is opened (and migrated) when the app starts.

    `app.state.readiness` and `app.state.metrics` exist from here on, so whoever runs the app
    can mark it draining and serve its metrics elsewhere (see cockpit.server.serving).
    """
    options = options or ServerOptions()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = engine or open_engine(options.db_url)
        hub = EventHub(db, poll_interval=options.poll_interval, queue_size=options.queue_size,
                       retention=options.retention, gap_wait=options.gap_wait)
        app.state.engine = db
        app.state.hub = hub
        hub.on_dispatch = app.state.metrics.dispatched
        app.state.heartbeat = options.heartbeat
        app.state.send_timeout = options.send_timeout
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
        app.state.readiness.started = True
        try:
            yield
        finally:
            app.state.readiness.draining = True
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await sender.stop()
            await hub.stop()
            if engine is None:
                db.dispose()

    app = FastAPI(title="Cockpit", version="0.1.0", lifespan=lifespan,
                  description="The team inbox: items, decisions, and a live event stream.")
    app.state.readiness = ops.Readiness()
    app.state.metrics = ServerMetrics(app.state)
    app.state.metrics_token = options.metrics_token
    _install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=options.max_body_bytes)
    # outermost: times and logs every request, a refused body too
    app.add_middleware(RequestLog, observe=app.state.metrics.request)
    app.include_router(ops.router)
    app.include_router(routes.router)
    app.include_router(people.router)
    app.include_router(desk.router)
    app.include_router(presence.router)
    app.include_router(floor.router)
    app.include_router(websocket.router)
    _document_our_validation_errors(app)
    return app


class BodyLimit:
    """Answers 413 to a request body over `max_bytes`, before anything reads or parses it.

    A Content-Length over the limit is refused at once, unread (the server holds a body to
    its Content-Length). A body without one (chunked) is read here, counting bytes as they
    stream: it is refused as soon as it is over, so at most `max_bytes` are ever held, and
    otherwise handed on whole.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None:
            if length > self.max_bytes:
                await self._refuse(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left: let the app hear it
                first = message
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                first = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
                break
        pending: list[Message] = [first]

        async def replay() -> Message:
            return pending.pop() if pending else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {"detail": f"body: the request body is over the limit of {self.max_bytes} bytes"},
            status_code=413, headers={"Connection": "close"})
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The request's Content-Length, or None when it has none we can trust."""
    values = [v for k, v in scope.get("headers", []) if k.lower() == b"content-length"]
    if not values or len(set(values)) != 1 or not values[0].isdigit():
        return None
    return int(values[0]) if len(values[0]) <= 18 else 10**18  # int() balks at 4300 digits


def _document_our_validation_errors(app: FastAPI) -> None:
    """The schema names our 422 body (`ValidationErrorBody`), never FastAPI's default one.

    Routes declare their 422 themselves; this catches one that does not, so the schema keeps
    telling the truth about what `invalid_request` below answers.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        theirs, ours = "#/components/schemas/HTTPValidationError", \
            "#/components/schemas/ValidationErrorBody"
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for answer in operation.get("responses", {}).values():
                    for media in answer.get("content", {}).values():
                        if media.get("schema", {}).get("$ref") == theirs:
                            media["schema"] = {"$ref": ours}
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        if "ValidationErrorBody" not in components:
            body = ValidationErrorBody.model_json_schema(
                ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components["ValidationErrorBody"] = body
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid([_describe(e) for e in exc.errors()])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI answers a body json.loads cannot read as JSON (not UTF-8, nested past the
        # recursion limit, an integer of over 4300 digits) with a bare 400 "There was an
        # error parsing the body", raised from that error. It is malformed JSON like any
        # other: a 422 naming the body.
        reason = _unreadable_json(exc.__cause__) if exc.status_code == 400 else None
        if reason is not None:
            return _invalid([{"field": "body", "message": f"malformed JSON: {reason}"}])
        return await http_exception_handler(request, exc)


def _invalid(errors: list[dict[str, str]]) -> JSONResponse:
    """Our 422: a summary naming the fields, and each of them (ValidationErrorBody)."""
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return JSONResponse({"detail": summary, "errors": errors}, status_code=422)


def _unreadable_json(cause: BaseException | None) -> str | None:
    if isinstance(cause, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(cause, RecursionError):
        return "nested too deeply"
    if isinstance(cause, ValueError):
        return str(cause).split(";")[0][:200]
    return None


def _describe(error: dict) -> dict[str, str]:
    if error["type"] == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        return {"field": "body", "message": f"malformed JSON: {reason}" if reason
                else "malformed JSON"}
    # A validator's own ValueError reads as itself, without pydantic's "Value error, " head.
    message = error["msg"].removeprefix("Value error, ") if error["type"] == "value_error" \
        else error["msg"]
    return {"field": _field_name(error["loc"]), "message": message}


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"
