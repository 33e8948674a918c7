"""The audit journal, and signed webhooks from the durable outbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from cockpit.server.app import ServerOptions

SECRET = "test-webhook-secret"


# -- the journal -----------------------------------------------------------------------------

def test_every_action_is_journalled_with_actor_origin_result_latency(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    item_id = svc.ingest()["id"]
    mel.client.post(f"/api/v1/inbox/{item_id}/actions/archive",
                    headers={**mel.headers, "X-Cockpit-Origin": "tui"}, json={"why": "noise"})
    mel.post(f"/inbox/{item_id}/actions/archive")  # refused: already archived
    records = mel.get("/audit", params={"item_id": item_id}).json()["records"]
    assert [(r["action"], r["origin"], r["result"]) for r in records] == [
        ("archive", "api", "conflict"), ("archive", "tui", "ok")]
    ok = records[1]
    assert ok["actor"] == "mel" and ok["params"] == {"why": "noise"}
    assert ok["latency_ms"] > 0 and ok["at"]
    assert mel.get("/audit", params={"origin": "tui"}).json()["records"][0]["id"] == ok["id"]
    assert mel.get("/audit", params={"actor": "nobody"}).json()["records"] == []


def test_bulk_runs_are_bracketed_and_counted(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    plain = [svc.ingest()["id"] for _ in range(3)]
    wait = svc.ingest(kind="waitpoint", title="Gate")["id"]
    mel.post("/inbox/bulk", json={"ids": [*plain, wait, 99999], "op": "archive"})
    records = mel.get("/audit").json()["records"]
    actions = [r["action"] for r in records]
    assert actions[0] == "bulk.completed" and actions[-1] == "bulk.started"
    completed = records[0]["params"]
    assert completed == {"op": "archive", "ok": 3, "failed": 2, "skipped": 1, "not_found": 1}
    per_item = {r["item_id"]: r["result"] for r in records if r["action"] == "archive"}
    assert per_item == {**dict.fromkeys(plain, "ok"), wait: "skipped"}  # 99999: not shown
    assert all(r["origin"] == "bulk" for r in records if r["action"] == "archive")


def test_the_journal_applies_visibility(as_user):
    svc = as_user("svc")
    personal = svc.ingest(target_user_id="mel")["id"]
    as_user("mel").post(f"/inbox/{personal}/actions/archive")
    assert as_user("mel").get("/audit", params={"item_id": personal}).json()["records"]
    assert as_user("adam").get("/audit", params={"item_id": personal}).json()["records"] == []
    assert as_user("mia").get("/audit", params={"actor": "mel"}).json()["records"] == []


# -- webhooks --------------------------------------------------------------------------------

class Receiver:
    """A local webhook receiver that fails its first `failures` calls with 500."""

    def __init__(self, failures: int = 0, port: int = 0) -> None:
        self.failures = failures
        self.calls: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.calls.append((dict(self.headers), body))
                ok = len(receiver.calls) > receiver.failures
                self.send_response(200 if ok else 500)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def delivered(self) -> list[dict]:
        """The bodies it accepted (answered 2xx), each checked against its signature."""
        accepted = []
        for n, (headers, body) in enumerate(self.calls, start=1):
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            assert headers["X-Cockpit-Signature"] == expected
            if n > self.failures:
                accepted.append(json.loads(body))
        return accepted


def wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@pytest.fixture
def options() -> ServerOptions:
    return ServerOptions(poll_interval=0.05, heartbeat=0.5, webhook_secret=SECRET,
                         outbox_interval=0.05, outbox_base_delay=0.05)


@pytest.fixture
def receiver():
    made = []

    def make(**kw) -> Receiver:
        made.append(Receiver(**kw))
        return made[-1]

    yield make
    for r in made:
        r.close()


def test_a_decision_is_delivered_signed_after_retries(as_user, receiver):
    hook = receiver(failures=2)
    item_id = as_user("svc").ingest(kind="waitpoint", source_id="wp-hook", title="Gate",
                                    payload={"callback_url": hook.url})["id"]
    as_user("mel").post(f"/inbox/{item_id}/actions/approve", json={"comment": "ship it"})
    wait_for(lambda: len(hook.calls) >= 3)
    [body] = hook.delivered()
    assert body["item_id"] == item_id and body["kind"] == "waitpoint"
    assert body["source_id"] == "wp-hook" and body["action"] == "approve"
    assert body["actor"] == "mel" and body["params"] == {"comment": "ship it"} and body["time"]
    rows = as_user("olivia").get("/outbox", params={"all": "true"}).json()["deliveries"]
    wait_for(lambda: as_user("olivia").get("/outbox").json()["deliveries"] == [])
    rows = as_user("olivia").get("/outbox", params={"all": "true"}).json()["deliveries"]
    assert rows[0]["attempts"] == 3 and rows[0]["delivered_at"]
    assert as_user("mel").get("/outbox").status_code == 403


def test_retries_and_timeouts_are_delivered_but_archives_are_not(as_user, receiver, engine):
    from datetime import UTC, datetime, timedelta

    from cockpit.server.sweeper import sweep_timeouts

    hook = receiver()
    svc, mel = as_user("svc"), as_user("mel")
    run = svc.ingest(kind="failed_run", payload={"pipeline": "p", "callback_url": hook.url})
    mel.post(f"/inbox/{run['id']}/actions/retry")
    note = svc.ingest(payload={"callback_url": hook.url})
    mel.post(f"/inbox/{note['id']}/actions/archive")
    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    gate = svc.ingest(kind="waitpoint", payload={"timeout_at": soon, "callback_url": hook.url})
    sweep_timeouts(engine, datetime.now(UTC) + timedelta(seconds=2))
    wait_for(lambda: len(hook.calls) >= 2)
    time.sleep(0.3)
    delivered = {(b["item_id"], b["action"]) for b in hook.delivered()}
    # the retry fell back to cancelled (unknown pipeline) but is still reported as the retry
    assert delivered == {(run["id"], "retry"), (gate["id"], "timed_out")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_delivery_survives_a_server_killed_and_restarted(tmp_path, receiver, capsys):
    from cockpit.cli import main

    db = f"sqlite:///{tmp_path / 'crash.db'}"
    main(["users", "add", "ops", "--role", "owner", "--db", db])
    token = capsys.readouterr().out.strip().splitlines()[-1]
    hook_port = _free_port()
    port = _free_port()
    env = {**os.environ, "COCKPIT_DB": db, "COCKPIT_WEBHOOK_SECRET": SECRET}
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}

    def start_server() -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "cockpit.cli", "serve", "--port", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _answers(base))
        return proc

    server = start_server()
    try:
        item = httpx.post(base + "/api/v1/inbox/items", headers=headers, json={
            "kind": "waitpoint", "source_id": "crash-1", "title": "Gate",
            "sender": {"type": "pipeline", "id": "p", "name": "P"},
            "payload": {"callback_url": f"http://127.0.0.1:{hook_port}/hook"}}).json()
        # nobody listens on the hook port yet: the delivery fails and stays in the outbox
        assert httpx.post(f"{base}/api/v1/inbox/{item['id']}/actions/approve",
                          headers=headers, json={}).status_code == 200
        wait_for(lambda: _attempts(base, headers) >= 1)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    hook = receiver(port=hook_port)
    server = start_server()
    try:
        wait_for(lambda: len(hook.calls) >= 1, timeout=30)
        [body] = hook.delivered()
        assert body["item_id"] == item["id"] and body["action"] == "approve"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _answers(base: str) -> bool:
    try:
        return httpx.get(base + "/openapi.json", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _attempts(base: str, headers: dict) -> int:
    rows = httpx.get(base + "/api/v1/outbox", headers=headers).json()["deliveries"]
    return rows[0]["attempts"] if rows else 0


def test_get_outbox_lists_each_deliverys_id(as_user):
    gate = as_user("svc").ingest(kind="waitpoint",
                                 payload={"callback_url": "http://127.0.0.1:9/x"})["id"]
    as_user("mel").post(f"/inbox/{gate}/actions/approve")
    [row] = as_user("olivia").get("/outbox").json()["deliveries"]
    assert row["delivery_id"] == row["body"]["delivery_id"] and len(row["delivery_id"]) == 36
