"""SLA targets on tickets: due times, at risk at 75 %, breach, alarms once, and what replies,
priority changes, closing and reopening do to them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from cockpit.domain.roles import Principal, Role
from cockpit.server import sla
from cockpit.server.inbox import Inbox
from cockpit.store.tables import audit, events, outbox, timeline
from tests.factories import Clock

HOOK = "http://127.0.0.1:9/sla"


@pytest.fixture
def desk(engine):
    clock = Clock()
    return Inbox(engine, clock=clock), clock


SVC, MEL = Principal("svc", Role.SERVICE), Principal("mel", Role.MEMBER)


def _ticket(service, priority="normal", **payload):
    from cockpit.domain.models import ItemIn

    item, _ = service.ingest(SVC, ItemIn(kind="ticket", source_id=f"t-{id(payload)}-{priority}",
                                         title="Help", priority=priority,
                                         sender={"type": "customer", "id": "c", "name": "C"},
                                         payload={"callback_url": HOOK, **payload}))
    return item.id


def _sla(service, item_id):
    return service.get(MEL, item_id).payload["sla"]


def _ids(service, q):
    return {i.id for i in service.list(MEL, q=q, state="all").items}


def test_a_new_ticket_gets_its_targets_from_the_policy(desk):
    service, clock = desk
    ticket = _ticket(service, "high")
    got = _sla(service, ticket)
    assert got["first_response_due"] == (clock.now + timedelta(minutes=60)).isoformat()
    assert got["resolution_due"] == (clock.now + timedelta(minutes=480)).isoformat()
    assert got["next_response_due"] is None and got["status"] == "ok"


def test_at_risk_at_75_percent_then_breached_and_queryable(desk, engine):
    service, clock = desk
    ticket = _ticket(service, "urgent")  # first response in 15 minutes
    assert _ids(service, "sla:ok") == {ticket}
    clock.advance(minutes=11)
    assert _sla(service, ticket)["status"] == "ok"
    clock.advance(minutes=1, seconds=15)  # 12m15s: past 75 % of 15 minutes
    assert _sla(service, ticket)["status"] == "at_risk"
    assert _ids(service, "sla:at_risk") == {ticket} and _ids(service, "sla:ok") == set()
    clock.advance(minutes=3)
    assert _sla(service, ticket)["status"] == "breached"
    assert _ids(service, "sla:breached") == {ticket} and _ids(service, "sla:at_risk") == set()
    assert {v["name"]: v["count"] for v in service.desk.views(MEL)}["overdue"] == 1


def test_alarms_go_out_once_each_to_events_timeline_journal_and_webhook(desk, engine):
    service, clock = desk
    ticket = _ticket(service, "urgent")
    assert sla.sweep(engine, clock.advance(minutes=12)) == 1  # first response at risk
    assert sla.sweep(engine, clock.now) == 0  # never twice
    assert sla.sweep(engine, clock.advance(minutes=4)) == 1  # breached
    with engine.connect() as conn:
        kinds = [r.type for r in conn.execute(select(events)) if r.type.startswith("sla.")]
        entries = [r.data["status"] for r in conn.execute(
            select(timeline).where(timeline.c.item_id == ticket, timeline.c.type == "sla"))]
        journal = [r.action for r in conn.execute(select(audit)) if r.action.startswith("sla.")]
        hooks = [r.body for r in conn.execute(select(outbox))]
    assert kinds == ["sla.at_risk", "sla.breached"] == journal
    assert entries == ["at_risk", "breached"]
    assert len(hooks) == 2 and '"action":"sla.breached"' in hooks[1]


def test_the_sweep_takes_due_alarms_earliest_due_first_from_both_kinds(desk, engine):
    """An alarm is due for a target never raised once past its warning, and for one raised
    at risk once past due; not for one already breached, nor for a resolved ticket's."""
    from sqlalchemy import update

    from cockpit.store import sla as targets
    from cockpit.store.tables import items

    service, clock = desk
    breached = _ticket(service, "urgent", n=1)  # first response due at +15
    sla.sweep(engine, clock.advance(minutes=16))  # +16: breached at once
    first = _ticket(service, "urgent", n=2)  # due at +31
    gone = _ticket(service, "urgent", n=3)
    with engine.begin() as conn:  # resolved by a path that left its clocks running
        conn.execute(update(items).where(items.c.id == gone).values(state="resolved"))
    sla.sweep(engine, clock.advance(minutes=12))  # +28: first at risk
    second = _ticket(service, "urgent", n=4)  # due at +43, warns at +39:15
    now = clock.advance(minutes=12)  # +40
    with engine.connect() as conn:
        due = [(a["item_id"], a["target"], a["raised"]) for a in targets.alarms_due(conn, now)]
        earliest = [a["item_id"] for a in targets.alarms_due(conn, now, limit=1)]
    assert due == [(first, "first_response", "at_risk"), (second, "first_response", "")]
    assert earliest == [first] and breached not in earliest


def test_a_reply_meets_the_first_response_and_a_customer_message_starts_the_next(desk):
    service, clock = desk
    ticket = _ticket(service, "normal")
    clock.advance(minutes=10)
    service.act(MEL, ticket, "reply", {"body_md": "on it"})
    after = _sla(service, ticket)
    assert after["first_response_due"] is None and after["next_response_due"] is None
    clock.advance(minutes=30)
    service.act(SVC, ticket, "customer_message", {"body_md": "any news?"})
    assert _sla(service, ticket)["next_response_due"] == \
        (clock.now + timedelta(minutes=480)).isoformat()
    service.act(MEL, ticket, "reply", {"body_md": "yes"})
    assert _sla(service, ticket)["next_response_due"] is None


def test_a_priority_change_retimes_pending_targets_from_their_start(desk):
    service, clock = desk
    created = clock.now
    ticket = _ticket(service, "low")
    clock.advance(minutes=5)
    service.act(MEL, ticket, "priority", {"priority": "urgent"})
    got = _sla(service, ticket)
    assert got["first_response_due"] == (created + timedelta(minutes=15)).isoformat()
    assert got["resolution_due"] == (created + timedelta(minutes=240)).isoformat()


def test_closing_stops_the_clocks_and_reopening_restarts_resolution(desk, engine):
    service, clock = desk
    ticket = _ticket(service, "urgent")
    service.act(MEL, ticket, "close", {})
    clock.advance(hours=10)
    assert _sla(service, ticket)["status"] == "ok"
    assert sla.sweep(engine, clock.now) == 0  # a closed ticket raises nothing
    service.act(MEL, ticket, "reopen", {})
    got = _sla(service, ticket)
    assert got["resolution_due"] == (clock.now + timedelta(minutes=240)).isoformat()
    assert got["first_response_due"] is None


def test_policies_are_admins_to_set_and_apply_to_new_tickets(as_user):
    policies = {p["priority"]: p for p in as_user("mel").get("/sla-policies").json()}
    assert policies["urgent"] == {"priority": "urgent", "first_response": 15,
                                  "next_response": 30, "resolution": 240}
    body = {"priority": "normal", "first_response": 30, "next_response": 60, "resolution": 90}
    assert as_user("mel").post("/sla-policies", json=body).status_code == 403
    assert as_user("adam").post("/sla-policies", json=body).status_code == 200
    assert as_user("adam").post("/sla-policies", json={**body, "resolution": 0}).status_code \
        == 422
    ticket = as_user("svc").ingest(kind="ticket", title="after the change")
    due = datetime.fromisoformat(ticket["payload"]["sla"]["resolution_due"])
    assert timedelta(minutes=89) < due - datetime.fromisoformat(ticket["created_at"]) \
        <= timedelta(minutes=91)


def test_an_untracked_item_keeps_the_producers_sla(as_user):
    made = as_user("svc").ingest(title="external", payload={"sla": {"status": "breached"}})
    hits = as_user("mel").get("/inbox", params={"q": "sla:breached"}).json()["items"]
    assert [i["id"] for i in hits] == [made["id"]]


def test_every_set_of_sla_states_is_the_union_of_its_states(desk):
    """`sla:a,b` asks the SLA table once or twice per ticket, whatever the set: it must list
    exactly the tickets each state lists on its own, together, and `-sla:` the rest."""
    from itertools import combinations

    service, clock = desk
    breached = _ticket(service, "urgent", n=1)  # first response due in 15 minutes
    clock.advance(minutes=13)  # 13 of 15: at risk
    at_risk = _ticket(service, "urgent", n=2)
    clock.advance(minutes=3)  # the first is breached now, the second not yet at risk
    clock.advance(minutes=9)  # the second: 12 of 15 minutes, at risk
    ok = _ticket(service, "low", n=3)
    plain = _ticket(service, "low", n=4)
    service.act(MEL, plain, "close", {})
    alone = {"ok": {ok, plain}, "at_risk": {at_risk}, "breached": {breached}}  # closed: met
    assert {state: _ids(service, f"sla:{state}") for state in alone} == alone
    for size in (2, 3):
        for states in combinations(alone, size):
            want = set().union(*(alone[s] for s in states))
            assert _ids(service, "sla:" + ",".join(states)) == want, states
            assert not want & _ids(service, "-sla:" + ",".join(states)), states
