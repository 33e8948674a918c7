"""Reports for a period, by agent, queue, tag or day (DESIGN.md, "Agents, queues, routing,
reports"), and the figures of today that live metrics show.

Each report answers rows of figures, each row with the ticket ids behind it (and, where a
figure stands for a part of them, `drill`: those ids per figure), and a total over the whole
period (not a sum of the rows: a ticket with two tags is in two rows, once in the total).

Who a row is about, `by=agent`: for first response and response, the person who replied;
otherwise the ticket's assignee. `by=day` is the UTC day the figure happened: a ticket's
creation, a reply, a close, a rating, an SLA target met or breached. `by=queue` and `by=tag`
read the ticket as it is now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from cockpit.domain.agents import STATUSES, split_by_day, time_in
from cockpit.domain.reports import (
    FIGURES,
    MEASURES,
    POSITIVE_RATING,
    Entry,
    Sample,
    csat_figures,
    samples,
    sla_figures,
    sla_outcome,
    time_figures,
)
from cockpit.domain.roles import Principal
from cockpit.server.errors import BadRequest
from cockpit.store import agents as stored_agents
from cockpit.store import reports as store

NONE_LABELS = {"agent": "(unassigned)", "queue": "(no queue)", "tag": "(untagged)"}


@dataclass
class Bucket:
    """What one row gathers: values to summarise, the tickets, and tickets per figure."""

    values: list[float] = field(default_factory=list)
    ids: set[int] = field(default_factory=set)
    drill: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))


class Rows:
    """Buckets by row key, and the total."""

    def __init__(self, by: str | None) -> None:
        self.by = by
        self.buckets: dict[str | None, Bucket] = {}
        self.total = Bucket()

    def add(self, keys: Iterable[str | None], ticket_id: int | None, *,
            value: float | None = None, figure: str | None = None,
            seconds: dict[str, float] | None = None) -> None:
        targets = [self.total] + [self.buckets.setdefault(k, Bucket())
                                  for k in (keys if self.by else ())]
        for bucket in targets:
            if value is not None:
                bucket.values.append(value)
            if ticket_id is not None:
                bucket.ids.add(ticket_id)
                if figure is not None:
                    bucket.drill[figure].add(ticket_id)
            for name, s in (seconds or {}).items():
                bucket.seconds[name] += s


def _keys(by: str | None, ticket: dict[str, Any] | None, at: datetime,
          agent: str | None = None) -> list[str | None]:
    if by is None:
        return []
    if by == "day":
        return [at.date().isoformat()]
    ticket = ticket or {}
    if by == "agent":
        return [agent if agent is not None else ticket.get("assignee_id")]
    if by == "queue":
        return [ticket.get("queue")]
    tags = [t for t in ticket.get("tags") or [] if isinstance(t, str)]
    return list(dict.fromkeys(tags)) or [None]


# -- the clocks: first response, response, resolution ----------------------------------------

def measured(conn: Connection, user: Principal, measure: str, start: datetime, end: datetime,
             *, tags: bool = False) -> tuple[list[tuple[int, Sample]], dict[int, dict]]:
    """Every `measure` sample taken in [start, end) on a ticket `user` may see, and those
    tickets' facts."""
    kind = "status" if measure == "resolution" else "reply"
    ids = store.touched(user, [kind], start, end)
    humans = stored_agents.human_authors(conn)
    tickets = store.ticket_facts(conn, ids, tags=tags)
    found: list[tuple[int, Sample]] = []
    current: int | None = None
    entries: list[Entry] = []

    def flush() -> None:
        if current is not None and current in tickets:
            for sample in samples(tickets[current]["created_at"], entries):
                if sample.measure == measure and start <= sample.at < end:
                    found.append((current, sample))

    for item_id, type_, author, at, to in store.clock_entries(conn, ids, end):
        if item_id != current:
            flush()
            current, entries = item_id, []
        entries.append(Entry(type_, at, author, author in humans, to))
    flush()
    return found, tickets


def _clock_report(conn: Connection, user: Principal, measure: str, start: datetime,
                  end: datetime, by: str | None) -> Rows:
    rows = Rows(by)
    found, tickets = measured(conn, user, measure, start, end, tags=by == "tag")
    for item_id, sample in found:
        agent = sample.author if measure != "resolution" else None
        rows.add(_keys(by, tickets.get(item_id), sample.at, agent), item_id,
                 value=sample.seconds)
    return rows


# -- volume, SLA, CSAT -----------------------------------------------------------------------

def _volume(conn: Connection, user: Principal, start: datetime, end: datetime,
            by: str | None) -> Rows:
    events: list[tuple[int, datetime, str]] = [
        (i, at, "created") for i, at in store.created(conn, user, start, end)]
    for item_id, at, _author, to in store.entries_of(conn, user, "status", start, end, "to"):
        if to == "closed":
            events.append((item_id, at, "closed"))
        elif to == "open":
            events.append((item_id, at, "reopened"))
    return _by_ticket(conn, events, by)


def _by_ticket(conn: Connection, events: list[tuple[int, datetime, str]],
               by: str | None) -> Rows:
    rows = Rows(by)
    tickets = store.ticket_facts(conn, sorted({e[0] for e in events}), tags=by == "tag") \
        if by in ("agent", "queue", "tag") else {}
    for item_id, at, figure in events:
        rows.add(_keys(by, tickets.get(item_id), at), item_id, figure=figure)
    return rows


def _sla(conn: Connection, user: Principal, start: datetime, end: datetime, by: str | None,
         now: datetime) -> Rows:
    events = []
    for item_id, target, due_at, met_at in store.sla_rows(conn, user, start, end):
        outcome = sla_outcome(due_at, met_at, now)
        if outcome is not None and start <= outcome[1] < end:
            events.append((item_id, outcome[1], f"{target}_{outcome[0]}"))
    return _by_ticket(conn, events, by)


def _csat(conn: Connection, user: Principal, start: datetime, end: datetime,
          by: str | None) -> Rows:
    latest: dict[int, tuple[datetime, int]] = {}
    for item_id, at, _author, rating in store.entries_of(conn, user, "csat", start, end,
                                                         "rating"):
        if isinstance(rating, int) and 1 <= rating <= 5:
            latest[item_id] = (at, rating)  # oldest first: the last one stays
    rows = Rows(by)
    tickets = store.ticket_facts(conn, sorted(latest), tags=by == "tag") \
        if by in ("agent", "queue", "tag") else {}
    for item_id, (at, rating) in latest.items():
        rows.add(_keys(by, tickets.get(item_id), at), item_id, value=rating,
                 figure="positive" if rating >= POSITIVE_RATING else "negative")
    return rows


def _aux(conn: Connection, start: datetime, end: datetime, by: str | None,
         now: datetime) -> Rows:
    if by in ("tag",):
        raise BadRequest("by: the aux report is by agent, queue or day")
    rows = Rows(by)
    queues = {a["id"]: a["queues"] or [] for a in stored_agents.roster(conn)} \
        if by == "queue" else {}
    for interval, begin, stop in time_in(stored_agents.intervals(conn, start, end), start,
                                         end, now):
        pieces = split_by_day(begin, stop) if by == "day" else [(begin, stop)]
        for piece_start, piece_stop in pieces:
            seconds = (piece_stop - piece_start).total_seconds()
            spent = {interval.status: seconds}
            if interval.aux_code:
                spent[interval.aux_code] = spent.get(interval.aux_code, 0) + seconds
            if by == "agent":
                keys: list[str | None] = [interval.agent_id]
            elif by == "queue":
                keys = list(queues.get(interval.agent_id) or [None])
            elif by == "day":
                keys = [piece_start.date().isoformat()]
            else:
                keys = []
            rows.add(keys, None, seconds=spent)
    return rows


# -- the answer ------------------------------------------------------------------------------

def _figures(name: str, bucket: Bucket, codes: list[str]) -> dict[str, Any]:
    if name in MEASURES:
        return time_figures(bucket.values)
    if name == "volume":
        return {f: len(bucket.drill.get(f, ())) for f in FIGURES["volume"]}
    if name == "sla":
        achieved = {t.removesuffix("_achieved"): len(ids) for t, ids in bucket.drill.items()
                    if t.endswith("_achieved")}
        breached = {t.removesuffix("_breached"): len(ids) for t, ids in bucket.drill.items()
                    if t.endswith("_breached")}
        return sla_figures(achieved, breached)
    if name == "csat":
        return csat_figures([int(v) for v in bucket.values])
    return {k: round(bucket.seconds.get(k, 0.0)) for k in (*STATUSES, *codes)}


def _row(name: str, key: str | None, by: str | None, bucket: Bucket,
         codes: list[str]) -> dict[str, Any]:
    label = key if key is not None else NONE_LABELS.get(by or "", "total")
    return {"key": key, "label": label, "figures": _figures(name, bucket, codes),
            "ticket_ids": sorted(bucket.ids),
            "drill": {f: sorted(ids) for f, ids in sorted(bucket.drill.items())}}


def report(conn: Connection, user: Principal, name: str, start: datetime, end: datetime,
           by: str | None, now: datetime) -> dict[str, Any]:
    builders: dict[str, Callable[[], Rows]] = {
        "volume": lambda: _volume(conn, user, start, end, by),
        "first_response": lambda: _clock_report(conn, user, "first_response", start, end, by),
        "response": lambda: _clock_report(conn, user, "response", start, end, by),
        "resolution": lambda: _clock_report(conn, user, "resolution", start, end, by),
        "sla": lambda: _sla(conn, user, start, end, by, now),
        "csat": lambda: _csat(conn, user, start, end, by),
        "aux": lambda: _aux(conn, start, end, by, now),
    }
    rows = builders[name]()
    codes: list[str] = []
    if name == "aux":
        known = [c for c, _ in stored_agents.aux_code_list(conn)]
        spent = set(rows.total.seconds) - set(STATUSES)
        codes = [c for c in known if c in spent] + sorted(spent - set(known))
    ordered = sorted(rows.buckets.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    return {
        "name": name, "from": start, "to": end, "by": by,
        "figures": list(FIGURES[name]) if name != "aux" else [*STATUSES, *codes],
        "rows": [_row(name, k, by, b, codes) for k, b in ordered],
        "total": _row(name, None, None, rows.total, codes),
    }


def today(conn: Connection, user: Principal, start: datetime, now: datetime) -> dict[str, Any]:
    """Handled (closed), median first response and CSAT since `start`, for live metrics."""
    closed = {i for i, _at, _a, to in store.entries_of(conn, user, "status", start, now, "to")
              if to == "closed"}
    found, _ = measured(conn, user, "first_response", start, now)
    csat = _csat(conn, user, start, now, None).total
    return {"handled": len(closed),
            "first_response_median_s": time_figures([s.seconds for _, s in found])["median_s"],
            "csat": csat_figures([int(v) for v in csat.values])}
