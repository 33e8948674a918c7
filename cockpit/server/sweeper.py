"""Waitpoints past their timeout resolve as `timed_out`, by a sweep in every server process.

Each one is decided in its own transaction with the same guard as a person's decision
(`status = 'waiting'`), so two processes sweeping at once, or a sweep racing an approval,
still end with exactly one outcome.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update

from cockpit.domain.models import State
from cockpit.server import journal, outbox
from cockpit.store import events, inbox
from cockpit.store.tables import waitpoints

log = logging.getLogger("cockpit.sweeper")


def sweep_timeouts(engine: Engine, now: datetime | None = None) -> list[int]:
    """Resolve every expired waitpoint; answers the item ids it resolved."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        due = conn.execute(select(waitpoints.c.item_id).where(
            waitpoints.c.status == "waiting", waitpoints.c.timeout_at <= now)).scalars().all()
    done = []
    for item_id in due:
        with engine.begin() as conn:
            row = inbox.get_row(conn, item_id, for_update=True)
            taken = conn.execute(update(waitpoints).where(
                waitpoints.c.item_id == item_id, waitpoints.c.status == "waiting",
            ).values(status="timed_out", decided_by="system", decided_at=now)).rowcount
            if not taken or row is None or row["state"] == State.RESOLVED:
                continue
            changes = {"state": State.RESOLVED.value, "resolved_action": "timed_out",
                       "resolved_at": now, "resolved_by": "system", "updated_at": now}
            inbox.update_rows(conn, [item_id], changes)
            row.update(changes)
            events.append(conn, "item.updated", {"items": [events.item_entry(row)],
                                                 "action": "timed_out"})
            journal.record(conn, actor="system", origin="system", action="timed_out",
                           item_id=item_id, detail="the waitpoint passed its timeout")
            outbox.enqueue(conn, row, "timed_out", "system", {}, now)
        done.append(item_id)
    return done


async def run_sweeper(engine: Engine, interval: float, after: Callable[[], None]) -> None:
    while True:
        try:
            if await asyncio.to_thread(sweep_timeouts, engine):
                after()
        except Exception:  # a failed sweep is retried on the next tick
            log.exception("timeout sweep failed")
        await asyncio.sleep(interval)
