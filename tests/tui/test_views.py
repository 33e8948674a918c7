"""Saved views in the app: the chips with counts, `:` to pick one or type a query, the sort
key, select-all held as a query, and the selection kept across views."""

from __future__ import annotations

from cockpit.domain.grouping import ItemRow
from cockpit.tui.messages import ItemChanged, PresenceChanged
from cockpit.tui.screens.view_picker import ViewPicker
from cockpit.tui.widgets.view_bar import ViewBar
from tests.tui.pilot import SIZE, ready, record_toasts, settled, wait_for


def shown_items(app):
    return [row.item for row in app.item_list.rows if isinstance(row, ItemRow)]


async def pick(app, pilot, *keys: str) -> None:
    """`:`, then type `keys` into the picker."""
    await pilot.press("colon")
    await wait_for(pilot, lambda: isinstance(app.screen, ViewPicker)
                   and app.screen.focused is app.screen.filter_box, what="the picker")
    await pilot.press(*keys)


async def test_colon_picks_a_saved_view_and_the_chips_mark_it(make_app, client):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await wait_for(pilot, lambda: app.views, what="the views listed")
        chips = app.query_one("#views", ViewBar)
        assert "Unassigned" in str(chips.render())
        expected = (await client.list_inbox(view="unassigned", limit=500)).items

        await pick(app, pilot, *"unassig", "enter")
        await wait_for(pilot, lambda: app.view_name == "unassigned" and settled(app),
                       what="the view shown")
        assert app.feed.key.view == "unassigned"
        assert {i.id for i in shown_items(app)} == {i.id for i in expected}
        assert all(i.kind == "ticket" and i.assignee_id is None for i in shown_items(app))

        await pick(app, pilot, "enter")  # "No view: the whole tab" comes first while one is shown
        await wait_for(pilot, lambda: app.view_name == "" and settled(app), what="no view")


async def test_colon_runs_a_typed_query_and_shows_it_in_the_search_box(make_app, client):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await pick(app, pilot, *"kind:ticket priority:>=high", "enter")
        await wait_for(pilot, lambda: app.query_text == "kind:ticket priority:>=high"
                       and settled(app), what="the query applied")
        assert app.search_input.display and app.search_input.value == app.query_text
        items = shown_items(app)
        assert items and all(i.kind == "ticket" and i.priority in ("high", "urgent")
                             for i in items)


async def test_a_bad_query_is_explained_under_the_search_box(make_app):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await pilot.press("slash", *"priority:soon")
        line = app.query_one("#search-error")
        await wait_for(pilot, lambda: line.display and "priority" in str(line.render()),
                       what="the error shown inline")
        assert app.screen is app.screen_stack[0]  # no toast, no dialog: typing goes on
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"high")
        await wait_for(pilot, lambda: not line.display, what="the error gone")


async def test_s_cycles_the_sort(make_app):
    app = make_app(live=False, settings=None)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        toasts = record_toasts(app)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.feed.key.sort == "oldest" and settled(app),
                       what="oldest first")
        folder = next(f for f in app.feed.folders if len(f.items) > 2)
        stamps = [i.created_at for i in folder.items]
        assert stamps == sorted(stamps)
        assert any("oldest first" in t for t in toasts)
        for _ in range(3):
            await pilot.press("s")
        await wait_for(pilot, lambda: app.feed.key.sort == "newest", what="back to newest")


async def test_star_selects_the_whole_view_as_a_query_and_one_bulk_acts_on_it(make_app,
                                                                               client):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await pick(app, pilot, *"kind:message", "enter")
        await wait_for(pilot, lambda: app.query_text == "kind:message" and settled(app),
                       what="messages only")
        total = app.feed.total
        await pilot.press("asterisk")
        assert len(app.selection) == total and app.selection.scopes
        bar = app.query_one("#bulk")
        await wait_for(pilot, lambda: not bar.has_class("-hidden"), what="bulk bar")
        assert f"{total} selected" in str(app.query_one("#bulk-summary").render())
        # unticking one row keeps it out of the run
        await pilot.press("down", "down")
        kept = app.cursor_item()
        await pilot.press("space")
        assert len(app.selection) == total - 1 and kept.id in app.selection.excluded

        toasts = record_toasts(app)
        await pilot.press("I")  # mark read: one request by query
        await wait_for(pilot, lambda: any("marked read" in t for t in toasts),
                       what="the toast")
        fresh = await client.get(kept.id)
        assert fresh.state == kept.state  # the excepted item was left alone
        left = await client.list_inbox(q="kind:message is:unread", limit=500)
        assert [i.id for i in left.items] in ([], [kept.id])


async def test_the_selection_is_kept_across_views_with_hidden_counted(make_app):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        first = shown_items(app)[0]
        app.item_list.select_item(first.id)
        await pilot.press("space")
        app.show_view("unassigned")
        await wait_for(pilot, lambda: settled(app) and app.view_name == "unassigned",
                       what="another view")
        assert first.id in app.selection
        summary = app.query_one("#bulk-summary")
        if first.id not in app.item_list.visible_ids():
            await wait_for(pilot, lambda: "hidden" in str(summary.render()),
                           what="the hidden count")


async def test_n_walks_a_view_skipping_tickets_someone_else_has_open(make_app):
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        app.show_view("all_open")
        await wait_for(pilot, lambda: app.view_name == "all_open" and settled(app)
                       and len(shown_items(app)) >= 3, what="the open tickets")
        tickets = shown_items(app)
        app.item_list.select_item(tickets[0].id)
        app.post_message(PresenceChanged(tickets[1].id, ["maria"]))
        await wait_for(pilot, lambda: tickets[1].id in app.viewers, what="maria viewing")
        await pilot.press("n")
        assert app.cursor_item().id == tickets[2].id  # maria has the next one open
        app.post_message(PresenceChanged(tickets[1].id, []))
        await wait_for(pilot, lambda: tickets[1].id not in app.viewers, what="maria gone")
        app.item_list.select_item(tickets[0].id)
        await pilot.press("n")
        assert app.cursor_item().id == tickets[1].id


async def test_advance_goes_on_to_the_next_ticket_after_a_macro(make_app):
    from cockpit.config import Settings

    app = make_app(live=False, settings=Settings(group_by="kind", advance=True))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        app.show_view("all_open")
        await wait_for(pilot, lambda: app.view_name == "all_open" and settled(app)
                       and len(shown_items(app)) >= 2, what="the open tickets")
        first, second = shown_items(app)[:2]
        app.item_list.select_item(first.id)
        app.post_message(ItemChanged(first, "Macro thanks run"))
        await wait_for(pilot, lambda: app.cursor_item().id == second.id, what="advanced")
