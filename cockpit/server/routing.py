"""Routing on the server: each pass reads waiting tickets and free agents, lets the domain
decide (cockpit/domain/routing.py), claims what it decided and journals every decision.

One claim wins across replicas. A pass locks the free agents it may give tickets to and the
waiting tickets it takes, both with SKIP LOCKED: rows another pass holds are simply not its to
route, so passes never wait for each other and never deadlock. An agent's load is counted only
after their row is locked, and everything that assigns a ticket to an agent (a pass, a manual
assignment, a transfer) holds that lock, so no storm of passes can fill an agent past their
capacity. The claim itself is conditional (`assignee_id IS NULL`): a ticket is given once.

Freed capacity drains the queues at once: closing, transferring or reassigning a ticket
(`settle`, from the ticket actions), an agent becoming available or gaining capacity, skills
or queues, a new ticket and a changed queue each run a pass in their own transaction. The
sweep runs one over every queue every few seconds, for skill requirements that time out.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert

from cockpit.domain.agents import CAPACITY_DEFAULT
from cockpit.domain.models import Kind, State
from cockpit.domain.routing import NO_AGENT, Agent, Decision, QueueRule, Router, Ticket
from cockpit.server.errors import Conflict
from cockpit.store import agents as stored
from cockpit.store import events, inbox
from cockpit.store import routing as waiting
from cockpit.store.tables import audit, timeline

log = logging.getLogger("cockpit.routing")
MAX_EVENT_ITEMS = 1_000  # past this many tickets routed at once, one reset event
WINDOW_PER_SLOT = 4  # a pass first reads this many waiting tickets per free slot (+ WINDOW_MIN)
WINDOW_MIN = 100
FORCE_WORDS = {True, "true", "1", "yes", "on"}


def rules(conn: Connection) -> dict[str, QueueRule]:
    return {q["name"]: QueueRule(q["name"], tuple(q["skills"] or ()), q["skill_timeout_s"])
            for q in stored.queue_list(conn)}


def _agent(row: dict[str, Any]) -> Agent:
    return Agent(row["user_id"], row["status"], row["capacity"], row["load"],
                 dict(row["skills"] or {}), frozenset(row["queues"] or ()),
                 row["last_assigned_at"])


def _ticket(row: dict[str, Any]) -> Ticket:
    skills = row["skills"]
    if isinstance(skills, str):
        skills = [s.strip() for s in skills.split(",")]
    if not isinstance(skills, list):
        skills = []
    return Ticket(row["id"], row["queue"], row["priority"], row["created_at"],
                  tuple(s for s in dict.fromkeys(skills) if isinstance(s, str) and s),
                  row["sla_due"])


class _Pass:
    """One routing pass inside the caller's transaction."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self.rules = rules(conn)
        self.decisions: list[Decision] = []
        self.assigned: dict[str, list[dict[str, Any]]] = {}
        self.waits: list[tuple[dict[str, Any], Decision]] = []

    def run(self, queues: Collection[str] | None) -> list[Decision]:
        team = [_agent(r) for r in stored.working(self.conn)]
        wanted = None if queues is None else set(queues)
        served = {q for a in team if a.free for q in a.queues
                  if wanted is None or q in wanted}
        # Where nobody is free, tickets wait: journalled once per ticket and reason.
        idle = None if wanted is None else wanted - served
        if idle is None or idle:
            router = Router(self.rules, team)
            for row in waiting.waiting(self.conn, queues=idle, not_in=served,
                                       unless_waiting_for=NO_AGENT):
                self._decide(row, router)
        if served:
            self._route(served, team)
        self._write()
        return self.decisions

    def _route(self, served: set[str], team: list[Agent]) -> None:
        candidates = [a.id for a in team if a.free and a.queues & served]
        locked = set(stored.lock(self.conn, candidates, skip_locked=True))
        # Counted again now that the rows are ours: what others committed meanwhile counts.
        fresh = {r["user_id"]: _agent(r) for r in stored.working(self.conn)
                 if r["user_id"] in locked}
        team = [fresh.get(a.id) or _busy(a) for a in team]
        slots = sum(a.capacity - a.load for a in team if a.free)
        if not slots:
            return
        router = Router(self.rules, team)
        seen: set[int] = set()
        window = WINDOW_PER_SLOT * slots + WINDOW_MIN
        rows = waiting.waiting(self.conn, queues=served, limit=window, lock=True)
        for row in rows:
            seen.add(row["id"])
            self._decide(row, router)
        if len(rows) == window and any(a.free and a.queues & served for a in team):
            for row in waiting.waiting(self.conn, queues=served, lock=True):
                if row["id"] not in seen:
                    self._decide(row, router)

    def _decide(self, row: dict[str, Any], router: Router) -> None:
        ticket = _ticket(row)
        decision = router.choose(ticket, self.now)
        self.decisions.append(decision)
        if decision.agent_id is not None:
            router.take(decision, self.now)
            self.assigned.setdefault(decision.agent_id, []).append({**row, "decision": decision})
        elif (row["wait_reason"], row["waited_in"]) != (decision.reason, ticket.queue):
            self.waits.append((row, decision))

    def _write(self) -> None:
        conn, now = self.conn, self.now
        journal: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for agent_id, rows in sorted(self.assigned.items()):
            taken = set(waiting.claim(conn, agent_id, [r["id"] for r in rows], now))
            if taken:
                stored.change(conn, agent_id, last_assigned_at=now)
            for row in rows:
                decision: Decision = row["decision"]
                if row["id"] not in taken:  # someone else's now: it no longer waits
                    continue
                journal.append(_record(row["id"], decision, "ok"))
                entries.append({"item_id": row["id"], "type": "assign", "author": "system",
                                "body_md": "", "internal": False, "at": now,
                                "data": {"from": None, "to": agent_id, "by": "routing",
                                         "reason": decision.detail}})
                changed.append({**row, "assignee_id": agent_id})
        for row, decision in self.waits:
            journal.append(_record(row["id"], decision, "waiting"))
        waiting.clear_waits(conn, [r["id"] for r in changed])
        waiting.note_waits(conn, [{"item_id": row["id"], "queue": d.queue, "reason": d.reason,
                                   "at": now} for row, d in self.waits])
        if entries:
            conn.execute(insert(timeline), entries)
        if journal:
            conn.execute(insert(audit), journal)
        if len(changed) > MAX_EVENT_ITEMS:
            events.append(conn, "reset", {"reason": f"routing: {len(changed)} tickets"})
        elif changed:
            events.append(conn, "item.updated", {"items": [events.item_entry(r)
                                                           for r in changed],
                                                 "action": "route"})


def _busy(agent: Agent) -> Agent:
    """An agent another pass holds: not free in this one."""
    return Agent(agent.id, "busy", agent.capacity, agent.load, agent.skills, agent.queues,
                 agent.last_assigned_at)


def _record(item_id: int, decision: Decision, result: str) -> dict[str, Any]:
    """A journal record (the journal's own clock: the time it was written)."""
    return {"at": datetime.now(UTC), "actor": "system", "origin": "system", "action": "route",
            "item_id": item_id, "params": decision.params, "result": result,
            "detail": decision.detail, "latency_ms": None}


def route(conn: Connection, now: datetime, *,
          queues: Collection[str] | None = None) -> list[Decision]:
    """One pass over `queues` (every queue when None), in the caller's transaction; answers
    its decisions (assignments and new reasons to wait)."""
    return _Pass(conn, now).run(queues)


# -- hooks for the ticket actions and ingest ---------------------------------------------------

def _queue_of(row: dict[str, Any], changes: dict[str, Any]) -> str | None:
    payload = changes.get("payload", row.get("payload")) or {}
    queue = payload.get("queue") if isinstance(payload, dict) else None
    return queue.strip() if isinstance(queue, str) and queue.strip() else None


@dataclass(frozen=True)
class Settling:
    """What a ticket's changes mean for routing: the agent whose capacity they free, and
    whether the ticket waits again (open and unassigned), in which queue if any."""

    freed: str | None
    waits: bool
    queue: str | None


def settling(row: dict[str, Any], changes: dict[str, Any]) -> Settling:
    before = row.get("assignee_id")
    after = changes.get("assignee_id", before)
    is_open = changes.get("state", row.get("state")) != State.RESOLVED
    waits = after is None and is_open
    freed = before if before is not None and (before != after or not is_open) else None
    return Settling(freed, waits, _queue_of(row, changes) if waits else None)


def settle(conn: Connection, row: dict[str, Any], changes: dict[str, Any],
           now: datetime) -> dict[str, Any]:
    """A ticket action's changes, written now so routing sees them, then the pass they call
    for: the queues of an agent who lost this ticket (capacity freed), and the ticket's own
    queue when it waits again. Answers the changes, with the assignee routing gave it."""
    if row.get("kind") != Kind.TICKET:
        return changes
    inbox.update_rows(conn, [row["id"]], changes)
    plan = settling(row, changes)
    queues: set[str] = set()
    if plan.freed is not None:
        freed = stored.get(conn, plan.freed)
        queues.update((freed or {}).get("queues") or ())
    if plan.queue:
        queues.add(plan.queue)
    if not plan.waits:
        waiting.clear_waits(conn, [row["id"]])
    if not queues:
        return changes
    route(conn, now, queues=queues)
    if plan.waits:
        routed = waiting.assignee_of(conn, row["id"])
        if routed is not None:
            return {**changes, "assignee_id": routed, "updated_at": now}
    return changes


def reserve(conn: Connection, agent_id: str, ticket_id: int, now: datetime, *, force: Any,
            field: str) -> str | None:
    """Before a person gives a ticket to `agent_id`: their row locked (so no routing pass
    fills them meanwhile) and their capacity checked (`past_capacity`)."""
    agent = stored.get(conn, agent_id, for_update=True)
    capacity = agent["capacity"] if agent else CAPACITY_DEFAULT
    load = stored.load_of(conn, agent_id, excluding=ticket_id)
    if agent is not None:
        stored.change(conn, agent_id, last_assigned_at=now)
    return past_capacity(agent_id, load, capacity, force=force, field=field)


def past_capacity(agent_id: str, load: int, capacity: int, *, force: Any,
                  field: str) -> str | None:
    """Giving `agent_id` one more ticket on top of `load`: past capacity is refused unless
    `force`; answers a line for the journal when forced past it."""
    if load < capacity:
        return None
    if force not in FORCE_WORDS:
        raise Conflict(f"{field}: {agent_id} is at capacity ({load} of {capacity} open "
                       "tickets); send force: true to assign past it")
    return f"past capacity: {agent_id} now has {load + 1} of {capacity}, forced"


def ticket_created(conn: Connection, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A new ticket in a queue is routed at once, in the transaction that stores it; answers
    the row's changes (the agent it went to)."""
    if row.get("kind") != Kind.TICKET or row.get("assignee_id") is not None \
            or row.get("state") == State.RESOLVED:
        return {}
    queue = _queue_of(row, {})
    if not queue:
        return {}
    route(conn, now, queues={queue})
    routed = waiting.assignee_of(conn, row["id"])
    return {"assignee_id": routed, "updated_at": now} if routed is not None else {}
