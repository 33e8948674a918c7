"""Operating the server, outside /api/v1: `GET /healthz`, `GET /readyz`, `GET /metrics`.

`/healthz` says the process is up and answering; it touches nothing else, so a probe of it
stays cheap and a database outage never gets a healthy process restarted. `/readyz` says
whether to send this process traffic: started, not draining, the database answering and its
migrations at head. Both are unauthenticated and answer JSON.

`/metrics` (Prometheus text) is served here only when a metrics token is configured
(`COCKPIT_METRICS_TOKEN`), to a request bearing it: 401 otherwise. Without a token it answers
404, as if it were not there: the figures (route names, queue names, volumes) are not for
anyone who can reach the API. The other way to scrape is `cockpit serve --metrics-port P`, which
serves them without a token on 127.0.0.1:P only.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from cockpit.server.auth import bearer_token
from cockpit.server.metrics import ServerMetrics
from cockpit.store.db import _at_head  # "the database answers and has every migration"

router = APIRouter(include_in_schema=False)


@dataclass
class Readiness:
    """Set by the lifespan (started) and by a stop signal or the lifespan's end (draining)."""

    started: bool = False
    draining: bool = False


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    readiness: Readiness = request.app.state.readiness
    if readiness.draining:
        return _not_ready("draining")
    if not readiness.started:
        return _not_ready("starting")
    try:
        at_head = await run_in_threadpool(_at_head, request.app.state.engine)
    except SQLAlchemyError:  # a pool timeout, say; _at_head answers False for the driver's own
        at_head = False
    if not at_head:
        return _not_ready("database unavailable or migrations pending")
    return JSONResponse({"status": "ready"})


def _not_ready(reason: str) -> JSONResponse:
    return JSONResponse({"status": "not ready", "reason": reason}, status_code=503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Sync: the scrape reads the database, in the threadpool."""
    expected: str | None = request.app.state.metrics_token
    if not expected:
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    given = bearer_token(request.headers.get("authorization")) or ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return JSONResponse({"detail": "metrics: missing or invalid bearer token"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})
    server_metrics: ServerMetrics = request.app.state.metrics
    return Response(server_metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
