"""Snapshots of the main states at 120x36 (and one at 80x24), on fixed demo data and a fixed clock.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`, and
look at the SVGs under __snapshots__/ before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cockpit.config import Settings
from cockpit.domain.models import State
from cockpit.domain.rules import is_decision
from cockpit.tui.screens import ConfirmScreen, HelpScreen
from tests.tui.pilot import ready, showing, wait_for

SIZE = (120, 36)


@pytest.fixture
def snap_app(server, frozen_time) -> Callable[..., Any]:
    """The app as the CLI builds it (its own client), with a fixed clock and user."""
    from cockpit.tui import create_app

    def build(**settings: Any):
        values = {"group_by": "kind", **settings}
        app = create_app(Settings(**values), server.url, server.token,
                         clock=lambda: frozen_time, user="alex", keymap={})
        app.animation_level = "none"  # the tab underline slides otherwise
        return app

    return build


async def _settle(pilot, *, live: bool = True) -> None:
    """Loaded and live (however long a busy machine takes), then still for a moment."""
    await ready(pilot.app, pilot, live=live)
    await pilot.pause(0.3)


def _goto(predicate: Callable[[Any], bool]):
    async def run(pilot) -> None:
        await _settle(pilot)
        app = pilot.app
        await pilot.press("home")
        for _ in range(200):
            item = app.cursor_item()
            if item is not None and predicate(item):
                break
            await pilot.press("j")
        await wait_for(pilot, lambda: app.detail.item is not None
                       and app.detail.item.id == app.cursor_item().id, what="detail")
        await pilot.pause(0.3)

    return run


def test_inbox_on_a_waitpoint(snap_compare, snap_app):
    assert snap_compare(snap_app(), terminal_size=SIZE,
                        run_before=_goto(lambda i: i.kind == "waitpoint"))


def test_four_eyes_waitpoint(snap_compare, snap_app):
    assert snap_compare(snap_app(), terminal_size=SIZE,
                        run_before=_goto(lambda i: bool(i.payload.get("second_approver_required"))))


def test_escalation_with_risk_badge(snap_compare, snap_app):
    assert snap_compare(snap_app(), terminal_size=SIZE,
                        run_before=_goto(lambda i: i.payload.get("risk_score") is not None))


def test_credential_escalation(snap_compare, snap_app):
    assert snap_compare(snap_app(), terminal_size=SIZE,
                        run_before=_goto(lambda i: i.payload.get("type") == "CREDENTIAL"))


def test_selection_and_bulk_bar(snap_compare, snap_app):
    async def run(pilot) -> None:
        await _settle(pilot)
        await pilot.press("home", "space", "j", "j")  # a whole folder, then move on
        app = pilot.app
        messages = [i.id for i in app.item_list.items if i.kind == "message"][:2]
        app.selection.set_many(messages, True)
        await wait_for(pilot, lambda: not app.query_one("#bulk").has_class("-hidden"),
                       what="bulk bar")
        await pilot.pause(0.3)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=run)


def test_bulk_archive_confirmation(snap_compare, snap_app):
    async def run(pilot) -> None:
        await _settle(pilot)
        app = pilot.app
        items = app.item_list.items
        ids = [i.id for i in items if is_decision(i.kind, i.payload)][:2]
        ids += [i.id for i in items if i.kind == "message" and not i.blocking][:3]
        app.selection.set_many(ids, True)
        await pilot.pause(0.1)
        await pilot.press("e")
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="confirm")
        await pilot.pause(0.3)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=run)


def test_archived_tab(snap_compare, snap_app):
    async def run(pilot) -> None:
        await _settle(pilot)
        await pilot.press("3")
        await _settle(pilot)
        app = pilot.app
        assert all(i.state == State.RESOLVED for i in app.item_list.items)
        await pilot.press("j")
        await wait_for(pilot, lambda: app.detail.item is not None, what="detail")
        await pilot.pause(0.3)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=run)


def test_help(snap_compare, snap_app):
    async def run(pilot) -> None:
        await _settle(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="help")
        await pilot.pause(0.3)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=run)


def test_search_open(snap_compare, snap_app):
    async def run(pilot) -> None:
        await _settle(pilot)
        await pilot.press("slash", *"deploy")
        await wait_for(pilot, lambda: pilot.app.query_text == "deploy", what="search applied")
        await _settle(pilot)
        await pilot.press("enter", "j")  # back on the list, the filter kept (no blinking cursor)
        await wait_for(pilot, lambda: pilot.app.detail.item is not None, what="detail")
        await pilot.pause(0.3)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=run)


def test_small_terminal_ansi_theme(snap_compare, snap_app):
    assert snap_compare(snap_app(theme="cockpit-ansi"), terminal_size=(80, 24),
                        run_before=_goto(lambda i: i.kind == "failed_run"))


def test_light_theme(snap_compare, snap_app):
    assert snap_compare(snap_app(theme="cockpit-light"), terminal_size=SIZE,
                        run_before=_goto(lambda i: i.kind == "ticket"))
