"""SLA policies and each ticket's targets, in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    delete,
    exists,
    false,
    insert,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.sql import ColumnElement

from cockpit.domain.sla import DEFAULT_POLICIES, TARGETS, Target, due, warn_at
from cockpit.store.each import update_each
from cockpit.store.tables import items, sla_policies, sla_targets

t = sla_targets.c


def policies(conn: Connection) -> dict[str, dict[str, int]]:
    """Minutes per target for every priority: what is stored, else the defaults."""
    found = {str(k): dict(v) for k, v in DEFAULT_POLICIES.items()}
    for row in conn.execute(select(sla_policies)):
        found[row.priority] = {name: getattr(row, name) for name in TARGETS}
    return found


def set_policy(conn: Connection, priority: str, minutes: dict[str, int]) -> None:
    conn.execute(delete(sla_policies).where(sla_policies.c.priority == priority))
    conn.execute(insert(sla_policies).values(priority=priority, **minutes))


def start(conn: Connection, item_id: int, target: str, at: datetime, minutes: int) -> None:
    """(Re)start one target from `at`: pending again, no alarm raised yet."""
    due_at = due(at, minutes)
    conn.execute(delete(sla_targets).where(t.item_id == item_id, t.target == target))
    conn.execute(insert(sla_targets).values(item_id=item_id, target=target, start_at=at,
                                            due_at=due_at, warn_at=warn_at(at, due_at),
                                            met_at=None, raised=""))


def meet(conn: Connection, item_id: int, targets: Sequence[str], at: datetime) -> None:
    conn.execute(update(sla_targets).where(t.item_id == item_id, t.target.in_(targets),
                                           t.met_at.is_(None)).values(met_at=at))


def retime(conn: Connection, item_id: int, minutes: dict[str, int]) -> None:
    """A new priority: every pending target falls due by the new policy, from its start."""
    for row in conn.execute(select(sla_targets).where(t.item_id == item_id,
                                                      t.met_at.is_(None))).all():
        due_at = due(row.start_at, minutes[row.target])
        conn.execute(update(sla_targets).where(t.item_id == item_id, t.target == row.target)
                     .values(due_at=due_at, warn_at=warn_at(row.start_at, due_at), raised=""))


def meet_many(conn: Connection, item_ids: Sequence[int], targets: Sequence[str],
              at: datetime) -> None:
    """`meet` for many items at once."""
    for begin in range(0, len(item_ids), 500):
        conn.execute(update(sla_targets).where(t.item_id.in_(item_ids[begin:begin + 500]),
                                               t.target.in_(targets), t.met_at.is_(None))
                     .values(met_at=at))


def retime_many(conn: Connection, minutes: dict[int, dict[str, int]]) -> None:
    """`retime` for many items at once: item id -> minutes per target of its new priority."""
    ids = list(minutes)
    changes = []
    for begin in range(0, len(ids), 500):
        for row in conn.execute(select(t.item_id, t.target, t.start_at).where(
                t.item_id.in_(ids[begin:begin + 500]), t.met_at.is_(None))):
            due_at = due(row.start_at, minutes[row.item_id][row.target])
            changes.append({"item_id": row.item_id, "target": row.target, "due_at": due_at,
                            "warn_at": warn_at(row.start_at, due_at), "raised": ""})
    update_each(conn, sla_targets, ("item_id", "target"), changes)


def targets_for(conn: Connection, item_ids: Sequence[int]) -> dict[int, list[Target]]:
    found: dict[int, list[Target]] = {}
    for begin in range(0, len(item_ids), 500):
        query = select(sla_targets).where(t.item_id.in_(item_ids[begin:begin + 500]))
        for row in conn.execute(query):
            found.setdefault(row.item_id, []).append(
                Target(row.target, row.start_at, row.due_at, row.met_at))
    return found


def alarms_due(conn: Connection, now: datetime, limit: int = 500) -> list[dict[str, Any]]:
    """Pending targets of open tickets whose at-risk or breach alarm has not gone out yet,
    the earliest due first. Two reads, each along ix_sla_targets_alarms: targets with no
    alarm yet past their warning (their breach too, if also past due: a target warns before
    it is due), and targets raised at risk now past due."""
    open_item = and_(items.c.id == t.item_id, items.c.state != "resolved")
    pending = select(sla_targets).join(items, open_item).where(t.met_at.is_(None))
    unraised = pending.where(t.raised == "", t.warn_at <= now).order_by(t.warn_at).limit(limit)
    at_risk = (pending.where(t.raised == "at_risk", t.due_at <= now)
               .order_by(t.due_at).limit(limit))
    due = [dict(r._mapping) for query in (unraised, at_risk) for r in conn.execute(query)]
    return sorted(due, key=lambda target: target["due_at"])[:limit]


def mark_raised(conn: Connection, item_id: int, target: str, raised: str) -> bool:
    """Claim the alarm (compare-and-set): False when another process sent it first."""
    before = "" if raised == "at_risk" else None
    query = update(sla_targets).where(t.item_id == item_id, t.target == target,
                                      t.raised != raised)
    if before is not None:
        query = query.where(t.raised == before)
    return (conn.execute(query.values(raised=raised)).rowcount or 0) == 1


def states_clause(states: set[str], now: datetime) -> ColumnElement[bool]:
    """Items whose tracked SLA is in any of `states`, with at most two probes of the SLA table
    per item whatever the set (`sla:at_risk,breached`, the overdue view, is one probe: a
    target past its warning, since a target warns before it is due)."""
    pending = and_(t.item_id == items.c.id, t.met_at.is_(None))
    warned = exists(select(1).where(pending, t.warn_at <= now))
    breached = exists(select(1).where(pending, t.due_at <= now))
    wanted = frozenset(states) & {"ok", "at_risk", "breached"}
    clauses = {
        frozenset({"breached"}): lambda: breached,
        frozenset({"at_risk"}): lambda: and_(warned, not_(breached)),
        frozenset({"at_risk", "breached"}): lambda: warned,
        frozenset({"ok"}): lambda: and_(tracked(), not_(warned)),
        frozenset({"ok", "at_risk"}): lambda: and_(tracked(), not_(breached)),
        frozenset({"ok", "breached"}): lambda: and_(tracked(), or_(not_(warned), breached)),
        frozenset({"ok", "at_risk", "breached"}): tracked,
    }
    return clauses[wanted]() if wanted else false()


def tracked() -> ColumnElement[bool]:
    return exists(select(1).where(t.item_id == items.c.id))
