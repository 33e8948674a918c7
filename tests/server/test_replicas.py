"""Two server processes on one PostgreSQL database: an event written by either reaches both,
woken by NOTIFY."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from cockpit.server.app import ServerOptions, create_app
from cockpit.store import events, open_engine
from tests.conftest import empty_postgres
from tests.factories import item
from tests.server.test_ws_resilience import make_users, wait_for

psycopg = pytest.importorskip("psycopg")


def test_events_cross_replicas_sharing_postgres(postgres_url):
    engines = [empty_postgres(postgres_url), open_engine(postgres_url)]
    mel, svc = make_users(engines[0], mel="member", svc="service").values()
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


def test_a_replica_wakes_on_notify_not_on_its_poll(postgres_url):
    """Replica B polls once a minute: an event written through A reaches B's client within
    the test only because A's transaction NOTIFYs and B's hub LISTENs."""
    engines = [empty_postgres(postgres_url), open_engine(postgres_url)]
    mel, svc = make_users(engines[0], mel="member", svc="service").values()
    slow_poll = ServerOptions(poll_interval=60, heartbeat=60)
    try:
        with TestClient(create_app(ServerOptions(poll_interval=60), engine=engines[0])) as a, \
                TestClient(create_app(slow_poll, engine=engines[1])) as b, \
                b.websocket_connect("/api/v1/ws",
                                    headers={"Authorization": f"Bearer {mel}"}) as ws:
            listener = b.app.state.hub.listener
            assert ws.receive_json()["type"] == "heartbeat"
            wait_for(lambda: listener.listening, 30, "B to listen")
            before = listener.notified
            created = a.post("/api/v1/inbox/items", json=item(title="via A"),
                             headers={"Authorization": f"Bearer {svc}"}).json()
            event = ws.receive_json()
            while event["type"] != "item.created":
                event = ws.receive_json()
            assert event["data"]["items"][0]["id"] == created["id"]
            assert listener.notified > before  # the wake came from NOTIFY
    finally:
        for engine in engines:
            engine.dispose()


def test_a_rolled_back_event_notifies_no_one(postgres_url):
    engine = empty_postgres(postgres_url)
    listening = psycopg.connect(engine.url.set(drivername="postgresql")
                                .render_as_string(hide_password=False), autocommit=True)
    try:
        listening.execute(f"LISTEN {events.CHANNEL}")
        with engine.connect() as conn, conn.begin() as tx:
            events.append(conn, "item.updated", {"items": []})
            tx.rollback()
        with engine.begin() as conn:
            kept = events.append(conn, "item.updated", {"items": []})
        heard = [n.payload for n in listening.notifies(timeout=30, stop_after=1)]
        assert heard == [str(kept)]
    finally:
        listening.close()
        engine.dispose()


def test_live_metrics_reach_the_clients_of_the_other_replica(postgres_url):
    """A ticket written through A changes the floor: B's hub hears of it from the log and
    pushes its own clients the figures (they are not in the log)."""
    engines = [empty_postgres(postgres_url), open_engine(postgres_url)]
    mia, svc = make_users(engines[0], mia="manager", svc="service").values()
    try:
        with TestClient(create_app(ServerOptions(poll_interval=60), engine=engines[0])) as a, \
                TestClient(create_app(ServerOptions(poll_interval=60, heartbeat=0.5),
                                      engine=engines[1])) as b, \
                b.websocket_connect("/api/v1/ws",
                                    headers={"Authorization": f"Bearer {mia}"}) as ws:
            assert a.post("/api/v1/queues", json={"name": "billing"},
                          headers={"Authorization": f"Bearer {mia}"}).status_code == 201
            a.post("/api/v1/inbox/items", headers={"Authorization": f"Bearer {svc}"},
                   json=item(kind="ticket", payload={"queue": "billing"}))
            deadline = time.monotonic() + 30  # heartbeats every 0.5 s keep the loop turning
            while not ((event := ws.receive_json())["type"] == "metrics"
                       and event["data"]["waiting"] == 1):
                assert time.monotonic() < deadline, "no metrics with the ticket reached B"
            assert [q["name"] for q in event["data"]["queues"]] == ["billing"]
    finally:
        for engine in engines:
            engine.dispose()
