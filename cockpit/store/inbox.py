"""Reading and writing inbox rows. Every read takes the caller and applies visibility in SQL."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from cockpit.domain.models import State, StateFilter
from cockpit.domain.roles import Principal, roles_at_or_below
from cockpit.store.tables import items

class BadCursor(ValueError):
    """A cursor that this server did not hand out."""


def visible_to(user: Principal) -> ColumnElement[bool]:
    """SQL twin of `cockpit.domain.roles.can_see`."""
    c = items.c
    return or_(
        c.target_user_id == user.id,
        and_(c.target_user_id.is_(None), c.target_role.is_(None)),
        and_(c.target_user_id.is_(None), c.target_role.in_(roles_at_or_below(user.role))),
    )


def _state_clause(state: StateFilter) -> ColumnElement[bool] | None:
    c = items.c
    if state == StateFilter.ACTIVE:
        return c.state.in_([State.UNREAD.value, State.READ.value])
    if state == StateFilter.ALL:
        return None
    return c.state == state.value


def _search_clause(q: str) -> ColumnElement[bool]:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    c = items.c
    return or_(*(col.ilike(pattern, escape="\\") for col in (c.title, c.body_md, c.sender_name)))


def _filters(user: Principal, kind: str | None, q: str | None) -> list[ColumnElement[bool]]:
    clauses = [visible_to(user)]
    if kind:
        clauses.append(items.c.kind == kind)
    if q:
        clauses.append(_search_clause(q))
    return clauses


def encode_cursor(created_at: datetime, item_id: int) -> str:
    raw = json.dumps([created_at.isoformat(), item_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, item_id = json.loads(raw)
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None or isinstance(item_id, bool) or not isinstance(item_id, int) \
                or not 0 <= item_id < 2**63:
            raise ValueError
        # a time that cannot be compared in UTC is no cursor of ours
        return when.astimezone(UTC), item_id
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError) as exc:
        raise BadCursor("cursor: not one this server handed out") from exc


def list_rows(conn: Connection, user: Principal, *, state: StateFilter, kind: str | None,
              q: str | None, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """One page, newest first, by the keyset (created_at, id)."""
    c = items.c
    clauses = _filters(user, kind, q)
    state_clause = _state_clause(state)
    if state_clause is not None:
        clauses.append(state_clause)
    if cursor:
        when, last_id = decode_cursor(cursor)
        clauses.append(or_(c.created_at < when, and_(c.created_at == when, c.id < last_id)))
    query = (select(items).where(*clauses)
             .order_by(c.created_at.desc(), c.id.desc()).limit(limit + 1))
    rows = [dict(r._mapping) for r in conn.execute(query)]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"])
    return rows, next_cursor


def tab_counts(conn: Connection, user: Principal, *, kind: str | None = None,
               q: str | None = None) -> dict[str, int]:
    query = (select(items.c.state, func.count()).where(*_filters(user, kind, q))
             .group_by(items.c.state))
    by_state = {state: n for state, n in conn.execute(query)}
    unread, read = by_state.get("unread", 0), by_state.get("read", 0)
    return {"active": unread + read, "unread": unread, "resolved": by_state.get("resolved", 0)}


def get_row(conn: Connection, item_id: int, user: Principal | None = None, *,
            for_update: bool = False) -> dict | None:
    """The row, or None when it is missing or `user` may not see it."""
    rows = get_rows(conn, [item_id], user, for_update=for_update)
    return rows[0] if rows else None


def get_rows(conn: Connection, ids: Sequence[int], user: Principal | None = None, *,
             for_update: bool = False) -> list[dict]:
    """The visible rows of `ids`. Locking takes them in ascending id order, every caller
    alike, so two transactions over overlapping rows wait for each other, never deadlock."""
    if for_update:
        ids = sorted(set(ids))
    found: list[dict] = []
    for start in range(0, len(ids), 500):  # stay under every driver's bound-parameter limit
        query = select(items).where(items.c.id.in_(ids[start:start + 500]))
        if user is not None:
            query = query.where(visible_to(user))
        if for_update:
            query = query.order_by(items.c.id).with_for_update()
        found.extend(dict(r._mapping) for r in conn.execute(query))
    return found


def find_row(conn: Connection, kind: str, source_id: str, *,
             for_update: bool = False) -> dict | None:
    query = select(items).where(items.c.kind == kind, items.c.source_id == source_id)
    if for_update:
        query = query.with_for_update()
    found = conn.execute(query).first()
    return dict(found._mapping) if found else None


def _dialect_insert(conn: Connection):
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def insert_row(conn: Connection, values: dict[str, Any]) -> tuple[dict, bool]:
    """Insert one item unless `(kind, source_id)` exists; answers the stored row (the existing
    one locked for the rest of the transaction) and whether it is new."""
    stmt = _dialect_insert(conn)(items).values(**values).on_conflict_do_nothing()
    row = conn.execute(stmt.returning(*items.c)).first()
    if row is not None:
        return dict(row._mapping), True
    return find_row(conn, values["kind"], values["source_id"], for_update=True), False


def insert_many(conn: Connection, rows: Iterable[dict[str, Any]]) -> int:
    """Bulk insert for seeding; duplicates are ignored. Answers how many rows were new."""
    stmt = _dialect_insert(conn)(items).on_conflict_do_nothing()
    batch = list(rows)
    if not batch:
        return 0
    return conn.execute(stmt, batch).rowcount or 0


def update_rows(conn: Connection, ids: Sequence[int], changes: dict[str, Any]) -> None:
    for start in range(0, len(ids), 500):
        conn.execute(update(items).where(items.c.id.in_(ids[start:start + 500])).values(**changes))

