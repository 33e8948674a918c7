"""The query language compiled to SQL: one clause per term, the same rows on every engine.

The parser (cockpit/domain/query.py) reads the text; this module knows the columns. Times
are resolved against the `now` of the request, and `assignee:me` against the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.sql import ColumnElement

from cockpit.domain.grouping import PAYLOAD_FOLDERS
from cockpit.domain.models import ARCHIVED, PRIORITY_RANK, Kind, Priority, State
from cockpit.domain.query import Ago, Comparison, Day, Filter, Op, Query, Text, Today
from cockpit.domain.roles import Principal
from cockpit.store import sla
from cockpit.store.tables import items

c = items.c

# The same expression as the indexes ix_items_priority_created and ix_items_state_priority
# (migrations 0004, 0010), in literals: an engine matches an index's expression only to the
# same text, and bound parameters would differ from it.
PRIORITY_RANK_SQL = case(
    {literal_column(f"'{p.value}'"): literal_column(str(rank), Integer)
     for p, rank in sorted(PRIORITY_RANK.items(), key=lambda pr: -pr[1]) if rank},
    value=c.priority, else_=literal_column("0", Integer))

# Payload fields by the query's name for them. (`routine:` `issue:` `crew:` read the columns
# their folders are kept in: cockpit.domain.grouping.PAYLOAD_FOLDERS.)
PAYLOAD_FIELDS: dict[str, tuple[str, ...]] = {
    "queue": ("queue",),
    "sla": ("sla", "status"),
}


def payload_field(name: str) -> ColumnElement[str]:
    """The text of a payload field (see PAYLOAD_FIELDS), NULL when it has none."""
    return func.nullif(func.trim(_payload_text(*PAYLOAD_FIELDS[name])), "")


def customer_id_sql(postgres: bool) -> ColumnElement[str]:
    """payload.customer.id as text, written exactly as the index ix_items_customer is
    (migration 0012): an engine matches an expression index only to the same text, and a
    bound JSON path would differ from it."""
    if postgres:
        return cast(c.payload.op("#>>")(literal_column("'{customer,id}'")), String)
    return cast(func.json_extract(c.payload, literal_column("""'$."customer"."id"'""")), String)


@dataclass(frozen=True)
class _Ask:
    """Who asks, when, and on which engine (JSON is read differently on each)."""

    user: Principal
    now: datetime
    postgres: bool


def compile_query(query: Query, user: Principal, now: datetime,
                  dialect: str) -> list[ColumnElement[bool]]:
    """The WHERE clauses (all must hold) for `query`, as `user` asks it at `now`."""
    ask = _Ask(user, now, dialect == "postgresql")
    return [_term(term, ask) for term in query.terms]


def _term(term: Filter | Text, ask: _Ask) -> ColumnElement[bool]:
    if isinstance(term, Text):
        clause = _text(term.text, ask)
    elif term.field == "sla":
        clause = _sla({str(v) for v in term.alternatives}, ask)
    else:
        clause = or_(*(_alternative(term.field, value, ask) for value in term.alternatives))
    # NOT over a nullable column is NULL, not true: negation keeps rows the filter cannot see
    return not_(func.coalesce(clause, false())) if term.negated else clause


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# SQLite's trigram index of title, body and sender name (migration 0011; rowid is the item id).
_FTS = table("items_fts", column("rowid"))
TRIGRAM = 3  # a term shorter than this has no trigram for an index to look up


def _text(text: str, ask: _Ask) -> ColumnElement[bool]:
    """`text` as a case-insensitive substring of title, body or sender name. SQLite looks it
    up in its FTS5 trigram table (a quoted FTS5 string: the text as a phrase of its trigrams);
    PostgreSQL's ILIKE uses its pg_trgm indexes. A shorter term is matched by scanning."""
    if not ask.postgres and len(text) >= TRIGRAM:
        phrase = '"' + text.replace('"', '""') + '"'
        matches = literal_column("items_fts").op("MATCH")(phrase)
        return c.id.in_(select(_FTS.c.rowid).where(matches))
    columns = (c.title, c.body_md, c.sender_name)
    if ask.postgres:
        return or_(*(col.ilike(_like(text), escape="\\") for col in columns))
    # folded as PostgreSQL's ILIKE folds (SQLite's own folds ASCII only; see store/db.py)
    pattern = _like(text.lower())
    return or_(*(func.unicode_lower(col).like(pattern, escape="\\") for col in columns))


def _payload_text(*path: str) -> ColumnElement[str]:
    return c.payload[path if len(path) > 1 else path[0]].as_string()


def _has_tag(tag: str, ask: _Ask) -> ColumnElement[bool]:
    elements = func.jsonb_array_elements_text if ask.postgres else func.json_each
    each = elements(c.tags).table_valued("value")
    return exists(select(1).select_from(each).where(func.lower(cast(each.c.value, String))
                                                   == tag.lower()))


def _alternative(field: str, value: str | Comparison, ask: _Ask) -> ColumnElement[bool]:
    user, now = ask.user, ask.now
    if field == "is":
        return _is(str(value), ask)
    if field == "priority":
        return _priority(value)
    if field in ("created", "updated", "due"):
        assert isinstance(value, Comparison)
        column = {"created": c.created_at, "updated": c.updated_at, "due": c.due_at}[field]
        return _time(column, value, now, ahead=field == "due")
    value = str(value)
    if field == "kind":
        return c.kind == value.lower()
    if field == "assignee":
        if value.lower() == "none":
            return c.assignee_id.is_(None)
        return c.assignee_id == (user.id if value.lower() == "me" else value)
    if field == "sender":
        return or_(c.sender_id == value, func.lower(c.sender_name) == value.lower())
    if field == "tag":
        return _has_tag(value, ask)
    if field == "customer":
        return or_(customer_id_sql(ask.postgres) == value,
                   func.lower(_payload_text("customer", "name")) == value.lower(),
                   func.lower(_payload_text("customer", "email")) == value.lower())
    if field in PAYLOAD_FOLDERS:
        return c[field] == value
    return payload_field(field) == value


def _sla(states: set[str], ask: _Ask) -> ColumnElement[bool]:
    # Cockpit's own SLA where it tracks the ticket, else what the producer reports
    return or_(sla.states_clause(states, ask.now),
               and_(not_(sla.tracked()), payload_field("sla").in_(sorted(states))))


def _is(value: str, ask: _Ask) -> ColumnElement[bool]:
    resolved = c.state == State.RESOLVED.value
    match value:
        case "unread" | "read" | "resolved":
            return c.state == value
        case "active":
            return c.state.in_([State.UNREAD.value, State.READ.value])
        case "archived":
            return and_(resolved, c.resolved_action == ARCHIVED)
        case "decision":
            return or_(c.kind == Kind.WAITPOINT.value,
                       and_(c.kind == Kind.ESCALATION.value, not_(c.advisory)))
        case "blocking":
            return c.blocking.is_(True)
        case "assigned":
            return c.assignee_id.is_not(None)
        case _:  # "unassigned"
            return c.assignee_id.is_(None)


def _priority(value: str | Comparison) -> ColumnElement[bool]:
    if isinstance(value, str):
        return c.priority == value
    wanted = PRIORITY_RANK[Priority(value.value)]
    test = {Op.LT: wanted.__gt__, Op.LE: wanted.__ge__, Op.GT: wanted.__lt__,
            Op.GE: wanted.__le__, Op.EQ: wanted.__eq__}[value.op]
    return c.priority.in_([p.value for p, rank in PRIORITY_RANK.items() if test(rank)])


def _time(column, comparison: Comparison, now: datetime, *, ahead: bool) -> ColumnElement[bool]:
    """`column` against a moment or a day. A duration counts back from now (`created:<2h`:
    less than two hours ago), or forward for due times (`due:<2h`: due within two hours)."""
    moment = comparison.value
    if isinstance(moment, Ago):
        if ahead:
            edge = now + timedelta(seconds=moment.seconds)
            ops = {Op.LT: column < edge, Op.LE: column <= edge, Op.GT: column > edge,
                   Op.GE: column >= edge}
        else:  # "less than 2h ago" is later than two hours back
            edge = now - timedelta(seconds=moment.seconds)
            ops = {Op.LT: column > edge, Op.LE: column >= edge, Op.GT: column < edge,
                   Op.GE: column <= edge}
        return ops.get(comparison.op, column >= edge if not ahead else column <= edge)
    day = now.astimezone(UTC).date() if isinstance(moment, Today) else moment.day
    assert isinstance(moment, (Today, Day))
    start = datetime.combine(day, time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    return {Op.EQ: and_(column >= start, column < end), Op.LT: column < start,
            Op.LE: column < end, Op.GT: column >= end, Op.GE: column >= start}[comparison.op]
