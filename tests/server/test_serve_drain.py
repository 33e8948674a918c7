"""`cockpit serve` as a service, in a child process: JSON request logs with nothing secret in
them, and a SIGTERM that drains (not ready, websockets closed with 1012, the request under way
finished, outbox leases handed back)."""

from __future__ import annotations

import json
import signal
import socket
import threading
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from cockpit.store import open_engine
from cockpit.store.tables import outbox
from cockpit.store.users import add_user, issue_token
from tests.server.markers import new_marker, send_marked_requests
from tests.server.served import Served, wait_for


@pytest.fixture
def sqlite_db(tmp_path) -> tuple[str, dict[str, str]]:
    """A migrated SQLite database and a token each for an owner and a service account."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    engine = open_engine(url)
    with engine.begin() as conn:
        for name, role in (("olivia", "owner"), ("svc", "service")):
            add_user(conn, name, role)
        tokens = {name: issue_token(conn, name) for name in ("olivia", "svc")}
    engine.dispose()
    return url, tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_json_request_logs_hold_no_token_secret_note_message_or_query(tmp_path, sqlite_db):
    db, tokens = sqlite_db
    marker = new_marker()
    server = Served(db, tmp_path / "serve.log", "--log-format", "json",
                    COCKPIT_WEBHOOK_SECRET=f"whsec-{marker}-1",
                    COCKPIT_METRICS_TOKEN=f"mt-{marker}-2")
    try:
        owner, svc = bearer(tokens["olivia"]), bearer(tokens["svc"])
        with httpx.Client(base_url=server.url, timeout=30) as http:
            send_marked_requests(http, owner, svc, marker, f"mt-{marker}-2")
        with connect(f"{server.ws_url}?since=0&tag={marker}-8",
                     additional_headers=owner) as ws:
            assert json.loads(ws.recv(timeout=30))["seq"] >= 0
        server.terminate()  # without a drain delay, the first signal stops it
        assert server.wait() in (0, -signal.SIGTERM)
        with pytest.raises(httpx.ConnectError):
            httpx.get(server.url + "/healthz", timeout=5)
    finally:
        server.close()
    lines = [line for line in server.log().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    assert "Application shutdown complete." in {r["message"] for r in records}
    requests = [r for r in records if r["logger"] == "cockpit.request"]
    assert {(r["method"], r["route"], r["status"], r["user_id"]) for r in requests} >= {
        ("POST", "/api/v1/inbox/items", 201, "svc"),
        ("POST", "/api/v1/inbox/{item_id}/actions/{name}", 200, "olivia"),
        ("GET", "/api/v1/inbox", 200, "olivia"),
        ("GET", "/api/v1/inbox", 401, None),
        ("GET", "/metrics", 200, None),
        ("WS", "/api/v1/ws", 101, "olivia")}
    assert all(r["request_id"] and r["duration_ms"] >= 0 for r in requests)
    for line in lines:
        assert marker not in line, line
        assert tokens["olivia"] not in line and tokens["svc"] not in line, line


class HangingReceiver:
    """A webhook receiver that reads a request and never answers: the delivery stays held."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.got_request = threading.Event()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            if conn.recv(65536):
                self.got_request.set()

    def close(self) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()


def test_sigterm_drains_then_stops(tmp_path, sqlite_db):
    db, tokens = sqlite_db
    owner, svc = bearer(tokens["olivia"]), bearer(tokens["svc"])
    hook = HangingReceiver()
    server = Served(db, tmp_path / "serve.log", "--drain-delay", "120")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            gate = http.post("/api/v1/inbox/items", headers=svc, json={
                "kind": "waitpoint", "source_id": "gate-1", "title": "Deploy?",
                "sender": {"type": "pipeline", "id": "p", "name": "P"},
                "payload": {"callback_url": f"http://127.0.0.1:{hook.port}/hook"}}).json()
            assert http.post(f"/api/v1/inbox/{gate['id']}/actions/approve", headers=owner,
                             json={}).status_code == 200
        assert hook.got_request.wait(30)  # the webhook is being delivered: its lease is held
        with connect(server.ws_url, additional_headers=owner) as ws:
            assert json.loads(ws.recv(timeout=30))["type"] == "heartbeat"
            # A request under way: its headers are in and the app has asked for its body (uvicorn
            # answers `100 Continue` then); the rest of the body comes after the stop signals.
            body = json.dumps({"kind": "message", "source_id": "late-1", "title": "In flight",
                               "sender": {"type": "system", "id": "s", "name": "S"}}).encode()
            in_flight = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            in_flight.sendall(
                b"POST /api/v1/inbox/items HTTP/1.1\r\nHost: cockpit\r\n"
                b"Authorization: Bearer " + tokens["svc"].encode() + b"\r\n"
                b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
            assert in_flight.recv(1024).startswith(b"HTTP/1.1 100")

            server.terminate()  # draining: not ready, still serving
            wait_for(lambda: httpx.get(server.url + "/readyz", timeout=5).status_code == 503,
                     what="readyz 503")
            assert httpx.get(server.url + "/readyz").json()["reason"] == "draining"
            assert httpx.get(server.url + "/healthz").status_code == 200

            server.terminate()  # a second signal cuts the drain delay short
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    ws.recv(timeout=30)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012

        in_flight.sendall(body)
        answer = b""
        while chunk := in_flight.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
        in_flight.close()

        assert server.wait() in (0, -signal.SIGTERM)
        stopped = datetime.now(UTC)
    finally:
        hook.close()
        server.close()
    assert "Application shutdown complete" in server.log()
    engine = open_engine(db)
    with engine.connect() as conn:
        row = conn.execute(select(outbox)).one()
    engine.dispose()
    # handed back (due now), not left held until a lease another replica would wait out
    assert row.delivered_at is None and row.next_attempt_at <= stopped

