"""The clocks reports read, taken from the timeline as it grows.

Reading a period's first responses from the raw timeline means replaying every conversation
in it on every report; instead each timeline entry is read once, in id order, and what it
measures (cockpit/domain/reports.py, `Clock`) is kept in `clock_samples`, with where each
ticket's clocks stand in `clock_state` and how far the timeline was read in `clock_cursor`.
`catch_up` reads the next entries; reports and live metrics call it first, and the sweep does
every few seconds, so the samples are current.

Ids are handed out before commit, so on PostgreSQL an id can be missing for a while (its
transaction still running) and then appear. The cursor stops at such a gap while another
transaction that wrote to the timeline is still running, for up to GAP_WAIT seconds, and
then takes the gap as a rollback (as the event hub does with seqs); on SQLite, writers run one at a time, so a gap
seen from a write transaction is final.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from cockpit.domain.reports import Clock, Entry
from cockpit.domain.roles import Role
from cockpit.store.tables import (
    agents,
    clock_cursor,
    clock_samples,
    clock_state,
    items,
    timeline,
)
from cockpit.store.tables import users as users_table

BATCH = 20_000
GAP_WAIT = timedelta(seconds=10)
CURSOR = "timeline"
CLOCK_TYPES = ("reply", "customer_message", "status")
t = timeline.c


def _insert(conn: Connection):
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def _cursor(conn: Connection) -> dict[str, Any]:
    """The cursor, locked for the rest of the transaction (one reader at a time)."""
    conn.execute(_insert(conn)(clock_cursor).values(name=CURSOR, last_id=0)
                 .on_conflict_do_nothing())
    row = conn.execute(select(clock_cursor).where(clock_cursor.c.name == CURSOR)
                       .with_for_update()).one()
    return dict(row._mapping)


def _others_writing(conn: Connection) -> bool:
    """Whether another transaction that wrote to the timeline is still running (it holds
    its ROW EXCLUSIVE lock on the table until it ends)."""
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.execute(text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' "
        "AND relation = 'timeline'::regclass AND mode = 'RowExclusiveLock' "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND pid <> pg_backend_pid()")).scalar())


def _humans(conn: Connection) -> set[str]:
    people = set(conn.execute(select(users_table.c.id)
                              .where(users_table.c.role != Role.SERVICE.value)).scalars())
    bots = set(conn.execute(select(agents.c.user_id).where(agents.c.bot.is_(True))).scalars())
    return people - bots


def catch_up(conn: Connection, now: datetime) -> bool:
    """Read the next batch of timeline entries into the clocks, in the caller's transaction;
    True when there is more to read."""
    cursor = _cursor(conn)
    last = cursor["last_id"]
    to = t.data["to"].as_string()
    rows = conn.execute(select(t.id, t.item_id, t.type, t.author, t.at, to)
                        .where(t.id > last).order_by(t.id).limit(BATCH)).all()
    if not rows:
        return False
    usable, expected, upto = [], last + 1, last
    gap = {"gap_id": cursor["gap_id"], "gap_since": cursor["gap_since"]}
    for row in rows:
        if row.id != expected:
            if _others_writing(conn):
                if gap["gap_id"] != expected:
                    gap = {"gap_id": expected, "gap_since": now}
                if now - gap["gap_since"] < GAP_WAIT:
                    break
            gap = {"gap_id": None, "gap_since": None}
        usable.append(row)
        expected, upto = row.id + 1, row.id
    _apply(conn, [r for r in usable if r.type in CLOCK_TYPES])
    conn.execute(update(clock_cursor).where(clock_cursor.c.name == CURSOR)
                 .values(last_id=upto, **gap))
    return len(rows) == BATCH and upto == rows[-1].id


def _apply(conn: Connection, rows: list[Any]) -> None:
    if not rows:
        return
    humans = _humans(conn)
    entries: dict[int, list[Entry]] = defaultdict(list)
    for row in rows:
        entries[row.item_id].append(Entry(row.type, row.at, row.author, row.author in humans,
                                          row[5]))
    ids = sorted(entries)
    clocks: dict[int, Clock] = {}
    for begin in range(0, len(ids), 500):
        chunk = ids[begin:begin + 500]
        for s in conn.execute(select(clock_state).where(clock_state.c.item_id.in_(chunk))):
            clocks[s.item_id] = Clock(s.session, s.session_start, s.answered, s.closed,
                                      s.waiting_since)
        missing = [i for i in chunk if i not in clocks]
        if missing:
            for item_id, created_at in conn.execute(select(items.c.id, items.c.created_at)
                                                    .where(items.c.id.in_(missing))):
                clocks[item_id] = Clock.new(created_at)
    taken: list[dict[str, Any]] = []
    for item_id, mine in entries.items():
        clock = clocks.get(item_id)
        if clock is None:  # the ticket is gone
            continue
        for entry in mine:
            sample = clock.advance(entry)
            if sample is not None:
                taken.append({"item_id": item_id, "measure": sample.measure, "at": sample.at,
                              "seconds": sample.seconds, "author": sample.author,
                              "session": sample.session})
    for begin in range(0, len(taken), 5_000):
        conn.execute(insert(clock_samples), taken[begin:begin + 5_000])
    states = [{"item_id": i, "session": c.session, "session_start": c.start,
               "answered": c.answered, "closed": c.closed, "waiting_since": c.waiting_since}
              for i, c in clocks.items() if i in entries]
    stmt = _insert(conn)(clock_state)
    stmt = stmt.on_conflict_do_update(index_elements=["item_id"], set_={
        k: stmt.excluded[k] for k in ("session", "session_start", "answered", "closed",
                                      "waiting_since")})
    for begin in range(0, len(states), 2_000):
        conn.execute(stmt, states[begin:begin + 2_000])
