"""Reading and writing inbox rows. Every read takes the caller and applies visibility in SQL."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Result,
    Select,
    and_,
    bindparam,
    false,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from cockpit.domain.grouping import PAYLOAD_FOLDERS, is_advisory, payload_folder
from cockpit.domain.models import ARCHIVED, PRIORITY_RANK, SortOrder, State, StateFilter
from cockpit.domain.query import Filter, Query
from cockpit.domain.roles import Principal, roles_at_or_below
from cockpit.store.bulk_counts import counted_in_bulk
from cockpit.store.query import PRIORITY_RANK_SQL, compile_query
from cockpit.store.tables import items


class BadCursor(ValueError):
    """A cursor that this server did not hand out."""


@functools.lru_cache(maxsize=1024)
def visible_to(user: Principal) -> ColumnElement[bool]:
    """SQL twin of `cockpit.domain.roles.can_see`. One clause per user, built once: a clause
    is immutable, and every read of theirs takes it."""
    c = items.c
    return or_(
        c.target_user_id == user.id,
        and_(c.target_user_id.is_(None), c.target_role.is_(None)),
        and_(c.target_user_id.is_(None), _ranks_seen(user.role)),
    )


@functools.lru_cache(maxsize=64)
def _ranks_seen(role: str) -> ColumnElement[bool]:
    """target_role among the roles `role` sees, the roles written into the SQL: they are our
    own constants, and a bound list would be expanded into the statement on every execution
    (a third of a small read's time in SQLAlchemy). One cached statement per role."""
    roles = roles_at_or_below(role)
    if not roles:
        return false()
    assert all(r.isalpha() for r in roles)  # nothing to quote: safe to write as they are
    return items.c.target_role.in_([literal_column(f"'{r}'") for r in roles])


def dicts(result: Result) -> list[dict]:
    """The rows of `result` as dicts: one keys tuple for all (Row._asdict builds a keys view
    per row, several times the cost of the dict)."""
    keys = tuple(result.keys())
    return [dict(zip(keys, row)) for row in result]


def state_clause(state: StateFilter) -> ColumnElement[bool] | None:
    c = items.c
    if state == StateFilter.ACTIVE:
        return c.state.in_([State.UNREAD.value, State.READ.value])
    if state == StateFilter.ALL:
        return None
    if state == StateFilter.ARCHIVED:
        return and_(c.state == State.RESOLVED.value, c.resolved_action == ARCHIVED)
    return c.state == state.value


@dataclass(frozen=True)
class Scope:
    """Which items a read covers, before the tab's state: what `user` may see, of `kind`,
    matching `query` (times in it resolved at `now`)."""

    user: Principal
    now: datetime
    kind: str | None = None
    query: Query = field(default_factory=Query)

    def clauses(self, conn: Connection) -> list[ColumnElement[bool]]:
        clauses = [visible_to(self.user)]
        if self.kind:
            clauses.append(items.c.kind == self.kind)
        clauses.extend(compile_query(self.query, self.user, self.now, conn.dialect.name))
        return clauses

    @property
    def timeless(self) -> bool:
        """Whether its clauses are the same at any `now`: no time relative to now in the query
        (`created:<2h`), and no SLA state (`sla:breached`), which the clock moves too."""
        return not self.query.relative_to_now and not any(
            isinstance(term, Filter) and term.field == "sla" for term in self.query.terms)


_c = items.c
# The expressions a sort orders by, by the name a cursor knows them by.
_SORT_KEYS: dict[str, ColumnElement[Any]] = {
    "created_at": _c.created_at, "id": _c.id, "due_at": _c.due_at,
}


@dataclass(frozen=True)
class _Segment:
    """A run of one sort order: rows matching `where`, ordered by `keys` in one direction."""

    where: ColumnElement[bool] | None
    keys: tuple[str, ...]
    descending: bool

    @property
    def columns(self) -> list[ColumnElement[Any]]:
        return [_SORT_KEYS[k] for k in self.keys]

    def values(self, row: dict[str, Any]) -> list[Any]:
        """The sort keys of a fetched row, to continue after it."""
        return [row[k] for k in self.keys]


_SORTS: dict[SortOrder, tuple[_Segment, ...]] = {
    SortOrder.NEWEST: (_Segment(None, ("created_at", "id"), True),),
    SortOrder.OLDEST: (_Segment(None, ("created_at", "id"), False),),
    # one segment per rank, highest first: a row-value cursor over (created_at, id) inside a
    # rank is an index range, where one that starts with the rank expression is not (SQLite
    # scanned a deep priority window from the top: 90 ms at 100k)
    SortOrder.PRIORITY: tuple(
        _Segment(PRIORITY_RANK_SQL == literal_column(str(rank)), ("created_at", "id"), True)
        for rank in sorted(set(PRIORITY_RANK.values()), reverse=True)),
    # expiring first; then what has no due time, newest first
    SortOrder.DUE: (_Segment(_c.due_at.is_not(None), ("due_at", "created_at", "id"), False),
                    _Segment(_c.due_at.is_(None), ("created_at", "id"), True)),
}

# The states a window reads, one index range each (every sort's index starts with the state,
# migration 0010): an IN over states would make the engine sort everything it matches.
_STATES: dict[StateFilter, tuple[str, ...]] = {
    StateFilter.ACTIVE: (State.UNREAD.value, State.READ.value),
    StateFilter.ALL: (State.UNREAD.value, State.READ.value, State.RESOLVED.value),
    StateFilter.ARCHIVED: (State.RESOLVED.value,),
}


def window_states(state: StateFilter) -> tuple[str, ...]:
    """The states a read of `state` covers (archived: resolved, then its own clause)."""
    state = StateFilter(state)
    return _STATES.get(state, (state.value,))


# What a window reads of a row: all an Item shows and its actions need (not the producer's
# bookkeeping).
WINDOW_COLUMNS = tuple(col for col in items.c if col.name not in ("created_by", "producer_tags"))


def encode_cursor(sort: SortOrder, segment: int, values: Sequence[Any]) -> str:
    plain = [["t", v.isoformat()] if isinstance(v, datetime) else v for v in values]
    raw = json.dumps([sort.value, segment, *plain]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: SortOrder) -> tuple[int, list[Any]]:
    """(segment, key values) of a cursor this server handed out for `sort`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, segment, *plain = json.loads(raw)
        segments = _SORTS[sort]
        if name != sort.value or not isinstance(segment, int) or isinstance(segment, bool) \
                or not 0 <= segment < len(segments) \
                or len(plain) != len(segments[segment].keys):
            raise ValueError
        return segment, [_cursor_value(v) for v in plain]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError) as exc:
        raise BadCursor("cursor: not one this server handed out for this sort") from exc


def _cursor_value(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 2 and value[0] == "t":
        when = datetime.fromisoformat(value[1])
        if when.tzinfo is None:
            raise ValueError
        return when.astimezone(UTC)  # a time that cannot be compared in UTC is no cursor of ours
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValueError
    return value


def _after(segment: _Segment) -> ColumnElement[bool]:
    """Rows past the bound `after_0`, `after_1`, ... in the segment's order: one row-value
    comparison, which every engine answers from an index in that order."""
    columns = segment.columns
    bound = tuple_(*(bindparam(f"after_{n}", type_=k.type) for n, k in enumerate(columns)))
    return tuple_(*columns) < bound if segment.descending else tuple_(*columns) > bound


def _window_statement(base: Sequence[ColumnElement[bool]], states: Sequence[str],
                      segment: _Segment, after: bool) -> Select:
    """The first `window_limit` rows of one segment (past the bound `after_*` values when
    `after`): one index range per state, merged by the database on (id, sort keys) alone, so
    only the window's rows are read whole."""
    clauses = [*base, *([segment.where] if segment.where is not None else [])]
    if after:
        clauses.append(_after(segment))
    columns = segment.columns
    limit = bindparam("window_limit", type_=Integer)
    if len(states) == 1:
        return (select(*WINDOW_COLUMNS).where(*clauses, _c.state == states[0])
                .order_by(*_ordered(columns, segment.descending)).limit(limit))
    keys = [k.label(f"k{n}") for n, k in enumerate(columns)]
    arms = [select(_c.id.label("ref"), *keys).where(*clauses, _c.state == state)
            .order_by(*_ordered(columns, segment.descending)).limit(limit)
            for state in states]
    merged = union_all(*(select(arm.subquery()) for arm in arms)).subquery()
    return (select(*WINDOW_COLUMNS).join_from(merged, items, _c.id == merged.c.ref)
            .order_by(*_ordered([merged.c[k.name] for k in keys], segment.descending))
            .limit(limit))


class _Statements:
    """Window statements by what shapes them (who asks, the view, the folder, the state, the
    sort segment), the values that move from page to page bound at execution. Building one
    and deriving its cache key costs SQLAlchemy more than running it on a small window; the
    compiled form is SQLAlchemy's own cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.built: OrderedDict[tuple, Select] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple | None, build: Callable[[], Select]) -> Select:
        if key is None:
            return build()
        with self.lock:
            found = self.built.get(key)
            if found is not None:
                self.built.move_to_end(key)
                return found
        statement = build()
        with self.lock:
            self.built[key] = statement
            if len(self.built) > self.size:
                self.built.popitem(last=False)
        return statement


_windows = _Statements(512)


def _ordered(columns: Sequence[ColumnElement[Any]], descending: bool) -> list[Any]:
    return [k.desc() if descending else k.asc() for k in columns]


def list_rows(conn: Connection, scope: Scope, *, state: StateFilter, limit: int,
              cursor: str | None, sort: SortOrder = SortOrder.NEWEST,
              where: Sequence[ColumnElement[bool]] = (),
              where_key: Hashable | None = None) -> tuple[list[dict], str | None]:
    """One page in `sort` order, by keyset; answers the rows and the next page's cursor.

    `where_key` names what `where` keeps (the same key, the same clauses), so the statement
    built for it can be used again; without one, a `where` is built afresh each time."""
    states, sort = window_states(state), SortOrder(sort)
    segments = _SORTS[sort]
    index, after = decode_cursor(cursor, sort) if cursor else (0, None)
    reusable = scope.timeless and (where_key is not None or not where)
    shape = (conn.dialect.name, scope.user, scope.kind, scope.query, where_key, state, sort) \
        if reusable else None
    base: list[ColumnElement[bool]] | None = None

    def clauses() -> list[ColumnElement[bool]]:
        nonlocal base
        if base is None:
            base = [*scope.clauses(conn), *where]
            if state == StateFilter.ARCHIVED:
                base.append(_c.resolved_action == ARCHIVED)
        return base

    rows: list[tuple[int, dict]] = []
    while index < len(segments) and len(rows) <= limit:
        wanted = limit + 1 - len(rows)
        segment, past = segments[index], after is not None
        statement = _windows.get(
            shape and (*shape, index, past),
            lambda s=segment, p=past: _window_statement(clauses(), states, s, p))
        params = {"window_limit": wanted, **{f"after_{n}": v for n, v in enumerate(after or ())}}
        found = dicts(conn.execute(statement, params))
        rows.extend((index, r) for r in found)
        if len(found) == wanted:
            break
        index, after = index + 1, None
    if len(rows) <= limit:
        return [r for _, r in rows], None
    rows = rows[:limit]
    last_segment, last = rows[-1]
    return [r for _, r in rows], encode_cursor(sort, last_segment,
                                               segments[last_segment].values(last))


def tab_counts(conn: Connection, scope: Scope) -> dict[str, int]:
    query = (select(items.c.state, func.count()).where(*scope.clauses(conn))
             .group_by(items.c.state))
    by_state = {state: n for state, n in conn.execute(query)}
    unread, read = by_state.get("unread", 0), by_state.get("read", 0)
    return {"active": unread + read, "unread": unread, "resolved": by_state.get("resolved", 0)}


# What a bulk run needs of each row: its rules (bulk_skip_reason) and its event entry.
_BULK_COLUMNS = (items.c.id, items.c.kind, items.c.state, items.c.resolved_action,
                 items.c.blocking, items.c.target_user_id, items.c.target_role)


def matching_rows(conn: Connection, scope: Scope, *, state: StateFilter,
                  except_ids: Sequence[int] = (),
                  where: Sequence[ColumnElement[bool]] = ()) -> list[dict]:
    """Every row the view matches but `except_ids`, locked in id order, with only the columns
    a bulk run needs (any number of rows: no payloads or bodies are read)."""
    clauses = [*scope.clauses(conn), *where]
    if (clause := state_clause(state)) is not None:
        clauses.append(clause)
    # the payload's advisory flag from its column (kept at every write of a payload), not
    # read out of each row's JSON
    query = (select(*_BULK_COLUMNS, items.c.advisory).where(*clauses)
             .order_by(items.c.id).with_for_update())
    skip = set(except_ids)
    keys = (*(c.name for c in _BULK_COLUMNS), "advisory")
    rows = []
    for values in conn.execute(query):
        row = dict(zip(keys, values, strict=True))
        if row["id"] not in skip:
            row["payload"] = {"advisory": bool(row.pop("advisory"))}
            rows.append(row)
    return rows


def get_row(conn: Connection, item_id: int, user: Principal | None = None, *,
            for_update: bool = False) -> dict | None:
    """The row, or None when it is missing or `user` may not see it."""
    rows = get_rows(conn, [item_id], user, for_update=for_update)
    return rows[0] if rows else None


def get_rows(conn: Connection, ids: Sequence[int], user: Principal | None = None, *,
             for_update: bool = False) -> list[dict]:
    """The visible rows of `ids`. Locking takes them in ascending id order, every caller
    alike, so two transactions over overlapping rows wait for each other, never deadlock."""
    if len(ids) == 1:
        return dicts(conn.execute(_one_row(user, for_update), {"item_id": ids[0]}))
    if for_update:
        ids = sorted(set(ids))
    found: list[dict] = []
    for start in range(0, len(ids), 500):  # stay under every driver's bound-parameter limit
        query = select(items).where(items.c.id.in_(ids[start:start + 500]))
        if user is not None:
            query = query.where(visible_to(user))
        if for_update:
            query = query.order_by(items.c.id).with_for_update()
        found.extend(dicts(conn.execute(query)))
    return found


@functools.lru_cache(maxsize=1024)
def _one_row(user: Principal | None, for_update: bool) -> Select:
    """The row of the bound `item_id` if `user` may see it: the statement of every single-item
    read and write, built once per user."""
    query = select(items).where(items.c.id == bindparam("item_id"))
    if user is not None:
        query = query.where(visible_to(user))
    return query.with_for_update() if for_update else query


def find_row(conn: Connection, kind: str, source_id: str, *,
             for_update: bool = False) -> dict | None:
    query = select(items).where(items.c.kind == kind, items.c.source_id == source_id)
    if for_update:
        query = query.with_for_update()
    found = conn.execute(query).first()
    return dict(found._mapping) if found else None


def folder_columns(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The columns that hold a payload's folder keys (routine, issue, crew) and whether it is
    advisory (which smart folder an escalation is in): folders are counted and paged from
    these, never from the JSON. Every write of a payload sets them (`_with_folders`)."""
    payload = payload or {}
    return {**{name: payload_folder(payload, name) for name in PAYLOAD_FOLDERS},
            "advisory": is_advisory(payload)}


def _with_folders(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, **folder_columns(values["payload"])} if "payload" in values else values


def _dialect_insert(conn: Connection):
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def insert_row(conn: Connection, values: dict[str, Any]) -> tuple[dict, bool]:
    """Insert one item unless `(kind, source_id)` exists; answers the stored row (the existing
    one locked for the rest of the transaction) and whether it is new."""
    stmt = _dialect_insert(conn)(items).values(**_with_folders(values)).on_conflict_do_nothing()
    row = conn.execute(stmt.returning(*items.c)).first()
    if row is not None:
        return dict(row._mapping), True
    return find_row(conn, values["kind"], values["source_id"], for_update=True), False


def insert_many(conn: Connection, rows: Iterable[dict[str, Any]]) -> int:
    """Bulk insert for seeding; duplicates are ignored. Answers how many rows were new."""
    stmt = _dialect_insert(conn)(items).on_conflict_do_nothing()
    batch = [_with_folders(row) for row in rows]
    if not batch:
        return 0
    return conn.execute(stmt, batch).rowcount or 0


def update_rows(conn: Connection, ids: Sequence[int], changes: dict[str, Any]) -> None:
    changes = _with_folders(changes)
    with counted_in_bulk(conn, ids, changes):
        for start in range(0, len(ids), 5_000):  # under every driver's bound-parameter limit
            batch = ids[start:start + 5_000]
            conn.execute(update(items).where(items.c.id.in_(batch)).values(**changes))

