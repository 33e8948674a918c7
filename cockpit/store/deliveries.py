"""Reading the outbox as a person may: only deliveries about items they can see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from cockpit.domain.roles import Principal
from cockpit.store.inbox import visible_to
from cockpit.store.tables import items, outbox


def visible_deliveries(conn: Connection, user: Principal, *, include_delivered: bool = False,
                       limit: int = 200) -> list[dict[str, Any]]:
    """Newest first; a delivery about an item `user` may not see is not theirs to read."""
    query = (select(outbox).join(items, items.c.id == outbox.c.item_id)
             .where(visible_to(user)).order_by(outbox.c.id.desc()).limit(limit))
    if not include_delivered:
        query = query.where(outbox.c.delivered_at.is_(None))
    return [dict(r._mapping) for r in conn.execute(query)]
