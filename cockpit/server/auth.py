"""Bearer-token authentication for HTTP and websocket requests."""

from __future__ import annotations

from fastapi import HTTPException, Request, WebSocket, status
from starlette.concurrency import run_in_threadpool

from cockpit.domain.roles import Principal
from cockpit.store.users import principal_for_token

# What a client may say it is; `bulk` and `system` are written by the server itself.
CLIENT_ORIGINS = frozenset({"tui", "cli", "api"})


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _lookup(engine, token: str) -> Principal | None:
    with engine.connect() as conn:
        return principal_for_token(conn, token)


async def authenticate(conn: Request | WebSocket) -> Principal | None:
    token = bearer_token(conn.headers.get("authorization"))
    if token is None:
        return None
    return await run_in_threadpool(_lookup, conn.app.state.engine, token)


async def current_user(request: Request) -> Principal:
    user = await authenticate(request)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or invalid bearer token (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def request_origin(request: Request) -> str:
    """Where a request comes from, for the audit journal: X-Cockpit-Origin, else 'api'."""
    origin = (request.headers.get("x-cockpit-origin") or "api").lower()
    return origin if origin in CLIENT_ORIGINS else "api"
