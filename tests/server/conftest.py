"""An app on a fresh database, and a user per role with a ready HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cockpit.server.app import ServerOptions, create_app
from cockpit.store.users import add_user, issue_token
from tests.factories import item

ROLES = {
    "olivia": "owner",
    "adam": "admin",
    "mia": "manager",
    "mel": "member",
    "max": "member",
    "vic": "viewer",
    "svc": "service",
}


class Api:
    """A TestClient bound to one user's token."""

    def __init__(self, client: TestClient, token: str, user: str) -> None:
        self.client, self.token, self.user = client, token, user
        self.headers = {"Authorization": f"Bearer {token}"}

    def _headers(self, kw: dict[str, Any]) -> dict[str, str]:
        return {**self.headers, **kw.pop("headers", {})}

    def get(self, path: str, **kw: Any):
        return self.client.get("/api/v1" + path, headers=self._headers(kw), **kw)

    def post(self, path: str, **kw: Any):
        return self.client.post("/api/v1" + path, headers=self._headers(kw), **kw)

    def patch(self, path: str, **kw: Any):
        return self.client.patch("/api/v1" + path, headers=self._headers(kw), **kw)

    def ingest(self, **fields: Any) -> dict:
        response = self.post("/inbox/items", json=item(**fields))
        assert response.status_code in (200, 201), response.text
        return response.json()


@pytest.fixture
def options() -> ServerOptions:
    return ServerOptions(poll_interval=0.05, heartbeat=0.5)


@pytest.fixture
def client(engine, options) -> Iterator[TestClient]:
    with TestClient(create_app(options, engine=engine)) as test_client:
        yield test_client


@pytest.fixture
def users(engine) -> dict[str, str]:
    tokens = {}
    with engine.begin() as conn:
        for name, role in ROLES.items():
            add_user(conn, name, role)
            tokens[name] = issue_token(conn, name)
    return tokens


@pytest.fixture
def as_user(client, users):
    """as_user("mel") -> an Api acting as mel."""
    return lambda name: Api(client, users[name], name)


@pytest.fixture
def svc(as_user) -> Api:
    return as_user("svc")
