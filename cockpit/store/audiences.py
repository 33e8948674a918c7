"""Who among some users sees a view of the items of their own (see cockpit.domain.events)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, select

from cockpit.store.tables import items


def named_targets(conn: Connection, user_ids: Collection[str]) -> frozenset[str]:
    """Which of `user_ids` some item targets by name: only they see counts of their own; the
    others see what everyone of their role sees (one index probe each, ix_items_target_user)."""
    if not user_ids:
        return frozenset()
    query = select(items.c.target_user_id).distinct() \
        .where(items.c.target_user_id.in_(sorted(user_ids)))
    return frozenset(conn.execute(query).scalars())
