"""A large inbox end to end: seeding, paging the API, grouping and drawing the list.

    .venv/bin/python tests/benchmarks/bench_inbox.py [N]      (default 100,000)

Prints figures; asserts nothing. Runs on a throwaway SQLite database.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime


def timed(label: str, started: float, count: int | None = None) -> None:
    elapsed = time.perf_counter() - started
    rate = f" ({count / elapsed:,.0f}/s)" if count else ""
    print(f"{label:<44} {elapsed:7.2f} s{rate}")


async def page_everything(engine, token: str) -> list:
    from cockpit.runtime import in_process_client

    found, cursor = [], None
    async with in_process_client(engine, token, origin="api") as client:
        while True:
            page = await client.list_inbox(state="all", limit=500, cursor=cursor)
            found.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                return found


async def draw_list(items) -> None:
    from textual.app import App

    from cockpit.tui.widgets.item_list import ItemList

    class Bench(App):
        def compose(self):
            yield ItemList(group_by="smart")

    app = Bench()
    async with app.run_test(size=(120, 40)) as pilot:
        widget = app.query_one(ItemList)
        started = time.perf_counter()
        widget.set_items(items)
        await pilot.pause()
        timed(f"ItemList.set_items + first draw ({len(items):,})", started, len(items))
        started = time.perf_counter()
        for _ in range(200):
            await pilot.press("j")
        timed("200 cursor moves (j), each redrawn", started)
        started = time.perf_counter()
        widget.upsert_items(items[:1])
        await pilot.pause()
        timed("one live upsert into the full list", started)


def main(count: int) -> None:
    os.environ["COCKPIT_DATA_DIR"] = tempfile.mkdtemp(prefix="cockpit-bench-")
    from cockpit.domain.demo import synthetic_items
    from cockpit.domain.grouping import flatten, group_items
    from cockpit.runtime import open_local
    from cockpit.server.seed import seed

    db = f"sqlite:///{os.environ['COCKPIT_DATA_DIR']}/bench.db"
    engine, user, token = open_local(db, seed_demo=False)
    now = datetime.now(UTC)
    started = time.perf_counter()
    seed(engine, synthetic_items(count, now, user), now)
    timed(f"seed {count:,} items", started, count)

    tracemalloc.start()
    started = time.perf_counter()
    items = asyncio.run(page_everything(engine, token))
    timed(f"page all {len(items):,} through GET /inbox (500/page)", started, len(items))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{'peak memory while paging':<44} {peak / 2**20:7.1f} MiB")

    for mode in ("smart", "kind", "sender", "issue"):
        started = time.perf_counter()
        flatten(group_items(items, mode), set())
        timed(f"group + flatten by {mode}", started, len(items))

    asyncio.run(draw_list(items))
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
