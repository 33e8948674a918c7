"""What the first users tripped over in the app (issue 8, "The app"), each driven with Pilot
against the real server on loopback. Every test here failed before its fix."""

from __future__ import annotations

from typing import Any


from cockpit.domain.models import State
from cockpit.domain.rules import is_decision
from cockpit.tui.messages import GroupsLoaded, LiveChanged, WindowLoaded
from cockpit.tui.screens import AssignScreen, ConfirmScreen
from tests.tui.pilot import SIZE, move_to, ready, record_toasts, showing, text_of, wait_for


# -- opening from the Unread tab ---------------------------------------------------------------

async def test_an_item_opened_in_unread_stays_until_the_cursor_leaves(make_app):
    seen: list[Any] = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await ready(app, pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: app.tab == "unread" and app.loaded, what="Unread tab")
        target = await move_to(app, pilot, lambda i: True)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.known[target.id].state == State.READ, what="read")
        # our own change comes back over the live stream: it must not take the item away
        await wait_for(pilot, lambda: any(isinstance(m, LiveChanged) and (
            target.id in m.gone or target.id in {i.id for i in m.items}) for m in seen),
            what="the live echo")
        await pilot.pause(0.5)
        assert target.id in app.item_list.visible_ids()
        assert app.cursor_item().id == target.id
        assert app.detail.item.id == target.id and app.detail.item.state == State.READ

        await pilot.press("j")  # the cursor leaves: now it goes, like read mail
        await wait_for(pilot, lambda: target.id not in app.item_list.visible_ids(),
                       what="gone once the cursor left")
        assert app.cursor_item() is not None and app.cursor_item().id != target.id


async def test_reloading_the_view_drops_the_opened_item(make_app):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await pilot.press("2")
        await wait_for(pilot, lambda: app.tab == "unread" and app.loaded, what="Unread tab")
        target = await move_to(app, pilot, lambda i: True)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.known[target.id].state == State.READ, what="read")
        assert target.id in app.item_list.visible_ids()
        await pilot.press("1", "2")
        await wait_for(pilot, lambda: app.tab == "unread" and app.loaded, what="reloaded")
        assert target.id not in app.item_list.visible_ids()


# -- notes -------------------------------------------------------------------------------------

async def test_notes_show_in_the_detail_marked_internal(make_app, client):
    from cockpit.tui.screens.compose import ComposeScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        ticket = await move_to(app, pilot, lambda i: "note" in i.actions)
        await pilot.press("N")
        await wait_for(pilot, lambda: showing(app, ComposeScreen), what="dialog")
        await pilot.press(*"Called back [b]twice[/b]", "ctrl+s")
        conversation = app.detail.query_one("#detail-conversation")
        await wait_for(pilot, lambda: any("Called back" in text_of(n)
                                          for n in conversation.query(".-note")),
                       what="the note shown")
        note = next(n for n in conversation.query(".-note") if "Called back" in text_of(n))
        assert "Called back [b]twice[/b]" in text_of(note)  # literally, never markup
        assert note.border_title == "Internal note · alex"  # who
        assert note.border_subtitle.startswith("internal · never sent · just now (2099-03-14")
        assert note.display
        context = text_of(app.detail.query_one("#detail-context"))
        assert "entries" not in context  # no more "Notes: 1 entries"
        timeline = await client.timeline(ticket.id)
        assert [e["body_md"] for e in timeline if e["type"] == "note"] == \
            ["Called back [b]twice[/b]"]
        assert "notes" not in (await client.get(ticket.id)).payload  # on the timeline only


# -- bulk of any size --------------------------------------------------------------------------

async def test_a_bulk_over_the_server_limit_is_split_and_reported_once(make_app, client,
                                                                        monkeypatch):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        toasts = record_toasts(app)
        sizes: list[int] = []
        original = client.bulk

        async def bulk(ids: list[int], op: str, params: dict | None = None):
            sizes.append(len(ids))
            return await original(ids, op, params)

        monkeypatch.setattr(client, "bulk", bulk)
        unread = [i.id for i in app.item_list.items if i.state == State.UNREAD][:5]
        nobody = range(900_000_000, 900_000_000 + 10_001)  # ids that exist for no one
        app.selection.set_many([*unread, *nobody], True)
        await pilot.press("I")
        await wait_for(pilot, lambda: any("marked read" in t for t in toasts), what="result")
        assert sizes == [10_000, 6]  # the server takes at most 10,000 ids a request
        results = [t for t in toasts if "marked read" in t or "Could not" in t]
        assert results == ["5 marked read, 10001 gone"]
        for item_id in unread:
            assert (await client.get(item_id)).state == State.READ


async def test_a_bulk_that_fails_part_way_says_what_was_done(make_app, client, monkeypatch):
    from cockpit.client import ApiError
    from cockpit.tui import workers

    monkeypatch.setattr(workers, "BULK_CHUNK", 2)
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        toasts = record_toasts(app)
        original = client.bulk
        calls = 0

        async def bulk(ids: list[int], op: str, params: dict | None = None):
            nonlocal calls
            calls += 1
            if calls == 2:
                raise ApiError(503, "the server is restarting")
            return await original(ids, op, params)

        monkeypatch.setattr(client, "bulk", bulk)
        unread = [i.id for i in app.item_list.items if i.state == State.UNREAD][:5]
        app.selection.set_many(unread, True)
        await pilot.press("I")
        await wait_for(pilot, lambda: any("marked read" in t for t in toasts), what="result")
        assert toasts[-1] == ("2 marked read; 3 more items not done: the server is restarting")


# -- decided elsewhere -------------------------------------------------------------------------

async def _shared_waitpoint(app: Any, maria: Any) -> Any:
    """A waitpoint both alex and maria may approve."""
    for item in app.item_list.items:
        if item.kind == "waitpoint" and "approve" in item.actions \
                and not item.payload.get("second_approver_required"):
            try:
                theirs = await maria.get(item.id)
            except Exception:  # noqa: BLE001 - not visible to her
                continue
            if "approve" in theirs.actions:
                return item
    raise AssertionError("no waitpoint both can approve")


async def test_a_decision_taken_elsewhere_is_told_and_closes_the_question(make_app, maria):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        toasts = record_toasts(app)
        target = await _shared_waitpoint(app, maria)
        await move_to(app, pilot, lambda i: i.id == target.id)
        await pilot.press("a")
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="question")
        await maria.act(target.id, "approve")
        await wait_for(pilot, lambda: any("by maria" in t for t in toasts), what="told")
        toast = next(t for t in toasts if "by maria" in t)
        assert toast.startswith("Approved by maria: ")
        assert "question about it was closed" in toast
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen),
                       what="the question closed")
        assert (await maria.get(target.id)).resolved_by == "maria"


async def test_the_item_under_the_cursor_decided_elsewhere_is_told(make_app, maria):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        toasts = record_toasts(app)
        target = await _shared_waitpoint(app, maria)
        await move_to(app, pilot, lambda i: i.id == target.id)
        await maria.act(target.id, "deny")
        await wait_for(pilot, lambda: any("by maria" in t for t in toasts), what="told")
        assert any(t.startswith("Denied by maria: ") for t in toasts)


# -- keys that do not apply --------------------------------------------------------------------

async def test_a_key_that_does_not_apply_says_why(make_app):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        toasts = record_toasts(app)
        waitpoint = await move_to(app, pilot, lambda i: i.kind == "waitpoint"
                                  and "approve" in i.actions)
        assert "e" not in app.screen.active_bindings  # hidden from the footer
        await pilot.press("e")
        await wait_for(pilot, lambda: toasts, what="a reason")
        assert toasts[-1].startswith("A waitpoint is decided, not archived. Here: Approve (a)")
        assert waitpoint.id in app.item_list.visible_ids()

        await move_to(app, pilot, lambda i: i.kind == "message" and "archive" in i.actions)
        await pilot.press("a")
        await wait_for(pilot, lambda: len(toasts) == 2, what="a second reason")
        assert toasts[-1].startswith("Approve is for waitpoints and escalations; this is a "
                                     "message. Here: ")
        await pilot.press("d")  # deny and reject share d: neither applies to a message
        await wait_for(pilot, lambda: len(toasts) == 3, what="a third reason")
        assert "this is a message" in toasts[-1]

        await pilot.press("home")  # a folder row
        await pilot.press("e")
        await wait_for(pilot, lambda: len(toasts) == 4, what="a folder reason")
        assert "folder" in toasts[-1]
        await pilot.press("j")  # keys that apply still just work, silently
        assert len(toasts) == 4


# -- keymap ------------------------------------------------------------------------------------

async def test_keymap_problems_are_reported_and_no_action_loses_its_key(make_app):
    app = make_app(live=False, keymap={"cockpit.archive": "a", "cockpit.archiv": "E",
                                       "cockpit.deny": "D"})
    toasts = record_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        problems = [t for t in toasts if t.startswith("keymap")]
        assert len(problems) == 2 and all("\n" not in p for p in problems)
        assert any("unknown binding id 'cockpit.archiv'" in p
                   and "did you mean 'cockpit.archive'" in p for p in problems)
        assert any('cockpit.archive = "a" ignored: a is already Approve (cockpit.approve)' in p
                   for p in problems)

        await move_to(app, pilot, lambda i: i.kind == "waitpoint" and "approve" in i.actions)
        await pilot.press("a")  # approve kept its key
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="approve")
        assert "Approve" in text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="closed")
        await pilot.press("D")  # deny moved as asked
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="deny")
        assert "Deny" in text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="closed")

        await move_to(app, pilot, lambda i: "reject" in i.actions)
        await pilot.press("d")  # reject, which shared d with deny, kept it
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="reject")
        assert "Reject" in text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="closed")

        message = await move_to(app, pilot, lambda i: i.kind == "message"
                                and "archive" in i.actions)
        await pilot.press("e")  # archive kept e (its remap was refused)
        await wait_for(pilot, lambda: message.id not in app.item_list.visible_ids(),
                       what="archived with e")


# -- assign to a person ------------------------------------------------------------------------

async def test_assign_offers_people_and_asks_before_taking_an_item_from_someone(
        make_app, client, maria):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        ticket = await move_to(app, pilot, lambda i: "assign" in i.actions
                               and i.assignee_id == "maria")
        await pilot.press("A")
        await wait_for(pilot, lambda: showing(app, AssignScreen), what="the picker")
        options = app.screen.query_one("#assign-list")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[0] == "me (alex)"
        assert "maria · holds it now" in labels and labels[-1] == "nobody (unassign)"
        await pilot.press(*"al")
        await wait_for(pilot, lambda: options.option_count == 1, what="filtered to me")
        await pilot.press("enter")
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="a question")
        assert "maria holds this item. Give it to me?" in \
            text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.known[ticket.id].assignee_id == "alex",
                       what="assigned to me")
        assert (await client.get(ticket.id)).assignee_id == "alex"


async def test_assign_to_someone_else_without_a_question_when_nobody_holds_it(
        make_app, client, maria):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        ticket = await move_to(app, pilot, lambda i: "assign" in i.actions
                               and i.assignee_id is None)
        await pilot.press("A")
        await wait_for(pilot, lambda: showing(app, AssignScreen), what="the picker")
        await pilot.press(*"mar", "enter")
        await wait_for(pilot, lambda: app.known[ticket.id].assignee_id == "maria",
                       what="assigned to maria")
        assert not isinstance(app.screen, ConfirmScreen)
        assert (await client.get(ticket.id)).assignee_id == "maria"


# -- search and folders ------------------------------------------------------------------------

async def test_an_empty_search_says_so_and_clears_the_detail(make_app):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await move_to(app, pilot, lambda i: True)
        await pilot.press("slash", *"zzqqxx", "enter")
        await wait_for(pilot, lambda: app.query_text == "zzqqxx" and app.loaded, what="search")
        await wait_for(pilot, lambda: app.item_list.row_count == 0, what="no rows")
        assert "No items match “zzqqxx”" in app.item_list.render_line(1).text
        await wait_for(pilot, lambda: app.detail.item is None, what="the detail cleared")
        assert "No items match" in text_of(app.detail.query_one("#detail-empty"))


async def test_a_folder_row_shows_that_folders_summary(make_app):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        item = await move_to(app, pilot, lambda i: i.kind == "message")
        await pilot.press("left")  # to its folder row
        row = app.item_list.cursor_row
        assert app.cursor_item() is None and row is not None
        await wait_for(pilot, lambda: app.detail.item is None, what="no older item")
        summary = text_of(app.detail.query_one("#detail-folder"))
        assert row.label in summary
        assert f"{row.count} items" in summary and f"{row.unread} unread" in summary
        assert app.detail.folder == row and item.id in app.feed.by_key[row.key].index


# -- 80x24 -------------------------------------------------------------------------------------

async def test_at_80x24_the_footer_keeps_help_and_quit_and_the_bulk_bar_its_clear(make_app):
    app = make_app(live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot, live=False)
        await move_to(app, pilot, lambda i: i.kind == "waitpoint" and "approve" in i.actions)
        await pilot.pause(0.3)
        footer = app.query_one("FittingFooter")
        shown = {k.action: k for k in footer.shown}
        for action in ("help", "quit", "item('approve')"):
            assert action in shown, action
            assert shown[action].end <= 80
        archivable = [i.id for i in app.item_list.items if "archive" in i.actions
                      and not is_decision(i.kind, i.payload) and not i.blocking][:2]
        app.selection.set_many(archivable, True)
        bar = app.query_one("#bulk")
        await wait_for(pilot, lambda: not bar.has_class("-hidden"), what="bulk bar")
        await pilot.pause(0.2)
        clear = app.query_one("#bulk-clear")
        assert clear.display and app.query_one("#bulk-archive").display
        assert clear.region.width > 0 and clear.region.right <= bar.content_region.right


async def test_the_footer_follows_the_item_and_a_click_on_a_key_presses_it(make_app):
    from cockpit.tui.screens import HelpScreen

    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await move_to(app, pilot, lambda i: i.kind == "waitpoint" and "approve" in i.actions)
        footer = app.query_one("FittingFooter")
        await wait_for(pilot, lambda: "item('approve')" in {k.action for k in footer.shown},
                       what="approve in the footer")
        await move_to(app, pilot, lambda i: i.kind == "ticket")
        await wait_for(pilot, lambda: "item('approve')" not in {k.action for k in footer.shown}
                       and "item('reply')" in {k.action for k in footer.shown},
                       what="the ticket's keys in the footer")
        help_key = next(k for k in footer.shown if k.action == "help")
        await pilot.click(footer, offset=(help_key.start, 0))
        await wait_for(pilot, lambda: showing(app, HelpScreen), what="help, from a click")


# -- themes ------------------------------------------------------------------------------------

async def test_a_theme_picked_in_the_palette_is_remembered(make_app):
    from cockpit.config import config_path, load_settings

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# mine\nbell = true\n")
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        command = next(c for c in app.palette_commands() if c.text == "Theme: cockpit-light")
        command.run()
        await wait_for(pilot, lambda: app.theme == "cockpit-light", what="theme")
    assert path.read_text() == '# mine\nbell = true\ntheme = "cockpit-light"\n'
    assert load_settings().theme == "cockpit-light"


# -- handlers outlive nothing ------------------------------------------------------------------

async def test_messages_arriving_after_the_screen_is_gone_are_dropped(make_app):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        items = app.item_list.items[:3]
        feed = app.feed
        folder = feed.folders[0]
    # the app has shut down and its widgets are gone: late worker/live messages do nothing
    app._live_changed(LiveChanged(items, [], [], {"active": 1}))
    app.on_groups_loaded(GroupsLoaded(feed, [], force=True))
    app.on_window_loaded(WindowLoaded(feed, folder.key, folder.version, items, None,
                                    {"active": 1}))
