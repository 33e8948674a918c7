"""Input meant to break things: out-of-range numbers, odd times, NUL, forged fields."""

from __future__ import annotations

import base64
import json

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.factories import item

HUGE = 2**63


def cursor_of(stamp: str, item_id) -> str:
    return base64.urlsafe_b64encode(json.dumps([stamp, item_id]).encode()).decode().rstrip("=")


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("get", f"/inbox/{HUGE}", {}),
    ("get", f"/inbox/{10**400}", {}),
    ("patch", f"/inbox/{HUGE}", {"json": {"state": "read"}}),
    ("post", f"/inbox/{HUGE}/actions/archive", {"json": {}}),
    ("post", f"/inbox/{HUGE}/actions/zzz", {"json": {}}),
    ("post", "/inbox/bulk", {"json": {"ids": [HUGE, 1], "op": "read"}}),
    ("get", "/audit", {"params": {"item_id": HUGE}}),
    ("get", "/inbox", {"params": {"cursor": cursor_of("2020-01-01T00:00:00+00:00", 2**70)}}),
    ("get", "/inbox", {"params": {"cursor": cursor_of("2020-01-01T00:00:00+00:00", True)}}),
    ("get", "/inbox", {"params": {"cursor": cursor_of("0001-01-01T00:00:00+05:00", 3)}}),
    ("get", "/inbox", {"params": {"q": "a\x00b"}}),
    ("get", "/inbox", {"params": {"kind": "a\x00b"}}),
    ("get", "/audit", {"params": {"actor": "a\x00b"}}),
    ("get", "/inbox", {"params": {"view": "mine"}}),
    ("post", "/inbox/1/actions/" + "x" * 100, {"json": {}}),
    ("patch", "/inbox/1", {"json": {"state": "resolved", "resolved_action": "a\x00"}}),
    ("post", "/inbox/items", {"json": item(created_at="0001-01-01T00:00:00+05:00")}),
    ("post", "/inbox/items", {"json": item(created_at="9999-12-31T23:59:59-05:00")}),
])
def test_a_clear_4xx_never_a_500(as_user, method, path, kwargs):
    api = as_user("olivia")
    api.ingest()
    response = getattr(api.client, method)("/api/v1" + path, headers=api.headers, **kwargs)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize("payload", [
    {"step_index": 2**64, "step_count": -(2**70), "timeout_at": "0001-01-01T00:00:00+05:00"},
    {"risk_score": 2**2000, "type": "T" * 300, "proposed_action": "x" * 30_000},
    {"run_id": "r" * 300, "inputs": {"n": 2**80}},
    {"agent_id": "a" * 300, "type": "HIRE"},
])
@pytest.mark.parametrize("kind", ["waitpoint", "escalation", "failed_run"])
def test_odd_payloads_are_stored_not_crashed_on(as_user, kind, payload):
    response = as_user("svc").post("/inbox/items", json=item(kind=kind, payload=payload))
    assert response.status_code == 201, response.text


def test_a_producer_cannot_forge_approvals(as_user):
    created = as_user("svc").ingest(kind="waitpoint", payload={
        "second_approver_required": True, "approvals": "abc"})
    assert "approvals" not in created["payload"]
    first = as_user("mel").post(f"/inbox/{created['id']}/actions/approve").json()["item"]
    assert first["state"] != "resolved" and first["payload"]["approvals"] == ["mel"]


def test_a_decided_outcome_cannot_be_overwritten_or_reopened(as_user):
    svc, mel, max_ = as_user("svc"), as_user("mel"), as_user("max")
    run = svc.ingest(kind="failed_run", payload={"pipeline": "p", "run_id": "r-1"})["id"]
    assert mel.post(f"/inbox/{run}/actions/cancel").status_code == 200
    overwrite = max_.patch(f"/inbox/{run}", json={"state": "resolved",
                                                  "resolved_action": "retried"})
    assert overwrite.status_code == 409
    assert max_.patch(f"/inbox/{run}", json={"state": "unread"}).status_code == 409
    assert max_.get(f"/inbox/{run}").json()["actions"] == []
    bulk = max_.post("/inbox/bulk", json={"ids": [run], "op": "restore"}).json()
    assert bulk["skipped"][0]["reason"] == "a decided item cannot be reopened"
    assert max_.get(f"/inbox/{run}").json()["resolved_action"] == "cancelled"
    note = svc.ingest()["id"]
    mel.post(f"/inbox/{note}/actions/archive")
    assert mel.post("/inbox/bulk", json={"ids": [note], "op": "restore"}).json()["updated"] \
        == [note]


def test_action_params_are_neutralised_before_they_are_stored(as_user):
    ticket = as_user("svc").ingest(kind="ticket")["id"]
    mel = as_user("mel")
    mel.post(f"/inbox/{ticket}/actions/note",
             json={"body_md": "hi\x00 \x1b]8;;http://evil\x07click\u202e"})
    text = [e for e in mel.get(f"/inbox/{ticket}/timeline").json() if e["type"] == "note"][0][
        "body_md"]
    assert not any(ch in text for ch in "\x00\x1b\x07\u202e") and "click" in text


def test_clients_cannot_claim_the_system_origin(as_user):
    mel = as_user("mel")
    item_id = as_user("svc").ingest()["id"]
    mel.client.post(f"/api/v1/inbox/{item_id}/actions/archive",
                    headers={**mel.headers, "X-Cockpit-Origin": "system"})
    assert mel.get("/audit", params={"item_id": item_id}).json()["records"][0]["origin"] == "api"


def test_a_malformed_since_is_named(client, users):
    with client.websocket_connect("/api/v1/ws?since=abc",
                                  headers={"Authorization": f"Bearer {users['mel']}"}) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4400 and "since" in closed.value.reason
