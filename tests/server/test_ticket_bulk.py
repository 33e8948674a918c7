"""A ticket action over many tickets (issue 10), on SQLite and PostgreSQL: the batched run
writes what running the executor on each ticket in turn writes (the answer, the rows, the
timelines, the outbox, the SLA targets, the journal, the events), failures included.

Each case builds the same desk twice on a fresh database, on one fixed clock, so that ids
match: once the bulk runs batched, once ticket by ticket (`ticket_bulk.one_by_one`, the
executor in a savepoint per ticket, as bulk runs went before).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cockpit.domain.models import BulkOp, ItemIn, StateFilter
from cockpit.domain.roles import Principal, Role
from cockpit.server import ticket_bulk
from cockpit.server.agents import Floor
from cockpit.server.inbox import Inbox
from cockpit.store import open_engine
from cockpit.store.tables import (
    agents,
    audit,
    events,
    items,
    outbox,
    sla_targets,
    ticket_waits,
    timeline,
)
from cockpit.store.users import add_user
from tests.conftest import empty_postgres
from tests.factories import item

NOW = datetime(2099, 3, 14, 9, 30, tzinfo=UTC)
HOOK = "http://127.0.0.1:9/bulk"
MIA, MEL, SVC = (Principal("mia", Role.MANAGER), Principal("mel", Role.MEMBER),
                 Principal("svc", Role.SERVICE))
PEOPLE = {"mia": "manager", "mel": "member", "max": "member", "svc": "service"}
MACROS = [
    {"name": "refund", "actions": [
        {"action": "reply", "body_md": "Hi {{ customer.first_name }}, the refund for "
                                       "#{{ ticket.id }} is on its way. {{ agent.name }}"},
        {"action": "note", "body_md": "refunded for {{ customer.name }}"},
        {"action": "tag", "tags": ["refunded"]},
        {"action": "priority", "priority": "low"},
        {"action": "close", "reason": "refunded"}]},
    {"name": "handover", "actions": [
        {"action": "note", "body_md": "{{ agent.name }} hands over"},
        {"action": "priority", "priority": "urgent"},
        {"action": "transfer", "agent_id": "max", "note": "yours"},
        {"action": "tag", "tags": ["handed"]}]},
]


def _ticket(inbox: Inbox, n: int, *, queue: str | None = None, customer: str | None = "Ana Lopez",
            callback: bool = True, priority: str = "normal") -> int:
    payload = {"customer": {"id": f"c{n}", "name": customer} if customer else {"id": f"c{n}"}}
    if queue:
        payload["queue"] = queue
    if callback:
        payload["callback_url"] = HOOK
    made, _ = inbox.ingest(SVC, ItemIn.model_validate(item(
        kind="ticket", source_id=f"t-{n}", title=f"Ticket {n}", priority=priority,
        payload=payload, sender={"type": "customer", "id": f"c{n}", "name": "Ana"})))
    return made.id


def _desk(engine) -> tuple[Inbox, list[int]]:
    """Mel (queue q, two slots) holds two tickets and two more wait in q; max (one slot) has
    none. The selection: one of mel's, one without a customer's name, one without a
    callback_url, one tagged x and high already, one closed, a message, and an unknown id."""
    with engine.begin() as conn:
        for name, role in PEOPLE.items():
            add_user(conn, name, role)
    inbox, floor = Inbox(engine, clock=lambda: NOW), Floor(engine, clock=lambda: NOW)
    floor.put_queue(MIA, "q", [])
    floor.patch_agent(MIA, "mel", {"status": "available", "queues": ["q"], "capacity": 2})
    floor.patch_agent(MIA, "max", {"status": "available", "capacity": 1})
    for macro in MACROS:
        inbox.desk.add_macro(MEL, name=macro["name"], title=None, actions=macro["actions"])
    mels = _ticket(inbox, 1, queue="q")
    _ticket(inbox, 2, queue="q")
    for n in (3, 4):  # they wait in q: mel is full
        _ticket(inbox, n, queue="q")
    nameless = _ticket(inbox, 5, customer=None)
    silent = _ticket(inbox, 6, callback=False)
    tagged = _ticket(inbox, 7, priority="high")
    inbox.act(MEL, tagged, "tag", {"tags": ["x"]})
    closed = _ticket(inbox, 8)
    inbox.act(MEL, closed, "close", {})
    message, _ = inbox.ingest(SVC, ItemIn.model_validate(item(source_id="m-1")))
    return inbox, [mels, nameless, silent, tagged, closed, message.id, 999_999]


def _state(engine) -> dict:
    """Everything a bulk run writes, with what differs by nature taken out: the journal's
    and the events' own clocks, the webhooks' random delivery ids, and the ids of timeline
    entries (an entry is its place in its ticket's timeline)."""
    with engine.connect() as conn:
        def rows(table, *order, leave=()):
            return [{k: v for k, v in r._mapping.items() if k not in leave}
                    for r in conn.execute(select(table).order_by(*order))]

        entries = rows(timeline, timeline.c.item_id, timeline.c.id)
        place = {e["id"]: (e["item_id"], n) for n, e in enumerate(entries)}
        webhooks = []
        for row in rows(outbox, outbox.c.id, leave=("id",)):
            body = json.loads(row.pop("body"))
            del body["delivery_id"]
            if "timeline_id" in body["params"]:
                body["params"]["timeline_id"] = place[body["params"]["timeline_id"]]
            webhooks.append({**row, "body": body})
        return {
            "items": rows(items, items.c.id),
            "timeline": [{k: v for k, v in e.items() if k != "id"} for e in entries],
            "outbox": webhooks,
            "sla": rows(sla_targets, sla_targets.c.item_id, sla_targets.c.target),
            "journal": rows(audit, audit.c.id, leave=("id", "at", "latency_ms")),
            "events": rows(events, events.c.seq, leave=("seq", "created_at")),
            "agents": rows(agents, agents.c.user_id),
            "waits": rows(ticket_waits, ticket_waits.c.item_id),
        }


@pytest.fixture
def fresh_engine(db_url, request, tmp_path):
    """A new, empty database on the test's engine each call (the one before is done)."""
    made = []

    def make():
        for engine in made:
            engine.dispose()
        if db_url.startswith("sqlite"):
            path = tmp_path / f"desk-{len(made)}.db"
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
            engine = open_engine(f"sqlite:///{path}")
        else:
            engine = empty_postgres(db_url)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


CASES = {
    "close": (BulkOp.CLOSE, {"reason": "cleanup"}),  # frees one of mel's slots: q drains
    "priority": (BulkOp.PRIORITY, {"priority": "high"}),  # SLA retimed; one is high already
    "tag": (BulkOp.TAG, {"tags": ["x", "vip"]}),
    "untag": (BulkOp.UNTAG, {"tags": ["x"]}),
    "assign to max": (BulkOp.ASSIGN, {"assignee_id": "max"}),  # one slot: the rest refused
    "assign past capacity": (BulkOp.ASSIGN, {"assignee_id": "max", "force": True}),
    "assign to me": (BulkOp.ASSIGN, {}),
    "unassign": (BulkOp.ASSIGN, {"assignee_id": None}),  # mel's ticket waits, and is routed
    "assign to nobody known": (BulkOp.ASSIGN, {"assignee_id": "ghost"}),
    "refund macro": (BulkOp.MACRO, {"name": "refund"}),  # no name, no callback_url: refused
    "handover macro": (BulkOp.MACRO, {"name": "handover"}),  # max's one slot: one succeeds
    "edited macro": (BulkOp.MACRO, {"name": "refund",
                                    "overrides": {"0": {"body_md": "Sorry {{ raw }}"}}}),
    "unknown macro": (BulkOp.MACRO, {"name": "nope"}),
    # an override naming an action a step never runs: the run goes ticket by ticket
    "macro archiving": (BulkOp.MACRO, {"name": "refund", "overrides": {"4": {"action": "archive"}}}),
}


def _bulk(fresh_engine, op: BulkOp, params: dict, *, by_query: bool = False):
    """On a new desk: the selection, the bulk run's answer, and what is stored after it."""
    engine = fresh_engine()
    inbox, selection = _desk(engine)
    if by_query:
        answer = inbox.bulk_query(MEL, op, q="kind:ticket", state=StateFilter.ALL,
                                  params=params)
    else:
        answer = inbox.bulk(MEL, selection, op, params=params).model_dump()
    return selection, answer, _state(engine)


@pytest.mark.parametrize("case", CASES)
def test_a_batched_run_writes_what_running_each_ticket_in_turn_writes(fresh_engine, monkeypatch,
                                                                     case):
    op, params = CASES[case]
    batched = _bulk(fresh_engine, op, params)
    monkeypatch.setattr(ticket_bulk, "run", ticket_bulk.one_by_one)
    assert batched == _bulk(fresh_engine, op, params)


def test_by_query_too(fresh_engine, monkeypatch):
    batched = _bulk(fresh_engine, BulkOp.TAG, {"tags": ["seen"]}, by_query=True)
    assert batched[1] == {"updated": 7,
                          "skipped": {"tag is no longer possible: already closed": 1}}
    monkeypatch.setattr(ticket_bulk, "run", ticket_bulk.one_by_one)
    assert batched == _bulk(fresh_engine, BulkOp.TAG, {"tags": ["seen"]}, by_query=True)


def test_the_refund_macro_counts_each_failure_with_why_and_writes_one_event(fresh_engine):
    selection, answer, state = _bulk(fresh_engine, *CASES["refund macro"])
    mels, nameless, silent, tagged, closed, message, unknown = selection
    assert answer["updated"] == [mels, tagged] and answer["not_found"] == [unknown]
    reasons = {s["id"]: s["reason"] for s in answer["skipped"]}
    assert "customer" in reasons[nameless] and "callback_url" in reasons[silent]
    assert reasons[closed] == "macro is no longer possible: already closed"
    assert reasons[message] == "not a ticket"
    by_id = {r["id"]: r for r in state["items"]}
    assert (by_id[mels]["state"], by_id[mels]["priority"], by_id[mels]["tags"]) == \
        ("resolved", "low", ["refunded"])
    assert by_id[nameless]["tags"] == [] and by_id[nameless]["state"] == "unread"
    assert [w["body"]["params"]["body_md"] for w in state["outbox"]] == [
        f"Hi Ana, the refund for #{i} is on its way. mel" for i in (mels, tagged)]
    kinds = [e["type"] for e in state["timeline"] if e["item_id"] == mels]
    assert kinds == ["assign", "reply", "note", "tag", "priority", "status"]
    bulk = [r for r in state["journal"] if r["action"].startswith("bulk.")
            or r["origin"] == "bulk"]
    assert (bulk[0]["action"], bulk[-1]["action"]) == ("bulk.started", "bulk.completed")
    assert {(r["item_id"], r["result"]) for r in bulk[1:-1]} == {
        (mels, "ok"), (tagged, "ok"), (nameless, "skipped"), (silent, "skipped"),
        (closed, "skipped"), (message, "skipped"), (unknown, "not_found")}
    assert bulk[-1]["params"] == {"op": "macro", "ok": 2, "failed": 5, "skipped": 4,
                                  "not_found": 1}
    run_events = [e["type"] for e in state["events"]][-2:]
    assert run_events == ["item.updated", "items.bulk"]  # the queue drained; then the run's
    assert state["events"][-2]["data"]["action"] == "route"
    mel_tickets = [r["id"] for r in state["items"] if r["assignee_id"] == "mel"
                   and r["state"] != "resolved"]
    assert len(mel_tickets) == 2  # closing mel's ticket gave mel the oldest waiting one


def test_routing_passes_once_after_the_run(fresh_engine):
    """Closing mel's two tickets and one waiting in q: the other waiting ticket takes one of
    the freed slots; the closed waiting ticket was never handed to mel on the way."""
    engine = fresh_engine()
    inbox, _ = _desk(engine)
    with engine.connect() as conn:
        queued = list(conn.execute(select(items.c.id).order_by(items.c.id).where(
            items.c.source_id.in_(["t-1", "t-2", "t-3", "t-4"]))).scalars())
    result = inbox.bulk(MEL, queued[:3], BulkOp.CLOSE, params={})
    assert result.updated == queued[:3]
    with engine.connect() as conn:
        assignees = dict(conn.execute(select(items.c.id, items.c.assignee_id)
                                      .where(items.c.id.in_(queued))).all())
    assert assignees == {queued[0]: "mel", queued[1]: "mel", queued[2]: None,
                         queued[3]: "mel"}
