"""Reports for a period, by agent, queue, tag or day (DESIGN.md, "Agents, queues, routing,
reports"), and the figures of today that live metrics show.

Each report answers rows of figures, each row with the ticket ids behind it (and, where a
figure stands for a part of them, `drill`: those ids per figure), and a total over the whole
period (not a sum of the rows: a ticket with two tags is in two rows, once in the total).

Who a row is about, `by=agent`: for first response and response, the person who replied;
otherwise the ticket's assignee. `by=day` is the UTC day the figure happened: a ticket's
creation, a reply, a close, a rating, an SLA target met or breached. `by=queue` and `by=tag`
read the ticket as it is now. The store computes each sample in SQL; this groups them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from cockpit.domain.agents import STATUSES, split_by_day
from cockpit.domain.reports import (
    FIGURES,
    MEASURES,
    csat_figures,
    sla_figures,
    time_figures,
)
from cockpit.domain.roles import Principal
from cockpit.server.errors import BadRequest
from cockpit.store import agents as stored_agents
from cockpit.store import reports as store

NONE_LABELS = {"agent": "(unassigned)", "queue": "(no queue)", "tag": "(untagged)"}


class Bucket:
    """What one row gathers: values to summarise, tickets, tickets per figure, seconds."""

    __slots__ = ("drill", "ids", "seconds", "values")

    def __init__(self) -> None:
        self.values: list[float] = []
        self.ids: list[int] = []
        self.drill: dict[str, list[int]] = defaultdict(list)
        self.seconds: dict[str, float] = defaultdict(float)

    def take(self, group: store.Group) -> None:
        self.values.extend(group.values)
        self.ids.extend(group.ids)
        if group.figure is not None:
            self.drill[group.figure].extend(group.ids)


def _facts(conn: Connection, user: Principal, name: str, start: datetime, end: datetime,
           by: str | None, now: datetime) -> list[store.Group]:
    if name == "volume":
        return store.created(conn, user, start, end, by) + \
            store.status_changes(conn, user, start, end, by)
    if name == "sla":
        return store.sla_outcomes(conn, user, start, end, now, by)
    if name == "csat":
        return store.ratings(conn, user, start, end, by)
    return store.clock_samples(conn, user, name, start, end, by)


def _grouped(conn: Connection, user: Principal, name: str, start: datetime, end: datetime,
             by: str | None, now: datetime) -> tuple[Bucket, dict[str | None, Bucket]]:
    """The rows and the total. A ticket is in one row of each figure except by tag, whose
    total is read on its own."""
    rows: dict[str | None, Bucket] = defaultdict(Bucket)
    for group in _facts(conn, user, name, start, end, by, now):
        rows[group.key].take(group)
    total = Bucket()
    if by is None:
        return rows.get(None) or total, {}
    if by == "tag":
        for group in _facts(conn, user, name, start, end, None, now):
            total.take(group)
        return total, rows
    for bucket in rows.values():
        total.values.extend(bucket.values)
        total.ids.extend(bucket.ids)
        for figure, ids in bucket.drill.items():
            total.drill[figure].extend(ids)
    return total, rows


def _aux(conn: Connection, start: datetime, end: datetime, by: str | None,
         now: datetime) -> tuple[Bucket, dict[str | None, Bucket]]:
    if by == "tag":
        raise BadRequest("by: the aux report is by agent, queue or day")
    total: Bucket = Bucket()
    rows: dict[str | None, Bucket] = defaultdict(Bucket)
    queues = {a["id"]: a["queues"] or [] for a in stored_agents.roster(conn)} \
        if by == "queue" else {}
    for agent, status, code, begin, finish in store.status_time(
            conn, start, end, now, per_interval=by == "day"):
        pieces = split_by_day(begin, finish) if by == "day" else [("", finish - begin)]
        for on, seconds in pieces:
            if by == "agent":
                keys: list[str | None] = [agent]
            elif by == "queue":
                keys = list(queues.get(agent) or [None])
            elif by == "day":
                keys = [on]
            else:
                keys = []
            for bucket in (total, *(rows[k] for k in keys)):
                bucket.seconds[status] += seconds
                if code:
                    bucket.seconds[code] += seconds
    return total, rows


# -- the answer ------------------------------------------------------------------------------

def _figures(name: str, bucket: Bucket, codes: list[str]) -> dict[str, Any]:
    if name in MEASURES:
        return time_figures(bucket.values)
    if name == "volume":
        return {f: len(set(bucket.drill.get(f, ()))) for f in FIGURES["volume"]}
    if name == "sla":
        counts = {f: len(set(ids)) for f, ids in bucket.drill.items()}
        achieved = {f.removesuffix("_achieved"): n for f, n in counts.items()
                    if f.endswith("_achieved")}
        breached = {f.removesuffix("_breached"): n for f, n in counts.items()
                    if f.endswith("_breached")}
        return sla_figures(achieved, breached)
    if name == "csat":
        return csat_figures([int(v) for v in bucket.values])
    return {k: round(bucket.seconds.get(k, 0.0)) for k in (*STATUSES, *codes)}


def _row(name: str, key: str | None, by: str | None, bucket: Bucket,
         codes: list[str]) -> dict[str, Any]:
    label = key if key is not None else NONE_LABELS.get(by or "", "total")
    return {"key": key, "label": label, "figures": _figures(name, bucket, codes),
            "ticket_ids": sorted(set(bucket.ids)),
            "drill": {f: sorted(set(ids)) for f, ids in sorted(bucket.drill.items())}}


def report(conn: Connection, user: Principal, name: str, start: datetime, end: datetime,
           by: str | None, now: datetime) -> dict[str, Any]:
    codes: list[str] = []
    if name == "aux":
        total, rows = _aux(conn, start, end, by, now)
        known = [c for c, _ in stored_agents.aux_code_list(conn)]
        spent = set(total.seconds) - set(STATUSES)
        codes = [c for c in known if c in spent] + sorted(spent - set(known))
    else:
        total, rows = _grouped(conn, user, name, start, end, by, now)
    ordered = sorted(rows.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    return {
        "name": name, "from": start, "to": end, "by": by,
        "figures": list(FIGURES[name]) if name != "aux" else [*STATUSES, *codes],
        "rows": [_row(name, k, by, b, codes) for k, b in ordered],
        "total": _row(name, None, None, total, codes),
    }


def today(conn: Connection, user: Principal, start: datetime, now: datetime) -> dict[str, Any]:
    """Handled (closed), median first response and CSAT since `start`, for live metrics."""
    closed = {i for g in store.status_changes(conn, user, start, now, None)
              if g.figure == "closed" for i in g.ids}
    first = [v for g in store.clock_samples(conn, user, "first_response", start, now, None)
             for v in g.values]
    rated = [int(v) for g in store.ratings(conn, user, start, now, None) for v in g.values]
    return {"handled": len(closed),
            "first_response_median_s": time_figures(first)["median_s"],
            "csat": csat_figures(rated)}
