"""Concurrent writers over the same rows: bulk runs in opposite orders and a patch storm.

On PostgreSQL, two transactions that lock overlapping rows in different orders deadlock and
one is rolled back; the store locks rows in one global order (ascending id) so they queue
instead, and a rollback that still happens is retried. Nothing here may surface as an error.
"""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from cockpit.domain.models import BulkOp, ItemIn, State
from cockpit.domain.roles import Principal, Role
from cockpit.server.errors import ServiceError
from cockpit.server.inbox import Inbox
from cockpit.server.ingest import prepare_row
from cockpit.store import inbox as store
from cockpit.store.tables import items
from tests.factories import item

MEL = Principal("mel", Role.MEMBER)
ITEMS = 1_000


def _seed(engine, count: int) -> list[int]:
    """`count` messages stored in one go; answers their ids, ascending."""
    now = datetime.now(UTC)
    rows = [prepare_row(ItemIn.model_validate(item(source_id=f"storm-{n}")),
                        now - timedelta(seconds=n), producer="svc") for n in range(count)]
    with engine.begin() as conn:
        store.insert_many(conn, rows)
        return list(conn.execute(select(items.c.id).order_by(items.c.id)).scalars())


def _run_all(jobs) -> list[BaseException]:
    """Run every job at once (released together), and answer what they raised."""
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job) -> None:
        start.wait()
        try:
            job()
        except ServiceError:
            pass  # a 4xx (say, a 409 on a row another writer just resolved) is an answer
        except BaseException as exc:  # noqa: BLE001 - anything else would be a 500
            errors.append(exc)

    with ThreadPoolExecutor(len(jobs)) as pool:
        list(pool.map(run, jobs))
    return errors


def test_opposite_order_bulks_never_deadlock(engine):
    ids = _seed(engine, ITEMS)
    service = Inbox(engine)
    forward, backward = ids, ids[::-1]

    def sweep(order: list[int], ops: tuple[BulkOp, ...]):
        def job() -> None:
            for op in ops * 3:
                service.bulk(MEL, order, op)
        return job

    errors = _run_all([sweep(forward, (BulkOp.READ, BulkOp.UNREAD)),
                       sweep(backward, (BulkOp.ARCHIVE, BulkOp.RESTORE)),
                       sweep(forward[::2] + backward[::2], (BulkOp.UNREAD, BulkOp.READ))])
    assert errors == []
    # every run was one transaction: each item ends in a state one of them left it in
    states = {i.state for i in service.list(MEL, limit=500).items}
    assert states <= {State.UNREAD, State.READ}


def test_a_bulk_and_patch_storm_gives_no_errors(engine):
    ids = _seed(engine, 300)
    service = Inbox(engine)

    def patcher(seed: int):
        rng = random.Random(seed)

        def job() -> None:
            for _ in range(60):
                state = rng.choice([State.READ, State.UNREAD])
                service.patch(MEL, rng.choice(ids), state)
        return job

    def bulker(seed: int):
        rng = random.Random(seed)

        def job() -> None:
            for _ in range(8):
                chosen = rng.sample(ids, 150)
                service.bulk(MEL, chosen, rng.choice([BulkOp.READ, BulkOp.UNREAD]))
        return job

    errors = _run_all([patcher(1), patcher(2), patcher(3), bulker(4), bulker(5)])
    assert errors == []


def test_a_read_never_waits_for_a_long_write(engine):
    """A bulk run or a sweep holds the write lock for seconds: requests that only read (the
    app's windows, every token lookup) go on reading what was committed meanwhile."""
    from cockpit.store.db import reader

    ids = _seed(engine, 3)
    with engine.begin() as writer:  # a write in progress, holding SQLite's write lock
        writer.execute(items.update().where(items.c.id == ids[0]).values(title="changed"))
        with reader(engine).connect() as conn:
            titles = dict(conn.execute(select(items.c.id, items.c.title)).all())
        assert len(titles) == 3 and titles[ids[0]] != "changed"  # the committed snapshot
