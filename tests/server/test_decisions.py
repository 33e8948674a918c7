"""Every kind's actions, on their source records; four eyes; one winner; role gating."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cockpit.domain.roles import Principal
from cockpit.server.errors import Conflict
from cockpit.server.inbox import Inbox
from cockpit.server.sweeper import sweep_timeouts
from cockpit.store.tables import escalations, hires, outbox, runs, users, waitpoints

PIPELINE = {"type": "pipeline", "id": "deploy", "name": "Deploy"}
AGENT = {"type": "agent", "id": "agent:atlas", "name": "Atlas"}


def waitpoint(svc, **payload):
    return svc.ingest(kind="waitpoint", title="Approve deploy", sender=PIPELINE, payload={
        "pipeline": "deploy", "run_id": "r1", "step": "prod-gate", "step_index": 4,
        "step_count": 5, **payload})


def act(api, item_id, name, **params):
    return api.post(f"/inbox/{item_id}/actions/{name}", json=params)


def source(engine, table, item_id):
    with engine.connect() as conn:
        return conn.execute(select(table).where(table.c.item_id == item_id)).one()._mapping


# -- waitpoints ------------------------------------------------------------------------------

@pytest.mark.parametrize(("action", "outcome"), [("approve", "approved"), ("deny", "denied")])
def test_waitpoint_decisions_resolve_row_and_source_together(as_user, engine, action, outcome):
    item_id = waitpoint(as_user("svc"))["id"]
    assert source(engine, waitpoints, item_id)["status"] == "waiting"
    response = act(as_user("mel"), item_id, action)
    assert response.status_code == 200 and response.json()["ok"] is True
    item = response.json()["item"]
    assert item["state"] == "resolved" and item["resolved_action"] == outcome
    assert item["resolved_by"] == "mel" and item["actions"] == []
    wp = source(engine, waitpoints, item_id)
    assert wp["status"] == outcome and wp["decided_by"] == "mel"
    again = act(as_user("max"), item_id, "deny")
    assert again.status_code == 409


def test_four_eyes_needs_a_different_second_approver(as_user, engine):
    item_id = waitpoint(as_user("svc"), second_approver_required=True)["id"]
    mel, max_ = as_user("mel"), as_user("max")
    first = act(mel, item_id, "approve").json()["item"]
    assert first["state"] != "resolved" and first["payload"]["approvals"] == ["mel"]
    assert "approve" not in mel.get(f"/inbox/{item_id}").json()["actions"]
    assert "approve" in max_.get(f"/inbox/{item_id}").json()["actions"]
    again = act(mel, item_id, "approve")
    assert again.status_code == 409 and "different" in again.json()["detail"]
    done = act(max_, item_id, "approve").json()["item"]
    assert done["resolved_action"] == "approved" and done["payload"]["approvals"] == ["mel", "max"]
    assert source(engine, waitpoints, item_id)["approvals"] == ["mel", "max"]


def test_a_waitpoint_past_its_timeout_resolves_as_timed_out(as_user, engine):
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    item_id = waitpoint(as_user("svc"), timeout_at=soon)["id"]
    assert sweep_timeouts(engine) == []
    assert sweep_timeouts(engine, datetime.now(UTC) + timedelta(minutes=6)) == [item_id]
    item = as_user("mel").get(f"/inbox/{item_id}").json()
    assert item["resolved_action"] == "timed_out" and item["resolved_by"] == "system"
    assert source(engine, waitpoints, item_id)["status"] == "timed_out"
    assert act(as_user("mel"), item_id, "approve").status_code == 409
    assert sweep_timeouts(engine, datetime.now(UTC) + timedelta(minutes=7)) == []


def test_an_expired_waitpoint_refuses_approval_before_the_sweep(as_user):
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    item_id = waitpoint(as_user("svc"), timeout_at=past)["id"]
    response = act(as_user("mel"), item_id, "approve")
    assert response.status_code == 409 and "timed out" in response.json()["detail"]


def test_a_viewer_decides_nothing(as_user):
    item_id = waitpoint(as_user("svc"))["id"]
    assert as_user("vic").get(f"/inbox/{item_id}").json()["actions"] == []
    assert act(as_user("vic"), item_id, "approve").status_code == 403
    assert act(as_user("mel"), item_id, "retry").status_code == 409  # not a waitpoint action


# -- escalations, proposals, hires -----------------------------------------------------------

def escalation(svc, **payload):
    return svc.ingest(kind="escalation", title="Agent asks", sender=AGENT, payload=payload)


@pytest.mark.parametrize(("action", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_escalation_lifecycle(as_user, engine, action, status):
    item_id = escalation(as_user("svc"), type="PERMISSION", reason="needs prod read")["id"]
    assert source(engine, escalations, item_id)["status"] == "open"
    item = act(as_user("mia"), item_id, action).json()["item"]
    assert item["resolved_action"] == status
    assert source(engine, escalations, item_id)["status"] == status
    assert act(as_user("mia"), item_id, "approve").status_code == 409


def test_a_rejected_proposal_is_not_raised_again(as_user, svc):
    proposal = {"evaluator": "keeper", "proposed_action": "drop table sessions_old",
                "risk_score": 7.5, "rationale": "unused for 90 days"}
    item_id = escalation(svc, **proposal)["id"]
    assert act(as_user("mel"), item_id, "reject").status_code == 200
    again = svc.post("/inbox/items", json={
        "kind": "escalation", "source_id": "keeper-sweep-2", "title": "Proposal",
        "sender": AGENT, "payload": proposal})
    assert again.status_code == 202 and again.json()["dropped"] is True
    other = escalation(svc, **{**proposal, "proposed_action": "vacuum sessions_old"})
    assert other["state"] == "unread"


def test_approving_a_proposal_applies_and_journals_it(as_user):
    item_id = escalation(as_user("svc"), evaluator="keeper", proposed_action="scale web to 6",
                         risk_score=3)["id"]
    act(as_user("mel"), item_id, "approve")
    records = as_user("mel").get("/audit", params={"item_id": item_id}).json()["records"]
    assert records[0]["action"] == "approve" and records[0]["result"] == "ok"
    assert records[0]["detail"] == "applied: scale web to 6"


def test_hire_approval_activates_the_account_once(as_user, engine):
    item_id = escalation(as_user("svc"), type="HIRE", agent_id="agent:scribe",
                         role="member")["id"]
    with engine.connect() as conn:
        assert conn.execute(select(users.c.status).where(users.c.id == "agent:scribe")).scalar() \
            == "pending"
    first = act(as_user("mia"), item_id, "approve")
    second = act(as_user("adam"), item_id, "approve")
    assert (first.status_code, second.status_code) == (200, 409)
    with engine.connect() as conn:
        assert conn.execute(select(users.c.status).where(users.c.id == "agent:scribe")).scalar() \
            == "active"
    assert source(engine, hires, item_id)["status"] == "approved"


def test_an_advisory_has_no_record_and_is_archivable(as_user, engine):
    item_id = escalation(as_user("svc"), advisory=True, reason="FYI: budget at 80%")["id"]
    with engine.connect() as conn:
        assert conn.execute(select(escalations)).first() is None
    assert act(as_user("mel"), item_id, "archive").json()["item"]["resolved_action"] == "archived"


# -- failed runs and messages ----------------------------------------------------------------

def failed_run(svc, pipeline="billing-sync"):
    return svc.ingest(kind="failed_run", title="billing-sync failed", sender=PIPELINE, payload={
        "pipeline": pipeline, "run_id": f"run-{pipeline}", "inputs": {"date": "2026-11-20"}})


def test_retry_creates_a_new_run_with_the_same_inputs(as_user, engine):
    svc = as_user("svc")
    assert svc.post("/pipelines", json={"slug": "billing-sync"}).status_code == 201
    item_id = failed_run(svc)["id"]
    item = act(as_user("mel"), item_id, "retry").json()["item"]
    assert item["resolved_action"] == "retried"
    with engine.connect() as conn:
        all_runs = conn.execute(select(runs).order_by(runs.c.id)).all()
    assert [r.status for r in all_runs] == ["retried", "queued"]
    assert all_runs[1].inputs == {"date": "2026-11-20"}
    assert all_runs[1].retry_of == "run-billing-sync"
    assert item["payload"]["retry_run_id"] == all_runs[1].run_ref
    assert act(as_user("mel"), item_id, "retry").status_code == 409


def test_retry_with_neither_pipeline_nor_callback_is_refused_and_stays_open(as_user, engine):
    item_id = failed_run(as_user("svc"), pipeline="gone-pipeline")["id"]
    response = act(as_user("mel"), item_id, "retry")
    assert response.status_code == 409
    assert "not registered" in response.json()["detail"]
    assert "callback_url" in response.json()["detail"]
    item = as_user("mel").get(f"/inbox/{item_id}").json()
    assert item["state"] == "unread" and item["resolved_action"] is None
    assert source(engine, runs, item_id)["status"] == "failed"
    with engine.connect() as conn:
        assert conn.execute(select(outbox)).first() is None


def test_retry_with_a_callback_goes_to_the_producer_and_is_recorded_retried(as_user, engine):
    item_id = as_user("svc").ingest(
        kind="failed_run", title="export failed", sender=PIPELINE,
        payload={"pipeline": "external-export", "run_id": "run-ext-1",
                 "callback_url": "http://127.0.0.1:9/hooks"})["id"]
    response = act(as_user("mel"), item_id, "retry")
    assert response.status_code == 200, response.text
    assert response.json()["item"]["resolved_action"] == "retried"
    assert source(engine, runs, item_id)["status"] == "retried"
    with engine.connect() as conn:
        queued = conn.execute(select(outbox)).all()
    assert len(queued) == 1 and json.loads(queued[0].body)["action"] == "retry"
    journal = as_user("olivia").get("/audit", params={"item_id": item_id}).json()["records"]
    assert [r["result"] for r in journal if r["action"] == "retry"] == ["ok"]
    assert not any(r.get("detail") and "cancel" in r["detail"] for r in journal)


def test_cancel_a_failed_run(as_user, engine):
    item_id = failed_run(as_user("svc"))["id"]
    assert act(as_user("mel"), item_id, "cancel").json()["item"]["resolved_action"] == "cancelled"
    assert source(engine, runs, item_id)["status"] == "cancelled"


def test_message_open_reads_and_dismiss_resolves(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    item_id = svc.ingest(payload={"url": "https://tracker.example.com/ENG-1"})["id"]
    assert act(mel, item_id, "open").json()["item"]["state"] == "read"
    assert act(mel, item_id, "dismiss").json()["item"]["resolved_action"] == "dismissed"
    assert "open" not in mel.get(f"/inbox/{svc.ingest()['id']}").json()["actions"]


def test_chat_replies_refresh_one_item_per_user(as_user):
    svc = as_user("svc")
    for n in range(3):
        svc.post("/inbox/items", json={
            "kind": "message", "source_id": "chat:deploys:mel", "target_user_id": "mel",
            "title": f"{n + 1} new replies in #deploys", "upsert": True,
            "sender": {"type": "crew", "id": "crew:web", "name": "Web crew"},
            "payload": {"chat": "#deploys", "url": "https://chat.example.com/deploys"}})
    items = as_user("mel").get("/inbox").json()["items"]
    assert [i["title"] for i in items] == ["3 new replies in #deploys"]


# -- one winner ------------------------------------------------------------------------------

def test_of_many_concurrent_approvals_exactly_one_wins(engine, as_user):
    item_id = waitpoint(as_user("svc"))["id"]
    names = [f"approver{n}" for n in range(12)]
    with engine.begin() as conn:
        from cockpit.store.users import add_user

        for name in names:
            add_user(conn, name, "member")
    service = Inbox(engine)
    barrier = threading.Barrier(len(names))

    def approve(name: str) -> str:
        barrier.wait()
        try:
            service.act(Principal(name, "member"), item_id, "approve", {})
            return "ok"
        except Conflict:
            return "409"

    with ThreadPoolExecutor(len(names)) as pool:
        outcomes = list(pool.map(approve, names))
    assert sorted(outcomes) == ["409"] * (len(names) - 1) + ["ok"]
    wp = source(engine, waitpoints, item_id)
    assert wp["status"] == "approved" and len(wp["approvals"]) == 1
    records = as_user("olivia").get("/audit", params={"item_id": item_id,
                                                       "action": "approve"}).json()["records"]
    assert sorted(r["result"] for r in records) == ["conflict"] * (len(names) - 1) + ["ok"]
