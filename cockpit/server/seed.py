"""Seeding demo data straight into the store (fast: one insert per batch, one event at the end)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import Engine, Table, select

from cockpit.domain.demo import DemoItem
from cockpit.domain.models import State
from cockpit.domain.rules import payload_time
from cockpit.server import sources
from cockpit.server.ingest import Dropped, prepare_row
from cockpit.store import events, inbox
from cockpit.store.tables import escalations, hires, item_counts, items, runs, waitpoints

BATCH = 2_000
FRESH_STATISTICS = 10_000  # new items past which a seed refreshes the planner's statistics
SOURCE_TABLES = (escalations, hires, runs, waitpoints)
SOURCED_KINDS = frozenset({"waitpoint", "escalation", "failed_run"})


def _row(demo: DemoItem, now: datetime) -> dict | None:
    try:
        row = prepare_row(demo.item, now, producer="demo")
    except Dropped:
        return None
    if row["kind"] == "waitpoint" and demo.state != State.RESOLVED and _expired(row, now):
        # A gate that expired before the seed is stored as the sweep would leave it.
        demo = DemoItem(demo.item, State.RESOLVED, "timed_out", "system")
    if demo.state != State.UNREAD:
        row["state"] = demo.state
        row["read_at"] = row["created_at"]
    if demo.state == State.RESOLVED:
        row["resolved_action"] = demo.resolved_action or "resolved"
        row["resolved_at"] = row["created_at"]
        row["resolved_by"] = demo.resolved_by or "system"
    return row


def _expired(row: dict, now: datetime) -> bool:
    timeout = payload_time(row["payload"].get("timeout_at"))
    return timeout is not None and timeout <= now


def seed(engine: Engine, demo: Iterable[DemoItem], now: datetime,
         progress: Callable[[int], None] = lambda n: None) -> int:
    """Store the demo items (duplicates ignored); answers how many were new.

    Live clients are told with one `reset` event, since a seed can be 100,000 rows.
    """
    added = 0
    batch: list[dict] = []

    def flush() -> None:
        nonlocal added
        with engine.begin() as conn:
            # Rows already stored (an earlier seed, a producer) are skipped by the insert, and
            # so must be by the source records: theirs exist, and a second one is refused.
            before = _stored_keys(conn, batch)
            new = [r for r in batch if (r["kind"], r["source_id"]) not in before]
            inbox.insert_many(conn, batch)
            # counted here: PostgreSQL's driver answers -1 as the rowcount of a batch insert
            added += len({(r["kind"], r["source_id"]) for r in new})
            _create_sources(conn, new, now)
        progress(len(batch))
        batch.clear()

    for item in demo:
        row = _row(item, now)
        if row is not None:
            batch.append(row)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    if added:
        with engine.begin() as conn:
            events.append(conn, "reset", {"reason": f"{added} demo items added"})
    if added >= FRESH_STATISTICS:
        _refresh_statistics(engine)
    return added


def _refresh_statistics(engine: Engine) -> None:
    """After a bulk load on PostgreSQL, vacuum and analyze the tables it filled: until
    autovacuum comes round, the planner knows nothing of the new rows (1M items: a window of
    200 took 0.56 s, not 12 ms) and no page is marked all-visible, so the folders' index-only
    counts visit the table (1.0 s, not 0.1 s). SQLite's plans need no statistics."""
    if engine.dialect.name != "postgresql":
        return
    names = ", ".join(engine.dialect.identifier_preparer.format_table(table)
                      for table in (items, item_counts, *SOURCE_TABLES))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"VACUUM (ANALYZE) {names}")


def _create_sources(conn, batch: list[dict], now: datetime) -> None:
    """Source records for the decision items and runs just seeded; their pipelines are known."""
    wanted = [r for r in batch if r["kind"] in SOURCED_KINDS and r["state"] != State.RESOLVED]
    if not wanted:
        return
    keys = {(r["kind"], r["source_id"]) for r in wanted}
    stored = conn.execute(select(items).where(items.c.source_id.in_({k[1] for k in keys})))
    records, known = [], set()
    for row in stored:
        row = dict(row._mapping)
        if (row["kind"], row["source_id"]) in keys:
            records.extend(sources.source_records(row, now))
            pipeline = (row["payload"] or {}).get("pipeline")
            if row["kind"] == "failed_run" and isinstance(pipeline, str) and pipeline:
                known.add(pipeline)
    sources.insert_sources(conn, _missing(conn, records))
    for pipeline in sorted(known):
        sources.register_pipeline(conn, pipeline, pipeline, now)


def _stored_keys(conn, batch: list[dict]) -> set[tuple[str, str]]:
    """The (kind, source_id) of the rows in `batch` that are already stored."""
    ids = {r["source_id"] for r in batch}
    if not ids:
        return set()
    query = select(items.c.kind, items.c.source_id).where(items.c.source_id.in_(ids))
    return {(kind, source_id) for kind, source_id in conn.execute(query)}


# Each source table's unique key: a record whose key is stored already is not inserted again.
_UNIQUE_KEY = {waitpoints: "item_id", escalations: "item_id", hires: "item_id", runs: "run_ref"}


def _missing(conn, records: list[tuple[Table, dict]]) -> list[tuple[Table, dict]]:
    """The source records not stored yet: on PostgreSQL a concurrent seed can insert the same
    items (our insert then skips them) and their sources in between."""
    stored: dict[Table, set] = {}
    for table in {t for t, _ in records}:
        column = table.c[_UNIQUE_KEY[table]]
        keys = {v[column.name] for t, v in records if t is table}
        stored[table] = set(conn.execute(select(column).where(column.in_(keys))).scalars())
    return [(t, v) for t, v in records if v[_UNIQUE_KEY[t]] not in stored[t]]


def seed_demo(engine: Engine, user_id: str, now: datetime) -> int:
    """The whole demo for `user_id`: the hand-written inbox, then a day on the support floor
    and desk played through the services (agents, queues, tickets, macros, views); answers
    how many items were new."""
    from cockpit.domain.demo import demo_items
    from cockpit.server.demo_day import play_day

    return seed(engine, demo_items(now, user_id), now) + play_day(engine, user_id, now)


