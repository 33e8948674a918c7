"""Named records people save, personal or shared with a role: saved views and macros."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, insert, or_, select

from cockpit.domain.roles import Principal, roles_at_or_below


def _mine(table: Table, user: Principal):
    """What `user` sees: their own, and what is shared with their role or one below it."""
    c = table.c
    return or_(and_(c.scope == "personal", c.owner == user.id),
               and_(c.scope == "role", c.role.in_(roles_at_or_below(user.role))))


def visible(conn: Connection, table: Table, user: Principal) -> list[dict[str, Any]]:
    """Personal ones first, then shared ones, each by name."""
    query = select(table).where(_mine(table, user)).order_by(table.c.scope, table.c.name)
    return [dict(r._mapping) for r in conn.execute(query)]


def find(conn: Connection, table: Table, user: Principal, name: str) -> dict[str, Any] | None:
    """The record `name` as `user` would use it: their personal one before a shared one."""
    for row in visible(conn, table, user):
        if row["name"] == name:
            return row
    return None


def add(conn: Connection, table: Table, *, created_by: str, now: datetime,
        **values: Any) -> None:
    conn.execute(insert(table).values(created_by=created_by, created_at=now, **values))


def remove(conn: Connection, table: Table, record_id: int) -> None:
    conn.execute(delete(table).where(table.c.id == record_id))
