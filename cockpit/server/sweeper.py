"""Waitpoints past their timeout resolve as `timed_out`, by a sweep in every server process.

Each gate is claimed with the same guard as a person's decision (`status = 'waiting'`), so
two processes sweeping at once, or a sweep racing an approval, still end with one outcome.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update

from cockpit.domain.models import State
from cockpit.server import agents, journal, outbox, sla
from cockpit.store import events, inbox
from cockpit.store.tables import waitpoints

log = logging.getLogger("cockpit.sweeper")
BATCH = 500


def sweep_timeouts(engine: Engine, now: datetime | None = None) -> list[int]:
    """Resolve every expired waitpoint; answers the item ids it resolved.

    Each batch is one transaction with one `items.bulk` event, so a backlog of thousands of
    expired gates is cleared in seconds and live clients see a few events, not thousands.
    """
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        due = conn.execute(select(waitpoints.c.item_id).where(
            waitpoints.c.status == "waiting", waitpoints.c.timeout_at <= now)).scalars().all()
    done: list[int] = []
    for start in range(0, len(due), BATCH):
        with engine.begin() as conn:
            done.extend(_time_out(conn, due[start:start + BATCH], now))
    return done


def _time_out(conn, item_ids: list[int], now: datetime) -> list[int]:
    rows = {r["id"]: r for r in inbox.get_rows(conn, item_ids, for_update=True)}
    taken = []
    for item_id in item_ids:
        claimed = conn.execute(update(waitpoints).where(
            waitpoints.c.item_id == item_id, waitpoints.c.status == "waiting",
        ).values(status="timed_out", decided_by="system", decided_at=now)).rowcount
        row = rows.get(item_id)
        if claimed and row is not None and row["state"] != State.RESOLVED:
            taken.append(row)
    if not taken:
        return []
    changes = {"state": State.RESOLVED.value, "resolved_action": "timed_out",
               "resolved_at": now, "resolved_by": "system", "updated_at": now}
    inbox.update_rows(conn, [r["id"] for r in taken], changes)
    entries = []
    for row in taken:
        row.update(changes)
        entries.append(events.item_entry(row))
        outbox.enqueue(conn, row, "timed_out", "system", {}, now)
    events.append(conn, "items.bulk", {"op": "timed_out", "items": entries})
    journal.record_many(conn, actor="system", origin="system", action="timed_out", params={},
                        records=[{"item_id": r["id"], "result": "ok",
                                  "detail": "the waitpoint passed its timeout"} for r in taken])
    return [r["id"] for r in taken]


def sweep_all(engine: Engine) -> bool:
    """Every time-driven change: expired waitpoints, SLA alarms, and the floor's (agents
    whose app went quiet go offline; routing, for skill requirements that timed out). True
    when any happened."""
    now = datetime.now(UTC)
    timed_out = sweep_timeouts(engine, now)
    return bool(timed_out) | bool(sla.sweep(engine, now)) | agents.sweep(engine, now)


async def run_sweeper(engine: Engine, interval: float, after: Callable[[], None]) -> None:
    while True:
        try:
            if await asyncio.to_thread(sweep_all, engine):
                after()
        except Exception:  # a failed sweep is retried on the next tick
            log.exception("sweep failed")
        await asyncio.sleep(interval)
