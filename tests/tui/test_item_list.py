"""The virtual inbox list, driven through a tiny app that mounts just the ItemList."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult

from cockpit.domain.grouping import FolderRow, ItemRow, flatten, group_items
from cockpit.domain.models import Item, Sender
from cockpit.tui.glyphs import inert, relative_time
from cockpit.tui.selection import Selection
from cockpit.tui.widgets import ItemList

NOW = datetime.now(UTC)

AGENT = ("agent", "agent-7", "Triage Bot")
CUSTOMER = ("customer", "acct-9", "Acme Inc")
PIPELINE = ("pipeline", "deploy", "Deploy pipeline")


def make(
    item_id: int,
    kind: str = "message",
    *,
    state: str = "unread",
    title: str | None = None,
    sender: tuple[str, str, str] = AGENT,
    priority: str = "normal",
    payload: dict[str, Any] | None = None,
    age_minutes: float | None = None,
    now: datetime = NOW,
) -> Item:
    """Higher ids are newer unless `age_minutes` says otherwise."""
    created = now - timedelta(minutes=age_minutes if age_minutes is not None else 1_000_000 - item_id)
    return Item(
        id=item_id,
        kind=kind,
        source_id=f"src-{item_id}",
        state=state,
        title=title if title is not None else f"Item {item_id}",
        sender=Sender(type=sender[0], id=sender[1], name=sender[2]),
        priority=priority,
        payload=payload or {},
        created_at=created,
        updated_at=created,
    )


def messages_of(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda it: it.created_at, reverse=True)


class ListApp(App[None]):
    def __init__(self, items: list[Item] | None = None, **list_kwargs: Any) -> None:
        super().__init__()
        self.initial = items or []
        self.list_kwargs = list_kwargs
        self.log_: list[tuple[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield ItemList(id="list", **self.list_kwargs)

    def on_mount(self) -> None:
        item_list = self.query_one(ItemList)
        item_list.set_items(self.initial)
        item_list.focus()

    def on_item_list_highlighted(self, message: ItemList.Highlighted) -> None:
        assert isinstance(message.control, ItemList)
        self.log_.append(("highlighted", message.item.id if message.item else None))

    def on_item_list_opened(self, message: ItemList.Opened) -> None:
        self.log_.append(("opened", message.item.id))

    def on_item_list_selection_changed(self, message: ItemList.SelectionChanged) -> None:
        self.log_.append(("selection", message.count))


def lines(item_list: ItemList, count: int | None = None) -> list[str]:
    height = count if count is not None else item_list.scrollable_content_region.height
    return [item_list.render_line(y).text for y in range(height)]


def three_messages_and_two_tickets() -> list[Item]:
    return [
        make(5, "message"),
        make(4, "ticket", sender=CUSTOMER),
        make(3, "message"),
        make(2, "ticket", sender=CUSTOMER),
        make(1, "message"),
    ]


# ----------------------------------------------------------------------------- basics


async def test_rows_folders_and_no_wrapping() -> None:
    app = ListApp(three_messages_and_two_tickets(), group_by="kind")
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
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


async def test_group_by_none_has_no_folder_rows() -> None:
    app = ListApp(three_messages_and_two_tickets(), group_by="none")
    async with app.run_test(size=(100, 30)):
        item_list = app.query_one(ItemList)
        assert item_list.row_count == 5
        assert all(isinstance(r, ItemRow) for r in item_list.rows)
        assert lines(item_list, 1)[0].startswith("☐ ● TB ❝ Item 5")
        assert item_list.cursor_item is not None and item_list.cursor_item.id == 5


async def test_movement_keys_and_highlighted_messages() -> None:
    app = ListApp(three_messages_and_two_tickets(), group_by="kind")
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
        await pilot.pause()
        app.log_.clear()
        await pilot.press("j")
        assert item_list.cursor_item.id == 4
        await pilot.press("down", "down")  # item 2, then the Messages folder
        assert item_list.cursor_item is None
        await pilot.press("G")
        assert item_list.cursor_item.id == 1
        await pilot.press("k")
        assert item_list.cursor_item.id == 3
        await pilot.press("g")
        assert item_list.cursor_index == 0
        await pilot.press("end")
        assert item_list.cursor_index == item_list.row_count - 1
        await pilot.press("home")
        await pilot.pause()
        highlighted = [value for name, value in app.log_ if name == "highlighted"]
        assert highlighted[0] == 4
        assert 1 in highlighted and 3 in highlighted
        assert highlighted[-1] is None  # back on a folder row


async def test_held_key_highlighted_messages_coalesce() -> None:
    item = make(1)
    first = ItemList.Highlighted(item)
    assert first.can_replace(ItemList.Highlighted(None)) is True
    assert first.can_replace(ItemList.Opened(item)) is False


async def test_enter_opens_an_item_and_toggles_a_folder() -> None:
    app = ListApp(three_messages_and_two_tickets(), group_by="kind")
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
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
        assert ("opened", 4) in app.log_ and len([m for m in app.log_ if m[0] == "opened"]) == 1


# ----------------------------------------------------------------------------- selection


async def test_space_on_item_and_on_folder_rows() -> None:
    selection = Selection()
    app = ListApp(three_messages_and_two_tickets(), group_by="kind", selection=selection)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
        assert item_list.selection is selection
        await pilot.press("j", "space")  # item 4
        await pilot.pause()
        assert selection.ids == {4}
        text = lines(item_list, 3)
        assert text[1].startswith("  ☑")
        assert text[0].startswith("▾ ◩ Tickets")  # partial
        assert ("selection", 1) in app.log_

        await pilot.press("k", "space")  # folder partial -> all on
        await pilot.pause()
        assert selection.ids == {4, 2}
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


async def test_selection_survives_set_items_and_counts_hidden() -> None:
    app = ListApp(three_messages_and_two_tickets(), group_by="kind")
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
        await pilot.press("space")  # all tickets: 4 and 2
        assert item_list.selection.ids == {4, 2}
        item_list.set_items([make(5), make(3), make(2, "ticket", sender=CUSTOMER)])
        await pilot.pause()
        assert item_list.selection.ids == {4, 2}
        assert item_list.visible_ids() == {5, 3, 2}
        assert item_list.selection.hidden_count(item_list.visible_ids()) == 1
        assert lines(item_list, 1)[0].startswith("▾ ☑ Tickets (1)")
        item_list.selection.discard_missing([4])
        assert item_list.selection.hidden_count(item_list.visible_ids()) == 0
        # an external change (the app clearing the selection) redraws and reports
        item_list.selection.clear()
        await pilot.pause()
        assert lines(item_list, 1)[0].startswith("▾ ☐ Tickets (1)")
        assert app.log_[-1] == ("selection", 0)


async def test_click_moves_cursor_and_checkbox_column_toggles() -> None:
    app = ListApp(three_messages_and_two_tickets(), group_by="kind")
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
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


# ----------------------------------------------------------------------------- live updates


async def test_upsert_newer_items_above_keeps_cursor_on_its_item() -> None:
    items = [make(i) for i in range(20, 0, -1)]
    app = ListApp(items, group_by="none")
    async with app.run_test(size=(100, 10)) as pilot:
        item_list = app.query_one(ItemList)
        await pilot.press("j", "j", "j")
        assert item_list.cursor_item.id == 17
        screen_line = item_list.cursor_index - int(item_list.scroll_offset.y)
        app.log_.clear()
        item_list.upsert_items([make(30), make(25), make(21)])
        await pilot.pause()
        assert item_list.cursor_item.id == 17
        assert item_list.cursor_index == 6
        assert [it.id for it in item_list.items[:4]] == [30, 25, 21, 20]
        # the cursor keeps its place on screen; no Highlighted for the same item
        assert item_list.cursor_index - int(item_list.scroll_offset.y) == screen_line
        assert not [m for m in app.log_ if m[0] == "highlighted"]
        # replacing in place (same id) keeps the row and the cursor
        item_list.upsert_items([make(17, title="Edited", state="read")])
        assert item_list.cursor_item.title == "Edited"
        assert item_list.cursor_index == 6
        # an older item goes below, by created_at
        item_list.upsert_items([make(0)])
        assert item_list.items[-1].id == 0
        assert item_list.cursor_item.id == 17


@pytest.mark.parametrize("mode", ["smart", "kind", "sender", "none"])
async def test_upsert_of_an_older_page_appends_and_matches_a_full_regroup(mode: str) -> None:
    kinds = ("message", "ticket", "waitpoint", "other_kind")
    senders = (AGENT, CUSTOMER, PIPELINE)
    every = [make(i, kinds[i % 4], sender=senders[i % 3]) for i in range(40, 0, -1)]
    app = ListApp(every[:15], group_by=mode)
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
        await pilot.press("j", "j", "j")
        before = item_list.cursor_item
        item_list.upsert_items(every[15:30])
        item_list.upsert_items(list(reversed(every[30:])))  # any order inside a page
        assert [it.id for it in item_list.items] == [it.id for it in every]
        assert item_list.rows == flatten(group_items(every, mode), set(), mode != "none")
        assert item_list.cursor_item == before


async def test_upsert_that_moves_the_item_to_another_folder_follows_it() -> None:
    items = [make(3), make(2), make(1)]
    app = ListApp(items, group_by="priority")
    async with app.run_test(size=(100, 10)) as pilot:
        item_list = app.query_one(ItemList)
        await pilot.press("j", "j")
        assert item_list.cursor_item.id == 2
        item_list.upsert_items([make(2, priority="urgent")])
        assert item_list.cursor_item.id == 2
        assert isinstance(item_list.row_at(0), FolderRow) and item_list.row_at(0).key == "urgent"


async def test_set_items_reordered_keeps_cursor_then_clamps() -> None:
    items = [make(i) for i in range(10, 0, -1)]
    app = ListApp(items, group_by="none")
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
        await pilot.press("j", "j", "j")
        assert item_list.cursor_item.id == 7
        item_list.set_items(list(reversed(items)))
        assert item_list.cursor_item.id == 7
        assert item_list.cursor_index == 6
        # the item is gone: same row index
        item_list.set_items([make(i) for i in range(100, 90, -1)])
        assert item_list.cursor_index == 6
        assert item_list.cursor_item.id == 94
        # fewer rows than the index: clamped to the last row
        item_list.set_items([make(1), make(2)])
        assert item_list.cursor_index == 1
        item_list.set_items([])
        assert item_list.cursor_item is None and item_list.row_count == 0
        assert lines(item_list, 1)[0].strip() == ""


async def test_remove_ids_of_the_cursor_item() -> None:
    items = [make(i) for i in range(6, 0, -1)]
    app = ListApp(items, group_by="none")
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
        await pilot.press("j", "j")
        assert item_list.cursor_item.id == 4
        item_list.remove_ids([6])  # above: cursor stays on item 4
        assert item_list.cursor_item.id == 4 and item_list.cursor_index == 1
        app.log_.clear()
        item_list.selection.toggle(4)
        item_list.remove_ids([4])  # its own item: the row that took its place
        await pilot.pause()
        assert item_list.cursor_item.id == 3 and item_list.cursor_index == 1
        assert ("highlighted", 3) in app.log_
        assert 4 in item_list.selection  # remove_ids leaves the selection alone...
        item_list.remove_ids([1], deselect=True)
        item_list.remove_ids([99, 3], deselect=True)  # ...unless asked
        assert 4 in item_list.selection
        item_list.selection.discard_missing([4])
        assert len(item_list.selection) == 0
        item_list.remove_ids([5, 2])
        assert item_list.row_count == 0 and item_list.cursor_item is None


async def test_group_by_change_keeps_cursor_item() -> None:
    app = ListApp(three_messages_and_two_tickets(), group_by="kind")
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
        await pilot.press("j", "j")
        assert item_list.cursor_item.id == 2
        item_list.group_by = "none"
        assert item_list.cursor_item.id == 2 and item_list.cursor_index == 3
        item_list.group_by = "smart"
        assert item_list.cursor_item.id == 2
        with pytest.raises(ValueError):
            item_list.group_by = "bogus"


async def test_move_to_next_unread_wraps_and_expands() -> None:
    items = [
        make(6, state="read"),
        make(5, state="unread"),
        make(4, "ticket", state="read", sender=CUSTOMER),
        make(3, "ticket", state="unread", sender=CUSTOMER),
        make(2, state="read"),
    ]
    app = ListApp(items, group_by="kind")
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
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
        item_list.set_items([make(9, state="unread"), make(8, state="read")])
        item_list.select_item(9)
        assert item_list.move_to_next_unread() is False
        item_list.set_items([make(8, state="read")])
        assert item_list.move_to_next_unread() is False


# ----------------------------------------------------------------------------- drawing


CONTROL_CHARS = {chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))} | {
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
}


def assert_inert(text: str) -> None:
    bad = [hex(ord(c)) for c in text if c in CONTROL_CHARS]
    assert not bad, f"control characters reached the terminal: {bad}"


async def test_untrusted_title_is_drawn_literally_and_inertly() -> None:
    evil = "[bold red]x[/] \x1b[31mred\x1b]0;pwn\x07 \u202eevil\u0085 :smile:"
    app = ListApp([make(1, title=evil, sender=("agent", "a", "[i]Bot\x1b[2J"))], group_by="none")
    async with app.run_test(size=(120, 30)):
        item_list = app.query_one(ItemList)
        strip = item_list.render_line(0)
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
    app = ListApp(items, group_by="routine")
    async with app.run_test(size=(100, 30)):
        text = app.query_one(ItemList).render_line(0).text
        assert "[red]nightly" in text and "[0m (1)" in text
        assert_inert(text)


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
    app = ListApp(items, group_by="none")
    async with app.run_test(size=(100, 30)):
        text = lines(app.query_one(ItemList), 4)
        assert " URG  Item 4" in text[0] and text[0].rstrip().endswith("now")
        assert " HIGH  ⏱ Item 3" in text[1] and text[1].rstrip().endswith("5m")
        assert "⚠ late Item 2" in text[2] and text[2].rstrip().endswith("3h")
        assert "late" not in text[3] and text[3].rstrip().endswith("2d")  # resolved: no flag
    assert relative_time(now - timedelta(days=3), now) == "3d"


@pytest.mark.parametrize("width", [80, 60, 40, 24])
async def test_narrow_widths_drop_sender_then_time(width: int) -> None:
    now = datetime.now(UTC)
    items = [make(1, title="A fairly long title that will need to be cut", age_minutes=3, now=now)]
    app = ListApp(items, group_by="kind")
    async with app.run_test(size=(width, 10)):
        item_list = app.query_one(ItemList)
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


# ----------------------------------------------------------------------------- scale


async def test_one_hundred_thousand_items() -> None:
    kinds = ("message", "ticket", "waitpoint", "failed_run", "deploy_notice")
    senders = [AGENT, CUSTOMER, PIPELINE, ("crew", "crew-1", "Night crew")]
    items = [
        make(i, kinds[i % 5], sender=senders[i % 4], state=("unread", "read")[i % 2],
             priority=("normal", "high", "low", "urgent")[i % 4])
        for i in range(100_000, 0, -1)
    ]
    app = ListApp([], group_by="smart")
    async with app.run_test(size=(100, 30)) as pilot:
        item_list = app.query_one(ItemList)
        started = time.perf_counter()
        item_list.set_items(items)
        set_time = time.perf_counter() - started
        assert item_list.row_count == 100_000 + len(group_items(items, "smart"))

        started = time.perf_counter()
        await pilot.press("j", "j", "pagedown", "pagedown", "G", "k", "pageup", "space")
        await pilot.pause()
        move_time = time.perf_counter() - started
        assert item_list.cursor_item is not None
        assert item_list.cursor_index > 99_000
        assert len(item_list.selection) == 1

        started = time.perf_counter()
        screen = lines(item_list)
        render_time = time.perf_counter() - started
        assert any(line.strip() for line in screen)
        cursor_line = item_list.cursor_index - int(item_list.scroll_offset.y)
        assert screen[cursor_line].startswith("  ☑")

        started = time.perf_counter()
        item_list.upsert_items([make(200_000, state="unread")])
        upsert_time = time.perf_counter() - started
        assert item_list.cursor_item.id in item_list.selection

        started = time.perf_counter()
        item_list.upsert_items([make(-i, state="read") for i in range(500)])  # an older page
        page_time = time.perf_counter() - started
        assert item_list.cursor_item.id in item_list.selection
        assert item_list.items[-1].id == -499

        started = time.perf_counter()
        item_list.group_by = "kind"
        regroup_time = time.perf_counter() - started
        assert item_list.cursor_item.id in item_list.selection

        print(
            f"\n100k items: set_items {set_time * 1000:.0f} ms, 8 keys {move_time * 1000:.0f} ms, "
            f"screen render {render_time * 1000:.1f} ms, upsert {upsert_time * 1000:.0f} ms, "
            f"older page {page_time * 1000:.0f} ms, "
            f"regroup {regroup_time * 1000:.0f} ms"
        )


async def test_clock_drives_relative_times_and_sla_flags() -> None:
    fixed = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    item = make(1, now=fixed, age_minutes=60 * 50,
                payload={"timeout_at": (fixed + timedelta(minutes=30)).isoformat()})
    app = ListApp([item], group_by="none", clock=lambda: fixed)
    async with app.run_test(size=(100, 10)):
        item_list = app.query_one(ItemList)
        assert item_list.now() == fixed
        text = item_list.render_line(0).text
        assert "⏱ Item 1" in text and text.rstrip().endswith("2d")


# ----------------------------------------------------------------------------- columns (issue 8)


@pytest.mark.parametrize("width", [37, 39, 56, 58])
async def test_a_row_with_urg_and_late_keeps_its_age_and_its_columns(width: int) -> None:
    now = datetime.now(UTC)
    late = {"sla_due_at": (now - timedelta(minutes=5)).isoformat()}
    items = [make(2, priority="urgent", age_minutes=90, now=now, payload=late,
                  title="Refund for a double charge on an invoice", sender=CUSTOMER),
             make(1, age_minutes=30, now=now, title="A plain row", sender=CUSTOMER)]
    app = ListApp(items, group_by="kind")
    async with app.run_test(size=(width + 2, 10)):
        item_list = app.query_one(ItemList)
        badged, plain = (item_list.render_row(ItemRow(i, "message"), width) for i in items)
        assert cell_len(badged.text) == width == cell_len(plain.text)
        assert " URG " in badged.text and "⚠ late" in badged.text
        assert badged.text.rstrip().endswith("1h")  # the age survives the badges
        assert plain.text.rstrip().endswith("30m")
        _show_time, sender_col = item_list.columns(width)
        if width >= 56:  # at 120 columns: the sender on every row, badges or not
            assert sender_col and "Acme Inc" in badged.text and "Acme Inc" in plain.text
        else:
            assert not sender_col
        # the age column starts at the same cell on both rows
        assert badged.text.rindex("1h") == plain.text.rindex("30m") + 1


async def test_an_empty_list_says_why() -> None:
    app = ListApp([], group_by="kind")
    async with app.run_test(size=(60, 10)):
        item_list = app.query_one(ItemList)
        item_list.empty_text = "No items match “zz”. esc clears the search."
        assert "No items match “zz”" in item_list.render_line(1).text
        assert item_list.render_line(0).text.strip() == ""


async def test_a_folder_row_is_highlighted_with_its_figures() -> None:
    items = three_messages_and_two_tickets()
    seen: list[ItemList.Highlighted] = []

    class Watch(ListApp):
        def on_item_list_highlighted(self, message: ItemList.Highlighted) -> None:
            seen.append(message)

    app = Watch(items, group_by="kind")
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press("home")
        await pilot.pause()
        first = seen[-1]
        assert first.item is None and isinstance(first.folder, FolderRow)
        await pilot.press("G")  # the last row: an item
        await pilot.pause()
        item_list = app.query_one(ItemList)
        folder_row = next(i for i, r in enumerate(item_list.rows)
                          if isinstance(r, FolderRow) and r.key != first.folder.key)
        item_list.select_item(item_list.rows[folder_row + 1].item.id)
        await pilot.press("up")  # from an item onto the other folder's row
        await pilot.pause()
        assert seen[-1].folder is not None and seen[-1].folder.key != first.folder.key
