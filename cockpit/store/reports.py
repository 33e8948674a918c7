"""What reports and live metrics read, grouped in SQL so a period of 100,000 tickets answers
as a few hundred rows: per row key and figure, the ticket ids and values joined into text.
Only ever the tickets the asking user may see.

The clocks (first response, next response, resolution) come from the samples the timeline's
entries left (cockpit/store/clocks.py); volume, SLA and CSAT from the tickets, their SLA
targets and their timeline directly; aux time from the status interval log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.sql import ColumnElement

from cockpit.domain.models import Kind
from cockpit.domain.reports import POSITIVE_RATING
from cockpit.domain.roles import Principal
from cockpit.store.inbox import visible_to
from cockpit.store.query import payload_field
from cockpit.store.tables import (
    agent_status_log,
    items,
    sla_targets,
    timeline,
)
from cockpit.store.tables import clock_samples as clock_samples_table
from cockpit.store.types import UTCDateTime

t = timeline.c
Time = UTCDateTime()


def _postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def roomy(conn: Connection) -> None:
    """Let this transaction sort and hash a period's rows in memory (PostgreSQL's default
    work_mem spills 100,000 rows to disk)."""
    if _postgres(conn):
        conn.execute(text("SET LOCAL work_mem = '64MB'"))


def epoch(conn: Connection, value: ColumnElement[Any]) -> ColumnElement[float]:
    """Seconds since 1970 of a time, as a float, on either engine."""
    if _postgres(conn):
        return cast(extract("epoch", value), Float)
    return (func.julianday(value) - 2440587.5) * 86400.0


def day(conn: Connection, value: ColumnElement[Any]) -> ColumnElement[str]:
    """The UTC day of a time, YYYY-MM-DD."""
    if _postgres(conn):
        return func.to_char(func.timezone("UTC", value), "YYYY-MM-DD")
    return func.date(value)


def _at(value: datetime) -> ColumnElement[Any]:
    return literal(value, Time)


def _tickets(user: Principal) -> list[Any]:
    return [items.c.kind == Kind.TICKET.value, visible_to(user)]


# -- grouping in SQL -------------------------------------------------------------------------

class Groups:
    """How a report's rows are keyed (`by`) in SQL, and their figures gathered there: each
    query answers one row per (key, figure) with the ticket ids and values joined into text,
    so a period of 100,000 tickets comes back as a few hundred rows."""

    def __init__(self, conn: Connection, by: str | None) -> None:
        self.conn, self.by = conn, by
        elements = func.jsonb_array_elements_text if _postgres(conn) else func.json_each
        self.each = elements(items.c.tags).table_valued("value") if by == "tag" else None

    def source(self, joined: Any) -> Any:
        """The FROM clause: `joined` (which has items), and each ticket's tags for by=tag."""
        return joined.outerjoin(self.each, true()) if self.each is not None else joined

    def key(self, at: ColumnElement[Any], who: ColumnElement[str] | None = None
            ) -> ColumnElement[Any]:
        if self.by == "day":
            return day(self.conn, at)
        if self.by == "agent":
            return who if who is not None else items.c.assignee_id
        if self.by == "queue":
            return payload_field("queue")
        if self.by == "tag":
            assert self.each is not None
            return cast(self.each.c.value, String)
        return null()

    def joined(self, column: ColumnElement[Any]) -> ColumnElement[str]:
        text = cast(column, String)
        if _postgres(self.conn):
            return func.string_agg(text, ",")
        return func.group_concat(text, ",")

    def run(self, key: ColumnElement[Any], figure: ColumnElement[Any] | str | None,
            ids: ColumnElement[Any], values: ColumnElement[Any] | None, source: Any,
            *where: Any) -> list[Group]:
        """One row per key and figure (a constant figure: one per key); no row for nothing."""
        grouped = [] if self.by is None else [key]
        if figure is None or isinstance(figure, str):
            figure_column: ColumnElement[Any] = null() if figure is None else \
                literal_column(f"'{figure}'")
        else:
            figure_column = figure
            grouped.append(figure)
        values_text = self.joined(values) if values is not None else null()
        query = (select(key.label("key"), figure_column.label("figure"), self.joined(ids),
                        values_text).select_from(source).where(*where))
        if grouped:
            query = query.group_by(*grouped)
        return [Group(k, f, _ints(i), _floats(v)) for k, f, i, v in self.conn.execute(query)
                if i]


class Group:
    __slots__ = ("figure", "ids", "key", "values")

    def __init__(self, key: str | None, figure: str | None, ids: list[int],
                 values: list[float]) -> None:
        self.key, self.figure, self.ids, self.values = key, figure, ids, values


def _ints(text: str | None) -> list[int]:
    return list(map(int, text.split(","))) if text else []


def _floats(text: str | None) -> list[float]:
    return list(map(float, text.split(","))) if text else []


# -- the clocks ------------------------------------------------------------------------------

def clock_samples(conn: Connection, user: Principal, measure: str, start: datetime,
                  end: datetime, by: str | None) -> list[Group]:
    """Every `measure` (first_response, response, resolution) taken in [start, end) on a
    ticket `user` may see, in seconds, grouped `by` (agent: who replied, for responses; the
    assignee, for resolution). Read from the clocks (cockpit/store/clocks.py): catch them up
    first."""
    c = clock_samples_table.c
    groups = Groups(conn, by)
    who = c.author if measure != "resolution" else None
    return groups.run(groups.key(c.at, who), None, c.item_id, c.seconds,
                      groups.source(clock_samples_table.join(items, items.c.id == c.item_id)),
                      c.measure == measure, c.at >= _at(start), c.at < _at(end),
                      *_tickets(user))


# -- volume, SLA, CSAT -----------------------------------------------------------------------

def created(conn: Connection, user: Principal, start: datetime, end: datetime,
            by: str | None) -> list[Group]:
    """The visible tickets created in [start, end), figure `created`."""
    groups = Groups(conn, by)
    c = items.c.created_at
    return groups.run(groups.key(c), "created", items.c.id, None,
                      groups.source(items), *_tickets(user), c >= _at(start), c < _at(end))


def status_changes(conn: Connection, user: Principal, start: datetime, end: datetime,
                   by: str | None) -> list[Group]:
    """Visible tickets' closes (figure `closed`) and reopenings (`reopened`)."""
    to = t.data["to"].as_string()
    groups = Groups(conn, by)
    figure = case((to == "closed", "closed"), (to == "open", "reopened"))
    return [g for g in groups.run(groups.key(t.at), figure, t.item_id, None,
                                  groups.source(timeline.join(items, items.c.id == t.item_id)),
                                  t.type == "status", t.at >= _at(start), t.at < _at(end),
                                  *_tickets(user))
            if g.figure is not None]


def ratings(conn: Connection, user: Principal, start: datetime, end: datetime,
            by: str | None) -> list[Group]:
    """Each visible ticket's last CSAT rating in the period (figure `positive` for 4 and 5,
    else `negative`), the ratings as values."""
    last = (select(t.item_id, func.max(t.id).label("id"))
            .join(items, items.c.id == t.item_id)
            .where(t.type == "csat", t.at >= _at(start), t.at < _at(end), *_tickets(user))
            .group_by(t.item_id).subquery("last"))
    rating = t.data["rating"].as_integer()
    groups = Groups(conn, by)
    source = last.join(timeline, t.id == last.c.id).join(items, items.c.id == t.item_id)
    figure = case((rating >= POSITIVE_RATING, "positive"), else_="negative")
    return groups.run(groups.key(t.at), figure, t.item_id, rating, groups.source(source),
                      rating.between(1, 5))


def sla_outcomes(conn: Connection, user: Principal, start: datetime, end: datetime,
                 now: datetime, by: str | None) -> list[Group]:
    """Visible tickets' SLA targets settled in [start, end): met in time (at met_at), or met
    late or still unmet past due (at due_at); figure `<target>_achieved` or `_breached`."""
    s = sla_targets.c
    achieved = and_(s.met_at.is_not(None), s.met_at <= s.due_at)
    settled = case((achieved, s.met_at), else_=s.due_at)
    outcome = case((achieved, "achieved"), else_="breached")
    groups = Groups(conn, by)
    figure = s.target + literal("_", String) + outcome
    # plain comparisons, which the planner can estimate: met in time within the period, or
    # due within it and met late or not at all (yet past due)
    in_time = and_(s.met_at >= _at(start), s.met_at < _at(end), s.met_at <= s.due_at)
    late = and_(s.due_at >= _at(start), s.due_at < _at(end), s.due_at <= _at(now),
                or_(s.met_at.is_(None), s.met_at > s.due_at))
    return groups.run(groups.key(settled), figure, s.item_id, None,
                      groups.source(sla_targets.join(items, items.c.id == s.item_id)),
                      *_tickets(user), or_(in_time, late))


# -- the interval log ------------------------------------------------------------------------

def status_time(conn: Connection, start: datetime, end: datetime, now: datetime,
                *, per_interval: bool) -> list[tuple[str, str, str | None, float, float]]:
    """The status log cut to [start, min(end, now)): per agent, status and aux code, the
    seconds spent (start and end as epoch seconds per interval with `per_interval`, else
    summed with the start 0)."""
    log = agent_status_log.c
    stop = min(end, now)
    if _postgres(conn):
        begin = func.greatest(log.started_at, _at(start))
        finish = func.least(func.coalesce(log.ended_at, _at(stop)), _at(stop))
    else:
        begin = func.max(log.started_at, _at(start))
        finish = func.min(func.coalesce(log.ended_at, _at(stop)), _at(stop))
    where = [log.started_at < _at(stop), or_(log.ended_at.is_(None), log.ended_at > _at(start))]
    if per_interval:
        query = select(log.agent_id, log.status, log.aux_code, epoch(conn, begin),
                       epoch(conn, finish)).where(*where)
    else:
        seconds = func.sum(epoch(conn, finish) - epoch(conn, begin))
        query = (select(log.agent_id, log.status, log.aux_code, literal(0.0), seconds)
                 .where(*where).group_by(log.agent_id, log.status, log.aux_code))
    return [(a, s, c, float(b), float(e)) for a, s, c, b, e in conn.execute(query)
            if e is not None and float(e) > float(b)]

