"""Saved views in the database: personal ones and those shared with a role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select

from cockpit.domain.roles import Principal, roles_at_or_below
from cockpit.store.tables import views


def _mine(user: Principal):
    """Views `user` sees: their own, and those shared with their role or one below it."""
    return or_(and_(views.c.scope == "personal", views.c.owner == user.id),
               and_(views.c.scope == "role", views.c.role.in_(roles_at_or_below(user.role))))


def visible_views(conn: Connection, user: Principal) -> list[dict[str, Any]]:
    """Personal views first, then shared ones, each by name."""
    query = select(views).where(_mine(user)).order_by(views.c.scope, views.c.name)
    return [dict(r._mapping) for r in conn.execute(query)]


def find(conn: Connection, user: Principal, name: str) -> dict[str, Any] | None:
    """The view `name` as `user` would use it: their personal one before a shared one."""
    for row in visible_views(conn, user):
        if row["name"] == name:
            return row
    return None


def add(conn: Connection, *, name: str, title: str, query: str, scope: str, owner: str | None,
        role: str | None, created_by: str, now: datetime) -> None:
    conn.execute(insert(views).values(name=name, title=title, query=query, scope=scope,
                                      owner=owner, role=role, created_by=created_by,
                                      created_at=now))


def remove(conn: Connection, view_id: int) -> None:
    conn.execute(delete(views).where(views.c.id == view_id))
