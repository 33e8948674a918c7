"""Playing the demo's day on the floor and at the desk (cockpit/domain/demo/team.py, desk.py)
through the server's own services, on a clock that walks from yesterday morning to now: the
agents' status log, routing, the timeline, SLA targets, the journal and the events are what a
real day would have left, so every report and the live metrics have something to show.

Played once per database: when its first ticket is there, nothing is played again (people may
have changed everything since).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from cockpit.domain.demo.desk import (
    CHANNEL,
    CUSTOMER_ACTIONS,
    MACROS,
    VIEWS,
    DemoTicket,
    desk_tickets,
)
from cockpit.domain.demo.team import QUEUES, TEAM
from cockpit.domain.models import ItemIn, SenderIn, SenderType
from cockpit.domain.roles import Principal, Role
from cockpit.server.agents import Floor
from cockpit.server.errors import Conflict, ServiceError
from cockpit.server.inbox import Inbox
from cockpit.store.tables import items
from cockpit.store.users import add_user, get_user

SHARED_WITH = Role.MEMBER.value  # the demo's macros and views are the team's


@dataclass
class _Clock:
    """The time the services read, moved by the player."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass(order=True)
class _Moment:
    at: datetime
    order: int  # ties: statuses first, then tickets, then their steps, as written
    what: str = field(compare=False)
    args: tuple = field(compare=False)


def played(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(items.c.id).where(
            items.c.source_id == desk_tickets()[0].source_id)).first() is not None


def _people(engine: Engine) -> dict[str, Principal]:
    """The team and the customer channel as users (those missing are added)."""
    wanted = {a.id: a.role for a in TEAM} | {CHANNEL: Role.SERVICE.value}
    found = {}
    with engine.begin() as conn:
        for user_id, role in wanted.items():
            found[user_id] = get_user(conn, user_id)
            if found[user_id] is None:
                add_user(conn, user_id, role)
                found[user_id] = Principal(user_id, role)
    return found


def _moments(tickets: list[DemoTicket], now: datetime) -> list[_Moment]:
    moments = [_Moment(now - timedelta(minutes=m), n, "status", (agent.id, status, aux))
               for n, agent in enumerate(TEAM) for m, status, aux in agent.day]
    for n, ticket in enumerate(tickets):
        created = now - timedelta(minutes=ticket.minutes_ago)
        moments.append(_Moment(created, 1000 + n, "ticket", (ticket,)))
        moments += [_Moment(created + timedelta(minutes=step.after), 100_000 + n, "step",
                            (ticket, step)) for step in ticket.steps]
    return sorted(m for m in moments if m.at <= now)


class _Player:
    def __init__(self, engine: Engine, owner: Principal, now: datetime) -> None:
        self.clock = _Clock(now)
        self.inbox = Inbox(engine, clock=self.clock)
        self.floor = Floor(engine, clock=self.clock)
        self.owner, self.people = owner, _people(engine)
        self.ids: dict[str, int] = {}

    def set_up(self) -> None:
        """Queues, the agents' capacity, skills and queues, and the shared macros and views."""
        for queue in QUEUES:
            self.floor.put_queue(self.owner, queue.name, list(queue.skills),
                                 queue.skill_timeout_s)
        for agent in TEAM:
            self.floor.patch_agent(self.owner, agent.id, {
                "capacity": agent.capacity, "skills": agent.skills,
                "queues": list(agent.queues)})
        desk = self.inbox.desk
        for macro in MACROS:
            self._unless_there(desk.add_macro, self.owner, name=macro["name"],
                               title=macro["title"], actions=macro["actions"], scope="role",
                               role=SHARED_WITH)
        for view in VIEWS:
            self._unless_there(desk.add_view, self.owner, name=view["name"],
                               title=view["title"], query=view["query"], scope="role",
                               role=SHARED_WITH)

    @staticmethod
    def _unless_there(add, *args: Any, **kwargs: Any) -> None:
        try:
            add(*args, **kwargs)
        except Conflict:  # one of that name exists: it is someone's now
            pass

    def play(self, moment: _Moment) -> None:
        self.clock.now = moment.at
        if moment.what == "status":
            agent_id, status, aux = moment.args
            fields = {"status": status, **({"aux_code": aux} if aux else {})}
            self.floor.patch_agent(self.people[agent_id], agent_id, fields)
        elif moment.what == "ticket":
            self._open(*moment.args)
        else:
            self._step(*moment.args)

    def _open(self, ticket: DemoTicket) -> None:
        customer = ticket.customer
        made, _ = self.inbox.ingest(self.people[CHANNEL], ItemIn(
            kind="ticket", source_id=ticket.source_id, title=ticket.title,
            body_md=ticket.body, priority=ticket.priority, payload=ticket.payload(),
            sender=SenderIn(type=SenderType.CUSTOMER, id=f"customer:{customer['id']}",
                            name=customer["name"])))
        self.ids[ticket.key] = made.id

    def _step(self, ticket: DemoTicket, step) -> None:
        item_id = self.ids[ticket.key]
        if step.action in CUSTOMER_ACTIONS:
            who = self.people[CHANNEL]
        else:
            holder = self.inbox.get(self.owner, item_id).assignee_id
            if holder is None:
                return  # nobody has it yet: it waits, unanswered
            who = self.people.get(holder) or self.owner
        try:
            self.inbox.act(who, item_id, step.action, dict(step.params))
        except ServiceError:
            pass  # no longer possible (closed meanwhile): as it would be on a real day


def play_day(engine: Engine, owner_id: str, now: datetime) -> int:
    """Play the day up to `now` as `owner_id` (an owner) sets things up; answers how many
    tickets it added (0 when the day was played on this database before)."""
    if played(engine):
        return 0
    tickets = desk_tickets()
    moments = _moments(tickets, now)
    start = moments[0].at - timedelta(minutes=1)
    player = _Player(engine, Principal(owner_id, Role.OWNER), start)
    player.set_up()
    for moment in moments:
        player.play(moment)
    return len(player.ids)

