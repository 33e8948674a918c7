"""A view's per-state counts from the counts the database keeps (migration 0013), when its
terms allow: a sum over a few hundred rows instead of a read of every item it matches.

A clause that reads only the columns of COUNTED_KEY holds for every item of one combination
of them or for none, so counting the items it matches is summing item_counts over the
combinations it holds for. `sla:at_risk,breached` (the overdue view) is an item's
items_overdue.overdue_at having come: the days before today and today's hours before this
one are summed from overdue_counts, this hour's items counted from items_overdue. Any other term answers None: the caller counts
the items themselves.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Select,
    Table,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.sql import ClauseElement, ColumnElement, visitors
from sqlalchemy.sql.elements import ColumnClause, TextClause
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Exists, FromClause, ScalarSelect, SelectBase

from cockpit.domain.query import Filter, Query
from cockpit.store.inbox import Scope
from cockpit.store.tables import (
    COUNTED_KEY,
    item_counts,
    items,
    items_overdue,
    overdue_counts,
)

Counting = Select | CompoundSelect  # rows of (position, state, count)
OVERDUE = frozenset({"at_risk", "breached"})  # the SLA states items_overdue answers for
_STATEMENTS_KEPT = 256


def tab_counts(conn: Connection, scopes: Sequence[Scope]) -> list[dict[str, int] | None]:
    """`cockpit.store.inbox.tab_counts` of each scope from the kept counts, all in one
    statement; None for a scope whose query has a term they cannot answer. The scopes are
    counted at one moment: they share their `now`."""
    if len({scope.now for scope in scopes}) > 1:
        raise ValueError("scopes counted together share their now")
    found: list[dict[str, int] | None] = [None] * len(scopes)
    query, answered = _statements.get(conn, scopes)
    if query is None:
        return found
    by_state: dict[int, dict[str, int]] = {position: {} for position in answered}
    for position, state, n in conn.execute(query, _times(scopes[0].now)):
        by_state[position][state] = int(n)
    for position, counts in by_state.items():
        unread, read = counts.get("unread", 0), counts.get("read", 0)
        found[position] = {"active": unread + read, "unread": unread,
                           "resolved": counts.get("resolved", 0)}
    return found


def _times(now: datetime) -> dict[str, Any]:
    """The parameters of the overdue count at `now`."""
    now = now.astimezone(UTC)
    return {"now": now, "today_began": now.replace(hour=0, minute=0, second=0, microsecond=0),
            "hour_began": now.replace(minute=0, second=0, microsecond=0)}


class _Statements:
    """The counting statement of each list of (caller, kind, query), built once: building
    it (each query compiled, checked and rewritten) took most of a count's time. A statement
    never depends on the time of the count: a clause over COUNTED_KEY alone reads no time,
    and the overdue one takes its times as parameters."""

    def __init__(self) -> None:
        self._built: OrderedDict[tuple, tuple[Counting | None, list[int]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conn: Connection, scopes: Sequence[Scope]) -> tuple[Counting | None, list[int]]:
        """The statement counting `scopes`, and the positions of the scopes it answers."""
        key = (conn.dialect.name, *((s.user, s.kind, s.query) for s in scopes))
        with self._lock:
            if key in self._built:
                self._built.move_to_end(key)
                return self._built[key]
        built = _together(conn, scopes)
        with self._lock:
            self._built[key] = built
            if len(self._built) > _STATEMENTS_KEPT:
                self._built.popitem(last=False)
        return built


_statements = _Statements()


def _together(conn: Connection, scopes: Sequence[Scope]) -> tuple[Counting | None, list[int]]:
    arms, answered = [], []
    for position, scope in enumerate(scopes):
        statement = _statement(conn, scope)
        if statement is not None:
            counted = statement.subquery()
            arms.append(select(literal_column(str(position)).label("position"), *counted.c))
            answered.append(position)
    if not arms:
        return None, []
    return (arms[0] if len(arms) == 1 else union_all(*arms)), answered


def _statement(conn: Connection, scope: Scope) -> Select | None:
    sla = [t for t in scope.query.terms if isinstance(t, Filter) and t.field == "sla"]
    rest = Query(tuple(t for t in scope.query.terms if t not in sla))
    clauses = dataclasses.replace(scope, query=rest).clauses(conn)
    if not all(_reads_only_key(clause) for clause in clauses):
        return None
    if not sla:
        return _summed(item_counts, clauses)
    if len(sla) == 1 and not sla[0].negated and set(sla[0].alternatives) == OVERDUE:
        return _overdue(clauses)
    return None


def _overdue(clauses: list[ColumnElement[bool]]) -> Select:
    """Per state, the items whose overdue_at has come by `now`: the days before today and
    today's hours before this one from overdue_counts, this hour up to `now` from
    items_overdue (one statement, one snapshot)."""
    c = overdue_counts.c
    days = (select(c.state, c.n).where(*_over(overdue_counts, clauses), c.span == "day",
                                       c.start < bindparam("today_began")))
    hours = (select(c.state, c.n).where(*_over(overdue_counts, clauses), c.span == "hour",
                                        c.start >= bindparam("today_began"),
                                        c.start < bindparam("hour_began")))
    o = items_overdue.c
    so_far = (select(o.state, literal(1).label("n"))
              .where(*_over(items_overdue, clauses), o.overdue_at >= bindparam("hour_began"),
                     o.overdue_at <= bindparam("now")))
    all_of = union_all(days, hours, so_far).subquery()
    return select(all_of.c.state, func.sum(all_of.c.n).label("n")).group_by(all_of.c.state)


def _summed(table: Table, clauses: list[ColumnElement[bool]]) -> Select:
    return (select(table.c.state, func.sum(table.c.n).label("n")).where(*_over(table, clauses))
            .group_by(table.c.state))


def _over(table: Table, clauses: list[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    """`clauses` (over items' COUNTED_KEY columns) over the same columns of `table`."""
    def swap(element: ClauseElement) -> ClauseElement | None:
        return table.c[element.name] if _is_key(element) else None

    return [visitors.replacement_traverse(clause, {}, swap) for clause in clauses]


def _is_key(element: ClauseElement) -> bool:
    return isinstance(element, ColumnClause) and element.table is items \
        and element.name in COUNTED_KEY


# A literal_column that is a constant (a quoted string or a number), not a name.
_CONSTANT = re.compile(r"'[^']*'|-?[0-9]+")


def _reads_only_key(clause: ColumnElement[bool]) -> bool:
    """Whether `clause` is a function of an item's COUNTED_KEY columns alone: it names no
    other column or table, and holds no subquery or raw SQL but constants."""
    for element in visitors.iterate(clause):
        if isinstance(element, ColumnClause) and not _is_key(element) \
                and not (element.is_literal and _CONSTANT.fullmatch(element.name)):
            return False
        if isinstance(element, FromClause) and not isinstance(element, FunctionElement):
            return False  # a table or subquery (an SQL function is a FromClause too)
        if isinstance(element, (SelectBase, Exists, ScalarSelect, TextClause)):
            return False
    return True
