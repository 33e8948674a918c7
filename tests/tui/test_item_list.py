"""The virtual inbox list drawing a Feed, driven through a tiny app that mounts just the list."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from rich.cells import cell_len

from cockpit.domain.grouping import ALL_KEY, FolderRow, ItemRow, flatten, group_items
from cockpit.domain.models import Item
from cockpit.tui.feed import Feed, PendingRow, ViewKey
from cockpit.tui.glyphs import inert, relative_time
from cockpit.tui.selection import Selection
from cockpit.tui.widgets import ItemList
from cockpit.tui.widgets._rows import PENDING
from tests.tui.feeds import CUSTOMER, ListApp, feed_of, folder_rows, lines, make
from tests.tui.pilot import wait_for


def three_messages_and_two_tickets() -> list[Item]:
    return [
        make(5, "message"),
        make(4, "ticket", sender=CUSTOMER),
        make(3, "message"),
        make(2, "ticket", sender=CUSTOMER),
        make(1, "message"),
    ]


def kinds_app(**kwargs) -> ListApp:
    """Rows: Tickets (2), 4, 2, Messages (3), 5, 3, 1."""
    return ListApp(feed_of(three_messages_and_two_tickets(), "kind"), **kwargs)


# ----------------------------------------------------------------------------- basics


async def test_rows_folders_and_no_wrapping() -> None:
    app = kinds_app()
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        await pilot.pause()
        assert item_list.row_count == 7
        assert item_list.rows == flatten(group_items(item_list.items, "kind"), set())
        text = lines(item_list, 8)
        assert text[0].startswith("▾ ☐ Tickets (2)")
        assert "2 unread" in text[0]
        assert text[1].startswith("  ☐ ● AI ✉ Item 4")
        assert text[3].startswith("▾ ☐ Messages (3)")
        assert "Acme Inc" in text[1]
        assert text[7].strip() == ""
        width = item_list.scrollable_content_region.width
        assert all(cell_len(line) == width for line in text)
        # the cursor starts on the first row, a folder row
        assert item_list.cursor_index == 0 and item_list.cursor_item is None
        assert app.highlighted() == [None]


async def test_group_by_none_has_no_folder_rows() -> None:
    app = ListApp(feed_of(three_messages_and_two_tickets(), "none"))
    async with app.run_test(size=(100, 30)):
        item_list = app.item_list
        assert item_list.group_by == "none" and item_list.row_count == 5
        assert all(isinstance(r, ItemRow) for r in item_list.rows)
        assert lines(item_list, 1)[0].startswith("☐ ● TB ❝ Item 5")
        assert item_list.cursor_item is not None and item_list.cursor_item.id == 5


async def test_movement_keys_and_highlighted_messages() -> None:
    app = kinds_app()
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        await pilot.pause()
        app.log_.clear()
        await pilot.press("j")
        assert item_list.cursor_item.id == 4
        await pilot.press("down", "down")  # item 2, then the Messages folder
        assert item_list.cursor_item is None and item_list.cursor_index == 3
        await pilot.press("G")
        assert item_list.cursor_item.id == 1
        await pilot.press("k")
        assert item_list.cursor_item.id == 3
        await pilot.press("g")
        assert item_list.cursor_index == 0
        await pilot.press("end")
        assert item_list.cursor_index == item_list.row_count - 1
        await pilot.press("j")  # past the end: stays, says nothing
        await pilot.press("home", "k")
        await pilot.pause()
        highlighted = app.highlighted()
        assert highlighted[0] == 4
        assert 1 in highlighted and 3 in highlighted
        assert highlighted[-1] is None  # back on a folder row
        assert highlighted.count(1) == 2  # G, end; not again for the press past the end


async def test_pages_keep_the_cursor_on_its_screen_line() -> None:
    app = ListApp(feed_of([make(i) for i in range(100, 0, -1)], "none"))
    async with app.run_test(size=(100, 12)) as pilot:
        item_list = app.item_list
        await pilot.press("j", "j", "pagedown")
        height = item_list.scrollable_content_region.height
        assert item_list.cursor_index == 2 + height - 1
        assert item_list.cursor_index - int(item_list.scroll_offset.y) == 2
        await pilot.press("pageup")
        assert item_list.cursor_index == 2 and int(item_list.scroll_offset.y) == 0


async def test_highlighted_messages_of_one_list_coalesce() -> None:
    item = make(1)
    one, other = ItemList(), ItemList()
    first = ItemList.Highlighted(item, item_list=one)
    assert first.can_replace(ItemList.Highlighted(None, item_list=one)) is True
    assert first.can_replace(ItemList.Highlighted(item, item_list=other)) is False
    assert first.can_replace(ItemList.Opened(item, item_list=one)) is False
    changed = ItemList.SelectionChanged(3, item_list=one)
    assert changed.can_replace(ItemList.SelectionChanged(2, item_list=one)) is True
    assert changed.can_replace(ItemList.SelectionChanged(2, item_list=other)) is False


async def test_a_held_key_ends_on_the_last_row_it_reached() -> None:
    app = ListApp(feed_of([make(i) for i in range(40, 0, -1)], "none"))
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        app.log_.clear()
        await pilot.press(*["j"] * 15)
        await pilot.pause()
        highlighted = app.highlighted()
        assert app.item_list.cursor_item.id == 25
        assert highlighted[-1] == 25 and 1 <= len(highlighted) <= 15


async def test_enter_opens_an_item_and_toggles_a_folder() -> None:
    app = kinds_app()
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        await pilot.press("j", "enter")
        await pilot.pause()
        assert ("opened", 4) in app.log_
        await pilot.press("k", "enter")  # collapse Tickets
        assert item_list.row_count == 5
        assert lines(item_list, 2)[0].startswith("▸ ☐ Tickets (2)")
        assert lines(item_list, 2)[1].startswith("▾ ☐ Messages (3)")
        await pilot.press("enter")  # expand again
        assert item_list.row_count == 7
        # left on an item jumps to its folder, left again collapses, right expands
        await pilot.press("j", "left")
        assert item_list.cursor_index == 0
        await pilot.press("left")
        assert item_list.collapsed == {"ticket"}
        await pilot.press("right")
        assert item_list.collapsed == frozenset()
        item_list.collapse_all()
        assert item_list.row_count == 2
        item_list.expand_all()
        assert item_list.row_count == 7
        await pilot.pause()
        assert [m for m in app.log_ if m[0] == "opened"] == [("opened", 4)]


async def test_a_folder_row_is_highlighted_with_its_figures() -> None:
    seen: list[ItemList.Highlighted] = []

    class Watch(ListApp):
        def on_item_list_highlighted(self, message: ItemList.Highlighted) -> None:
            seen.append(message)

    app = Watch(feed_of(three_messages_and_two_tickets(), "kind"))
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press("j", "home")
        await pilot.pause()
        first = seen[-1]
        assert first.item is None and first.folder == FolderRow("ticket", "Tickets", 2, 2)
        app.item_list.select_item(5)
        await pilot.press("up")  # from an item onto the other folder's row
        await pilot.pause()
        assert seen[-1].folder == FolderRow("message", "Messages", 3, 3)


# ----------------------------------------------------------------------------- selection


async def test_space_on_item_and_on_folder_rows() -> None:
    selection = Selection()
    app = kinds_app(selection=selection)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        assert item_list.selection is selection
        await pilot.press("j", "space")  # item 4
        await pilot.pause()
        assert selection.ids == {4}
        text = lines(item_list, 3)
        assert text[1].startswith("  ☑")
        assert text[0].startswith("▾ ◩ Tickets")  # partial
        assert ("selection", 1) in app.log_

        await pilot.press("k", "space")  # folder partial -> all on, id by id (loaded to its end)
        await pilot.pause()
        assert selection.ids == {4, 2} and selection.scopes == ()
        text = lines(item_list, 3)
        assert text[0].startswith("▾ ☑ Tickets")
        assert text[1].startswith("  ☑") and text[2].startswith("  ☑")

        await pilot.press("space")  # all on -> all off
        await pilot.pause()
        assert selection.ids == set()
        text = lines(item_list, 4)
        assert text[0].startswith("▾ ☐ Tickets")
        assert text[1].startswith("  ☐") and text[2].startswith("  ☐")
        assert app.log_[-1] == ("selection", 0)

        # ticking one of three messages makes that folder partial
        await pilot.press("j", "j", "j", "j", "space")
        await pilot.pause()
        assert item_list.cursor_item.id == 5 and selection.ids == {5}
        assert lines(item_list, 4)[3].startswith("▾ ◩ Messages (3)")
        # an external change (the app clearing the selection) redraws and reports
        selection.clear()
        await pilot.pause()
        assert lines(item_list, 5)[3].startswith("▾ ☐ Messages (3)")
        assert lines(item_list, 5)[4].startswith("  ☐")
        assert app.log_[-1] == ("selection", 0)


async def test_a_folder_not_fully_loaded_is_ticked_as_a_scope() -> None:
    feed = feed_of(three_messages_and_two_tickets(), "kind", unloaded={"ticket": 3})
    app = ListApp(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        selection = item_list.selection
        text = lines(item_list, 6)
        assert text[0].startswith("▾ ☐ Tickets (5)")
        assert PENDING in text[3] and PENDING in text[5] and "Item" not in text[3]
        await pilot.press("space")  # the Tickets folder
        await pilot.pause()
        assert selection.ids == set() and len(selection) == 5
        assert [s.group for s in selection.scopes] == ["ticket"]
        assert ("selection", 5) in app.log_
        text = lines(item_list, 7)
        assert text[0].startswith("▾ ☑ Tickets (5)")
        assert text[1].startswith("  ☑") and text[2].startswith("  ☑")
        assert text[6].startswith("▾ ☐ Messages")
        await pilot.press("j", "j", "space")  # untick item 2 inside the scope
        await pilot.pause()
        assert selection.excluded == {2} and len(selection) == 4
        text = lines(item_list, 3)
        assert text[0].startswith("▾ ◩ Tickets") and text[2].startswith("  ☐")
        await pilot.press("j", "space")  # a placeholder row: nothing to tick
        await pilot.pause()
        assert isinstance(item_list.cursor_row, PendingRow) and len(selection) == 4
        await pilot.press("g", "space")  # partial -> the whole folder again
        await pilot.pause()
        assert selection.excluded == frozenset() and len(selection) == 5
        await pilot.press("space")
        await pilot.pause()
        assert not selection and lines(item_list, 1)[0].startswith("▾ ☐ Tickets")


async def test_select_all_draws_every_row_ticked_and_survives_a_feed_change() -> None:
    app = kinds_app()
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        feed = item_list.feed
        item_list.selection.select_all(feed.key, feed.total, feed.loaded_ids())
        await pilot.pause()
        text = lines(item_list, 7)
        assert text[0].startswith("▾ ☑ Tickets") and text[3].startswith("▾ ☑ Messages")
        assert all(text[i].startswith("  ☑") for i in (1, 2, 4, 5, 6))
        other = feed_of([make(9, state="read")], "kind", state="unread")
        item_list.show_feed(other)  # another tab: its rows are not the scope's
        await pilot.pause()
        assert lines(item_list, 2)[1].startswith("  ☐")
        assert item_list.selection.hidden_count(other.key, item_list.visible_ids()) == 5
        item_list.show_feed(feed)
        assert lines(item_list, 2)[1].startswith("  ☑")


async def test_range_select_ticks_rows_between_the_last_tick_and_the_cursor() -> None:
    app = ListApp(feed_of([make(i) for i in range(10, 0, -1)], "none"))
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        selection = item_list.selection
        await pilot.press("V")  # nothing ticked yet: ticks the cursor's row
        assert selection.ids == {10}
        await pilot.press("j", "j", "space", "j", "j", "j", "V")  # 8 ticked, cursor on 5
        assert selection.ids == {10, 8, 7, 6, 5}
        await pilot.press("g", "V")  # upwards from the last tick (8) to the cursor (10)
        assert selection.ids == {10, 9, 8, 7, 6, 5}
        await pilot.pause()
        assert ("selection", 6) in app.log_
        assert all(line.startswith("☑") for line in lines(item_list, 6))


async def test_range_select_skips_folder_and_placeholder_rows() -> None:
    app = ListApp(feed_of(three_messages_and_two_tickets(), "kind", unloaded={"ticket": 2}))
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        await pilot.press("j", "space")  # item 4
        item_list.select_item(3)  # rows: T, 4, 2, ·, ·, M, 5, 3
        await pilot.press("V")
        assert item_list.selection.ids == {4, 2, 5, 3}
        assert item_list.selection.scopes == ()


async def test_range_select_inside_a_folder_scope_counts_each_item_once() -> None:
    app = ListApp(feed_of([make(i) for i in range(10, 0, -1)], "kind",
                          unloaded={"message": 90}))
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        selection = item_list.selection
        await pilot.press("space")  # the folder: a scope of 100
        assert len(selection) == 100
        await pilot.press("j", "space", "j", "space", "j", "space")  # untick 10, 9, 8
        assert len(selection) == 97
        await pilot.press("g", "j", "V")  # tick 10..8 again from the last tick (8)
        assert selection.excluded == frozenset() and len(selection) == 100
        assert selection.folder_state(item_list.feed.key, item_list.feed.by_key["message"]) \
            == "on"


async def test_click_moves_cursor_and_checkbox_column_toggles() -> None:
    app = kinds_app()
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        await pilot.click(ItemList, offset=(20, 2))  # item 2, on its title
        assert item_list.cursor_item.id == 2
        assert len(item_list.selection) == 0
        await pilot.click(ItemList, offset=(2, 4))  # item 5's checkbox
        assert item_list.cursor_item.id == 5
        assert item_list.selection.ids == {5}
        await pilot.click(ItemList, offset=(2, 0))  # the Tickets folder's checkbox
        assert item_list.selection.ids == {5, 4, 2}
        await pilot.click(ItemList, offset=(0, 0))  # the folder arrow collapses it
        assert item_list.collapsed == {"ticket"}
        await pilot.click(ItemList, offset=(30, 9))  # below the last row: nothing
        assert item_list.cursor_index == 0
        await pilot.click(ItemList, offset=(30, 3), times=2)  # a double click opens
        await pilot.pause()
        assert item_list.cursor_item.id == 3 and ("opened", 3) in app.log_
        assert item_list.selection.ids == {5, 4, 2}


async def test_click_on_a_flat_list_checkbox_column() -> None:
    app = ListApp(feed_of(three_messages_and_two_tickets(), "none"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click(ItemList, offset=(0, 2))
        assert app.item_list.selection.ids == {3}
        await pilot.click(ItemList, offset=(2, 1))  # the unread dot: moves only
        assert app.item_list.selection.ids == {3} and app.item_list.cursor_item.id == 4


# ----------------------------------------------------------------------------- feed changes


async def test_newer_items_above_keep_the_cursor_on_its_item_and_screen_line() -> None:
    items = [make(i) for i in range(20, 0, -1)]
    feed = feed_of(items, "none")
    app = ListApp(feed)
    async with app.run_test(size=(100, 10)) as pilot:
        item_list = app.item_list
        await pilot.press("j", "j", "j")
        assert item_list.cursor_item.id == 17
        screen_line = item_list.cursor_index - int(item_list.scroll_offset.y)
        await pilot.pause()
        app.log_.clear()
        fresh = [make(30), make(25), make(21), *items]
        feed.set_groups(folder_rows(fresh, "none"))  # the server counts three more
        feed.replace_loaded(ALL_KEY, fresh, None)
        item_list.relayout()
        await pilot.pause()
        assert item_list.cursor_item.id == 17 and item_list.cursor_index == 6
        assert [it.id for it in item_list.items[:4]] == [30, 25, 21, 20]
        # the cursor keeps its place on screen; no Highlighted for the same item
        assert item_list.cursor_index - int(item_list.scroll_offset.y) == screen_line
        assert app.highlighted() == []


async def test_a_short_list_that_grows_above_the_cursor_scrolls_with_it() -> None:
    """No scrollbar yet when the rows arrive: the list still scrolls to keep its cursor."""
    items = [make(3), make(2), make(1)]
    feed = feed_of(items, "none")
    app = ListApp(feed)
    async with app.run_test(size=(100, 10)) as pilot:
        item_list = app.item_list
        await pilot.press("j")
        assert item_list.cursor_item.id == 2
        fresh = [make(i) for i in range(40, 3, -1)] + items
        feed.set_groups(folder_rows(fresh, "none"))
        feed.replace_loaded(ALL_KEY, fresh, None)
        item_list.relayout()
        await pilot.pause()
        assert item_list.cursor_item.id == 2 and item_list.cursor_index == 38
        # its screen line as near as the end of the list allows: the last screen
        height = item_list.scrollable_content_region.height
        assert int(item_list.scroll_offset.y) == 40 - height
        assert "Item 2" in lines(item_list)[38 - (40 - height)]


async def test_update_in_place_keeps_the_row_and_redraws_it() -> None:
    feed = feed_of(three_messages_and_two_tickets(), "kind")
    app = ListApp(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        item_list.select_item(3)
        assert "Item 3" in lines(item_list, 6)[5]
        feed.update([make(3, title="Edited", state="read")])
        item_list.relayout()
        assert item_list.cursor_item.title == "Edited" and item_list.cursor_index == 5
        row = lines(item_list, 6)[5]
        assert "Edited" in row and "●" not in row  # drawn again, no longer unread


async def test_remove_keeps_the_cursor_on_its_item_or_the_row_that_took_its_place() -> None:
    feed = feed_of([make(i) for i in range(6, 0, -1)], "none")
    app = ListApp(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        await pilot.press("j", "j")
        assert item_list.cursor_item.id == 4
        feed.remove([6])  # above: the cursor stays on item 4
        item_list.relayout()
        assert item_list.cursor_item.id == 4 and item_list.cursor_index == 1
        await pilot.pause()
        app.log_.clear()
        feed.remove([4])  # its own item: the row that took its place
        item_list.relayout()
        await pilot.pause()
        assert item_list.cursor_item.id == 3 and item_list.cursor_index == 1
        assert app.highlighted() == [3]
        feed.remove([3])  # the anchor moved to 3 when it was highlighted
        item_list.relayout()
        assert item_list.cursor_item.id == 2
        feed.remove([2, 1])  # the last rows: clamped
        item_list.relayout()
        assert item_list.cursor_item.id == 5 and item_list.cursor_index == 0
        feed.remove([5])
        item_list.relayout()
        await pilot.pause()
        assert item_list.row_count == 0 and item_list.cursor_item is None
        assert app.highlighted()[-1] is None


async def test_replace_loaded_moves_the_cursor_with_its_item() -> None:
    items = [make(i) for i in range(10, 0, -1)]
    feed = feed_of(items, "none")
    app = ListApp(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        await pilot.press("j", "j", "j")
        assert item_list.cursor_item.id == 7
        feed.replace_loaded(ALL_KEY, list(reversed(items)), None)
        item_list.relayout()
        assert item_list.cursor_item.id == 7 and item_list.cursor_index == 6
        # the item went: the same row index
        feed.replace_loaded(ALL_KEY, [make(i) for i in range(100, 90, -1)], None)
        item_list.relayout()
        assert item_list.cursor_index == 6 and item_list.cursor_item.id == 94


async def test_new_counts_above_keep_the_cursor_on_its_item() -> None:
    """The anchor is taken as the cursor moves: by the time `relayout` runs, the rows above
    have already grown."""
    items = three_messages_and_two_tickets()
    feed = feed_of(items, "kind")
    app = ListApp(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        item_list.select_item(3)
        await pilot.pause()
        assert item_list.cursor_index == 5
        # the server counts four more tickets; their folder is fetched again, not to its end
        feed.set_groups(folder_rows(items, "kind", unloaded={"ticket": 4}))
        tickets = feed.by_key["ticket"]
        feed.replace_loaded("ticket", list(tickets.items), "more")
        item_list.relayout()
        assert item_list.cursor_item.id == 3 and item_list.cursor_index == 9
        # a folder row keeps the cursor too
        await pilot.press("k", "k")
        assert item_list.cursor_row == FolderRow("message", "Messages", 3, 3)
        feed.set_groups(folder_rows(items, "kind"))
        item_list.relayout()
        assert item_list.cursor_row == FolderRow("message", "Messages", 3, 3)
        # its folder collapsed: the cursor goes to the folder row
        item_list.select_item(3)
        item_list.collapse("message")
        assert item_list.cursor_row == FolderRow("message", "Messages", 3, 3)


async def test_a_page_arriving_under_the_cursor_keeps_it_there() -> None:
    feed = feed_of([make(i) for i in range(10, 0, -1)], "none", unloaded={ALL_KEY: 10})
    app = ListApp(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        await pilot.press("G")  # onto a placeholder, the 20th row
        assert isinstance(item_list.cursor_row, PendingRow) and item_list.cursor_index == 19
        folder = feed.by_key[ALL_KEY]
        feed.add_page(ALL_KEY, folder.version, [make(-i) for i in range(10)], None)
        item_list.relayout()
        assert item_list.cursor_index == 19 and item_list.cursor_item.id == -9


async def test_a_cursor_on_a_placeholder_keeps_its_place_in_its_folder() -> None:
    items = three_messages_and_two_tickets()
    feed = feed_of(items, "kind", unloaded={"message": 20})
    app = ListApp(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        await pilot.press("G")  # the messages folder's 23rd row, still loading
        assert item_list.cursor_row == PendingRow("message", 22)
        feed.set_groups(folder_rows(items, "kind", unloaded={"ticket": 5, "message": 20}))
        feed.replace_loaded("ticket", list(feed.by_key["ticket"].items), "more")
        item_list.relayout()  # five more rows above it
        assert item_list.cursor_row == PendingRow("message", 22)


async def test_a_late_page_after_replace_loaded_is_dropped() -> None:
    feed = feed_of([make(i) for i in range(10, 0, -1)], "none", unloaded={ALL_KEY: 10})
    app = ListApp(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        folder = feed.by_key[ALL_KEY]
        asked = folder.version
        feed.replace_loaded(ALL_KEY, [make(i) for i in range(12, 2, -1)], "again")
        item_list.relayout()
        assert feed.add_page(ALL_KEY, asked, [make(-1), make(-2)], None) is False
        item_list.relayout()
        await pilot.pause()
        assert [i.id for i in item_list.items] == list(range(12, 2, -1))
        assert isinstance(item_list.row_at(10), PendingRow)
        assert feed.add_page(ALL_KEY, folder.version, [make(-1)], None) is True
        item_list.relayout()
        assert item_list.items[-1].id == -1 and item_list.row_count == 11


async def test_show_feed_switches_views_and_comes_back_where_it_was() -> None:
    inbox = feed_of([make(i) for i in range(50, 0, -1)], "none")
    app = ListApp(inbox)
    async with app.run_test(size=(100, 12)) as pilot:
        item_list = app.item_list
        await pilot.press(*["j"] * 20)
        assert item_list.cursor_item.id == 30
        top = int(item_list.scroll_offset.y)
        other = feed_of(three_messages_and_two_tickets(), "kind")
        item_list.show_feed(other)
        await pilot.pause()
        assert item_list.cursor_index == 0 and int(item_list.scroll_offset.y) == 0
        assert app.highlighted()[-1] is None
        item_list.show_feed(inbox)
        await pilot.pause()
        assert item_list.cursor_item.id == 30 and int(item_list.scroll_offset.y) == top
        assert app.highlighted()[-1] == 30


async def test_move_to_next_unread_wraps_and_expands() -> None:
    items = [
        make(6, state="read"),
        make(5, state="unread"),
        make(4, "ticket", state="read", sender=CUSTOMER),
        make(3, "ticket", state="unread", sender=CUSTOMER),
        make(2, state="read"),
    ]
    app = ListApp(feed_of(items, "kind"))
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        # rows: Tickets, 4, 3, Messages, 6, 5, 2
        assert item_list.move_to_next_unread() is True
        assert item_list.cursor_item.id == 3
        assert item_list.move_to_next_unread() is True
        assert item_list.cursor_item.id == 5
        assert item_list.move_to_next_unread() is True  # wraps
        assert item_list.cursor_item.id == 3
        item_list.collapse("message")
        assert item_list.move_to_next_unread() is True  # expands the folder it lands in
        assert item_list.cursor_item.id == 5
        assert "message" not in item_list.collapsed
        await pilot.pause()
        # only one unread item, and the cursor is on it
        item_list.show_feed(feed_of([make(9, state="unread"), make(8, state="read")], "none"))
        assert item_list.select_item(9) is True
        assert item_list.move_to_next_unread() is False
        item_list.show_feed(feed_of([make(8, state="read")], "none"))
        assert item_list.move_to_next_unread() is False
        assert item_list.select_item(12345) is False


# ----------------------------------------------------------------------------- windows


def big_feed(loaded: int, count: int, *, second: int = 0) -> Feed:
    """A messages folder of `count` items, `loaded` of them loaded; then, when `second`, a
    tickets folder of that many items, none loaded."""
    items = [make(i) for i in range(loaded, 0, -1)]
    feed = Feed(ViewKey("active", group_by="kind"))
    groups = folder_rows(items, "kind", unloaded={"message": count - loaded})
    if second:
        groups.append(FolderRow("ticket", "Tickets", second, second))
    feed.set_groups(groups)
    feed.add_page("message", 0, items, "next" if count > loaded else None)
    return feed


async def test_no_window_is_wanted_while_the_screen_is_loaded() -> None:
    app = ListApp(big_feed(300, 1000))
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("j", "pagedown")
        await pilot.pause()
        assert app.item_list.cursor_index > 0
        assert app.wanted == []


async def test_a_window_is_wanted_as_the_loaded_end_comes_near() -> None:
    app = ListApp(big_feed(300, 1000))
    async with app.run_test(size=(100, 20)) as pilot:
        item_list = app.item_list
        # the cursor on row 201, the last on screen: rows 301 on are not loaded, and the
        # screen (and as much again below it) comes within the read-ahead of them
        item_list.select_item(100)
        await wait_for(pilot, lambda: app.wanted, what="WindowWanted")
        assert app.wanted == [["message"]]
        # every row on screen is still loaded: read ahead, not placeholders
        assert not any(PENDING in line for line in lines(item_list))
        # asked once, however often the screen is drawn
        await pilot.press("j", "j")
        item_list.refresh()
        await pilot.pause()
        assert app.wanted == [["message"]]


async def test_placeholders_are_drawn_and_asked_for() -> None:
    app = ListApp(big_feed(30, 200))
    async with app.run_test(size=(100, 20)) as pilot:
        item_list = app.item_list
        await pilot.press("pagedown", "pagedown")
        await wait_for(pilot, lambda: app.wanted, what="WindowWanted")
        assert app.wanted[0] == ["message"]
        text = lines(item_list)
        pending = [line for line in text if PENDING in line]
        assert pending and all("Item" not in line and "☐" not in line for line in pending)
        width = item_list.scrollable_content_region.width
        assert all(cell_len(line) == width for line in text)
        # the page arrives: its rows are drawn, the next one is asked for again
        feed = item_list.feed
        folder = feed.by_key["message"]
        folder.loading = True  # what the app does when it asks
        feed.add_page("message", folder.version, [make(-i) for i in range(200)], "next2")
        item_list.relayout()
        await pilot.pause()
        assert not any(PENDING in line for line in lines(item_list))
        assert app.wanted == [["message"]]  # 230 loaded: the screen does not need more yet
        # a page that still leaves the screen near the loaded end asks again
        feed.replace_loaded("message", folder.items[:60], "again")
        item_list.relayout()
        await wait_for(pilot, lambda: len(app.wanted) == 2, what="a second WindowWanted")
        assert app.wanted == [["message"], ["message"]]


async def test_collapsed_and_far_away_folders_are_not_asked_for() -> None:
    feed = big_feed(30, 30, second=500)
    feed.collapsed = {"message", "ticket"}
    feed.layout()
    app = ListApp(feed)
    async with app.run_test(size=(100, 60)) as pilot:
        item_list = app.item_list
        await pilot.pause()
        assert app.wanted == []  # the tickets folder row shows, none of its rows do
        item_list.expand("message")
        await pilot.pause()
        assert app.wanted == []
        item_list.expand("ticket")  # its rows come on screen (below the 31 message rows)
        await wait_for(pilot, lambda: app.wanted, what="WindowWanted")
        assert app.wanted == [["ticket"]]


async def test_a_folder_far_below_the_screen_is_not_asked_for() -> None:
    app = ListApp(big_feed(400, 400, second=50))
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("j")
        await pilot.pause()
        assert app.wanted == []
        await pilot.press("G")
        await wait_for(pilot, lambda: app.wanted, what="WindowWanted")
        assert app.wanted == [["ticket"]]


# ----------------------------------------------------------------------------- drawing


CONTROL_CHARS = {chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))} | {
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
}


def assert_inert(text: str) -> None:
    bad = [hex(ord(c)) for c in text if c in CONTROL_CHARS]
    assert not bad, f"control characters reached the terminal: {bad}"


async def test_untrusted_title_is_drawn_literally_and_inertly() -> None:
    evil = "[bold red]x[/] \x1b[31mred\x1b]0;pwn\x07 \u202eevil\u0085 :smile:"
    item = make(1, title=evil, sender=("agent", "a", "[i]Bot\x1b[2J"))
    app = ListApp(feed_of([item], "none"))
    async with app.run_test(size=(120, 30)):
        strip = app.item_list.render_line(0)
        text = strip.text
        assert "[bold red]x[/]" in text  # markup drawn literally, not parsed
        assert "[31mred" in text and "\x1b[31m" not in text  # the escape is inert
        assert ":smile:" in text  # no emoji codes either
        assert "[i]Bot" in text and "[2J" in text
        assert_inert(text)
        for segment in strip:
            assert_inert(segment.text)
            assert segment.style is None or not segment.style.link
    assert_inert(inert("a\tb\nc\x00\x9b\u202e"))
    assert inert("a\tb\nc") == "a b c"


async def test_folder_labels_from_payload_are_inert() -> None:
    items = [make(1, payload={"routine": "[red]nightly\x1b[0m"})]
    app = ListApp(feed_of(items, "routine"))
    async with app.run_test(size=(100, 30)):
        strip = app.item_list.render_line(0)
        assert "[red]nightly" in strip.text and "[0m (1)" in strip.text
        for segment in strip:
            assert_inert(segment.text)


async def test_pills_sla_flags_and_times() -> None:
    now = datetime.now(UTC)
    items = [
        make(4, priority="urgent", age_minutes=0.2, now=now),
        make(3, priority="high", age_minutes=5, now=now,
             payload={"timeout_at": (now + timedelta(minutes=20)).isoformat()}),
        make(2, age_minutes=180, now=now,
             payload={"sla_due_at": (now - timedelta(minutes=5)).isoformat()}),
        make(1, state="resolved", age_minutes=60 * 49, now=now,
             payload={"sla_due_at": (now - timedelta(minutes=5)).isoformat()}),
    ]
    app = ListApp(feed_of(items, "none"), clock=lambda: now)
    async with app.run_test(size=(100, 30)):
        text = lines(app.item_list, 4)
        assert " URG  Item 4" in text[0] and text[0].rstrip().endswith("now")
        assert " HIGH  ⏱ Item 3" in text[1] and text[1].rstrip().endswith("5m")
        assert "⚠ late Item 2" in text[2] and text[2].rstrip().endswith("3h")
        assert "late" not in text[3] and text[3].rstrip().endswith("2d")  # resolved: no flag
    assert relative_time(now - timedelta(days=3), now) == "3d"


@pytest.mark.parametrize("width", [80, 60, 40, 24])
async def test_narrow_widths_drop_sender_then_time(width: int) -> None:
    now = datetime.now(UTC)
    items = [make(1, title="A fairly long title that will need to be cut", age_minutes=3,
                  now=now)]
    app = ListApp(feed_of(items, "kind"), clock=lambda: now)
    async with app.run_test(size=(width, 10)):
        item_list = app.item_list
        region_width = item_list.scrollable_content_region.width
        text = lines(item_list, 2)
        assert all(cell_len(line) == region_width for line in text)
        row = text[1]
        assert row.startswith("  ☐ ● TB ❝ A")
        if width >= 60:
            assert "Triage Bot" in row and row.rstrip().endswith("3m")
        elif width >= 40:
            assert "Triage Bot" not in row and row.rstrip().endswith("3m")
        else:
            assert "Triage Bot" not in row and not row.rstrip().endswith("3m")
        if width < 80:
            assert "…" in row


@pytest.mark.parametrize("width", [37, 39, 56, 58])
async def test_a_row_with_urg_and_late_keeps_its_age_and_its_columns(width: int) -> None:
    now = datetime.now(UTC)
    late = {"sla_due_at": (now - timedelta(minutes=5)).isoformat()}
    items = [make(2, priority="urgent", age_minutes=90, now=now, payload=late,
                  title="Refund for a double charge on an invoice", sender=CUSTOMER),
             make(1, age_minutes=30, now=now, title="A plain row", sender=CUSTOMER)]
    app = ListApp(feed_of(items, "kind"), clock=lambda: now)
    async with app.run_test(size=(width + 2, 10)):
        item_list = app.item_list
        badged, plain = (item_list.render_row(ItemRow(i, "message"), width) for i in items)
        assert cell_len(badged.text) == width == cell_len(plain.text)
        assert " URG " in badged.text and "⚠ late" in badged.text
        assert badged.text.rstrip().endswith("1h")  # the age survives the badges
        assert plain.text.rstrip().endswith("30m")
        _show_time, sender_col = item_list.columns(width)
        if width >= 56:  # the sender on every row, badges or not
            assert sender_col and "Acme Inc" in badged.text and "Acme Inc" in plain.text
        else:
            assert not sender_col
        # the age column starts at the same cell on both rows
        assert badged.text.rindex("1h") == plain.text.rindex("30m") + 1


async def test_the_clock_drives_relative_times_and_sla_flags() -> None:
    now = [datetime(2025, 3, 14, 9, 30, tzinfo=UTC)]
    fixed = now[0]
    item = make(1, now=fixed, age_minutes=5,
                payload={"timeout_at": (fixed + timedelta(minutes=30)).isoformat()})
    app = ListApp(feed_of([item], "none"), clock=lambda: now[0])
    async with app.run_test(size=(100, 10)):
        item_list = app.item_list
        assert item_list.now() == fixed
        text = item_list.render_line(0).text
        assert "⏱ Item 1" in text and text.rstrip().endswith("5m")
        now[0] = fixed + timedelta(minutes=40)  # the deadline passed
        item_list._tick()  # what the list's 30 s timer runs
        text = item_list.render_line(0).text
        assert "⚠ late Item 1" in text and text.rstrip().endswith("45m")


async def test_an_empty_list_says_why() -> None:
    feed = Feed(ViewKey("active", q="zz", group_by="kind"))
    feed.set_groups([])
    app = ListApp(feed)
    async with app.run_test(size=(60, 10)) as pilot:
        item_list = app.item_list
        item_list.empty_text = "No items match “[b]zz\x1b[0m”. esc clears the search."
        text = lines(item_list, 3)
        assert "No items match “[b]zz" in text[1] and "\x1b" not in text[1]
        assert text[0].strip() == "" and text[2].strip() == ""
        assert item_list.cursor_item is None and item_list.cursor_row is None
        await pilot.press("j", "space", "enter", "V")
        await pilot.pause()
        assert not item_list.selection and ("opened", None) not in app.log_


# ----------------------------------------------------------------------------- scale


async def test_one_hundred_thousand_rows_cost_what_the_screen_shows() -> None:
    feed = big_feed(200, 100_000)
    app = ListApp(feed)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        assert item_list.row_count == 100_001
        await pilot.pause()
        calls = [0]
        row_at = feed.row_at

        def counted(index: int):
            calls[0] += 1
            return row_at(index)

        feed.row_at = counted  # type: ignore[method-assign]
        tracemalloc.start()
        try:
            started = time.perf_counter()
            await pilot.press("j", "j", "space", "pagedown", "pagedown", "G", "k", "pageup")
            await pilot.pause()
            screen = lines(item_list)
            elapsed = time.perf_counter() - started
            _size, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert item_list.cursor_index == 100_000 - item_list._page_height() - 1
        assert isinstance(item_list.cursor_row, PendingRow)
        assert all(PENDING in line for line in screen)
        assert item_list.selection.ids == {199}
        # what was drawn and looked up follows the screen, not the 100,000 rows
        key_lookups = calls[0]
        assert key_lookups < 50 * item_list.scrollable_content_region.height
        assert peak < 20 * 1024 * 1024
        assert len(item_list.items) == 200 and len(feed.loaded_ids()) == 200
        assert app.wanted == [["message"]]
        # a recount of the big folder is a relayout of one folder, not of its rows
        calls[0] = 0
        feed.set_groups([FolderRow("message", "Messages", 100_500, 10)])
        item_list.relayout()
        assert item_list.row_count == 100_501 and calls[0] < 10
        print(f"\n100k rows: 8 keys and a screen {elapsed * 1000:.0f} ms, "
              f"peak {peak / 1024:.0f} KiB, {key_lookups} row lookups")


async def test_a_selection_change_draws_again_only_the_rows_whose_checkbox_changed() -> None:
    """Rows: Tickets (2), 4, 2, Messages (3), 5, 3, 1. A toggle draws its row and its folder
    (now partly ticked) again, not the list; a folder's toggle, the folder and its rows."""
    app = kinds_app()
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.item_list
        await pilot.pause()
        drawn: list[int] = []
        real = item_list.refresh_lines

        def refresh_lines(y_start: int, line_count: int = 1):
            drawn.extend(range(y_start, y_start + line_count))
            return real(y_start, line_count)

        item_list.refresh_lines = refresh_lines
        await pilot.press("j", "space")  # item 4
        await pilot.pause()
        assert set(drawn) == {0, 1}  # (j drew both too: the cursor left row 0 for row 1)
        shown = lines(item_list, 3)
        assert shown[0].startswith("▾ ◩ Tickets") and "☑" in shown[1] and "☐" in shown[2]
        drawn.clear()
        await pilot.press("j", "space")  # item 2: the folder is all ticked now
        await pilot.pause()
        assert set(drawn) == {0, 1, 2}  # the folder, the old cursor row, the row ticked
        drawn.clear()
        await pilot.press("g", "space")  # the Tickets folder: off, with both its rows
        await pilot.pause()
        assert set(drawn) == {0, 1, 2}
        assert all("☐" in line for line in lines(item_list, 3))
        assert not {3, 4, 5, 6} & set(drawn)
