"""A ticket's timeline: what the customer wrote, what people answered and noted, what changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

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


def entries(conn: Connection, item_id: int, *, internal: bool = True) -> list[dict[str, Any]]:
    """The item's entries, oldest first; without internal ones unless `internal`."""
    query = select(timeline).where(timeline.c.item_id == item_id).order_by(timeline.c.id)
    if not internal:
        query = query.where(timeline.c.internal.is_(False))
    return [dict(r._mapping) for r in conn.execute(query)]
