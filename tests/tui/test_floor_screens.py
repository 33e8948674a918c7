"""The Agents and Reports screens against a real server with a small fixed floor (team.py):
reaching them by key and palette, the roster's sort and filters, setting your own status and
aux code, a manager's edits and a member's refusal, the live metrics push, reports switched
and drilled down to their tickets."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Static

from cockpit.client import CockpitClient, Event, LinkStatus
from cockpit.config import Settings
from cockpit.tui.messages import MetricsChanged
from cockpit.tui.screens.agents import AgentsScreen
from cockpit.tui.screens.drill import DrillScreen
from cockpit.tui.screens.prompt import PromptScreen
from cockpit.tui.screens.reports import ReportsScreen
from cockpit.tui.screens.status_picker import StatusPicker
from tests.tui.conftest import NOW, USER
from tests.tui.pilot import ready, record_toasts, showing, wait_for
from tests.tui.team import floor_server  # noqa: F401 - the fixture

SIZE = (120, 36)


def plain(renderable: Any) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


class Stream:
    """A live stream the test feeds by hand: the link goes live, then what `push` sends."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event | LinkStatus] = asyncio.Queue()
        self.queue.put_nowait(LinkStatus("live"))
        self.seq = 0

    def push(self, kind: str, data: dict[str, Any]) -> None:
        self.seq += 1
        self.queue.put_nowait(Event(self.seq, kind, data))

    async def __call__(self) -> AsyncIterator[Event | LinkStatus]:
        while True:
            yield await self.queue.get()


def build(server, *, token: str | None = None, user: str = USER, stream: Stream | None = None):
    from cockpit.tui import create_app

    app = create_app(Settings(group_by="kind"), server.url, token or server.token,
                     clock=lambda: NOW, user=user, keymap={},
                     stream=stream or Stream())
    app.animation_level = "none"
    return app


async def open_agents(pilot) -> AgentsScreen:
    await ready(pilot.app, pilot)
    await pilot.press("f2")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AgentsScreen)
                   and pilot.app.screen.loaded and pilot.app.screen.metrics is not None,
                   what="the roster and the figures")
    return pilot.app.screen


def shown(screen: AgentsScreen) -> list[str]:
    return [a.id for a in screen.roster.agents]


async def test_roster_sorts_and_filters(floor_server) -> None:
    server, _team = floor_server
    app = build(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agents(pilot)
        # status: available (by name), busy, away, offline
        assert shown(screen)[:4] == [USER, "mel", "mia", "max"]
        assert shown(screen)[4] == "ana" and set(shown(screen)[5:]) >= {"bo"}
        await pilot.press("s")  # name
        assert shown(screen) == sorted(shown(screen), key=str.casefold)
        await pilot.press("s")  # load: the fullest first
        loads = [a.active / a.capacity for a in screen.roster.agents]
        assert loads == sorted(loads, reverse=True) and loads[0] > loads[-1] == 0
        assert shown(screen).index("ana") < shown(screen).index("mel")  # 1 of 5 open; none
        await pilot.press("s")  # since: the longest in their status first
        first = screen.roster.agents
        assert [a.since for a in first] == sorted(a.since for a in first)
        await pilot.press("f")  # only available
        assert set(shown(screen)) == {USER, "mel", "mia"}
        await pilot.press("f")  # only busy
        assert shown(screen) == ["max"]
        await pilot.press("escape")  # clears the filters, stays on the screen
        assert len(shown(screen)) >= 6 and isinstance(app.screen, AgentsScreen)
        await pilot.press("slash", *"vat")
        await wait_for(pilot, lambda: shown(screen) == ["mel"], what="text filter")
        await pilot.press("enter")  # back to the roster, the filter kept
        assert screen.roster.has_focus and shown(screen) == ["mel"]
        await pilot.press("escape", "escape")  # the filter, then back to the inbox
        await wait_for(pilot, lambda: app.screen is app.screen_stack[0], what="the inbox")


async def test_set_my_status_and_aux_code(floor_server, client) -> None:
    server, _team = floor_server
    app = build(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agents(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: showing(app, StatusPicker), what="picker")
        picker = app.screen
        lunch = next(i for i, c in enumerate(picker.choices) if c.aux_code == "Lunch")
        now = next(i for i, c in enumerate(picker.choices) if c.status == "available"
                   and c.aux_code is None)
        await pilot.press(*(["j"] * (lunch - now)), "enter")

        def mine():
            return next(a for a in screen.agents if a.id == USER)

        await wait_for(pilot, lambda: (mine().status, mine().aux_code) == ("away", "Lunch"),
                       what="away at lunch")
    async with CockpitClient(server.url, server.token) as api:
        stored = await api.agent(USER)
    assert (stored["status"], stored["aux_code"]) == ("away", "Lunch")


async def test_a_manager_edits_capacity_skills_and_queues(floor_server) -> None:
    server, _team = floor_server
    app = build(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agents(pilot)
        row = shown(screen).index("bo")
        screen.roster.move_cursor(row=row)
        await pilot.press("c")
        await wait_for(pilot, lambda: showing(app, PromptScreen), what="prompt")
        app.screen.query_one("Input").value = "12"
        await pilot.press("enter")
        await pilot.press("S")
        await wait_for(pilot, lambda: showing(app, PromptScreen), what="prompt")
        app.screen.query_one("Input").value = "linux 3, vpn:5"
        await pilot.press("enter")

        def bo():
            return next(a for a in screen.agents if a.id == "bo")

        await wait_for(pilot, lambda: bo().capacity == 12 and bo().skills ==
                       {"linux": 3, "vpn": 5}, what="capacity and skills saved")
        toasts = record_toasts(app)
        await pilot.press("c")
        await wait_for(pilot, lambda: showing(app, PromptScreen), what="prompt")
        app.screen.query_one("Input").value = "21"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("capacity" in t and "20" in t for t in toasts),
                       what="the refusal")
    async with CockpitClient(server.url, server.token) as api:
        stored = await api.agent("bo")
    assert (stored["capacity"], stored["skills"]) == (12, {"linux": 3, "vpn": 5})


async def test_a_member_is_told_why_they_cannot_edit(floor_server) -> None:
    server, team = floor_server
    app = build(server, token=team.member_token, user="mel")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agents(pilot)
        assert screen.me == {"id": "mel", "role": "member"} or screen.me["role"] == "member"
        active = {b.binding.action for b in screen.active_bindings.values()}
        assert "my_status" in active
        assert not {"edit('capacity')", "edit('skills')", "edit('queues')"} & active
        toasts = record_toasts(app)
        await pilot.press("c")
        await wait_for(pilot, lambda: toasts, what="a reason")
        assert "Only managers and above change an agent's capacity (you are member)." in toasts
        assert isinstance(app.screen, AgentsScreen)  # no prompt opened


async def test_a_metrics_push_updates_the_figures_and_the_roster(floor_server) -> None:
    server, _team = floor_server
    stream = Stream()
    app = build(server, stream=stream)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agents(pilot)
        assert screen.metrics["handled_today"] == 2
        async with CockpitClient(server.url, server.token) as api:
            await api.patch_agent("bo", status="available")  # the screen has not asked since
            pushed = await api.live_metrics()
        pushed["handled_today"] = 41  # marks this push apart from a fetch
        stream.push("metrics", pushed)
        await wait_for(pilot, lambda: screen.metrics["handled_today"] == 41, what="the push")
        today = screen.query_one("#agents-today", Static).content
        assert "Handled today 41" in " ".join(plain(today).split())
        await wait_for(pilot, lambda: next(a for a in screen.agents if a.id == "bo").status
                       == "available", what="the roster fetched again")


async def test_an_answer_after_leaving_the_screen_is_harmless(floor_server) -> None:
    server, _team = floor_server
    app = build(server)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("f2", "f1", "f3", "f1")  # each screen asks, then is left at once
        await wait_for(pilot, lambda: app.screen is app.screen_stack[0], what="the inbox")
        agents = app.get_screen("agents")
        await wait_for(pilot, lambda: agents.loaded, what="the late roster")
        app.post_message(MetricsChanged({"handled_today": 7}))  # the screen is not shown
        await wait_for(pilot, lambda: agents.metrics == {"handled_today": 7}, what="handed on")
        await pilot.press("f2")
        await wait_for(pilot, lambda: showing(app, AgentsScreen), what="agents")
        assert app.is_running


async def test_the_palette_reaches_the_screens(floor_server) -> None:
    server, _team = floor_server
    app = build(server)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+p", *"Reports")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: showing(app, ReportsScreen), what="reports")
        await pilot.press("ctrl+p", *"Agents")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: showing(app, AgentsScreen), what="agents")
        assert len(app.screen_stack) == 2  # pages never stack on one another


async def open_reports(pilot) -> ReportsScreen:
    await ready(pilot.app, pilot)
    await pilot.press("f3")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportsScreen)
                   and pilot.app.screen.report is not None, what="the first report")
    return pilot.app.screen


def labels(screen: ReportsScreen) -> list[str]:
    table = screen.table
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_reports_switch_report_period_and_grouping(floor_server) -> None:
    server, _team = floor_server
    app = build(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        assert screen.report["name"] == "volume" and screen.report["by"] == "agent"
        assert {"mel", "max", "ana", "Total"} <= set(labels(screen))
        await pilot.press("r")  # first response
        await wait_for(pilot, lambda: screen.report["name"] == "first_response", what="report")
        row = labels(screen).index("mel")
        cells = [str(c) for c in screen.table.get_row_at(row)]
        assert cells[1:] == ["15m", "15m", "15m", "1", "1"]  # median, p90, mean, count, tickets
        await pilot.press("g")  # by queue
        await wait_for(pilot, lambda: screen.report["by"] == "queue", what="grouping")
        assert set(labels(screen)) == {"billing", "tech", "Total"}
        await pilot.press("p")  # 30 days; then custom asks for the dates
        await wait_for(pilot, lambda: screen.wanted[1] == "2099-02-13", what="30 days")
        await pilot.press("p")
        await wait_for(pilot, lambda: showing(app, PromptScreen), what="dates")
        app.screen.query_one("Input").value = "2099-03-13 2099-03-13"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.report is not None and
                       str(screen.report["from"]).startswith("2099-03-13"), what="custom")
        assert labels(screen) == ["Total"]  # nothing answered the day before


async def test_drilling_down_to_the_tickets_and_opening_one(floor_server) -> None:
    server, team = floor_server
    app = build(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("r", "r", "r", "r", "r")  # volume -> ... -> csat
        await wait_for(pilot, lambda: screen.report["name"] == "csat", what="csat")
        total = labels(screen).index("Total")
        screen.table.move_cursor(row=total, column=0)
        await pilot.press("enter")  # the row: every rated ticket
        await wait_for(pilot, lambda: isinstance(app.screen, DrillScreen)
                       and app.screen.items, what="the tickets")
        drill = app.screen
        assert sorted(i.title for i in drill.items) == ["Refund for order 991",
                                                        "VPN drops every hour"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back to the report")
        figures = screen.report["figures"]
        screen.table.move_cursor(row=total, column=figures.index("positive") + 1)
        await pilot.press("enter")  # the figure: only the 4s and 5s
        await wait_for(pilot, lambda: isinstance(app.screen, DrillScreen)
                       and app.screen.items, what="the positive tickets")
        drill = app.screen
        assert [i.title for i in drill.items] == ["Refund for order 991"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: drill.detail.item is not None, what="the ticket open")
        assert drill.detail.item.id == team.tickets["Refund for order 991"]


@pytest.mark.parametrize("key", ["f2", "f3"])
async def test_the_screen_keys_are_in_the_footer_and_help(floor_server, key) -> None:
    server, _team = floor_server
    app = build(server)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        footer = {b.binding.id for b in app.screen.active_bindings.values()
                  if b.binding.show}
        assert {"cockpit.screen_agents", "cockpit.screen_reports"} <= footer
        assert any(r.binding_id == "cockpit.screen_agents" for r in app.help_rows())
        await pilot.press(key)
        await wait_for(pilot, lambda: app.screen is not app.screen_stack[0], what="a page")
        rows = {r.binding_id for r in app.screen.help_rows()}
        assert {"cockpit.screen_inbox", "cockpit.quit"} <= rows
