"""The server's data path at size: windows in every sort, folders, bulk by query.

    .venv/bin/python tests/benchmarks/bench_query.py [N] [--postgres URL]

Seeds N synthetic items (default 100,000) into a throwaway SQLite database, or into a fresh
database on the PostgreSQL server of URL (e.g. postgresql+psycopg://postgres@127.0.0.1/test).
Each `GET /inbox` and `GET /inbox/groups` is a real request to the app (in process, through
its ASGI interface: routing, auth, the service, the JSON encoder), printed next to its raw
baseline measured in the same run: the very statements that request ran, sent through the
driver alone. Asserts nothing: goals live in issue 9.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

from timing import (  # tests/benchmarks/timing.py
    fresh_database,
    measure,
    p,
    size_and_database,
)

WINDOW = 200
# p99 ms (issue 9): a window at any size; the folders at 100k, and at 1M (PostgreSQL)
GOALS = {"window": 10.0, "groups": 50.0, "groups at 1M": 300.0}


def report(label: str, ours: list[float], raw: list[float] | None = None,
           goal: float | None = None) -> None:
    line = f"{label:<50} p50 {statistics.median(ours):7.1f} ms  p99 {p(ours, 0.99):7.1f} ms"
    if raw:
        ratio = statistics.median(ours) / max(statistics.median(raw), 1e-6)
        line += f"  | raw p50 {statistics.median(raw):6.1f} ms  x{ratio:4.1f}"
    if goal is not None:
        line += f"  (goal p99 <= {goal:g} ms: {'met' if p(ours, 0.99) <= goal else 'MISSED'})"
    print(line, flush=True)


class Statements:
    """The queries an engine ran while it was recording, to replay through the bare driver."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.engine, self.recording, self.seen = engine, False, []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, params, _context, _many) -> None:
        if self.recording and statement.lstrip().upper().startswith("SELECT"):
            self.seen.append((statement, params))

    def of(self, fn) -> list:
        """What `fn` runs in its steady state (a first call fills caches: the tab counts)."""
        fn()
        self.seen, self.recording = [], True
        try:
            fn()
        finally:
            self.recording = False
        return self.seen

    def replay(self, statements) -> list[float]:
        """Milliseconds to run `statements` through the DBAPI cursor, fetching every row."""
        def run() -> None:
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                for statement, params in statements:
                    cursor.execute(statement, params)
                    cursor.fetchall()
                raw.rollback()
            finally:
                raw.close()
        return measure(run)


def main(count: int, postgres: str | None) -> None:
    os.environ["COCKPIT_DATA_DIR"] = tempfile.mkdtemp(prefix="cockpit-bench-")
    import httpx
    from sqlalchemy import text

    from cockpit.domain.demo import synthetic_items
    from cockpit.domain.grouping import GROUP_BY
    from cockpit.domain.models import BulkOp, SortOrder, StateFilter
    from cockpit.domain.roles import Principal, Role
    from cockpit.server.app import create_app
    from cockpit.server.seed import seed
    from cockpit.store import open_engine
    from cockpit.store.users import add_user, issue_token

    url = fresh_database(postgres)
    engine = open_engine(url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    seed(engine, synthetic_items(count, now, "alex"), now)
    print(f"seeded {count:,} items in {time.perf_counter() - started:.1f} s "
          f"({engine.dialect.name}); load average {os.getloadavg()[0]:.2f}", flush=True)
    with engine.begin() as conn:
        add_user(conn, "alex", "owner")
        token = issue_token(conn, "alex")
    statements = Statements(engine)
    app = create_app(engine=engine)
    alex = Principal("alex", Role.OWNER)
    loop = asyncio.new_event_loop()

    async def lifespan_and_client():
        context = app.router.lifespan_context(app)
        await context.__aenter__()
        return context, httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                          base_url="http://bench/api/v1",
                                          headers={"Authorization": f"Bearer {token}"})

    context, client = loop.run_until_complete(lifespan_and_client())
    gc.freeze()  # as `cockpit serve` does once started (DrainingServer.startup)
    service = app.state.inbox

    def get(path: str, **params) -> dict:
        response = loop.run_until_complete(client.get(path, params=params))
        response.raise_for_status()
        return response.json()

    def window_figures(label: str, **params) -> None:
        """The first window and one about halfway in, each against its raw statements."""
        first = dict(limit=WINDOW, **params)
        raw = statements.replay(statements.of(lambda: service.window(alex, **first)))
        report(f"GET /inbox first {WINDOW}, {label}", measure(lambda: get("/inbox", **first)),
               raw, GOALS["window"])
        cursor, seen = None, 0
        total = service.window(alex, limit=1, **params)["counts"]["active"]
        while seen < total // 2:
            page = service.window(alex, limit=500, cursor=cursor, **params)
            if page["next_cursor"] is None:
                break
            cursor, seen = page["next_cursor"], seen + 500
        deep = dict(first, cursor=cursor)
        raw = statements.replay(statements.of(lambda: service.window(alex, **deep)))
        report(f"GET /inbox deep {WINDOW} (~{seen:,} in), {label}",
               measure(lambda: get("/inbox", **deep)), raw, GOALS["window"])

    for sort in SortOrder:
        window_figures(f"sort={sort.value}", sort=sort.value)
    for sort in (SortOrder.NEWEST, SortOrder.PRIORITY):
        window_figures(f"folder kind=message, sort={sort.value}", sort=sort.value,
                       group_by="kind", group="message")

    for group_by in GROUP_BY:
        raw = statements.replay(statements.of(lambda g=group_by: service.groups(alex,
                                                                               group_by=g)))
        report(f"GET /inbox/groups group_by={group_by}",
               measure(lambda g=group_by: get("/inbox/groups", group_by=g), runs=10), raw,
               GOALS["groups at 1M" if count >= 1_000_000 else "groups"])

    started = time.perf_counter()
    result = service.bulk_query(alex, BulkOp.READ, state=StateFilter.ALL)
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        newest = conn.execute(text("SELECT type, length(CAST(data AS TEXT)) FROM events "
                                   "ORDER BY seq DESC LIMIT 1")).one()
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("UPDATE items SET state = 'unread', read_at = NULL"))
    raw_update = time.perf_counter() - started
    print(f"{'bulk read by query over the whole inbox':<50} {elapsed * 1000:7.0f} ms "
          f"for {result['updated']:,} items (goal <= 3000 ms: "
          f"{'met' if elapsed <= 3 else 'MISSED'}); event {newest[0]!r}, {newest[1]} bytes"
          f" | raw UPDATE of every row {raw_update * 1000:.0f} ms  x{elapsed / raw_update:4.1f}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    loop.run_until_complete(client.aclose())
    loop.run_until_complete(context.__aexit__(None, None, None))
    engine.dispose()


if __name__ == "__main__":
    main(*size_and_database(sys.argv[1:], 100_000))
