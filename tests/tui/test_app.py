"""The app driven with Pilot against a real server on loopback (see conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from cockpit.domain.models import State
from cockpit.domain.rules import is_decision
from cockpit.tui.screens import ConfirmScreen, HelpScreen
from tests.tui.pilot import SIZE, move_to, ready, record_toasts, showing, wait_for


async def test_tri_state_folder_selection_with_keys(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await pilot.press("home")
        assert app.cursor_item() is None  # a folder row
        await pilot.press("j")
        first = app.cursor_item()
        assert first is not None
        folder = [i.id for i in app.item_list.items if i.kind == first.kind]
        assert len(folder) > 1
        sel = app.selection

        shown = app.feed.folder_of(first.id)

        def state() -> str:
            return sel.folder_state(app.feed.key, shown)

        await pilot.press("space")  # one item: the folder is partial
        assert first.id in sel
        partial = state()
        await pilot.press("k", "space")  # the folder row: everything in it
        assert all(sel.has(i, app.feed.key, shown.key) for i in folder)
        full = state()
        await pilot.press("space")  # again: nothing
        assert not any(sel.has(i, app.feed.key, shown.key) for i in folder)
        empty = state()
        assert len({partial, full, empty}) == 3

        await pilot.press("space")
        bar = app.query_one("#bulk")
        await wait_for(pilot, lambda: not bar.has_class("-hidden"), what="bulk bar")
        assert bar.display
        assert f"{len(folder)} selected" in str(app.query_one("#bulk-summary").render())
        await pilot.press("escape")  # no search open: esc clears the selection
        summary = app.query_one("#bulk-summary")
        await wait_for(pilot, lambda: "Nothing selected" in str(summary.render()),
                       what="the bar says nothing is selected")
        assert len(sel) == 0
        # it keeps its place, so the list keeps its height: toggles lay nothing out again
        assert bar.display
        assert "space selects, * all, V a range" in str(summary.render())
        toasts = record_toasts(app)
        await pilot.click("#bulk-read")
        await wait_for(pilot, lambda: toasts, what="a toast")
        assert toasts == ["Nothing selected: space selects an item."]
        height = app.item_list.size.height
        await pilot.press("space")
        await wait_for(pilot, lambda: f"{len(folder)} selected" in str(summary.render()),
                       what="a count")
        assert app.item_list.size.height == height


async def test_the_idle_bulk_bar_fits_a_narrow_pane(make_app):
    app = make_app(live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot, live=False)
        await pilot.press("j", "space", "escape")
        summary = app.query_one("#bulk-summary")
        await wait_for(pilot, lambda: "Nothing selected" in str(summary.render()),
                       what="the bar says nothing is selected")
        hint = str(summary.render())
        assert hint == "Nothing selected · space * V select"
        assert len(hint) <= summary.size.width


async def test_bulk_archive_leaves_decision_items_open(make_app, client):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        toasts = record_toasts(app)
        items = app.item_list.items
        decisions = [i for i in items if is_decision(i.kind, i.payload)][:2]
        plain = [i for i in items if i.kind == "message" and not i.blocking][:3]
        assert len(decisions) == 2 and len(plain) == 3
        app.selection.set_many([i.id for i in decisions + plain], True)
        await pilot.pause(0.1)

        await pilot.press("e")
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="confirm")
        detail = str(app.screen.query_one("#confirm-detail").render())
        assert "2 items stay open" in detail and "decision" in detail
        await pilot.press("y")

        await wait_for(pilot, lambda: any("archived" in t for t in toasts), what="toast")
        toast = next(t for t in toasts if "archived" in t)
        assert toast.startswith("3 archived, 2 left open")
        assert "z to undo" in toast
        assert len(app.selection) == 0
        for item in decisions:
            assert (await client.get(item.id)).state != State.RESOLVED
        for item in plain:
            assert (await client.get(item.id)).is_archived
        await wait_for(pilot, lambda: not {i.id for i in plain} & app.item_list.visible_ids(),
                       what="archived items leave the inbox")
        assert {i.id for i in decisions} <= app.item_list.visible_ids()


async def test_bulk_archive_not_offered_when_only_decisions(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        decisions = [i for i in app.item_list.items if is_decision(i.kind, i.payload)][:3]
        app.selection.set_many([i.id for i in decisions], True)
        await pilot.pause(0.1)
        assert not app.query_one("#bulk-archive").display
        assert not app.query_one("#bulk-resolve").display
        assert app.check_action("archive", ()) is False


async def test_archive_then_undo_with_z(make_app, client):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        toasts = record_toasts(app)
        target = await move_to(app, pilot, lambda i: "archive" in i.actions
                               and i.kind == "message")
        await pilot.press("e")
        await wait_for(pilot, lambda: target.id not in app.item_list.visible_ids(),
                       what="archived item leaves the list")
        assert (await client.get(target.id)).is_archived
        assert any("z to undo" in t for t in toasts)

        await pilot.press("z")
        await wait_for(pilot, lambda: target.id in app.item_list.visible_ids(),
                       what="restored item back in the list")
        assert (await client.get(target.id)).state == State.UNREAD
        assert any(t.startswith("Restored 1 item") for t in toasts)
        assert app.undo_record is None


async def test_decision_asks_first_and_n_cancels(make_app, client):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        target = await move_to(app, pilot, lambda i: "approve" in i.actions)
        await pilot.press("a")
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="confirm")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="closed")
        assert (await client.get(target.id)).state != State.RESOLVED


@pytest.mark.parametrize(("key", "action", "kind", "outcome"), [
    ("d", "deny", "waitpoint", "denied"),
    ("r", "retry", "failed_run", None),  # retried, or cancelled when the pipeline is unknown
    ("c", "cancel", "failed_run", "cancelled"),
    ("d", "reject", "escalation", "rejected"),
])
async def test_one_key_decisions_confirm_then_show_the_result(make_app, client, key, action,
                                                              kind, outcome):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        toasts = record_toasts(app)
        target = await move_to(app, pilot, lambda i: i.kind == kind and action in i.actions
                               and not i.payload.get("second_approver_required"))
        await pilot.press(key)
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="confirm")
        await pilot.press("y")
        try:
            await wait_for(pilot, lambda: target.id not in app.item_list.visible_ids(),
                           what="decided item leaves the Inbox tab")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; toasts: {toasts}") from exc
        decided = await client.get(target.id)
        assert decided.state == State.RESOLVED
        assert decided.resolved_action == (outcome or decided.resolved_action)
        assert decided.resolved_action in {"denied", "retried", "cancelled", "rejected"}
        assert any(target.title[:20] in t for t in toasts)


async def test_live_new_item_does_not_move_the_cursor(make_app, client, new_item):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        target = await move_to(app, pilot, lambda i: i.kind == "ticket")
        index_before = app.item_list.cursor_index
        stored = await client.ingest(new_item("live-1", kind="ticket",
                                              title="Fresh ticket from the live stream"))
        await wait_for(pilot, lambda: stored["id"] in app.item_list.visible_ids(),
                       what="the new row")
        assert app.cursor_item().id == target.id
        # it landed above the cursor (newest first), so the cursor row moved down with its item
        assert app.item_list.cursor_index == index_before + 1
        assert app.detail.item is not None and app.detail.item.id == target.id
        assert app.bells == 0
        waitpoint = await client.ingest(new_item("live-2", kind="waitpoint",
                                                 title="A new gate to approve"))
        await wait_for(pilot, lambda: waitpoint["id"] in app.item_list.visible_ids(),
                       what="the new waitpoint")
        assert app.bells == 1  # a new decision item rings (settings.bell is on here)
        assert app.cursor_item().id == target.id


async def test_live_change_elsewhere_leaves_selection(make_app, client):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        victim = next(i for i in app.item_list.items if "archive" in i.actions)
        app.selection.set_many([victim.id], True)
        await pilot.pause(0.1)
        await client.act(victim.id, "archive")  # someone else, from another client
        await wait_for(pilot, lambda: victim.id not in app.selection, what="selection drop")
        assert victim.id not in app.item_list.visible_ids()


async def test_reconnect_after_server_restart(make_app, server, new_item):
    from cockpit.domain.models import ItemIn
    from cockpit.domain.roles import Principal, Role
    from cockpit.server.inbox import Inbox

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        header = app.query_one("#header")
        server.stop()
        await wait_for(pilot, lambda: header.link == "offline", what="offline")

        # a change made while the app is cut off, straight into the same database
        from cockpit.store import open_engine
        from tests.tui.conftest import NOW as server_now

        engine = open_engine(server.db_url)
        try:
            item, _ = Inbox(engine, clock=lambda: server_now).ingest(Principal("alex", Role.OWNER),
                                           ItemIn.model_validate(new_item("while-away")))
        finally:
            engine.dispose()
        assert item is not None

        server.start()
        await wait_for(pilot, lambda: header.link == "live", what="live again")
        await wait_for(pilot, lambda: item.id in app.item_list.visible_ids(),
                       what="the change made meanwhile")


async def test_search_filters_and_escape_clears(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        everything = len(app.item_list.items)
        await pilot.press("slash")
        assert app.focused is app.search_input
        await pilot.press(*"billing")
        await wait_for(pilot, lambda: app.query_text == "billing" and app.loaded,
                       what="search applied")
        await wait_for(pilot, lambda: 0 < len(app.item_list.items) < everything,
                       what="filtered list")
        await pilot.press("enter")
        assert app.focused is app.item_list and app.query_text == "billing"
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.item_list.items) == everything, what="cleared")
        assert not app.search_input.display


async def test_tabs_switch_with_number_keys(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await pilot.press("3")
        await wait_for(pilot, lambda: app.tab == "archived" and app.loaded, what="archived")
        assert app.item_list.items
        assert all(i.state == State.RESOLVED for i in app.item_list.items)
        await pilot.press("2")
        await wait_for(pilot, lambda: app.tab == "unread" and app.loaded, what="unread")
        assert all(i.state == State.UNREAD for i in app.item_list.items)
        await pilot.press("1")
        await wait_for(pilot, lambda: app.tab == "inbox" and app.loaded, what="inbox")


async def test_a_tab_shown_again_fetches_only_the_folders_a_change_touched(make_app, client):
    """Back on a kept tab, the cached rows paint and the server counts the folders again; of
    the loaded rows, only a folder an event touched meanwhile is fetched again."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        refetched: list[str] = []
        reload_folder = app.effects.reload_folder

        def recording(feed, folder):
            refetched.append(folder.key)
            return reload_folder(feed, folder)

        app.effects.reload_folder = recording
        inbox = app.feed
        counted: list = []
        groups = app.effects.groups

        def counting(feed, **kwargs):
            worker = groups(feed, **kwargs)
            counted.append(worker)
            return worker

        app.effects.groups = counting
        await pilot.press("2")
        await wait_for(pilot, lambda: app.tab == "unread" and app.loaded, what="unread")
        await pilot.press("1")
        await wait_for(pilot, lambda: app.feed is inbox and counted
                       and all(w.is_finished for w in counted), what="the inbox recounted")
        await pilot.pause(0.2)
        assert refetched == []  # nothing changed: the cached rows stand

        await pilot.press("2")
        await wait_for(pilot, lambda: app.tab == "unread" and app.loaded, what="unread again")
        read = next(i for f in inbox.folders for i in f.items if i.state == State.READ)
        folder = inbox.folder_of(read.id).key
        await client.patch(read.id, "unread")  # another session marks it unread
        await wait_for(pilot, lambda: app.known.get(read.id) is not None
                       and app.known[read.id].state == State.UNREAD, what="the event")
        del counted[:]
        await pilot.press("1")
        await wait_for(pilot, lambda: folder in refetched, what="its folder fetched again")
        await wait_for(pilot, lambda: all(w.is_finished for w in counted), what="recounted")
        assert set(refetched) == {folder}


async def test_enter_opens_and_marks_read(make_app, client):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        target = await move_to(app, pilot, lambda i: i.state == State.UNREAD)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.known[target.id].state == State.READ,
                       what="marked read")
        assert (await client.get(target.id)).state == State.READ
        assert app.detail.item.id == target.id


async def test_help_lists_every_binding(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: showing(app, HelpScreen), what="help")
        listed = {row.binding_id for row in app.screen.rows}
        for binding in app.BINDINGS:
            assert binding.id in listed
        assert "list.toggle" in listed and "confirm.yes" in listed and "assign.cancel" in listed
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="closed")


async def test_remapped_key_works_and_shows_in_help(make_app):
    app = make_app(keymap={"cockpit.archive": "E"})
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        rows = {row.binding_id: row for row in app.help_rows()}
        assert rows["cockpit.archive"].keys == "E"


async def test_item_text_never_becomes_markup(make_app, client, new_item):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        toasts = record_toasts(app)
        stored = await client.ingest(new_item("markup", title="[bold red]boom[/] \x1b[31m"))
        await wait_for(pilot, lambda: stored["id"] in app.item_list.visible_ids(), what="row")
        await move_to(app, pilot, lambda i: i.id == stored["id"])
        await pilot.press("e")
        await wait_for(pilot, lambda: any("to undo" in t for t in toasts), what="toast")
        # shown literally: the toast is sent with markup off (see the test below)
        assert "[bold red]boom[/] ␛[31m" in next(t for t in toasts if "to undo" in t)


@pytest.mark.parametrize("name", ["cockpit-dark", "cockpit-light", "cockpit-high-contrast",
                                  "cockpit-ansi"])
async def test_shipped_themes_load(make_app, name):
    from cockpit.config import Settings

    app = make_app(settings=Settings(theme=name), live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot, live=False)
        assert app.theme == name


async def test_no_color_never_draws_with_the_ansi_theme(make_app, monkeypatch):
    """Textual draws NO_COLOR in greys; the ANSI theme's "default" colours would come out
    black on black there (seen in tmux), so a truecolor theme is used instead."""
    from cockpit.config import Settings

    monkeypatch.setenv("NO_COLOR", "1")
    assert make_app(live=False).theme == "cockpit-dark"
    chosen = make_app(live=False, settings=Settings(theme="cockpit-ansi", group_by="kind"))
    assert chosen.theme == "cockpit-dark"
    monkeypatch.delenv("NO_COLOR")
    assert make_app(live=False, settings=Settings(theme="cockpit-ansi")).theme == "cockpit-ansi"


async def test_keys_typed_right_after_slash_land_in_the_box(make_app):
    from textual import events

    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        # all queued at once, like a fast typist or a paste over SSH
        for key, char in [("slash", "/"), ("n", "n"), ("slash", "/"), ("e", "e")]:
            app.post_message(events.Key(key, char))
        await wait_for(pilot, lambda: len(app.search_input.value) >= 3, what="typed")
        assert app.search_input.value == "n/e"  # `/` inside the box is just a character
        assert app.focused is app.search_input


async def test_keys_typed_right_after_enter_in_the_box_act_on_the_list(make_app):
    from textual import events

    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await pilot.press("slash", *"kind:ticket")
        await wait_for(pilot, lambda: app.search_input.value == "kind:ticket", what="typed")
        # enter and a tab key queued at once: the 2 switches tabs, it is not typed
        for key, char in [("enter", "\r"), ("2", "2")]:
            app.post_message(events.Key(key, char))
        await wait_for(pilot, lambda: app.tab == "unread", what="the Unread tab")
        assert app.search_input.value == "kind:ticket" and app.query_text == "kind:ticket"
        assert app.focused is app.item_list
        await pilot.press("enter")  # on the list, enter is the list's again
        assert app.search_input.value == "kind:ticket"


async def test_toasts_never_parse_item_titles_as_markup(make_app, client, new_item):
    hostile = "[ @click=app.quit]Quarterly [$error]report [ link='https://evil.example']x"
    created = await client.ingest(new_item("hostile-toast", title=hostile))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await move_to(app, pilot, lambda i: i.id == created["id"])
        shown: list[tuple[str, bool]] = []
        original = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            shown.append((str(message), kwargs.get("markup", True)))
            original(message, **kwargs)

        app.notify = notify  # type: ignore[method-assign]
        await pilot.press("e")
        await wait_for(pilot, lambda: shown, what="a toast")
        message, markup = shown[0]
        assert "[ @click=app.quit]" in message and markup is False
        assert app.is_running


async def test_a_first_four_eyes_approval_says_it_waits_for_a_second(make_app, client):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        toasts = record_toasts(app)
        target = await move_to(app, pilot, lambda i: "approve" in i.actions
                               and i.payload.get("second_approver_required"))
        await pilot.press("a")
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: any("Approval recorded" in t for t in toasts),
                       what="approval toast")
        assert "1 of 2" in next(t for t in toasts if "Approval recorded" in t)
        after = await client.get(target.id)
        assert after.state != State.RESOLVED and "approve" not in after.actions
        assert target.id in app.item_list.visible_ids()


async def test_undo_brings_a_read_item_back_read(make_app, client):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        target = await move_to(app, pilot, lambda i: "archive" in i.actions
                               and i.kind == "message" and i.state == State.READ)
        await pilot.press("e")
        await wait_for(pilot, lambda: target.id not in app.item_list.visible_ids(),
                       what="archived")
        await pilot.press("z")
        await wait_for(pilot, lambda: target.id in app.item_list.visible_ids(), what="back")
        assert (await client.get(target.id)).state == State.READ


async def test_typing_a_search_keeps_the_selection(make_app):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await move_to(app, pilot, lambda i: i.kind == "message")
        await pilot.press("space")
        await pilot.press("slash", "d", "e", "p")
        await wait_for(pilot, lambda: app.query_text == "dep", what="search applied")
        assert len(app.selection) == 1
        await pilot.press("escape")  # clears the search first
        assert len(app.selection) == 1
        await pilot.press("escape")  # then the selection
        assert len(app.selection) == 0
