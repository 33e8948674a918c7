"""What reports and live metrics read: tickets, their timelines and SLA targets over a period,
only ever the tickets the asking user may see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, or_, select

from cockpit.domain.models import Kind
from cockpit.domain.roles import Principal
from cockpit.store.inbox import visible_to
from cockpit.store.query import payload_field
from cockpit.store.tables import items, sla_targets, timeline

t = timeline.c
CLOCK_TYPES = ("reply", "customer_message", "status")


def _tickets(user: Principal) -> list[Any]:
    return [items.c.kind == Kind.TICKET.value, visible_to(user)]


def touched(user: Principal, types: Sequence[str], start: datetime, end: datetime) -> Select:
    """The ids of visible tickets with an entry of `types` in [start, end)."""
    return (select(t.item_id).join(items, items.c.id == t.item_id)
            .where(t.type.in_(list(types)), t.at >= start, t.at < end, *_tickets(user))
            .distinct())


def clock_entries(conn: Connection, ids: Select, end: datetime) -> list[tuple]:
    """(item_id, type, author, at, to) of the entries that move the clocks, for the tickets
    `ids`, up to `end`, each ticket's oldest first."""
    query = (select(t.item_id, t.type, t.author, t.at, t.data["to"].as_string())
             .where(t.item_id.in_(ids), t.type.in_(CLOCK_TYPES), t.at < end)
             .order_by(t.item_id, t.id))
    return [tuple(r) for r in conn.execute(query)]


def ticket_facts(conn: Connection, ids: Select | Sequence[int], *,
                 tags: bool = False) -> dict[int, dict[str, Any]]:
    """created_at, assignee and queue (and tags, when asked) of these tickets."""
    columns = [items.c.id, items.c.created_at, items.c.assignee_id,
               payload_field("queue").label("queue")]
    if tags:
        columns.append(items.c.tags)
    query = select(*columns)
    found: dict[int, dict[str, Any]] = {}
    if isinstance(ids, Select):
        chunks: list[Any] = [ids]
    else:
        ids = list(ids)
        chunks = [ids[i:i + 500] for i in range(0, len(ids), 500)]
    for chunk in chunks:
        for row in conn.execute(query.where(items.c.id.in_(chunk))):
            found[row.id] = dict(row._mapping)
    return found


def created(conn: Connection, user: Principal, start: datetime,
            end: datetime) -> list[tuple[int, datetime]]:
    query = (select(items.c.id, items.c.created_at)
             .where(*_tickets(user), items.c.created_at >= start, items.c.created_at < end))
    return [tuple(r) for r in conn.execute(query)]


def entries_of(conn: Connection, user: Principal, type_: str, start: datetime,
               end: datetime, field: str) -> list[tuple]:
    """(item_id, at, author, data[field]) of visible tickets' `type_` entries in the period,
    oldest first."""
    value = t.data[field].as_string() if field != "rating" else t.data[field].as_integer()
    query = (select(t.item_id, t.at, t.author, value)
             .join(items, items.c.id == t.item_id)
             .where(t.type == type_, t.at >= start, t.at < end, *_tickets(user))
             .order_by(t.id))
    return [tuple(r) for r in conn.execute(query)]


def sla_rows(conn: Connection, user: Principal, start: datetime,
             end: datetime) -> list[tuple]:
    """(item_id, target, due_at, met_at) of visible tickets' targets met or due in the
    period."""
    s = sla_targets.c
    query = (select(s.item_id, s.target, s.due_at, s.met_at)
             .join(items, items.c.id == s.item_id)
             .where(*_tickets(user),
                    or_(s.met_at.between(start, end), s.due_at.between(start, end))))
    return [tuple(r) for r in conn.execute(query)]
