"""A ticket's timeline: what the customer wrote, what people answered and noted, what changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from cockpit.store.tables import timeline

TYPES = ("customer_message", "reply", "note", "assign", "transfer", "status", "priority",
         "tag", "csat", "sla")


def add(conn: Connection, item_id: int, type_: str, author: str, at: datetime, *,
        body_md: str = "", internal: bool = False, **data: Any) -> int:
    """Append one entry inside the caller's transaction; answers its id."""
    if type_ not in TYPES:
        raise ValueError(f"unknown timeline type {type_!r}")
    row = conn.execute(insert(timeline).values(
        item_id=item_id, type=type_, author=author, body_md=body_md, internal=internal,
        data=data, at=at).returning(timeline.c.id)).one()
    return int(row.id)


def add_many(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Append many entries (each with every column but `id`) inside the caller's write
    transaction, in a statement or a few; answers their ids, in the order of `rows`."""
    for row in rows:
        if row["type"] not in TYPES:
            raise ValueError(f"unknown timeline type {row['type']!r}")
    if not rows:
        return []
    if conn.dialect.name != "sqlite":
        query = insert(timeline).returning(timeline.c.id, sort_by_parameter_order=True)
        return [int(i) for i in conn.execute(query, list(rows)).scalars()]
    # SQLite promises no order for RETURNING rows, so SQLAlchemy would send one INSERT per
    # row. Its one writer at a time holds the database instead: the new ids are the ones
    # past the largest before, given in the order the rows went in (AUTOINCREMENT).
    before = conn.execute(select(func.coalesce(func.max(timeline.c.id), 0))).scalar_one()
    conn.execute(insert(timeline), list(rows))
    ids = list(conn.execute(select(timeline.c.id).where(timeline.c.id > before)
                            .order_by(timeline.c.id)).scalars())
    if len(ids) != len(rows):
        raise RuntimeError(f"timeline: {len(rows)} entries written, {len(ids)} new ids found")
    return ids


def entries(conn: Connection, item_id: int, *, internal: bool = True) -> list[dict[str, Any]]:
    """The item's entries, oldest first; without internal ones unless `internal`."""
    query = select(timeline).where(timeline.c.item_id == item_id).order_by(timeline.c.id)
    if not internal:
        query = query.where(timeline.c.internal.is_(False))
    return [dict(r._mapping) for r in conn.execute(query)]
