"""What routing reads and writes: waiting tickets (open, unassigned, in a queue), locked as
they are taken, and the conditional claim that gives one ticket to one agent."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from cockpit.store.query import PRIORITY_RANK_SQL, payload_field
from cockpit.store.tables import items, sla_targets, ticket_waits

# Word for word the predicate of the partial index ix_items_waiting_tickets (migration 0009),
# so both engines read waiting tickets from it.
WAITING_SQL = "kind = 'ticket' AND assignee_id IS NULL AND state IN ('unread', 'read')"
CHUNK = 500  # ids per statement: under every driver's bound-parameter limit

_queue = payload_field("queue")
_sla_due = (select(func.min(sla_targets.c.due_at))
            .where(sla_targets.c.item_id == items.c.id, sla_targets.c.met_at.is_(None))
            .scalar_subquery())
_COLUMNS = (items.c.id, _queue.label("queue"), items.c.priority, items.c.created_at,
            items.c.payload["skills"].label("skills"), _sla_due.label("sla_due"),
            items.c.kind, items.c.state, items.c.resolved_action, items.c.target_user_id,
            items.c.target_role, ticket_waits.c.reason.label("wait_reason"),
            ticket_waits.c.queue.label("waited_in"))


def waiting(conn: Connection, *, queues: Collection[str] | None = None,
            not_in: Collection[str] = (), limit: int | None = None, lock: bool = False,
            unless_waiting_for: str | None = None) -> list[dict[str, Any]]:
    """Waiting tickets in routing order (priority, SLA due, time queued), in `queues` (any
    queue when None) but not in `not_in`. With `lock`, each row is locked and rows another
    transaction holds are skipped (routing never waits for a lock). With
    `unless_waiting_for`, only those not yet journalled as waiting for that reason there."""
    query = (select(*_COLUMNS)
             .select_from(items.outerjoin(ticket_waits, ticket_waits.c.item_id == items.c.id))
             .where(text(WAITING_SQL), _queue.is_not(None))
             .order_by(PRIORITY_RANK_SQL.desc(), _sla_due.is_(None), _sla_due,
                       items.c.created_at, items.c.id))
    if queues is not None:
        query = query.where(_queue.in_(list(queues)))
    if not_in:
        query = query.where(_queue.not_in(list(not_in)))
    if unless_waiting_for is not None:
        query = query.where(or_(ticket_waits.c.reason.is_(None),
                                ticket_waits.c.reason != unless_waiting_for,
                                ticket_waits.c.queue != _queue))
    if limit is not None:
        query = query.limit(limit)
    if lock:
        query = query.with_for_update(skip_locked=True, of=items)
    return [dict(r._mapping) for r in conn.execute(query)]


def waiting_counts(conn: Connection, visible) -> list[dict[str, Any]]:
    """Per queue: how many tickets wait, and since when the oldest has."""
    query = (select(_queue.label("queue"), func.count().label("waiting"),
                    func.min(items.c.created_at).label("oldest"))
             .where(text(WAITING_SQL), _queue.is_not(None), visible)
             .group_by(_queue))
    return [dict(r._mapping) for r in conn.execute(query)]


def claim(conn: Connection, agent_id: str, ids: Sequence[int], now: datetime) -> list[int]:
    """Give these tickets to `agent_id`, each only if it still waits (assignee_id IS NULL):
    answers the ids it took."""
    taken: list[int] = []
    for start in range(0, len(ids), CHUNK):
        stmt = (update(items).where(items.c.id.in_(list(ids[start:start + CHUNK])),
                                    text(WAITING_SQL))
                .values(assignee_id=agent_id, updated_at=now).returning(items.c.id))
        taken.extend(conn.execute(stmt).scalars())
    return taken


def assignee_of(conn: Connection, item_id: int) -> str | None:
    return conn.execute(select(items.c.assignee_id).where(items.c.id == item_id)).scalar()


def note_waits(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Remember why these tickets wait (item_id, queue, reason, at)."""
    if not rows:
        return
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = dialect_insert(ticket_waits)
    stmt = stmt.on_conflict_do_update(index_elements=["item_id"], set_={
        "queue": stmt.excluded.queue, "reason": stmt.excluded.reason, "at": stmt.excluded.at})
    for start in range(0, len(rows), CHUNK):
        conn.execute(stmt, rows[start:start + CHUNK])


def clear_waits(conn: Connection, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), CHUNK):
        conn.execute(delete(ticket_waits)
                     .where(ticket_waits.c.item_id.in_(list(ids[start:start + CHUNK]))))
