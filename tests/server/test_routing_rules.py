"""The routing choice itself (cockpit/domain/routing.py), pure: order, eligibility, ranking,
the skill timeout, and the reasons given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cockpit.domain.routing import (
    ASSIGNED,
    NO_AGENT,
    NO_SKILL,
    SKILLS_DROPPED,
    Agent,
    QueueRule,
    Ticket,
    choose,
    order_key,
    plan,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def agent(id_: str, *, status="available", capacity=5, load=0, skills=None, queues=("q",),
          last=None) -> Agent:
    return Agent(id_, status, capacity, load, dict(skills or {}), frozenset(queues), last)


def ticket(id_: int, *, priority="normal", queued=0, due=None, skills=(), queue="q") -> Ticket:
    return Ticket(id_, queue, priority, T0 + timedelta(seconds=queued), tuple(skills),
                  None if due is None else T0 + timedelta(minutes=due))


def test_order_is_priority_then_sla_due_then_time_queued():
    tickets = [ticket(1, queued=0), ticket(2, priority="urgent", queued=50),
               ticket(3, priority="high", queued=40), ticket(4, queued=30, due=10),
               ticket(5, queued=20, due=5), ticket(6, queued=10), ticket(7, priority="low")]
    assert [t.id for t in sorted(tickets, key=order_key)] == [2, 3, 5, 4, 1, 6, 7]


def test_only_available_members_below_capacity_are_candidates():
    team = [agent("away", status="away"), agent("full", capacity=2, load=2),
            agent("other", queues=("elsewhere",)), agent("ok", load=4)]
    decision = choose(ticket(1), QueueRule("q"), team, T0)
    assert (decision.agent_id, decision.reason) == ("ok", ASSIGNED)
    assert [c["id"] for c in decision.candidates] == ["ok"]
    assert decision.detail == "to ok: the only candidate"


def test_highest_proficiency_then_lowest_load_then_longest_idle():
    rule = QueueRule("q", ("billing",))
    need_fr = ticket(1, skills=["fr"])
    team = [agent("mel", skills={"billing": 2, "fr": 2}),
            agent("max", skills={"billing": 5, "fr": 3}, load=3),
            agent("sue", skills={"billing": 5})]  # lacks fr: not a candidate
    decision = choose(need_fr, rule, team, T0)
    assert decision.agent_id == "max"
    assert decision.detail == "to max: highest proficiency (8 against 4)"
    assert [(c["id"], c["proficiency"], c["load"]) for c in decision.candidates] == \
        [("max", 8, 3), ("mel", 4, 0)]
    assert decision.params["skills"] == ["billing", "fr"]

    even = [agent("mel", load=2), agent("max", load=1)]
    assert choose(ticket(2), QueueRule("q"), even, T0).detail == \
        "to max: lowest load (1 against 2)"

    idle = [agent("mel", last=T0 - timedelta(minutes=1)),
            agent("max", last=T0 - timedelta(minutes=9)), agent("new")]
    assert choose(ticket(3), QueueRule("q"), idle, T0).agent_id == "new"  # never assigned
    assert choose(ticket(3), QueueRule("q"), idle[:2], T0).detail == \
        "to max: longest since their last assignment"


def test_skills_drop_after_the_queue_timeout():
    rule = QueueRule("q", ("fr",), skill_timeout_s=60)
    team = [agent("mel", skills={"de": 4})]
    young = choose(ticket(1, queued=0), rule, team, T0 + timedelta(seconds=30))
    assert (young.agent_id, young.reason) == (None, NO_SKILL)
    assert young.detail == "waits for fr: nobody free has it; the requirement drops in 30 s"
    assert young.skills_dropped_at == T0 + timedelta(seconds=60)
    old = choose(ticket(1, queued=0), rule, team, T0 + timedelta(seconds=60))
    assert (old.agent_id, old.reason) == ("mel", SKILLS_DROPPED)
    assert old.detail.startswith("to mel: nobody free has fr after 60 s: skills dropped")
    # partial skills still rank first once the requirement dropped
    rule2 = QueueRule("q", ("fr", "billing"), skill_timeout_s=0)
    team2 = [agent("mel"), agent("max", skills={"fr": 2}, load=4)]
    assert choose(ticket(2), rule2, team2, T0).agent_id == "max"


def test_nobody_free_means_the_ticket_waits():
    rule = QueueRule("q")
    assert choose(ticket(1), rule, [], T0).detail == "waits: queue q has no agents"
    busy = choose(ticket(1), rule, [agent("mel", status="busy"), agent("max", load=5)], T0)
    assert (busy.agent_id, busy.reason) == (None, NO_AGENT)
    assert busy.detail == "waits: nobody in queue q is available below capacity"


def test_a_plan_counts_each_assignment_against_capacity():
    team = [agent("mel", capacity=2), agent("max", capacity=1)]
    tickets = [ticket(n, queued=n) for n in range(1, 6)]
    decisions = plan(tickets, {"q": QueueRule("q")}, team, T0)
    assert [(d.ticket_id, d.agent_id) for d in decisions] == \
        [(1, "max"), (2, "mel"), (3, "mel"), (4, None), (5, None)]
    assert [a.load for a in team] == [2, 1]
