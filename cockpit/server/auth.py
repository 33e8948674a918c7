"""Bearer-token authentication for HTTP and websocket requests."""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import HTTPException, Request, Security, WebSocket, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from cockpit.domain.roles import Principal
from cockpit.store.users import TokenLookup

# What a client may say it is; `bulk` and `system` are written by the server itself.
CLIENT_ORIGINS = frozenset({"tui", "cli", "api"})

UNAUTHORIZED = "missing or invalid bearer token (Authorization: Bearer <token>)"

# Declares the scheme in the OpenAPI schema (components.securitySchemes, each route's
# `security`). auto_error=False: a missing or non-Bearer header comes back as None and
# `current_user` answers our own 401, the same as for an unknown token.
bearer_scheme = HTTPBearer(
    scheme_name="bearer",
    description="A token from `cockpit users add NAME --role ROLE`, sent as "
                "`Authorization: Bearer <token>`.",
    auto_error=False,
)


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@functools.lru_cache(maxsize=16)
def _tokens(engine: Engine) -> TokenLookup:
    """The token lookup of `engine`. Every request asks the database (a plain read, never
    behind a long write): nothing is cached, so a revoked token fails at once everywhere."""
    return TokenLookup(engine)


def _lookup(engine: Engine, token: str) -> Principal | None:
    return _tokens(engine)(token)


async def authenticate(conn: Request | WebSocket) -> Principal | None:
    token = bearer_token(conn.headers.get("authorization"))
    if token is None:
        return None
    user = await run_in_threadpool(_lookup, conn.app.state.engine, token)
    if user is not None:
        conn.state.user_id = user.id  # for the request's log line
    return user


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
) -> Principal:
    token = credentials.credentials.strip() if credentials is not None else ""
    user = await run_in_threadpool(_lookup, request.app.state.engine, token) if token else None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, UNAUTHORIZED,
                            headers={"WWW-Authenticate": "Bearer"})
    request.state.user_id = user.id  # for the request's log line
    return user


def request_origin(request: Request) -> str:
    """Where a request comes from, for the audit journal: X-Cockpit-Origin, else 'api'."""
    origin = (request.headers.get("x-cockpit-origin") or "api").lower()
    return origin if origin in CLIENT_ORIGINS else "api"
