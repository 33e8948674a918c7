"""Folders from the server, paging inside one, and bulk by query: all three agree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from cockpit.domain.demo import demo_items, synthetic_items
from cockpit.domain.grouping import GROUP_BY, group_items
from cockpit.domain.models import BulkOp, StateFilter
from cockpit.domain.roles import Principal, Role
from cockpit.server.errors import BadRequest, Forbidden
from cockpit.server.inbox import Inbox
from cockpit.server.seed import seed
from cockpit.store.tables import audit, events

ALEX = Principal("alex", Role.OWNER)
NOW = datetime(2099, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def service(engine) -> Inbox:
    seed(engine, demo_items(NOW, ALEX.id), NOW)
    return Inbox(engine, clock=lambda: NOW)


def _everything(service: Inbox, user: Principal, **filters) -> list:
    found, cursor = [], None
    while True:
        page = service.list(user, limit=500, cursor=cursor, **filters)
        found.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return found


@pytest.mark.parametrize("group_by", GROUP_BY)
def test_server_folders_match_the_apps_grouping_and_page_exactly(service, group_by):
    items = _everything(service, ALEX)
    expected = [(g.key, g.label, len(g.items), sum(i.state == "unread" for i in g.items))
                for g in group_items(items, group_by)]
    answer = service.groups(ALEX, group_by=group_by)
    assert [(g["key"], g["label"], g["count"], g["unread"]) for g in answer["groups"]] == \
        expected
    assert answer["total"] == len(items)
    for folder in answer["groups"]:
        inside = _everything(service, ALEX, group_by=group_by, group=folder["key"])
        assert len(inside) == folder["count"]
        assert {i.id for i in inside} == {i.id for g in group_items(items, group_by)
                                         if g.key == folder["key"] for i in g.items}


def test_folders_follow_the_query_and_the_state(service):
    tickets = service.groups(ALEX, q="kind:ticket", group_by="kind")
    assert [g["key"] for g in tickets["groups"]] == ["ticket"]
    archived = service.groups(ALEX, state=StateFilter.ARCHIVED, group_by="none")
    assert archived["total"] == len(_everything(service, ALEX, state=StateFilter.ARCHIVED))


def test_an_unknown_group_by_is_a_400(service):
    with pytest.raises(BadRequest, match="group_by"):
        service.groups(ALEX, group_by="colour")
    with pytest.raises(BadRequest, match="group_by"):
        service.list(ALEX, group="x")


def test_bulk_by_query_acts_on_everything_it_matches_but_the_exceptions(service, engine):
    messages = _everything(service, ALEX, q="kind:message")
    keep = messages[0].id
    with engine.connect() as conn:
        seq_before = conn.execute(select(func.max(events.c.seq))).scalar()
    result = service.bulk_query(ALEX, BulkOp.ARCHIVE, q="kind:message", except_ids=[keep])
    blocking = sum(1 for m in messages if m.blocking and m.id != keep)
    assert result == {"updated": len(messages) - 1 - blocking,
                      "skipped": {"blocking item: resolve it on its own": blocking}
                      if blocking else {}}
    assert [i.id for i in _everything(service, ALEX, q="kind:message")] == \
        [keep] + [m.id for m in messages if m.blocking and m.id != keep]
    with engine.connect() as conn:
        new_events = conn.execute(select(events.c.type).where(events.c.seq > seq_before)).all()
        journal = conn.execute(select(audit.c.action, audit.c.origin)
                               .where(audit.c.action.in_(["archive", "bulk.started",
                                                          "bulk.completed"]))).all()
    assert [e.type for e in new_events] == ["items.bulk"]
    assert journal.count(("archive", "bulk")) == len(messages) - 1
    assert {"bulk.started", "bulk.completed"} <= {a for a, _ in journal}


def test_bulk_by_query_skips_decision_items_with_counts(service):
    decisions = _everything(service, ALEX, q="is:decision")
    result = service.bulk_query(ALEX, BulkOp.ARCHIVE, q="is:decision")
    assert result == {"updated": 0,
                      "skipped": {"decision item: use its own actions": len(decisions)}}


def test_bulk_by_query_inside_one_folder(service):
    folder = service.groups(ALEX, group_by="priority")["groups"][0]
    result = service.bulk_query(ALEX, BulkOp.READ, group_by="priority", group=folder["key"])
    assert result["updated"] == folder["unread"]
    after = service.groups(ALEX, group_by="priority")["groups"][0]
    assert (after["key"], after["unread"]) == (folder["key"], 0)


def test_bulk_by_query_is_held_to_roles_and_visibility(service):
    with pytest.raises(Forbidden):
        service.bulk_query(Principal("vic", Role.VIEWER), BulkOp.ARCHIVE)
    other = Principal("someone", Role.MEMBER)
    seen = len(_everything(service, other))
    result = service.bulk_query(other, BulkOp.READ, state=StateFilter.ALL)
    assert result["updated"] + sum(result["skipped"].values()) == \
        len(_everything(service, other, state=StateFilter.ALL))
    assert seen < len(_everything(service, ALEX))  # alex's personal items were not touched


def test_a_huge_bulk_writes_one_small_event(engine):
    service = Inbox(engine, clock=lambda: NOW)
    seed(engine, synthetic_items(3_000, NOW, ALEX.id), NOW)
    with engine.connect() as conn:
        seq_before = conn.execute(select(func.max(events.c.seq))).scalar()
    result = service.bulk_query(ALEX, BulkOp.READ)
    assert result["updated"] > 1_000
    with engine.connect() as conn:
        new = conn.execute(select(events).where(events.c.seq > seq_before)).all()
    assert [e.type for e in new] == ["reset"] and len(str(new[0].data)) < 200
