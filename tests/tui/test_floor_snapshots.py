"""Snapshots of the Agents and Reports screens at 120x36 (and the roster at 80x24), on the fixed
floor of team.py, with the app's and the floor's clocks fixed at NOW.

Update after an intended change with `pytest tests/tui/test_floor_snapshots.py
--snapshot-update`, and look at the SVGs under __snapshots__/ before committing them.
"""

from __future__ import annotations

from typing import Any

import pytest

from cockpit.config import Settings
from cockpit.tui.screens.agents import AgentsScreen
from cockpit.tui.screens.drill import DrillScreen
from cockpit.tui.screens.reports import ReportsScreen
from tests.tui.conftest import USER
from tests.tui.pilot import ready, wait_for
from tests.tui.team import floor_server  # noqa: F401 - the fixture

SIZE = (120, 36)


@pytest.fixture
def floor_app(floor_server, frozen_time):
    from cockpit.tui import create_app

    server, _team = floor_server
    app = create_app(Settings(group_by="kind"), server.url, server.token,
                     clock=lambda: frozen_time, user=USER, keymap={}, live=False)
    app.animation_level = "none"
    return app


async def _agents(pilot: Any) -> None:
    await ready(pilot.app, pilot, live=False)
    await pilot.press("f2")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AgentsScreen)
                   and pilot.app.screen.loaded and pilot.app.screen.metrics is not None,
                   what="the roster")
    await pilot.pause(0.3)


async def _reports(pilot: Any) -> None:
    await ready(pilot.app, pilot, live=False)
    await pilot.press("f3")
    screen = pilot.app.screen
    await wait_for(pilot, lambda: isinstance(screen, ReportsScreen) and screen.report,
                   what="the volume report")
    await pilot.press("r")  # first response, by agent, last 7 days
    await wait_for(pilot, lambda: screen.report["name"] == "first_response", what="report")
    await pilot.pause(0.3)


async def _drill(pilot: Any) -> None:
    await _reports(pilot)
    screen = pilot.app.screen
    screen.table.move_cursor(row=screen.table.row_count - 1, column=1)  # total, median
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DrillScreen)
                   and pilot.app.screen.items, what="the tickets")
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.detail.item is not None, what="opened")
    await pilot.pause(0.5)


def test_agents_screen(snap_compare, floor_app):
    assert snap_compare(floor_app, terminal_size=SIZE, run_before=_agents)


def test_agents_screen_narrow(snap_compare, floor_app):
    assert snap_compare(floor_app, terminal_size=(80, 24), run_before=_agents)


def test_reports_screen(snap_compare, floor_app):
    assert snap_compare(floor_app, terminal_size=SIZE, run_before=_reports)


def test_report_drilled_down_to_a_ticket(snap_compare, floor_app):
    assert snap_compare(floor_app, terminal_size=SIZE, run_before=_drill)
