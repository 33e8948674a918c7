"""Request logs: one line per request, as text or JSON, with nothing secret in any line.

A request's line names its route template (`/api/v1/inbox/{item_id}`), never the raw URL: a
query string may hold a search, ids or worse. Bodies and headers are never logged. Every line
the process writes, ours or a library's (uvicorn names the URL of a websocket it accepts),
goes through `redact` on its way out: bearer tokens, Cockpit tokens, the configured secrets
and query strings are cut from the text, tracebacks included.

The request id comes from the client's `X-Request-ID` when it is a plain short id (letters,
digits, `._:-`, up to 128), else it is made here; either way the response carries it back.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

log = logging.getLogger("cockpit.request")
REQUEST_ID = "x-request-id"
_CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
UNMATCHED = "<unmatched>"  # the route of a request no route took: one label, not one per URL

_SECRETS = (
    (re.compile(r"(?i)\b(bearer)\s+\S+"), r"\1 [redacted]"),
    (re.compile(r"\bck_[A-Za-z0-9_\-]+"), "[redacted]"),
    # a path's query string, wherever a URL appears in a message
    (re.compile(r"(/[^\s\"'?]*)\?[^\s\"']*"), r"\1?[redacted]"),
)


class Redactor:
    """Cuts secrets out of text: the patterns above, and the exact values it is given."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self.values = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, "[redacted]")
        for pattern, replacement in _SECRETS:
            text = pattern.sub(replacement, text)
        return text


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, a request's fields, and the
    traceback of an exception as `exc`."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": self.redact(record.getMessage())}
        line.update(getattr(record, "request", None) or {})
        if record.exc_info:
            line["exc"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(fmt: LogFormat, *, secrets: Iterable[str | None] = (),
                      level: int = logging.INFO) -> None:
    """Send every logger's lines to stderr in `fmt`, through the redactor (for `cockpit serve`;
    uvicorn is then run with log_config=None and without its access log, which this replaces)."""
    redact = Redactor(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # into the one handler above
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its plugins' set-up, every start


def request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            text = value.decode("latin-1")
            if _CLIENT_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or UNMATCHED


Observer = Callable[[str, str, int, float], None]  # method, route, status, seconds


class RequestLog:
    """Logs one line per request (a websocket: one when it ends) and hands each HTTP request's
    method, route, status and duration to `observe` (the latency histogram)."""

    def __init__(self, app: ASGIApp, observe: Observer | None = None) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500  # what it was if the app raised before answering
        header = (REQUEST_ID.encode(), rid.encode())

        async def tell(message: Message) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            elif kind == "websocket.accept":
                status = 101
                message["headers"] = [*message.get("headers", []), header]
            elif kind == "websocket.close" and status != 101:
                status = 403  # refused before it was accepted
            await send(message)

        try:
            await self.app(scope, receive, tell)
        finally:
            seconds = time.perf_counter() - started
            method = scope.get("method", "WS") if scope["type"] == "http" else "WS"
            route = route_of(scope)
            user = (scope.get("state") or {}).get("user_id")
            if self.observe is not None and scope["type"] == "http":
                self.observe(method, route, status, seconds)
            fields = {"request_id": rid, "method": method, "route": route, "status": status,
                      "duration_ms": round(seconds * 1000, 1), "user_id": user}
            log.info("%s %s %s %.1fms user=%s request_id=%s", method, route, status,
                     seconds * 1000, user or "-", rid, extra={"request": fields})
