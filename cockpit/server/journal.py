"""The audit journal: one record per item per action, and records around bulk runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, literal, or_, select

from cockpit.domain.roles import Principal, Role
from cockpit.store.inbox import visible_to
from cockpit.store.tables import audit, items


def record(conn: Connection, *, actor: str, origin: str, action: str, item_id: int | None,
           params: dict[str, Any] | None = None, result: str = "ok", detail: str | None = None,
           latency_ms: float | None = None) -> None:
    conn.execute(insert(audit).values(
        at=datetime.now(UTC), actor=actor, origin=origin, action=action, item_id=item_id,
        params=params or {}, result=result, detail=detail, latency_ms=latency_ms))


_BATCH = 5_000  # ids per INSERT ... SELECT (under every driver's bound-parameter limit)


def record_many(conn: Connection, *, actor: str, origin: str, action: str,
                params: dict[str, Any], records: list[dict[str, Any]]) -> None:
    """One journal record per item of a batch. Records of stored items that differ only by
    item (a bulk run's: up to every item of the inbox) are written by INSERT ... SELECT, the
    shared values bound once per thousands of rows; the rest (items not found) one by one."""
    if not records:
        return
    now = datetime.now(UTC)
    alike: dict[tuple[str, str | None], list[int]] = {}
    single = []
    for r in records:
        if r["result"] == "not_found":
            single.append(r)
        else:
            alike.setdefault((r["result"], r["detail"]), []).append(r["item_id"])
    shared = {"at": now, "actor": actor, "origin": origin, "action": action, "params": params,
              "latency_ms": None}
    for (result, detail), ids in alike.items():
        values = {**shared, "result": result, "detail": detail}
        names = [*values, "item_id"]
        for start in range(0, len(ids), _BATCH):
            rows = select(*(literal(v, audit.c[k].type) for k, v in values.items()), items.c.id)
            rows = rows.where(items.c.id.in_(ids[start:start + _BATCH])).order_by(items.c.id)
            conn.execute(insert(audit).from_select(names, rows))
    if single:
        conn.execute(insert(audit), [{**shared, **r} for r in single])


def query(conn: Connection, user: Principal, *, item_id: int | None = None,
          actor: str | None = None, origin: str | None = None, action: str | None = None,
          limit: int = 200) -> list[dict[str, Any]]:
    """Newest first. Item records follow the item's visibility; records without an item (bulk
    runs) are shown to their actor and to admins."""
    joined = audit.outerjoin(items, items.c.id == audit.c.item_id)
    itemless = audit.c.item_id.is_(None)
    if user.ranks_at_least(Role.ADMIN):
        itemless_ok = itemless
    else:
        itemless_ok = itemless & (audit.c.actor == user.id)
    stmt = (select(audit).select_from(joined)
            .where(or_(itemless_ok, (~itemless) & items.c.id.is_not(None) & visible_to(user))))
    for column, value in (("item_id", item_id), ("actor", actor), ("origin", origin),
                          ("action", action)):
        if value is not None:
            stmt = stmt.where(audit.c[column] == value)
    stmt = stmt.order_by(audit.c.id.desc()).limit(limit)
    return [dict(r._mapping) for r in conn.execute(stmt)]
