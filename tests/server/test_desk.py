"""The support desk's ticket actions and timeline; internal notes never leave the server."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from cockpit.store.tables import audit, events, outbox

HOOK = "http://127.0.0.1:9/desk"  # nothing listens: deliveries stay in the outbox
CUSTOMER = {"id": "c-9", "name": "Ana Lopez", "email": "ana@example.com", "vip": True}


@pytest.fixture
def ticket(as_user) -> int:
    return as_user("svc").ingest(
        kind="ticket", title="Refund for order 1182", body_md="Please refund my order.",
        sender={"type": "customer", "id": "customer:c-9", "name": "Ana Lopez"},
        payload={"customer": CUSTOMER, "callback_url": HOOK})["id"]


def act(api, item_id, name, **params):
    return api.post(f"/inbox/{item_id}/actions/{name}", json=params)


def test_a_conversation_in_order_with_every_change(as_user, ticket):
    mel, svc = as_user("mel"), as_user("svc")
    assert act(mel, ticket, "reply", body_md="Sorry! Refunding now.").status_code == 200
    assert act(mel, ticket, "note", body_md="refund approved by finance").status_code == 200
    assert act(mel, ticket, "assign", assignee_id="max").status_code == 200
    assert act(mel, ticket, "priority", priority="high").status_code == 200
    assert act(mel, ticket, "tag", tags=["refund"]).status_code == 200
    assert act(mel, ticket, "close", reason="refunded").status_code == 200
    assert act(svc, ticket, "customer_message", body_md="Thanks, one more thing").status_code \
        == 200
    assert act(svc, ticket, "csat", rating=5).status_code == 200
    entries = mel.get(f"/inbox/{ticket}/timeline").json()
    assert [(e["type"], e["author"], e["internal"]) for e in entries] == [
        ("customer_message", "Ana Lopez", False),
        ("reply", "mel", False),
        ("note", "mel", True),
        ("assign", "mel", False),
        ("priority", "mel", False),
        ("tag", "mel", False),
        ("status", "mel", False),
        ("customer_message", "Ana Lopez", False),
        ("status", "svc", False),
        ("csat", "svc", False),
    ]
    assert entries[0]["body_md"] == "Please refund my order."
    assert entries[3]["data"] == {"from": None, "to": "max"}
    assert entries[9]["data"] == {"rating": 5}
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    item = mel.get(f"/inbox/{ticket}").json()
    assert item["state"] == "unread" and item["resolved_action"] is None  # reopened
    assert (item["assignee_id"], item["priority"], item["tags"]) == ("max", "high", ["refund"])


def test_reply_goes_out_signed_through_the_outbox(as_user, ticket, engine):
    act(as_user("mel"), ticket, "reply", body_md="We are on it")
    with engine.connect() as conn:
        rows = conn.execute(select(outbox)).all()
    assert len(rows) == 1 and rows[0].url == HOOK
    body = json.loads(rows[0].body)
    assert (body["action"], body["params"]["body_md"]) == ("reply", "We are on it")


def test_a_reply_needs_somewhere_to_go(as_user):
    bare = as_user("svc").ingest(kind="ticket", title="No channel")["id"]
    response = act(as_user("mel"), bare, "reply", body_md="hello")
    assert response.status_code == 409 and "callback_url" in response.json()["detail"]


@pytest.mark.parametrize(("name", "params", "field"), [
    ("assign", {"assignee_id": "nobody-here"}, "assignee_id"),
    ("priority", {"priority": "asap"}, "priority"),
    ("note", {"body_md": "   "}, "body_md"),
    ("transfer", {}, "agent_id or queue"),
    ("tag", {"tags": []}, "tags"),
])
def test_bad_parameters_are_4xx_naming_the_field(as_user, ticket, name, params, field):
    response = act(as_user("mel"), ticket, name, **params)
    assert response.status_code == 400 and field in response.json()["detail"]


def test_transfer_to_a_queue_or_an_agent(as_user, ticket):
    mel = as_user("mel")
    act(mel, ticket, "assign", assignee_id="mel")
    moved = act(mel, ticket, "transfer", queue="billing", note="needs finance").json()["item"]
    assert moved["payload"]["queue"] == "billing" and moved["assignee_id"] is None
    moved = act(mel, ticket, "transfer", agent_id="max").json()["item"]
    assert moved["assignee_id"] == "max"
    transfers = [e for e in mel.get(f"/inbox/{ticket}/timeline").json()
                 if e["type"] == "transfer"]
    assert [t["data"].get("queue") or t["data"].get("agent_id") for t in transfers] == \
        ["billing", "max"]
    assert transfers[0]["internal"] and transfers[0]["body_md"] == "needs finance"


def test_only_the_customer_channel_writes_customer_messages_and_csat(as_user, ticket):
    assert act(as_user("mel"), ticket, "customer_message", body_md="fake").status_code == 409
    assert act(as_user("svc"), ticket, "csat", rating=9).status_code == 400
    assert act(as_user("svc"), ticket, "close").status_code in (403, 409)


def test_internal_notes_never_leave_the_server(as_user, ticket, engine):
    """A unique marker in notes; every action, reply, webhook and export the customer
    channel can see; the marker is in none of them."""
    marker = f"INTERNAL-{uuid.uuid4().hex}"
    mel, svc = as_user("mel"), as_user("svc")
    act(mel, ticket, "note", body_md=f"do not tell the customer {marker}")
    act(mel, ticket, "transfer", queue="tier2", note=f"escalating {marker}")
    for name, params in [("reply", {"body_md": "Update: on it"}), ("tag", {"tags": ["x"]}),
                         ("priority", {"priority": "urgent"}), ("assign", {"assignee_id": "max"}),
                         ("close", {"reason": "done"}), ("reopen", {}),
                         ("reply", {"body_md": "All done"})]:
        assert act(mel, ticket, name, **params).status_code == 200, name
    act(svc, ticket, "customer_message", body_md="thanks")
    # upserts by the producer keep the notes where they were
    svc.post("/inbox/items", json={"kind": "ticket", "source_id": "x", "title": "t",
                                   "sender": {"type": "customer", "id": "c", "name": "C"}})
    customer_views = [svc.get(f"/inbox/{ticket}").text, svc.get("/inbox").text,
                      svc.get(f"/inbox/{ticket}/timeline").text, svc.get("/audit").text,
                      svc.get("/audit", params={"item_id": ticket}).text]
    with engine.connect() as conn:
        outbound = [r.body for r in conn.execute(select(outbox))]
    assert outbound and all(marker not in body for body in outbound)
    assert all(marker not in view for view in customer_views)
    # it is there for people, and only as internal entries
    shown = mel.get(f"/inbox/{ticket}/timeline").json()
    assert {e["type"] for e in shown if marker in e["body_md"]} == {"note", "transfer"}
    assert all(e["internal"] for e in shown if marker in e["body_md"])
    with engine.connect() as conn:
        logged = json.dumps([dict(r._mapping) for r in conn.execute(select(events))],
                            default=str)
        journal = json.dumps([dict(r._mapping) for r in conn.execute(select(audit))],
                             default=str)
    assert marker not in logged  # events go to every websocket client
    assert marker in journal  # the journal is the team's own record (admins only)


def test_the_customer_card_is_computed_from_their_tickets(as_user, engine):
    svc, mel = as_user("svc"), as_user("mel")
    who = {"id": "c-77", "name": "Bo Chen", "vip": True, "email": "bo@example.com"}
    ids = [svc.ingest(kind="ticket", title=f"Issue {n}", payload={
        "customer": who, "callback_url": HOOK})["id"] for n in range(3)]
    svc.ingest(kind="ticket", title="someone else", payload={"customer": {"id": "c-1"}})
    for item_id in ids[:2]:
        act(mel, item_id, "reply", body_md="first")
        act(mel, item_id, "reply", body_md="second")  # first response counts the earliest
    act(mel, ids[0], "close")
    act(svc, ids[0], "csat", rating=4)
    act(svc, ids[1], "csat", rating=2)
    card = mel.get("/customers/c-77").json()
    assert card | {"first_response_median_s": 0} == {
        "id": "c-77", "name": "Bo Chen", "vip": True, "blocked": False, "tickets_total": 3,
        "tickets_closed": 1, "csat_avg": 3.0, "csat_count": 2, "first_response_median_s": 0,
        "last_tickets": [{"id": i, "title": f"Issue {n}", "state": s} for n, i, s in
                         ((2, ids[2], "unread"), (1, ids[1], "read"), (0, ids[0], "resolved"))]}
    assert 0 <= card["first_response_median_s"] < 60
    assert mel.get("/customers/nobody").status_code == 404


def test_bulk_ticket_actions_count_failures_and_write_one_event(as_user, engine):
    svc, mel = as_user("svc"), as_user("mel")
    ids = [svc.ingest(kind="ticket", title=f"T{n}")["id"] for n in range(4)]
    message = svc.ingest(title="not a ticket")["id"]
    act(mel, ids[0], "close")  # already closed: its close fails, the others go on
    with engine.connect() as conn:
        before = conn.execute(select(events.c.seq)).all()
    result = mel.post("/inbox/bulk", json={"op": "close", "ids": [*ids, message],
                                           "params": {"reason": "cleanup"}}).json()
    assert result["updated"] == ids[1:]
    assert {s["id"] for s in result["skipped"]} == {ids[0], message}
    with engine.connect() as conn:
        new = conn.execute(select(events).where(events.c.seq > max(s.seq for s in before)))
        assert [e.type for e in new] == ["items.bulk"]
        records = conn.execute(select(audit.c.item_id, audit.c.result, audit.c.origin)
                               .where(audit.c.action == "close")).all()
    assert sorted((r.item_id, r.result) for r in records if r.origin == "bulk") == \
        sorted([(ids[0], "skipped"), (message, "skipped")] + [(i, "ok") for i in ids[1:]])
    closed = mel.post("/inbox/bulk", json={"op": "priority", "params": {"priority": "high"},
                                           "query": {"q": "kind:ticket", "state": "all"}})
    assert closed.json() == {"updated": 0,
                             "skipped": {"priority is no longer possible: already closed": 4}}
    fresh = [svc.ingest(kind="ticket", title=f"new {n}")["id"] for n in range(2)]
    by_query = mel.post("/inbox/bulk", json={"op": "macro", "params": {"name": "nope"},
                                             "query": {"q": "kind:ticket"}})
    assert by_query.json() == {"updated": 0, "skipped": {"no macro named 'nope'": 2}}
    mel.post("/macros", json={"name": "hi", "actions": [{"action": "priority",
                                                          "priority": "urgent"}]})
    ran = mel.post("/inbox/bulk", json={"op": "macro", "params": {"name": "hi"},
                                        "query": {"q": "kind:ticket"}})
    assert ran.json() == {"updated": 2, "skipped": {}}
    assert {mel.get(f"/inbox/{i}").json()["priority"] for i in fresh} == {"urgent"}
