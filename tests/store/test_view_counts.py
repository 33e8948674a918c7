"""The counts the database keeps for saved views (migration 0013) equal the exact queries':
through inserts, upserts, bulk updates, deletes, SLA target changes and the migration's fill,
on SQLite and PostgreSQL; and concurrent writers on PostgreSQL neither wait on a counter row
nor lose a count."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update

from cockpit.domain.query import parse
from cockpit.domain.roles import Principal, Role
from cockpit.domain.views import BUILTIN_VIEWS
from cockpit.store import inbox, sla, view_counts
from cockpit.store.db import MIGRATIONS
from cockpit.store.tables import (
    COUNTED_KEY,
    item_counts,
    items,
    items_overdue,
    overdue_counts,
    sla_targets,
)

# Half past noon, so today and this hour hold warnings both before and after now.
NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)
USERS = (Principal("alex", Role.OWNER), Principal("mel", Role.MEMBER),
         Principal("vic", Role.VIEWER))
QUERIES = (*(v.query for v in BUILTIN_VIEWS), "priority:urgent", "assignee:none -is:resolved",
           "kind:message is:unread", "-assignee:mel", "is:resolved", "sla:at_risk,breached",
           "kind:ticket assignee:mel,none sla:at_risk,breached priority:<=normal")
# Where a target's warning falls, from now: days back, today's midnight, the hour before,
# this hour's start, now itself, later this hour, later.
WARN_OFFSETS = (timedelta(days=-3), timedelta(days=-1), timedelta(hours=-12, minutes=-30),
                timedelta(hours=-1), timedelta(minutes=-30), timedelta(minutes=-10),
                timedelta(0), timedelta(microseconds=1), timedelta(minutes=10),
                timedelta(hours=1), timedelta(hours=13))

kinds = st.sampled_from(["ticket", "ticket", "message"])
states = st.sampled_from(["unread", "read", "resolved"])
priorities = st.sampled_from(["low", "normal", "high", "urgent"])
people = st.sampled_from([None, None, "alex", "mel"])
roles = st.sampled_from([None, None, "member", "owner"])
reports = st.sampled_from([None, "ok", "at_risk", " breached ", ""])  # a producer's sla.status

new_item = st.fixed_dictionaries({
    "kind": kinds, "state": states, "priority": priorities, "assignee_id": people,
    "target_user_id": people, "target_role": roles, "report": reports})
pick = st.integers(min_value=0, max_value=10**6)  # an existing item, modulo how many there are
operations = st.lists(st.one_of(
    st.tuples(st.just("add"), st.lists(new_item, min_size=1, max_size=6)),
    st.tuples(st.just("set"), st.lists(pick, min_size=1, max_size=4),
              st.sampled_from(["state", "priority", "assignee_id", "target_user_id",
                               "target_role", "kind"]),
              st.one_of(states, priorities, people, roles, kinds)),
    st.tuples(st.just("report"), pick, reports),
    st.tuples(st.just("upsert"), pick),
    st.tuples(st.just("delete"), st.lists(pick, min_size=1, max_size=3)),
    st.tuples(st.just("start"), pick, st.sampled_from(["first_response", "resolution"]),
              st.sampled_from(WARN_OFFSETS)),
    st.tuples(st.just("meet"), pick),
    st.tuples(st.just("retime"), pick, st.sampled_from([4, 60, 60 * 24 * 3])),
    st.tuples(st.just("drop_targets"), pick),
), min_size=1, max_size=14)

_serial = iter(range(10**9))


def row(kind="ticket", state="unread", priority="normal", assignee_id=None,
        target_user_id=None, target_role=None, report=None) -> dict:
    payload = {"customer": {"id": "c1"}} | ({"sla": {"status": report}} if report is not None
                                           else {})
    return {"kind": kind, "source_id": f"s-{next(_serial)}", "state": state,
            "resolved_action": "closed" if state == "resolved" else None, "title": "T",
            "sender_type": "customer", "sender_id": "c1", "sender_name": "C", "priority":
            priority, "payload": payload, "tags": [], "assignee_id": assignee_id,
            "target_user_id": target_user_id, "target_role": target_role,
            "created_at": NOW - timedelta(days=4), "updated_at": NOW - timedelta(days=4)}


def apply(conn, operation) -> None:
    """One write, as the app's store functions (or a bulk UPDATE / DELETE) make it."""
    ids = sorted(conn.execute(select(items.c.id)).scalars())
    name, *args = operation
    if name == "add":
        inbox.insert_many(conn, [row(**spec) for spec in args[0]])
        return
    if not ids:
        return

    def chosen(n: int) -> int:
        return ids[n % len(ids)]

    if name == "set":
        picks, column, value = args
        if column in ("kind", "state", "priority") and value is None:
            return  # not nullable
        changes = {column: value}
        if column == "state":
            changes["resolved_action"] = "closed" if value == "resolved" else None
        inbox.update_rows(conn, sorted({chosen(n) for n in picks}), changes)
    elif name == "report":
        item_id, status = chosen(args[0]), args[1]
        payload = conn.execute(select(items.c.payload).where(items.c.id == item_id)).scalar()
        payload = {k: v for k, v in payload.items() if k != "sla"}
        if status is not None:
            payload["sla"] = {"status": status}
        conn.execute(update(items).where(items.c.id == item_id).values(payload=payload))
    elif name == "upsert":  # a producer sending a stored item again: nothing new
        found = conn.execute(select(items).where(items.c.id == chosen(args[0]))).one()._asdict()
        assert inbox.insert_row(conn, {k: v for k, v in found.items() if k != "id"})[1] is False
    elif name == "delete":
        conn.execute(delete(items).where(items.c.id.in_({chosen(n) for n in args[0]})))
    elif name == "start":
        target, offset = args[1:]
        minutes = 60  # warns at 45 minutes, so the warning falls at now + offset
        sla.start(conn, chosen(args[0]), target, NOW + offset - timedelta(minutes=45), minutes)
    elif name == "meet":
        sla.meet(conn, chosen(args[0]), ["first_response"], NOW)
    elif name == "retime":
        sla.retime(conn, chosen(args[0]), dict.fromkeys(
            ("first_response", "next_response", "resolution"), args[1]))
    elif name == "drop_targets":
        conn.execute(delete(sla_targets).where(sla_targets.c.item_id == chosen(args[0])))


def assert_kept_exact(conn) -> None:
    """Every kept table against what it summarises, computed here from the rows."""
    key = [items.c[k] for k in COUNTED_KEY]
    expected = Counter({tuple(r[:-1]): r[-1] for r in conn.execute(
        select(*key, func.count()).group_by(*key))})
    kept = Counter()
    for r in conn.execute(select(*(item_counts.c[k] for k in COUNTED_KEY), item_counts.c.n)):
        kept[tuple(r[:-1])] += int(r[-1])
    assert +kept == expected

    targets: dict[int, list] = {}
    for t in conn.execute(select(sla_targets)):
        targets.setdefault(t.item_id, []).append(t)
    wanted = {}
    for r in conn.execute(select(items.c.id, items.c.payload, *key)):
        report = ((r.payload.get("sla") or {}).get("status") or "").strip() \
            if isinstance(r.payload.get("sla"), dict) else ""
        if r.id in targets:
            pending = [t.warn_at for t in targets[r.id] if t.met_at is None]
            when = min(pending) if pending else None
        else:
            when = ALWAYS if report in ("at_risk", "breached") else None
        if when is not None:
            wanted[r.id] = (when, *(getattr(r, k) for k in COUNTED_KEY))
    stored = {r.item_id: (r.overdue_at, *(getattr(r, k) for k in COUNTED_KEY))
              for r in conn.execute(select(items_overdue))}
    assert stored == wanted

    spans = Counter()
    for when, *key in wanted.values():
        spans[(*key, "day", when.replace(hour=0, minute=0, second=0, microsecond=0))] += 1
        spans[(*key, "hour", when.replace(minute=0, second=0, microsecond=0))] += 1
    kept_spans = Counter()
    for r in conn.execute(select(overdue_counts)):
        kept_spans[(*(getattr(r, k) for k in COUNTED_KEY), r.span, r.start)] += int(r.n)
    assert +kept_spans == spans


def assert_counts_match(conn) -> None:
    """Every query's kept counts, asked together (with one they cannot answer among them),
    against its exact counts."""
    for user in USERS:
        texts = (*QUERIES[:3], "tag:vip", *QUERIES[3:])
        scopes = [inbox.Scope(user, NOW, query=parse(text)) for text in texts]
        kept = view_counts.tab_counts(conn, scopes)
        for text, scope, counts in zip(texts, scopes, kept, strict=True):
            exact = None if text == "tag:vip" else inbox.tab_counts(conn, scope)
            assert counts == exact, (user.id, text)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operations, min_size=1, max_size=3))
def test_kept_counts_equal_the_exact_counts(engine, steps):
    with engine.begin() as conn:
        conn.execute(delete(items))
    for transaction in steps:
        with engine.begin() as conn:
            for operation in transaction:
                apply(conn, operation)
    with engine.connect() as conn:
        assert_kept_exact(conn)
        assert_counts_match(conn)


def test_terms_the_kept_counts_cannot_answer_are_left_to_the_exact_count(engine):
    with engine.connect() as conn:
        for text in ("tag:vip", "refund", "sla:breached", "sla:ok,at_risk,breached",
                     "-sla:at_risk,breached", "is:archived", "created:<2h", "customer:c1",
                     "kind:ticket sla:at_risk,breached sla:breached", "sender:c1"):
            scope = inbox.Scope(USERS[0], NOW, query=parse(text))
            assert view_counts.tab_counts(conn, [scope]) == [None], text
        for text in QUERIES:
            scope = inbox.Scope(USERS[0], NOW, query=parse(text))
            assert view_counts.tab_counts(conn, [scope]) != [None], text


def _alembic(engine, action, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        action(config, revision)


def test_the_migration_fills_the_counts_from_the_rows_already_there(engine):
    _alembic(engine, command.downgrade, "0012")
    try:
        with engine.begin() as conn:
            specs = [{"kind": k, "state": s, "priority": p, "assignee_id": a, "report": r}
                     for k in ("ticket", "message") for s in ("unread", "resolved")
                     for p in ("low", "urgent") for a in (None, "mel")
                     for r in (None, "breached")]
            # as written then: the store's insert now also sets columns 0012 has not
            conn.execute(insert(items), [row(**spec) for spec in specs])
            ids = sorted(conn.execute(select(items.c.id)).scalars())
            for n, item_id in enumerate(ids[::2]):
                warn = NOW + WARN_OFFSETS[n % len(WARN_OFFSETS)]
                conn.execute(insert(sla_targets).values(
                    item_id=item_id, target="first_response", start_at=warn, due_at=warn,
                    warn_at=warn, met_at=NOW if n % 5 == 0 else None, raised=""))
    finally:
        _alembic(engine, command.upgrade, "head")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(items_overdue)).scalar() > 0
        assert_kept_exact(conn)
        assert_counts_match(conn)


@pytest.mark.postgres
def test_concurrent_writers_never_wait_on_a_counter_and_lose_no_count(engine):
    """Writers whose items all fall under the same keys hold their transactions open at
    once, their changes settled into the counters already (SET CONSTRAINTS ALL IMMEDIATE:
    settled at each statement's end, not at commit): with one counter row per key the
    second would wait for the first to commit, and the barrier would break."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    writers, rounds = 4, 5
    with engine.begin() as conn:
        inbox.insert_many(conn, [row() for _ in range(writers * 3)])
        ids = sorted(conn.execute(select(items.c.id)).scalars())
    all_open = threading.Barrier(writers, timeout=60)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        mine = ids[n::writers]  # no two writers touch one item: only the counters are shared
        try:
            for turn in range(rounds):
                with engine.begin() as conn:
                    conn.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
                    inbox.insert_many(conn, [row(), row(assignee_id="mel", priority="high")])
                    inbox.update_rows(conn, mine, {"state": ("read", "unread")[turn % 2]})
                    for item_id in mine:
                        sla.start(conn, item_id, "first_response",
                                  NOW - timedelta(hours=turn + 1), 60)
                    all_open.wait()
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread below
            failures.append(exc)
            all_open.abort()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(items)).scalar() \
            == writers * 3 + writers * rounds * 2
        assert_kept_exact(conn)
        assert_counts_match(conn)


def test_a_bulk_update_settles_the_counts_once_and_leaves_the_triggers_on(engine):
    """Past bulk_counts.BULK rows, SQLite's per-row triggers skip and the bulk applies the
    difference itself: the kept counts, overdue rows and spans still equal the exact ones,
    and a small update afterwards is counted by the triggers again."""
    from cockpit.store.bulk_counts import BULK
    from cockpit.store.tables import counts_deferred

    specs = [dict(kind=("ticket", "message")[n % 2], state=("unread", "read")[n % 3 == 0],
                  priority=("low", "normal", "high")[n % 3], assignee_id=(None, "alex")[n % 5 == 0],
                  target_role=(None, "member")[n % 7 == 0],
                  report=("at_risk", None, "breached", None)[n % 4]) for n in range(BULK + 60)]
    with engine.begin() as conn:
        conn.execute(delete(items))
        inbox.insert_many(conn, [row(**spec) for spec in specs])
    with engine.connect() as conn:
        ids = sorted(conn.execute(select(items.c.id)).scalars())
    for changes, chosen in (({"state": "read", "resolved_action": None}, ids),
                            ({"assignee_id": "mel"}, ids[::2]),
                            ({"priority": "urgent", "kind": "message"}, ids[:BULK + 10]),
                            ({"state": "resolved", "resolved_action": "closed"}, ids[1:]),
                            ({"title": "only a title"}, ids)):
        with engine.begin() as conn:
            inbox.update_rows(conn, chosen, changes)
        with engine.connect() as conn:
            assert_kept_exact(conn)
            assert conn.execute(select(func.count()).select_from(counts_deferred)).scalar() == 0
    with engine.begin() as conn:  # a few rows: the triggers count them
        inbox.update_rows(conn, ids[:3], {"state": "unread", "resolved_action": None,
                                          "assignee_id": None})
    with engine.connect() as conn:
        assert_kept_exact(conn)
        assert_counts_match(conn)
