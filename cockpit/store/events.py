"""The event log: every change, in `seq` order. Clients resume from the last seq they saw."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, String, cast, delete, func, insert, select

from cockpit.store.tables import events

# The PostgreSQL channel every appended event is announced on (payload: its seq).
CHANNEL = "cockpit_events"


def notifies(engine: Engine) -> bool:
    """Whether `append` announces events to listeners (PostgreSQL's NOTIFY)."""
    return engine.dialect.name == "postgresql"


def append(conn: Connection, type_: str, data: dict[str, Any]) -> int:
    """Write an event inside the caller's transaction, so it exists exactly when the change does.

    On PostgreSQL the same statement NOTIFYs `CHANNEL`, which is delivered at commit: every
    replica's hub wakes when the event becomes readable, not before, and never for a rollback.
    """
    row = insert(events).values(type=type_, data=data, created_at=datetime.now(UTC)) \
        .returning(events.c.seq)
    if conn.dialect.name == "postgresql":
        added = row.cte("added")
        row = select(added.c.seq, func.pg_notify(CHANNEL, cast(added.c.seq, String)))
    return int(conn.execute(row).one().seq)


def since(conn: Connection, seq: int, limit: int = 1000,
          upto: int | None = None) -> list[dict[str, Any]]:
    """The events after `seq` (and up to `upto`, when given), oldest first."""
    query = select(events).where(events.c.seq > seq).order_by(events.c.seq).limit(limit)
    if upto is not None:
        query = query.where(events.c.seq <= upto)
    return [{"seq": r.seq, "type": r.type, "data": r.data} for r in conn.execute(query)]


def recent(conn: Connection, count: int) -> list[int]:
    """The newest `count` seqs, oldest first (one index range, on every engine)."""
    query = select(events.c.seq).order_by(events.c.seq.desc()).limit(count)
    return sorted(int(seq) for seq in conn.execute(query).scalars())


def newest(conn: Connection) -> int:
    """The newest seq (a lone max() is one index probe on every engine)."""
    return int(conn.execute(select(func.max(events.c.seq))).scalar() or 0)


def bounds(conn: Connection) -> tuple[int, int]:
    """(oldest seq kept, newest seq): a resume from before the oldest must reset."""
    low, high = conn.execute(select(func.min(events.c.seq), func.max(events.c.seq))).one()
    return int(low or 0), int(high or 0)


def trim(conn: Connection, keep: int) -> int:
    """Forget all but the newest `keep` events; answers how many were dropped."""
    _, high = bounds(conn)
    return conn.execute(delete(events).where(events.c.seq <= high - keep)).rowcount or 0


def item_entry(row: dict[str, Any]) -> dict[str, Any]:
    """What an event says about one item: enough to update a list row, and to filter by."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "state": row["state"],
        "resolved_action": row["resolved_action"],
        "target_user_id": row["target_user_id"],
        "target_role": row["target_role"],
    }
