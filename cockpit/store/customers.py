"""A customer's history, computed from their tickets (payload.customer.id)."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, select

from cockpit.domain.models import Kind
from cockpit.domain.roles import Principal
from cockpit.store.inbox import visible_to
from cockpit.store.query import customer_id_sql
from cockpit.store.tables import items, timeline

CSAT_WINDOW = timedelta(days=30)
LAST_TICKETS = 5


def history(conn: Connection, user: Principal, customer_id: str,
            now: datetime) -> dict[str, Any] | None:
    """The history card, or None when `user` sees no ticket of this customer. Each figure is
    one query driven by the customer index (ix_items_customer): no ticket is read whole."""
    of_customer = customer_id_sql(conn.dialect.name == "postgresql") == customer_id
    mine = [items.c.kind == Kind.TICKET.value, of_customer, visible_to(user)]
    closed = func.sum(case((items.c.resolved_action == "closed", 1), else_=0))
    total, closed = conn.execute(select(func.count(), closed).where(*mine)).one()
    if not total:
        return None
    last = conn.execute(
        select(items.c.id, items.c.title, items.c.state).where(*mine)
        .order_by(items.c.created_at.desc(), items.c.id.desc()).limit(LAST_TICKETS)).all()
    card = conn.execute(select(items.c.payload["customer"]).where(items.c.id == last[0].id)
                        ).scalar()
    card = card if isinstance(card, dict) else {}
    of_mine = timeline.join(items, items.c.id == timeline.c.item_id)
    first_replies = conn.execute(
        select(items.c.created_at, func.min(timeline.c.at)).select_from(of_mine)
        .where(timeline.c.type == "reply", *mine).group_by(timeline.c.item_id, items.c.created_at))
    waits = [(replied - created).total_seconds() for created, replied in first_replies]
    ratings = [data.get("rating") for data in conn.execute(
        select(timeline.c.data).select_from(of_mine)
        .where(timeline.c.type == "csat", timeline.c.at >= now - CSAT_WINDOW, *mine)).scalars()]
    ratings = [r for r in ratings if isinstance(r, int)]
    return {
        "id": customer_id,
        "name": card.get("name") or customer_id,
        "vip": bool(card.get("vip")),
        "blocked": bool(card.get("blocked")),
        "tickets_total": total,
        "tickets_closed": int(closed or 0),
        "csat_avg": round(statistics.fmean(ratings), 2) if ratings else None,
        "csat_count": len(ratings),
        "first_response_median_s": round(statistics.median(waits)) if waits else None,
        "last_tickets": [{"id": t.id, "title": t.title, "state": t.state} for t in last],
    }
