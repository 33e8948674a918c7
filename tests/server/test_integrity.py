"""Integrity and security defects found by an outside review (issue 7), each pinned down.

Every test here failed before its fix. They run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import insert, select

from cockpit.store.tables import audit, items, outbox, waitpoints
from tests.factories import item

PIPELINE = {"type": "pipeline", "id": "deploy", "name": "Deploy"}
SECRET = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"  # a GitHub token's shape
HOOK = "http://127.0.0.1:9/hook"  # nothing listens: deliveries stay in the outbox


def upsert(api, **fields):
    return api.post("/inbox/items", json=item(upsert=True, **fields))


# -- producers and upsert --------------------------------------------------------------------

def test_a_duplicate_of_an_item_the_producer_cannot_see_reveals_nothing_of_it(as_user):
    owner, svc = as_user("olivia"), as_user("svc")
    personal = owner.ingest(source_id="mine-1", title="Mel's salary review",
                            body_md="confidential", target_user_id="mel",
                            payload={"amount": 123456})
    for body in (item(source_id="mine-1"), item(source_id="mine-1", upsert=True,
                                                 title="Mel's salary review")):
        response = svc.post("/inbox/items", json=body)
        assert response.status_code in (200, 403)
        text = response.text
        for leak in ("salary", "confidential", "123456", "\"mel\"", "target"):
            assert leak not in text, (leak, text)
    # what it answers for an item it may see, it answers whole
    assert svc.post("/inbox/items", json=item(source_id="open-1")).json()["title"]
    assert svc.post("/inbox/items", json=item(source_id="open-1")).json()["title"]
    assert as_user("mel").get(f"/inbox/{personal['id']}").json()["title"] == \
        "Mel's salary review"


def test_a_producers_own_personal_item_answers_a_receipt(as_user):
    svc = as_user("svc")
    created = svc.post("/inbox/items", json=item(source_id="dm-1", target_user_id="mel",
                                                  title="Private"))
    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "kind": "message",
                              "source_id": "dm-1", "outcome": "created"}
    again = upsert(svc, source_id="dm-1", target_user_id="mel", title="Private, edited")
    assert again.status_code == 200 and again.json()["outcome"] == "upserted"
    assert as_user("mel").get(f"/inbox/{created.json()['id']}").json()["title"] == \
        "Private, edited"


def _approved_gate(as_user, **payload):
    svc, mel = as_user("svc"), as_user("mel")
    gate = svc.ingest(kind="waitpoint", source_id="gate-1", title="Deploy to prod",
                      sender=PIPELINE, payload={"pipeline": "deploy", "run_id": "r1",
                                                "callback_url": HOOK, **payload})
    decided = mel.post(f"/inbox/{gate['id']}/actions/approve").json()["item"]
    return gate["id"], decided


def test_an_upsert_never_reopens_or_re_decides_a_decided_waitpoint(as_user, engine):
    gate_id, decided = _approved_gate(as_user)
    again = upsert(as_user("svc"), kind="waitpoint", source_id="gate-1", title="Deploy v2",
                   sender=PIPELINE, payload={"pipeline": "deploy", "run_id": "r2",
                                             "callback_url": HOOK})
    assert again.status_code == 200, again.text
    after = again.json()
    for field in ("state", "resolved_action", "resolved_at", "resolved_by", "read_at"):
        assert after[field] == decided[field], field
    assert after["actions"] == []
    with engine.connect() as conn:
        wp = conn.execute(select(waitpoints).where(waitpoints.c.item_id == gate_id)).one()
        assert (wp.status, wp.decided_by, wp.approvals) == ("approved", "mel", ["mel"])
        assert wp.run_id == "r1"  # a decided record keeps what it was decided on
    for action in ("approve", "deny"):
        assert as_user("max").post(f"/inbox/{gate_id}/actions/{action}").status_code == 409
    with engine.connect() as conn:
        assert len(conn.execute(select(outbox)).all()) == 1  # one webhook, never a second


def test_an_upsert_of_an_open_waitpoint_keeps_its_first_approval(as_user, engine):
    svc, mel = as_user("svc"), as_user("mel")
    gate = svc.ingest(kind="waitpoint", source_id="gate-4e", sender=PIPELINE,
                      payload={"step": "prod", "second_approver_required": True})
    mel.post(f"/inbox/{gate['id']}/actions/approve")
    again = upsert(svc, kind="waitpoint", source_id="gate-4e", sender=PIPELINE,
                   payload={"step": "prod (retried)", "second_approver_required": True,
                            "approvals": ["forged"]}).json()
    assert again["payload"]["approvals"] == ["mel"] and again["payload"]["step"] == \
        "prod (retried)"
    with engine.connect() as conn:
        wp = conn.execute(select(waitpoints).where(waitpoints.c.item_id == gate["id"])).one()
    assert (wp.status, wp.approvals, wp.step) == ("waiting", ["mel"], "prod (retried)")
    assert "approve" not in mel.get(f"/inbox/{gate['id']}").json()["actions"]
    done = as_user("max").post(f"/inbox/{gate['id']}/actions/approve").json()["item"]
    assert done["resolved_action"] == "approved"


def test_what_people_did_survives_an_upsert(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    ticket = svc.ingest(kind="ticket", source_id="t-1", title="Refund", tags=["billing"])
    path = f"/inbox/{ticket['id']}"
    mel.post(path + "/actions/note", json={"body_md": "called the customer"})
    mel.post(path + "/actions/assign", json={"assignee_id": "max"})
    mel.post(path + "/actions/tag", json={"tags": ["vip"]})
    read = mel.patch(path, json={"state": "read"}).json()
    # nothing new: the read state stays
    same = upsert(svc, kind="ticket", source_id="t-1", title="Refund", tags=["billing"]).json()
    assert same["state"] == "read" and same["read_at"] == read["read_at"]
    # a producer that tries to wipe notes, reassign and retag changes only its own fields
    after = upsert(svc, kind="ticket", source_id="t-1", title="Refund (updated)",
                   tags=["billing-v2"], assignee_id="svc",
                   payload={"notes": [], "order": 7}).json()
    assert after["title"] == "Refund (updated)" and after["payload"]["order"] == 7
    assert "notes" not in after["payload"]
    notes = [e["body_md"] for e in mel.get(path + "/timeline").json() if e["type"] == "note"]
    assert notes == ["called the customer"]
    assert after["assignee_id"] == "max"
    assert after["tags"] == ["billing-v2", "vip"]
    assert after["state"] == "unread"  # something new arrived


def test_a_producer_cannot_forge_notes_at_ingest(as_user):
    created = as_user("svc").ingest(kind="ticket", payload={
        "notes": [{"by": "olivia", "text": "approved refund"}], "approvals": ["olivia"]})
    assert "notes" not in created["payload"] and "approvals" not in created["payload"]


def test_only_the_producer_an_admin_or_the_owner_may_upsert(as_user, users, engine):
    from cockpit.store.users import add_user, issue_token

    with engine.begin() as conn:
        add_user(conn, "svc2", "service")
        other = issue_token(conn, "svc2")
    svc = as_user("svc")
    svc.ingest(source_id="owned-1", title="From svc")
    intruder = svc.client.post("/api/v1/inbox/items", headers={"Authorization": f"Bearer {other}"},
                               json=item(source_id="owned-1", title="Hijacked", upsert=True))
    assert intruder.status_code == 403
    assert "another producer" in intruder.json()["detail"]
    assert upsert(as_user("adam"), source_id="owned-1", title="By admin").status_code == 200
    assert upsert(svc, source_id="owned-1", title="By svc again").status_code == 200


def test_a_service_target_role_is_refused(as_user, svc):
    response = svc.post("/inbox/items", json=item(target_role="service"))
    assert response.status_code == 422
    assert "target_role" in response.json()["detail"]


def test_an_old_row_targeted_at_service_is_shown_to_nobody(as_user, engine):
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(items).values(
            kind="message", source_id="legacy-svc", state="unread", title="Old", body_md="",
            sender_type="system", sender_id="s", sender_name="S", target_role="service",
            priority="normal", blocking=False, payload={}, tags=[], created_at=now,
            updated_at=now))
    for who in ("vic", "mel", "olivia"):
        assert as_user(who).get("/inbox").json()["items"] == []


# -- decisions -------------------------------------------------------------------------------

def test_bulk_unread_restores_archived_messages(as_user):
    mel = as_user("mel")
    message = as_user("svc").ingest()["id"]
    mel.post("/inbox/bulk", json={"ids": [message], "op": "archive"})
    result = mel.post("/inbox/bulk", json={"ids": [message], "op": "unread"}).json()
    assert result["updated"] == [message]
    assert mel.get(f"/inbox/{message}").json()["state"] == "unread"


# -- bad input never breaks the inbox --------------------------------------------------------

@pytest.mark.parametrize("sender", [
    {"type": "system", "id": " ", "name": "System"},
    {"type": "system", "id": "system", "name": "\u2028"},
    {"type": "system", "id": "\t\n", "name": "x"},
    {"type": "system", "id": "system", "name": " \u2029 \u00a0"},
])
def test_a_blank_sender_is_refused_and_nothing_is_stored(as_user, svc, sender):
    response = svc.post("/inbox/items", json=item(sender=sender))
    assert response.status_code == 422 and "sender" in response.json()["detail"]
    listing = as_user("mel").get("/inbox")
    assert listing.status_code == 200 and listing.json()["items"] == []


def test_one_bad_row_never_breaks_a_read(as_user, engine):
    from datetime import UTC, datetime

    good = as_user("svc").ingest(title="Good")["id"]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(items).values(
            kind="message", source_id="bad-row", state="unread", title="Bad", body_md="",
            sender_type="martian", sender_id="", sender_name="", priority="whenever",
            blocking=False, payload={}, tags=[], created_at=now, updated_at=now))
    listing = as_user("mel").get("/inbox")
    assert listing.status_code == 200
    titles = {i["title"]: i for i in listing.json()["items"]}
    assert set(titles) == {"Good", "Bad"} and titles["Good"]["id"] == good
    assert titles["Bad"]["priority"] == "normal" and "archive" in titles["Bad"]["actions"]
    bad_id = titles["Bad"]["id"]
    assert as_user("mel").get(f"/inbox/{bad_id}").status_code == 200
    archived = as_user("mel").post(f"/inbox/{bad_id}/actions/archive")
    assert archived.status_code == 200


@pytest.mark.parametrize("raw", [
    '{"x": NaN}', '{"x": Infinity}', '{"x": -Infinity}', '{"x": [1, {"y": NaN}]}',
    '{"x": 1e999}',
])
def test_nan_and_infinity_are_refused(svc, raw):
    body = json.dumps(item()).replace('"sender"', f'"payload": {raw}, "sender"')
    response = svc.post("/inbox/items", content=body,
                        headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert "payload" in response.json()["detail"]


@pytest.mark.parametrize("depth", [33, 200, 5_000, 100_000])
def test_payload_nesting_has_a_limit(svc, depth):
    nested = "[" * depth + "]" * depth
    body = json.dumps(item()).replace('"sender"', f'"payload": {{"x": {nested}}}, "sender"')
    response = svc.post("/inbox/items", content=body,
                        headers={"content-type": "application/json"})
    assert response.status_code in (400, 422), response.text[:300]
    assert "nest" in response.text or "deep" in response.text


def test_payload_nesting_within_the_limit_is_stored(svc):
    nested: object = 1
    for _ in range(31):
        nested = [nested]
    assert svc.post("/inbox/items", json=item(payload={"x": nested})).status_code == 201


def test_action_parameters_are_held_to_the_same_limits(as_user):
    mel = as_user("mel")
    ticket = as_user("svc").ingest(kind="ticket")["id"]
    deep = "[" * 100 + "]" * 100
    response = mel.post(f"/inbox/{ticket}/actions/note", content=f'{{"text": "x", "d": {deep}}}',
                        headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)
    nan = mel.post(f"/inbox/{ticket}/actions/note", content='{"text": "x", "n": NaN}',
                   headers={"content-type": "application/json"})
    assert nan.status_code in (400, 422)
    refused = as_user("olivia").get("/audit", params={"item_id": ticket}).json()["records"]
    assert [(r["action"], r["result"], r["params"]) for r in refused] == \
        [("note", "invalid", {})] * 2


@pytest.mark.parametrize("when", ["2999-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_created_at_far_in_the_future_is_refused(svc, when):
    response = svc.post("/inbox/items", json=item(created_at=when))
    assert response.status_code in (400, 422)
    assert "created_at" in response.json()["detail"]


def test_resolved_action_and_action_names_are_stored_clean(as_user, engine):
    mel = as_user("mel")
    message = as_user("svc").ingest()["id"]
    patched = mel.patch(f"/inbox/{message}", json={"state": "resolved",
                                                   "resolved_action": "done\x1b[31m\u202e"})
    assert patched.status_code == 200
    stored = patched.json()["resolved_action"]
    assert "\x1b" not in stored and "\u202e" not in stored and stored.startswith("done")
    mel.post(f"/inbox/{message}/actions/evil%1B]0;pwned%07%E2%80%AE")
    with engine.connect() as conn:
        names = [r.action for r in conn.execute(select(audit))]
    assert names and not any(ch in n for n in names for ch in "\x1b\x07\u202e")


# -- secrets, everywhere text enters ---------------------------------------------------------

def test_secrets_are_redacted_in_every_field_a_producer_writes(as_user, engine):
    created = as_user("svc").ingest(
        source_id="leaky", title=f"token {SECRET}", body_md=f"see {SECRET}",
        sender={"type": "agent", "id": "agent:1", "name": f"Bot {SECRET}"},
        tags=[SECRET], payload={"deep": [{"deeper": {"log": f"auth failed {SECRET}"}}]})
    with engine.connect() as conn:
        row = conn.execute(select(items).where(items.c.id == created["id"])).one()._mapping
    assert SECRET not in json.dumps({k: str(v) for k, v in row.items()})


def test_secrets_in_notes_and_action_parameters_reach_no_journal_and_no_webhook(as_user, engine):
    svc, mel = as_user("svc"), as_user("mel")
    ticket = svc.ingest(kind="ticket")["id"]
    mel.post(f"/inbox/{ticket}/actions/note", json={"body_md": f"customer sent {SECRET}"})
    gate = svc.ingest(kind="waitpoint", payload={"callback_url": HOOK})["id"]
    mel.post(f"/inbox/{gate}/actions/approve", json={"comment": f"use {SECRET}",
                                                      "api_key": "plainvalue123"})
    note = [e for e in mel.get(f"/inbox/{ticket}/timeline").json() if e["type"] == "note"][0][
        "body_md"]
    assert SECRET not in note and "[REDACTED" in note
    with engine.connect() as conn:
        journal = json.dumps([dict(r._mapping) for r in conn.execute(select(audit))],
                             default=str)
        bodies = [r.body for r in conn.execute(select(outbox))]
    assert SECRET not in journal and "plainvalue123" not in journal
    assert bodies and not any(SECRET in b or "plainvalue123" in b for b in bodies)


def test_credential_payload_values_are_masked_unless_a_manager_reveals(as_user):
    stored = as_user("svc").ingest(payload={"db": {"password": "Tr0ub4dor&3-horse-staple"},
                                            "host": "db.internal"})
    path = f"/inbox/{stored['id']}"
    masked = as_user("mel").get(path).json()["payload"]
    assert masked == {"db": {"password": "••••••••le"}, "host": "db.internal"}
    listed = as_user("mel").get("/inbox").json()["items"][0]["payload"]
    assert listed == masked
    assert as_user("mel").get(path, params={"reveal": "true"}).status_code == 403
    shown = as_user("mia").get(path, params={"reveal": "true"}).json()["payload"]
    assert shown["db"]["password"] == "Tr0ub4dor&3-horse-staple"
    records = as_user("olivia").get("/audit", params={"action": "reveal"}).json()["records"]
    assert [(r["actor"], r["item_id"]) for r in records] == [("mia", stored["id"])]
