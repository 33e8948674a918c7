"""The server's data path at size: windows in every sort, folders, bulk by query.

    .venv/bin/python tests/benchmarks/bench_query.py [N] [--postgres URL]

Seeds N synthetic items (default 100,000) into a throwaway SQLite database, or into a fresh
database on the PostgreSQL server of URL (e.g. postgresql+psycopg://postgres@127.0.0.1/test).
Prints each figure next to its raw baseline measured in the same run (the same keyset query
in plain SQL through the driver) and their ratio. Asserts nothing: goals live in issue 9.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

from timing import fresh_database, measure, p  # tests/benchmarks/timing.py

WINDOW = 200


def report(label: str, ours: list[float], raw: list[float] | None = None) -> None:
    line = f"{label:<46} p50 {statistics.median(ours):7.1f} ms  p99 {p(ours, 0.99):7.1f} ms"
    if raw:
        ratio = statistics.median(ours) / max(statistics.median(raw), 1e-6)
        line += f"  | raw p50 {statistics.median(raw):6.1f} ms  x{ratio:4.1f}"
    print(line, flush=True)


def main(count: int, postgres: str | None) -> None:
    os.environ["COCKPIT_DATA_DIR"] = tempfile.mkdtemp(prefix="cockpit-bench-")
    from sqlalchemy import text

    from cockpit.domain.demo import synthetic_items
    from cockpit.domain.grouping import GROUP_BY
    from cockpit.domain.models import BulkOp, SortOrder, StateFilter
    from cockpit.domain.roles import Principal, Role
    from cockpit.server.inbox import Inbox
    from cockpit.server.seed import seed
    from cockpit.store import open_engine

    url = fresh_database(postgres)
    engine = open_engine(url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    seed(engine, synthetic_items(count, now, "alex"), now)
    print(f"seeded {count:,} items in {time.perf_counter() - started:.1f} s "
          f"({engine.dialect.name})", flush=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE items"))
    service = Inbox(engine)
    alex = Principal("alex", Role.OWNER)

    def raw_window(order: str, after: str = "") -> list[float]:
        sql = text(f"SELECT * FROM items WHERE state IN ('unread','read') {after} "
                   f"ORDER BY {order} LIMIT {WINDOW + 1}")

        def run() -> None:
            with engine.connect() as conn:
                conn.execute(sql).all()
        return measure(run)

    raw_orders = {SortOrder.NEWEST: "created_at DESC, id DESC",
                  SortOrder.OLDEST: "created_at ASC, id ASC",
                  SortOrder.PRIORITY: "(CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 "
                                      "WHEN 'normal' THEN 1 ELSE 0 END) DESC, "
                                      "created_at DESC, id DESC",
                  SortOrder.DUE: "due_at ASC, id ASC"}
    for sort in SortOrder:
        first = measure(lambda sort=sort: service.list(alex, limit=WINDOW, sort=sort))
        report(f"GET /inbox first {WINDOW}, sort={sort.value}", first,
               raw_window(raw_orders[sort]))
        # a cursor about halfway in: page there once, then time the window after it
        cursor, pages = None, 0
        while pages < count // (2 * 500):
            page = service.list(alex, limit=500, sort=sort, cursor=cursor)
            if page.next_cursor is None:
                break
            cursor, pages = page.next_cursor, pages + 1
        deep = measure(lambda sort=sort, cursor=cursor: service.list(
            alex, limit=WINDOW, sort=sort, cursor=cursor))
        report(f"GET /inbox deep {WINDOW} (~{pages * 500:,} in), sort={sort.value}", deep)

    for group_by in GROUP_BY:
        times = measure(lambda g=group_by: service.groups(alex, group_by=g), runs=10)
        report(f"GET /inbox/groups group_by={group_by}", times)

    def raw_count() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT kind, count(*) FROM items GROUP BY kind")).all()
    report("raw GROUP BY kind (baseline for groups)", measure(raw_count, runs=10))

    started = time.perf_counter()
    result = service.bulk_query(alex, BulkOp.READ, state=StateFilter.ALL)
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        newest = conn.execute(text("SELECT type, length(CAST(data AS TEXT)) FROM events "
                                   "ORDER BY seq DESC LIMIT 1")).one()
    print(f"{'bulk read by query over the whole inbox':<46} {elapsed * 1000:7.0f} ms "
          f"for {result['updated']:,} items; event {newest[0]!r}, {newest[1]} bytes")
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("UPDATE items SET state = 'unread', read_at = NULL"))
    print(f"{'raw UPDATE of every row (baseline)':<46} "
          f"{(time.perf_counter() - started) * 1000:7.0f} ms")
    engine.dispose()


if __name__ == "__main__":
    args = sys.argv[1:]
    pg = None
    if "--postgres" in args:
        at = args.index("--postgres")
        pg = args[at + 1]
        del args[at:at + 2]
    main(int(args[0]) if args else 100_000, pg)
