"""Keeping each ticket's SLA targets as the conversation moves, and raising their alarms.

The ticket actions call these inside their own transaction. A sweep in every server process
raises at-risk and breach alarms once each (claimed compare-and-set, so replicas never send
one twice): an event for the live clients, a timeline entry, a journal record, and a webhook
to the ticket's callback_url.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from cockpit.domain.models import Kind
from cockpit.server import journal, outbox
from cockpit.store import events, inbox, timeline
from cockpit.store import sla as targets

log = logging.getLogger("cockpit.sla")


def _minutes(conn: Connection, priority: str) -> dict[str, int]:
    return targets.policies(conn)[priority]


def ticket_created(conn: Connection, row: dict[str, Any], now: datetime) -> None:
    if row["kind"] != Kind.TICKET:
        return
    minutes = _minutes(conn, row["priority"])
    start = min(row["created_at"], now)
    targets.start(conn, row["id"], "first_response", start, minutes["first_response"])
    targets.start(conn, row["id"], "resolution", start, minutes["resolution"])


def replied(conn: Connection, row: dict[str, Any], now: datetime) -> None:
    targets.meet(conn, row["id"], ["first_response", "next_response"], now)


def customer_wrote(conn: Connection, row: dict[str, Any], now: datetime, *,
                   reopened: bool) -> None:
    """The customer is waiting for an answer again (once someone has answered before); a
    ticket they reopen needs resolving again."""
    minutes = _minutes(conn, row["priority"])
    known = targets.targets_for(conn, [row["id"]]).get(row["id"], [])
    if any(t.name == "first_response" and t.met_at is not None for t in known):
        targets.start(conn, row["id"], "next_response", now, minutes["next_response"])
    if reopened:
        reopened_ticket(conn, row, now)


def reopened_ticket(conn: Connection, row: dict[str, Any], now: datetime) -> None:
    targets.start(conn, row["id"], "resolution", now, _minutes(conn, row["priority"])["resolution"])


def closed(conn: Connection, row: dict[str, Any], now: datetime) -> None:
    """Closing resolves the ticket and stops every clock still running."""
    targets.meet(conn, row["id"], ["first_response", "next_response", "resolution"], now)


def reprioritised(conn: Connection, row: dict[str, Any], priority: str) -> None:
    targets.retime(conn, row["id"], _minutes(conn, priority))


def sweep(engine: Engine, now: datetime) -> int:
    """Raise every alarm that is due; answers how many went out."""
    raised = 0
    with engine.begin() as conn:
        for target in targets.alarms_due(conn, now):
            level = "breached" if target["due_at"] <= now else "at_risk"
            if not targets.mark_raised(conn, target["item_id"], target["target"], level):
                continue
            row = inbox.get_row(conn, target["item_id"])
            if row is None:
                continue
            detail = f"{target['target'].replace('_', ' ')} {level.replace('_', ' ')}"
            timeline.add(conn, row["id"], "sla", "system", now, target=target["target"],
                         status=level, due_at=target["due_at"].isoformat())
            events.append(conn, "sla." + level, {"items": [events.item_entry(row)],
                                                 "target": target["target"]})
            journal.record(conn, actor="system", origin="system", action=f"sla.{level}",
                           item_id=row["id"], params={"target": target["target"]},
                           detail=detail)
            outbox.enqueue(conn, row, f"sla.{level}", "system",
                           {"target": target["target"], "due_at": target["due_at"].isoformat()},
                           now)
            raised += 1
    return raised
