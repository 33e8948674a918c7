"""A small floor for the Agents and Reports screens: people in every status, two queues, and a
morning of tickets (routed, answered, closed, rated), all at fixed times before NOW.

`seed_team(db_url)` writes it through the server's own services (so routing, the interval log
and the report clocks are real), before the test server starts. It answers what the tests
check against: the tickets by name and a token for a member. `floor_server` is the test
server on it, whose floor reads a clock fixed at NOW (figures and waits hold still).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.domain.models import ItemIn
from cockpit.domain.roles import Principal, Role
from cockpit.server.agents import Floor
from cockpit.server.inbox import Inbox
from cockpit.store import open_engine
from cockpit.store.users import add_user, issue_token
from tests.tui.conftest import NOW, USER, LiveServer, _seed

START = NOW - timedelta(hours=3)  # 06:30 on the day the app's clock says is today
PEOPLE = {"mia": Role.MANAGER, "mel": Role.MEMBER, "max": Role.MEMBER, "ana": Role.MEMBER,
          "bo": Role.MEMBER, "svc": Role.SERVICE}
_numbers = itertools.count(1)


@dataclass
class Team:
    tickets: dict[str, int] = field(default_factory=dict)
    member_token: str = ""  # mel's


class _Day:
    def __init__(self, engine) -> None:
        self.now = START
        self.inbox = Inbox(engine, clock=lambda: self.now)
        self.floor = Floor(engine, clock=lambda: self.now)
        self.team = Team()

    def at(self, minutes: float) -> _Day:
        self.now = START + timedelta(minutes=minutes)
        return self

    @staticmethod
    def who(name: str) -> Principal:
        role = PEOPLE.get(name, Role.OWNER)
        return Principal(name, role.value)

    def ticket(self, name: str, queue: str, *, tags: tuple[str, ...] = (),
               assignee: str | None = None) -> None:
        made, _ = self.inbox.ingest(self.who("svc"), ItemIn(
            kind="ticket", source_id=f"floor-{next(_numbers)}", title=name, tags=list(tags),
            sender={"type": "customer", "id": "cleo", "name": "Cleo"},
            payload={"queue": queue, "callback_url": "http://127.0.0.1:9/hook",
                     "customer": {"id": "cleo", "name": "Cleo",
                                                  "email": "cleo@example.com", "vip": False}}))
        self.team.tickets[name] = made.id
        if assignee:
            self.act(USER, name, "assign", assignee_id=assignee)

    def act(self, who: str, name: str, action: str, **params) -> None:
        self.inbox.act(self.who(who), self.team.tickets[name], action, params)

    def agent(self, name: str, **fields) -> None:
        self.floor.patch_agent(self.who(USER), name, fields)


def seed_team(db_url: str) -> Team:
    engine = open_engine(db_url)
    try:
        with engine.begin() as conn:
            for name, role in PEOPLE.items():
                add_user(conn, name, role.value)
            token = issue_token(conn, "mel")
        day = _Day(engine)
        day.floor.put_queue(day.who(USER), "billing", ["billing"], 600)
        day.floor.put_queue(day.who(USER), "tech", [], 600)
        day.at(0)
        day.agent("mia", queues=["billing"], skills={"billing": 3}, capacity=8)
        day.agent("mel", queues=["billing"], skills={"billing": 5, "vat": 2}, capacity=3)
        day.agent("max", queues=["tech"], skills={"linux": 4}, capacity=2)
        day.agent("ana", queues=["billing", "tech"], skills={"billing": 2})
        day.agent("bo", queues=["tech"])
        day.agent("mel", status="available")
        day.agent(USER, status="available")
        day.at(5).agent("max", status="available")
        day.ticket("Refund for order 991", "billing", tags=("refund",), assignee="mel")
        day.at(20).act("mel", "Refund for order 991", "reply", body_md="On its way")
        day.ticket("VPN drops every hour", "tech", assignee="max")
        day.at(40).act("max", "VPN drops every hour", "reply", body_md="Which client?")
        day.at(60).act("mel", "Refund for order 991", "close")
        day.at(70).act("svc", "Refund for order 991", "csat", rating=5)
        day.at(90).agent("ana", status="available")
        day.ticket("Invoice shows the wrong VAT", "billing", tags=("vat",), assignee="ana")
        day.at(100).act("ana", "Invoice shows the wrong VAT", "reply", body_md="Checking")
        day.at(120).agent("ana", aux_code="Lunch")
        day.at(130).act("max", "VPN drops every hour", "close")
        day.at(140).act("svc", "VPN drops every hour", "csat", rating=2)
        day.at(150).agent("max", aux_code="Wrap-up")
        day.at(160).ticket("Cannot log in after reset", "tech")  # waits: nobody free in tech
        day.at(170).agent("mia", status="available")
        day.at(175)
        day.team.member_token = token
        return day.team
    finally:
        engine.dispose()


@pytest.fixture
def floor_server(tmp_path: Path) -> Iterator[tuple[LiveServer, Team]]:
    db_url = f"sqlite:///{tmp_path / 'cockpit.db'}"
    token = _seed(db_url)
    team = seed_team(db_url)
    live = LiveServer(db_url, token=token)
    live.start()
    live._server._server.config.app.state.floor.clock = lambda: NOW  # noqa: SLF001
    try:
        yield live, team
    finally:
        live.stop()
