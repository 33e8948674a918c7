"""Operating the server: /healthz, /readyz, /metrics (token, or a port of its own), request ids,
and request logs that never hold a token, a secret, a note, a message or a query string."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from cockpit.server.app import ServerOptions, create_app
from cockpit.server.logs import JsonFormatter, Redactor, TextFormatter
from cockpit.server.serving import serve_metrics
from cockpit.store.tables import outbox
from tests.server.markers import new_marker, send_marked_requests

METRICS_TOKEN = "metrics-" + uuid.uuid4().hex


@pytest.fixture
def options() -> ServerOptions:
    return ServerOptions(poll_interval=0.05, heartbeat=0.5, metrics_token=METRICS_TOKEN)


def scrape(client: TestClient) -> dict[str, float]:
    """The samples of one scrape, by name and labels as written."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return parse(response.text)


def parse(exposition: str) -> dict[str, float]:
    samples = {}
    for line in exposition.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def test_healthz_and_readyz_answer_without_a_token(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


def test_readyz_is_503_while_starting_and_while_draining(engine, options):
    app = create_app(options, engine=engine)
    starting = TestClient(app).get("/readyz")  # no lifespan: the app has not started
    assert (starting.status_code, starting.json()["reason"]) == (503, "starting")
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        app.state.readiness.draining = True  # what a stop signal does first
        draining = client.get("/readyz")
        assert (draining.status_code, draining.json()["reason"]) == (503, "draining")
        assert client.get("/healthz").status_code == 200  # still up


def test_readyz_is_503_when_migrations_are_not_at_head(client, engine):
    with engine.begin() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert "migrations" in answer.json()["reason"]
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert client.get("/readyz").status_code == 200


def test_metrics_without_a_token_configured_answer_404(engine):
    with TestClient(create_app(ServerOptions(), engine=engine)) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer x"}).status_code == 404


def test_metrics_need_the_metrics_token(client, users):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": f"Bearer {users['olivia']}"})
    assert wrong.status_code == 401  # a user's token is not the metrics token
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_request_latency_by_route_template_and_status(client, as_user):
    mel = as_user("mel")
    item_id = as_user("svc").ingest()["id"]
    assert mel.get(f"/inbox/{item_id}").status_code == 200
    assert mel.get("/inbox/999999").status_code == 404
    client.get("/no/such/path")
    client.request("FROBNICATE", "/healthz")  # any method token: one label for all of them
    samples = scrape(client)
    route = 'route="/api/v1/inbox/{item_id}"'
    assert samples[f'cockpit_http_request_duration_seconds_count{{method="GET",{route},'
                   f'status="200"}}'] == 1
    assert samples[f'cockpit_http_request_duration_seconds_count{{method="GET",{route},'
                   f'status="404"}}'] == 1
    assert samples['cockpit_http_request_duration_seconds_count{method="GET",'
                   'route="<unmatched>",status="404"}'] == 1
    assert samples['cockpit_http_request_duration_seconds_count{method="OTHER",'
                   'route="/healthz",status="405"}'] == 1
    routes = {m for name in samples for m in re.findall(r'route="([^"]*)"', name)}
    assert routes == {"/api/v1/inbox/items", "/api/v1/inbox/{item_id}", "<unmatched>",
                      "/healthz"}


def test_websocket_clients_and_events_fanned_out(client, as_user, users):
    before = scrape(client)
    assert before["cockpit_websocket_clients"] == 0
    with client.websocket_connect("/api/v1/ws", headers={
            "Authorization": f"Bearer {users['mel']}"}) as ws:
        assert ws.receive_json()["type"] == "heartbeat"
        assert scrape(client)["cockpit_websocket_clients"] == 1
        as_user("svc").ingest(title="fan me out")
        event = ws.receive_json()
        while event["type"] == "heartbeat":  # one may come first on a slow machine
            event = ws.receive_json()
        assert event["type"] == "item.created"
        after = scrape(client)
    assert after["cockpit_events_dispatched_total"] >= before["cockpit_events_dispatched_total"] + 1
    assert after["cockpit_event_fanout_seconds_count"] >= 1
    assert scrape(client)["cockpit_websocket_clients"] == 0


def test_outbox_backlog_routing_queues_and_pool(client, as_user, engine):
    svc = as_user("svc")
    for title in ("first", "second"):
        svc.ingest(kind="ticket", title=title, payload={"queue": "billing", "customer": {
            "id": "c-1", "name": "Ana", "email": "ana@example.com", "vip": False}})
    queued = datetime.now(UTC) - timedelta(minutes=10)
    with engine.begin() as conn:
        conn.execute(insert(outbox).values(url="http://127.0.0.1:9/x", body="{}", attempts=3,
                                           next_attempt_at=queued + timedelta(days=1),
                                           created_at=queued))
    samples = scrape(client)
    assert samples["cockpit_store_up"] == 1
    assert samples["cockpit_outbox_pending"] == 1
    assert 600 <= samples["cockpit_outbox_oldest_pending_age_seconds"] < 3600
    assert samples['cockpit_routing_queue_depth{queue="billing"}'] == 2
    assert samples['cockpit_routing_queue_oldest_wait_seconds{queue="billing"}'] >= 0
    assert samples["cockpit_db_pool_size"] >= 1
    assert samples["cockpit_db_pool_checked_out"] >= 0


def test_metrics_port_serves_without_a_token_on_loopback(engine):
    app = create_app(ServerOptions(), engine=engine)
    with TestClient(app) as client:
        client.get("/healthz")
        port = serve_metrics(app, 0)
        answer = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert answer.status_code == 200
    samples = parse(answer.text)
    assert samples['cockpit_http_request_duration_seconds_count{method="GET",'
                   'route="/healthz",status="200"}'] == 1
    assert samples["cockpit_store_up"] == 1


def test_request_id_comes_back(client):
    given = client.get("/healthz", headers={"X-Request-ID": "lb-42.a:b"})
    assert given.headers["x-request-id"] == "lb-42.a:b"
    made = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    hostile = client.get("/healthz", headers={"X-Request-ID": "a b\r\nforged: line"})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])


class Captured(logging.Handler):
    """Every record, of every logger, at every level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured() -> Iterator[Captured]:
    handler = Captured()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def test_no_token_secret_note_message_or_query_reaches_a_log_line(engine, users, captured):
    marker = new_marker()
    secret, metrics_token = f"whsec-{marker}-1", f"mt-{marker}-2"
    options = ServerOptions(poll_interval=0.05, heartbeat=0.5, metrics_token=metrics_token,
                            webhook_secret=secret)
    owner, svc = ({"Authorization": f"Bearer {users[n]}"} for n in ("olivia", "svc"))
    with TestClient(create_app(options, engine=engine)) as client:
        send_marked_requests(client, owner, svc, marker, metrics_token)
        with client.websocket_connect(f"/api/v1/ws?since=0&note={marker}-10", headers=owner) \
                as ws:
            assert ws.receive_json()["seq"] >= 0
    text_format, json_format = TextFormatter(Redactor()), JsonFormatter(Redactor())
    requests = [r for r in captured.records if r.name == "cockpit.request"]
    assert len(requests) >= 8
    assert {r.request["user_id"] for r in requests} >= {"olivia", "svc"}
    tokens = [users["olivia"], users["svc"]]
    for record in captured.records:
        # what the server writes; the test's own HTTP client (httpx) logs its raw URLs
        raw = () if record.name.startswith(("httpx", "httpcore")) else (record.getMessage(),)
        lines = (*raw, text_format.format(record), json_format.format(record))
        for line in lines:
            assert marker not in line, line
            assert not any(token in line for token in tokens), line
    for record in requests:
        line = json.loads(JsonFormatter(Redactor()).format(record))
        assert set(line) >= {"time", "level", "request_id", "method", "route", "status",
                             "duration_ms", "user_id"}


def test_redactor_cuts_tokens_secrets_and_query_strings():
    redact = Redactor(["s3cret-value"])
    line = redact('GET /api/v1/inbox?q=private HTTP/1.1 Authorization: Bearer abc.def '
                  'token ck_AbC-123_x and s3cret-value "WebSocket /api/v1/ws?since=5"')
    assert "private" not in line and "abc.def" not in line and "ck_AbC" not in line
    assert "s3cret" not in line and "since=5" not in line
    assert "/api/v1/inbox?[redacted]" in line and "/api/v1/ws?[redacted]" in line
