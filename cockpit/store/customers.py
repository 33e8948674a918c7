"""A customer's history, computed from their tickets (payload.customer.id)."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from cockpit.domain.models import Kind
from cockpit.domain.roles import Principal
from cockpit.store.inbox import visible_to
from cockpit.store.tables import items, timeline

CSAT_WINDOW = timedelta(days=30)
LAST_TICKETS = 5


def _of(customer_id: str):
    return items.c.payload[("customer", "id")].as_string() == customer_id


def history(conn: Connection, user: Principal, customer_id: str,
            now: datetime) -> dict[str, Any] | None:
    """The history card, or None when `user` sees no ticket of this customer."""
    mine = [items.c.kind == Kind.TICKET.value, _of(customer_id), visible_to(user)]
    tickets = [dict(r._mapping) for r in conn.execute(
        select(items.c.id, items.c.title, items.c.state, items.c.resolved_action,
               items.c.created_at, items.c.payload["customer"].label("customer"))
        .where(*mine).order_by(items.c.created_at.desc(), items.c.id.desc()))]
    if not tickets:
        return None
    ids = [t["id"] for t in tickets]
    first_reply = dict(conn.execute(
        select(timeline.c.item_id, func.min(timeline.c.at))
        .where(timeline.c.type == "reply", timeline.c.item_id.in_(select(items.c.id)
                                                                  .where(*mine)))
        .group_by(timeline.c.item_id)).all())
    ratings = [r.data.get("rating") for r in conn.execute(
        select(timeline.c.data).where(timeline.c.type == "csat",
                                      timeline.c.at >= now - CSAT_WINDOW,
                                      timeline.c.item_id.in_(select(items.c.id).where(*mine))))]
    ratings = [r for r in ratings if isinstance(r, int)]
    created = {t["id"]: t["created_at"] for t in tickets}
    waits = [(at - created[i]).total_seconds() for i, at in first_reply.items() if i in created]
    card = tickets[0]["customer"] if isinstance(tickets[0]["customer"], dict) else {}
    return {
        "id": customer_id,
        "name": card.get("name") or customer_id,
        "vip": bool(card.get("vip")),
        "blocked": bool(card.get("blocked")),
        "tickets_total": len(ids),
        "tickets_closed": sum(1 for t in tickets if t["resolved_action"] == "closed"),
        "csat_avg": round(statistics.fmean(ratings), 2) if ratings else None,
        "csat_count": len(ratings),
        "first_response_median_s": round(statistics.median(waits)) if waits else None,
        "last_tickets": [{"id": t["id"], "title": t["title"], "state": t["state"]}
                         for t in tickets[:LAST_TICKETS]],
    }
