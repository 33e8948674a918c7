"""The views' counts (GET /views, from the counts the database keeps) equal what the views
list (GET /inbox?view=) at the same moment, as the clock runs past warnings, due times and
midnight, and as tickets are answered, reprioritised, assigned and closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cockpit.domain.models import ItemIn
from cockpit.domain.roles import Principal, Role
from cockpit.server.inbox import Inbox
from cockpit.store.users import add_user
from tests.factories import Clock

SVC, MEL = Principal("svc", Role.SERVICE), Principal("mel", Role.MEMBER)
OLIVIA, VIC = Principal("olivia", Role.OWNER), Principal("vic", Role.VIEWER)


@pytest.fixture
def desk(engine):
    with engine.begin() as conn:
        for user in (SVC, MEL, OLIVIA, VIC):
            add_user(conn, user.id, user.role)
    clock = Clock()
    clock.now = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)  # an hour before midnight
    return Inbox(engine, clock=clock), clock


def _ingest(service, n: int, kind: str = "ticket", created_at: datetime | None = None,
            payload: dict | None = None, **fields) -> int:
    item, _ = service.ingest(SVC, ItemIn(
        kind=kind, source_id=f"v-{n}", title=f"Ticket {n}", created_at=created_at,
        sender={"type": "customer", "id": f"c{n}", "name": "C"},
        payload={"callback_url": "http://127.0.0.1:9/hook", **(payload or {})}, **fields))
    return item.id


def _listed(service, user: Principal, view: str) -> dict[str, int]:
    """What GET /inbox?view= lists, every page of it, counted as GET /views counts."""
    found, cursor = [], None
    while True:
        page = service.window(user, view=view, state="all", limit=3, cursor=cursor)
        found += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    return {"count": len(found), "unread": sum(i["state"] == "unread" for i in found)}


def _assert_counts_are_the_listings(service) -> None:
    for user in (MEL, OLIVIA, VIC):
        for view in service.desk.views(user):
            assert {k: view[k] for k in ("count", "unread")} == \
                _listed(service, user, view["name"]), (user.id, view["name"])


def test_view_counts_equal_the_listings_as_time_and_tickets_move(desk):
    service, clock = desk
    service.desk.add_view(MEL, name="slipping", title=None, query="sla:at_risk,breached")
    service.desk.add_view(MEL, name="mine_urgent", title=None,
                          query="assignee:me priority:urgent")
    ids = [_ingest(service, n, priority=p) for n, p in
           enumerate(["urgent", "urgent", "high", "normal", "low", "high"])]
    # opened two days ago: breached since then
    old = _ingest(service, 10, created_at=clock.now - timedelta(days=2))
    # not a ticket, and not tracked: its producer's word is its SLA
    _ingest(service, 11, kind="message", payload={"sla": {"status": "breached"}})
    _ingest(service, 12, kind="message", target_role="owner", priority="urgent")
    service.act(MEL, ids[0], "assign", {"assignee_id": "mel"})
    service.act(MEL, ids[2], "assign", {"assignee_id": "olivia"})
    _assert_counts_are_the_listings(service)

    clock.advance(minutes=12)  # the urgent ones' first response is at risk
    _assert_counts_are_the_listings(service)
    service.act(MEL, ids[1], "reply", {"body_md": "on it"})  # met: no longer at risk
    service.act(MEL, ids[5], "priority", {"priority": "urgent"})  # retimed: at risk now
    _assert_counts_are_the_listings(service)

    clock.advance(minutes=48)  # midnight: yesterday's warnings are a whole day now
    assert clock.now == datetime(2026, 3, 11, tzinfo=UTC)
    _assert_counts_are_the_listings(service)
    clock.advance(microseconds=1)
    _assert_counts_are_the_listings(service)

    service.act(MEL, old, "close", {})
    service.act(MEL, ids[3], "assign", {"assignee_id": "mel"})
    clock.advance(hours=3)  # the normal one warns at 3 h, today
    _assert_counts_are_the_listings(service)
    service.act(SVC, old, "customer_message", {"body_md": "still broken"})  # reopened
    clock.advance(days=2)
    _assert_counts_are_the_listings(service)
    counted = {v["name"]: v["count"] for v in service.desk.views(OLIVIA)}
    assert counted["overdue"] == counted["all_open"] == 7
