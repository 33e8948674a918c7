"""Folders from the server, paging inside one, and bulk by query: all three agree."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import product
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import func, insert, select

from cockpit.domain.demo import DemoItem, demo_items, synthetic_items
from cockpit.domain.grouping import FOLDER_KEY_MAX, GROUP_BY, group_items
from cockpit.domain.models import (
    BulkOp,
    ItemIn,
    Kind,
    Priority,
    SenderIn,
    SenderType,
    State,
    StateFilter,
)
from cockpit.domain.roles import Principal, Role
from cockpit.server.errors import BadRequest, Forbidden
from cockpit.server.inbox import Inbox
from cockpit.server.ingest import prepare_row
from cockpit.server.seed import seed
from cockpit.store.db import MIGRATIONS, upgrade
from cockpit.store.inbox import folder_columns
from cockpit.store.tables import audit, events, items

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


def _every_smart_case() -> Iterator[DemoItem]:
    """An item of every kind (and one Cockpit does not know), sender type and priority, with
    and without an advisory (everything a smart folder depends on), unread or read."""
    cases = product([*Kind, "deploy_notice"], SenderType, Priority, (False, True))
    for n, (kind, sender, priority, advisory) in enumerate(cases):
        item = ItemIn(kind=kind, source_id=f"case-{n}", title=f"case {n}", priority=priority,
                      sender=SenderIn(type=sender, id=f"{sender}-{n % 3}", name=f"{sender}"),
                      payload={"advisory": True} if advisory else {})
        yield DemoItem(item, State.READ if n % 3 else State.UNREAD)


# Payload values at the edges of a folder key: DESIGN.md's names and the others producers
# use, blanks, values that are not strings, one longer than a key, the none key itself, and
# advisories that Python reads as true or false.
ODD_PAYLOADS: list[dict[str, Any]] = [
    {"pipeline_slug": "slug", "routine": "r", "pipeline": "p", "issue_identifier": "ENG-1",
     "issue": "ENG-2", "crew_id": "crew-a", "crew": "crew-b"},
    {"pipeline_slug": " ", "routine": "r", "issue_identifier": "", "issue": "ENG-2"},
    {"routine": None, "pipeline": "p", "crew": "  crew-b\t"},
    {"routine": 42, "issue": 3.5, "crew": True, "advisory": "yes"},
    {"routine": ["a", 1], "issue": {"b": 2}, "crew_id": 7, "advisory": 0},
    {"routine": "~none", "crew": "\u00a0crew-b", "advisory": ""},
    {"routine": "x" * (FOLDER_KEY_MAX + 50), "crew": "x" * FOLDER_KEY_MAX, "advisory": []},
    {"routine": "x" * FOLDER_KEY_MAX + " more", "advisory": "false"},
    {"advisory": 0.0},
    {},
]


def _odd_payloads() -> Iterator[ItemIn]:
    for n, (payload, kind) in enumerate(product(ODD_PAYLOADS, ("escalation", "message"))):
        yield ItemIn(kind=kind, source_id=f"odd-{n}", title=f"odd {n}", payload=payload,
                     sender=SenderIn(type="agent", id="agent-1", name="Agent"))


@pytest.fixture(params=["demo", "every smart case", "odd payloads"])
def any_inbox(request, engine) -> Inbox:
    """An inbox stored by the seed (the demo, every smart case), or of items ingested one
    by one (the odd payloads): the two ways items are written."""
    service = Inbox(engine, clock=lambda: NOW)
    if request.param == "odd payloads":
        for item in _odd_payloads():
            assert service.ingest(ALEX, item)[1] == "created"
    else:
        seed(engine, demo_items(NOW, ALEX.id) if request.param == "demo"
             else _every_smart_case(), NOW)
    return service


@pytest.mark.parametrize("group_by", GROUP_BY)
def test_server_folders_match_the_apps_grouping_and_page_exactly(any_inbox, group_by):
    _assert_folders_agree(any_inbox, group_by)


def _assert_folders_agree(service: Inbox, group_by: str) -> None:
    """The server's folders are the app's grouping of every item, and paging inside each
    folder (the query bulk runs use) finds exactly its items."""
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


def test_an_upsert_moves_an_item_to_the_folders_of_its_new_payload(engine):
    service = Inbox(engine, clock=lambda: NOW)
    first = {"routine": "nightly", "issue_identifier": "ENG-1", "crew": "billing"}
    sender = SenderIn(type="agent", id="agent-1", name="Agent")
    service.ingest(ALEX, ItemIn(kind="escalation", source_id="esc-1", title="Refund?",
                                sender=sender, payload=first))
    service.ingest(ALEX, ItemIn(kind="escalation", source_id="esc-1", title="Refund?",
                                sender=sender, upsert=True,
                                payload={"pipeline_slug": "weekly", "crew": " ",
                                         "advisory": True}))
    folders = {g: [f["key"] for f in service.groups(ALEX, group_by=g)["groups"]]
               for g in ("routine", "issue", "crew", "smart")}
    assert folders == {"routine": ["weekly"], "issue": ["~none"], "crew": ["~none"],
                       "smart": ["review"]}
    for group_by in ("routine", "issue", "crew", "smart"):
        _assert_folders_agree(service, group_by)


def _migrate(engine, command_name: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, command_name)(config, revision)


def test_the_migration_files_the_rows_stored_before_it_as_writes_do(engine):
    """Rows written before migration 0014 had no folder columns: it fills them from each
    payload, so they land in the folders a write would have put them in."""
    _migrate(engine, "downgrade", "0013")
    with engine.begin() as conn:  # written as the server wrote rows before 0014
        for n, (payload, kind) in enumerate(product(ODD_PAYLOADS, ("escalation", "message"))):
            row = prepare_row(ItemIn(kind=kind, source_id=f"old-{n}", title=f"old {n}",
                                     sender=SenderIn(type="agent", id="a-1", name="Agent"),
                                     payload=payload), NOW, producer=ALEX.id)
            conn.execute(insert(items).values(**row))
    upgrade(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(items)).mappings().all()
    assert [{k: row[k] for k in ("routine", "issue", "crew", "advisory")} for row in stored] \
        == [folder_columns(row["payload"]) for row in stored]
    assert any(row["advisory"] for row in stored) and any(row["routine"] for row in stored)
    service = Inbox(engine, clock=lambda: NOW)
    for group_by in ("smart", "routine", "issue", "crew"):
        _assert_folders_agree(service, group_by)


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


@pytest.mark.postgres
def test_a_large_seed_leaves_postgresql_statistics_fresh(postgres_url, monkeypatch) -> None:
    """A big seed analyzes and vacuums what it filled: the planner knows the rows (a
    never-analyzed table has reltuples -1) and their pages are all-visible for index-only
    counts, without waiting for autovacuum."""
    from sqlalchemy import text

    from cockpit.server import seed as seeding
    from tests.conftest import empty_postgres

    engine = empty_postgres(postgres_url)
    try:
        monkeypatch.setattr(seeding, "FRESH_STATISTICS", 50)
        added = seed(engine, synthetic_items(300, NOW, ALEX.id), NOW)
        with engine.connect() as conn:
            tuples, visible = conn.execute(text(
                "SELECT reltuples, relallvisible FROM pg_class WHERE relname = 'items'")).one()
        assert added == 300 and tuples == 300 and visible > 0
    finally:
        engine.dispose()
