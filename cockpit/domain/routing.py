"""Routing: which available agent gets a waiting ticket (DESIGN.md, "Agents, queues, routing,
reports"). Pure: the store finds the tickets and agents, the server claims what this decides.

Waiting tickets (open, unassigned, in a queue) are taken by priority, then the earliest SLA
due time, then time queued. Each goes to an agent of its queue who is available, below
capacity and has every required skill (the queue's and the ticket's): the highest proficiency
in those skills first, then the lowest load, then the longest since their last assignment.
With nobody skilled free, the skill requirement drops once the ticket has waited the queue's
`skill_timeout_s`; with nobody free at all, the ticket waits. Every decision names its
candidates and why the winner won, for the journal.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cockpit.domain.agents import AVAILABLE, takes_tickets
from cockpit.domain.models import PRIORITY_RANK

DEFAULT_SKILL_TIMEOUT_S = 60
SKILL_TIMEOUT_MAX_S = 86_400
CANDIDATES_KEPT = 10  # the journal names this many candidates, best first

# Why a ticket went where it went, or waits.
ASSIGNED = "assigned"
SKILLS_DROPPED = "skills_dropped"
NO_AGENT = "no_agent"
NO_SKILL = "no_skill"

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class QueueRule:
    name: str
    skills: tuple[str, ...] = ()
    skill_timeout_s: int = DEFAULT_SKILL_TIMEOUT_S


@dataclass(slots=True)
class Agent:
    """An agent as routing sees them: `status` is what they stated, `load` their open
    tickets; `free` says whether they take one more now."""

    id: str
    status: str
    capacity: int
    load: int
    skills: dict[str, int] = field(default_factory=dict)
    queues: frozenset[str] = frozenset()
    last_assigned_at: datetime | None = None

    @property
    def free(self) -> bool:
        return takes_tickets(self.status, self.load, self.capacity)

    def took(self, now: datetime) -> None:
        self.load += 1
        self.last_assigned_at = now


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    queue: str
    priority: str
    queued_at: datetime
    skills: tuple[str, ...] = ()
    sla_due: datetime | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    ticket_id: int
    queue: str
    agent_id: str | None
    reason: str  # assigned, skills_dropped, no_agent, no_skill
    detail: str
    required: tuple[str, ...]
    candidates: tuple[dict[str, Any], ...] = ()
    skills_dropped_at: datetime | None = None  # when a waiting ticket's skills stop counting

    @property
    def params(self) -> dict[str, Any]:
        """What the journal keeps of it."""
        return {"queue": self.queue, "agent_id": self.agent_id, "reason": self.reason,
                "skills": list(self.required), "candidates": list(self.candidates)}


def order_key(ticket: Ticket) -> tuple:
    """Routing order: priority, then SLA due (a ticket with none after those with one), then
    time queued."""
    due = ticket.sla_due
    return (-PRIORITY_RANK.get(ticket.priority, 0), due is None, due or _NEVER,
            ticket.queued_at, ticket.id)


def required_skills(rule: QueueRule, ticket: Ticket) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*rule.skills, *ticket.skills)))


def proficiency(agent: Agent, required: Sequence[str]) -> int:
    """The agent's proficiency in what the ticket needs: the sum of their levels."""
    return sum(agent.skills.get(s, 0) for s in required)


def _rank(agent: Agent, required: Sequence[str]) -> tuple:
    return (-proficiency(agent, required), agent.load, agent.last_assigned_at or _NEVER,
            agent.id)


def _candidate(agent: Agent, required: Sequence[str]) -> dict[str, Any]:
    return {"id": agent.id, "proficiency": proficiency(agent, required), "load": agent.load,
            "capacity": agent.capacity,
            "last_assigned_at": agent.last_assigned_at.isoformat()
            if agent.last_assigned_at else None}


def _why(winner: Agent, runner_up: Agent | None, required: Sequence[str]) -> str:
    """Which criterion put the winner ahead of the next best."""
    if runner_up is None:
        return "the only candidate"
    mine, theirs = _rank(winner, required), _rank(runner_up, required)
    if mine[0] != theirs[0]:
        return f"highest proficiency ({-mine[0]} against {-theirs[0]})"
    if mine[1] != theirs[1]:
        return f"lowest load ({winner.load} against {runner_up.load})"
    if mine[2] != theirs[2]:
        return "longest since their last assignment"
    return "tied; first by name"


def _free(agent: Agent) -> bool:
    return agent.status == AVAILABLE and agent.load < agent.capacity


def _skilled(agent: Agent, required: Sequence[str]) -> bool:
    return all(agent.skills.get(s, 0) >= 1 for s in required)


class Router:
    """Decisions for many tickets against one team, each assignment counting against the
    agent's capacity for the tickets after it.

    For each queue and skill set the free candidates sit in a heap by rank; an agent's rank
    only grows as they take tickets, so a stale entry is re-ranked when it reaches the top and
    a full agent dropped: a decision costs a few heap steps, not a pass over the team."""

    def __init__(self, rules: dict[str, QueueRule], agents: Iterable[Agent]) -> None:
        self.rules = rules
        self.agents = {a.id: a for a in agents}
        self.members: dict[str, list[Agent]] = {}
        for agent in self.agents.values():
            for queue in agent.queues:
                self.members.setdefault(queue, []).append(agent)
        self._heaps: dict[tuple[str, tuple[str, ...], bool], list[tuple[tuple, Agent]]] = {}

    def rule(self, queue: str) -> QueueRule:
        return self.rules.get(queue) or QueueRule(queue)

    def _heap(self, queue: str, required: tuple[str, ...],
              skilled: bool) -> list[tuple[tuple, Agent]]:
        key = (queue, required, skilled)
        heap = self._heaps.get(key)
        if heap is None:
            heap = [(_rank(a, required), a) for a in self.members.get(queue, ())
                    if _free(a) and (not skilled or _skilled(a, required))]
            heapq.heapify(heap)  # ranks end with the agent's id: never a tie
            self._heaps[key] = heap
        return heap

    @staticmethod
    def _best(heap: list[tuple[tuple, Agent]], required: tuple[str, ...],
              count: int) -> list[Agent]:
        """The `count` best free agents of a heap, best first (the heap keeps them)."""
        found: list[tuple[tuple, Agent]] = []
        while heap and len(found) < count:
            rank, agent = heap[0]
            if not _free(agent):
                heapq.heappop(heap)
                continue
            current = _rank(agent, required)
            if current != rank:
                heapq.heapreplace(heap, (current, agent))
                continue
            found.append(heapq.heappop(heap))
        for entry in found:
            heapq.heappush(heap, entry)
        return [agent for _, agent in found]

    def choose(self, ticket: Ticket, now: datetime) -> Decision:
        """Where `ticket` goes now, or why it waits."""
        rule = self.rule(ticket.queue)
        required = required_skills(rule, ticket)
        if not self._best(self._heap(rule.name, (), False), (), 1):
            detail = (f"waits: nobody in queue {rule.name} is available below capacity"
                      if self.members.get(rule.name) else f"waits: queue {rule.name} has no agents")
            return Decision(ticket.id, rule.name, None, NO_AGENT, detail, required)
        reason = ASSIGNED
        ranked = self._best(self._heap(rule.name, required, True), required, CANDIDATES_KEPT)
        if not ranked:
            drops_at = ticket.queued_at + timedelta(seconds=rule.skill_timeout_s)
            if now < drops_at:
                wait = int((drops_at - now).total_seconds() + 0.999)
                detail = (f"waits for {', '.join(required)}: nobody free has "
                          f"{'it' if len(required) == 1 else 'them all'}; the requirement "
                          f"drops in {wait} s")
                return Decision(ticket.id, rule.name, None, NO_SKILL, detail, required,
                                skills_dropped_at=drops_at)
            ranked = self._best(self._heap(rule.name, required, False), required,
                                CANDIDATES_KEPT)
            reason = SKILLS_DROPPED
        winner = ranked[0]
        why = _why(winner, ranked[1] if len(ranked) > 1 else None, required)
        if reason == SKILLS_DROPPED:
            why = (f"nobody free has {', '.join(required)} after {rule.skill_timeout_s} s: "
                   f"skills dropped; {why}")
        return Decision(ticket.id, rule.name, winner.id, reason, f"to {winner.id}: {why}",
                        required, tuple(_candidate(a, required) for a in ranked))

    def take(self, decision: Decision, now: datetime) -> None:
        """Count an assignment the caller made against the agent."""
        if decision.agent_id is not None:
            self.agents[decision.agent_id].took(now)


def choose(ticket: Ticket, rule: QueueRule, agents: Iterable[Agent],
           now: datetime) -> Decision:
    """Where `ticket` goes now, or why it waits (one decision; Router makes many)."""
    return Router({rule.name: rule}, agents).choose(ticket, now)


def plan(tickets: Iterable[Ticket], rules: dict[str, QueueRule], agents: Sequence[Agent],
         now: datetime) -> list[Decision]:
    """Every ticket's decision in routing order, each assignment counting against the
    agent's capacity for the tickets after it (the agents' loads are updated)."""
    router = Router(rules, agents)
    decisions = []
    for ticket in sorted(tickets, key=order_key):
        decision = router.choose(ticket, now)
        router.take(decision, now)
        decisions.append(decision)
    return decisions
