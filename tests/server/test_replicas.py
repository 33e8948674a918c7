"""Two server processes on one PostgreSQL database: an event written by either reaches both."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cockpit.server.app import ServerOptions, create_app
from cockpit.store import open_engine
from cockpit.store.users import add_user, issue_token
from tests.conftest import empty_postgres
from tests.factories import item


def test_events_cross_replicas_sharing_postgres(postgres_url):
    engines = [empty_postgres(postgres_url), open_engine(postgres_url)]
    with engines[0].begin() as conn:
        add_user(conn, "mel", "member")
        add_user(conn, "svc", "service")
        mel, svc = issue_token(conn, "mel"), issue_token(conn, "svc")
    options = ServerOptions(poll_interval=0.05, heartbeat=5)
    try:
        with TestClient(create_app(options, engine=engines[0])) as replica_a, \
                TestClient(create_app(options, engine=engines[1])) as replica_b, \
                replica_a.websocket_connect("/api/v1/ws",
                                            headers={"Authorization": f"Bearer {mel}"}) as ws:
            assert ws.receive_json()["type"] == "heartbeat"
            created = replica_b.post("/api/v1/inbox/items", json=item(title="via B"),
                                     headers={"Authorization": f"Bearer {svc}"}).json()
            event = ws.receive_json()
            while event["type"] == "heartbeat":
                event = ws.receive_json()
            assert event["type"] == "item.created"
            assert event["data"]["items"][0]["id"] == created["id"]
    finally:
        for engine in engines:
            engine.dispose()
