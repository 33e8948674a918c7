"""The left-pane inbox list: one virtual widget whose cost follows the screen.

`ItemList` is a `ScrollView` using the Line API. It draws the rows of a `Feed` (the view's
folders with the server's counts, and the items loaded so far) and keeps nothing per row: no
widget, no copy of the items. Rows not loaded yet are drawn as placeholders, and the list asks
for them (`WindowWanted`) when they come near the screen; it knows nothing of HTTP.

Rendered strips are cached per (row, width, cursor, minute) and dropped when contents,
selection, styles or the minute change; a cursor move repaints the two rows involved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cockpit.domain.grouping import FolderRow, ItemRow
from cockpit.domain.models import Item, State
from cockpit.tui.feed import Feed, PendingRow, Row, ViewKey
from cockpit.tui.glyphs import inert
from cockpit.tui.selection import Selection
from cockpit.tui.widgets._rows import FOLDER_INDENT, RowDrawing, fit

MARKS_KEPT = 2048  # checkboxes remembered as drawn, by row index: a few screens' worth


class ItemList(RowDrawing, ScrollView, can_focus=True):
    """A keyboard-first, virtual, grouped list of inbox items with checkboxes."""

    HELP = """
## Inbox list

| key | does |
|---|---|
| `j` / `↓`, `k` / `↑` | move the cursor |
| `pagedown` / `pageup` | move a page |
| `g` / `home`, `G` / `end` | first / last row |
| `space` | tick the row's checkbox; on a folder row tick or untick the whole folder |
| `V` | tick every row from the last one ticked to the cursor |
| `enter` | open the item; on a folder row collapse or expand it |
| `←` / `→` | collapse / expand the folder (`←` on an item jumps to its folder) |
| mouse | click a row to move there; click the checkbox column to tick it |

Folder checkboxes are tri-state: `☐` none, `☑` all, `◩` some of its items are ticked.
A folder's checkbox ticks the whole folder, loaded or not. The selection survives tab, view
and search changes.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("space", "toggle_select", "Select", id="list.toggle"),
        Binding("V", "select_range", "Select range", show=False, id="list.select_range"),
        Binding("enter", "open", "Open", id="list.open"),
        Binding("left", "collapse", "Collapse", show=False, id="list.collapse"),
        Binding("right", "expand", "Expand", show=False, id="list.expand"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "item-list--cursor",
        "item-list--selected",
        "item-list--folder",
        "item-list--count",
        "item-list--unread",
        "item-list--unread-dot",
        "item-list--dim",
        "item-list--checkbox",
        "item-list--checked",
        "item-list--icon",
        "item-list--urgent",
        "item-list--high",
        "item-list--due",
        "item-list--late",
    }

    DEFAULT_CSS = """
    ItemList {
        width: 1fr;
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;

        & > .item-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .item-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .item-list--selected { background: $primary 20%; }
        & > .item-list--folder { color: $accent; text-style: bold; }
        & > .item-list--count { color: $text-muted; }
        & > .item-list--unread { text-style: bold; }
        & > .item-list--unread-dot { color: $primary; }
        & > .item-list--dim { color: $text-muted; }
        & > .item-list--checkbox { color: $text-muted; }
        & > .item-list--checked { color: $success; text-style: bold; }
        & > .item-list--icon { color: $text-secondary; }
        & > .item-list--urgent { background: $error; color: $text; text-style: bold; }
        & > .item-list--high { background: $warning; color: $text; text-style: bold; }
        & > .item-list--due { color: $warning; }
        & > .item-list--late { color: $error; text-style: bold; }
    }
    """

    class Highlighted(Message):
        """The cursor moved to another row: `item` on an item row; on a folder row `item` is
        None and `folder` is that row; both None on an empty list."""

        def __init__(self, item: Item | None, *, item_list: ItemList | None = None,
                     folder: FolderRow | None = None) -> None:
            super().__init__()
            self.item = item
            self.folder = folder
            self.item_list = item_list

        @property
        def control(self) -> ItemList | None:
            return self.item_list

        def can_replace(self, message: Message) -> bool:
            # A newer Highlighted from the same list supersedes this one (held `j`).
            return isinstance(message, ItemList.Highlighted) and message.item_list is self.item_list

    class Opened(Message):
        """`enter` (or a double click) on an item row."""

        def __init__(self, item: Item, *, item_list: ItemList | None = None) -> None:
            super().__init__()
            self.item = item
            self.item_list = item_list

        @property
        def control(self) -> ItemList | None:
            return self.item_list

    class SelectionChanged(Message):
        """The selection changed; `count` is how many ids are selected in total."""

        def __init__(self, count: int, *, item_list: ItemList | None = None) -> None:
            super().__init__()
            self.count = count
            self.item_list = item_list

        @property
        def control(self) -> ItemList | None:
            return self.item_list

        def can_replace(self, message: Message) -> bool:
            return (
                isinstance(message, ItemList.SelectionChanged)
                and message.item_list is self.item_list
            )

    class WindowWanted(Message):
        """Rows near the screen are not loaded: the next page of these folders is needed."""

        def __init__(self, feed: Feed, keys: list[str], *,
                     item_list: ItemList | None = None) -> None:
            super().__init__()
            self.feed = feed
            self.keys = keys
            self.item_list = item_list

        @property
        def control(self) -> ItemList | None:
            return self.item_list

    # ------------------------------------------------------------------ setup

    def __init__(self, *, selection: Selection | None = None,
                 clock: Callable[[], datetime] | None = None, id: str | None = None,
                 classes: str | None = None, disabled: bool = False) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        self._selection: Selection = selection if selection is not None else Selection()
        self._clock = clock
        self.feed = Feed(ViewKey("active"))
        self._cursor = 0
        self._anchored: tuple[str, object] | None = None  # the item or folder the cursor is on
        self._range_anchor: int | None = None  # item id of the last row ticked, for `V`
        self._last_highlighted: object = object()  # sentinel: nothing posted yet
        self._strip_cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._marks: dict[int, str] = {}  # row index -> its checkbox as last drawn
        self._styles: dict = {}
        self._minute = self._now_minute()
        self._empty_text = ""
        self._asked: set[str] = set()  # folders asked for since the last layout
        self._want_scheduled = False

    @property
    def empty_text(self) -> str:
        """What the list says when it has no rows ("No items match ..."); drawn literally."""
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            self._strip_cache.clear()
            self.refresh()

    def on_mount(self) -> None:
        self._selection.subscribe(self._on_selection_changed)
        self.set_interval(30, self._tick)

    def on_unmount(self) -> None:
        self._selection.unsubscribe(self._on_selection_changed)

    @property
    def selection(self) -> Selection:
        """The selection this list ticks (shared with the app)."""
        return self._selection

    @property
    def group_by(self) -> str:
        return self.feed.key.group_by

    # ------------------------------------------------------------------ public API

    def show_feed(self, feed: Feed) -> None:
        """Draw another view (a tab, a search, a sort): its rows at once, cursor on top unless
        the feed was shown before (then where it was)."""
        if feed is not self.feed:
            self.feed = feed
            self._cursor = feed.cursor_row
            self._anchored = None
            self._last_highlighted = object()
            # The new feed's height first, and `force`: within the old one's height (or
            # without a scrollbar yet) the scroll would be clamped or refused.
            self.virtual_size = Size(0, feed.row_count)
            self.scroll_to(y=feed.scroll_row, animate=False, immediate=True, force=True)
        self.relayout()

    def relayout(self) -> None:
        """The feed changed (counts, a page, a live change): lay the rows out again, keeping
        the cursor on its item (or folder) and on the same screen line."""
        anchor = self._anchor()
        screen_line = self._cursor - int(self.scroll_offset.y)
        feed = self.feed
        feed.layout()
        cursor = None
        if anchor is not None:
            kind, value = anchor
            if kind == "item":
                cursor = feed.row_of(value)
                if cursor is None and (folder := feed.folder_of(value)) is not None:
                    cursor = feed.folder_row(folder.key)  # hidden in a collapsed folder
            elif kind == "pending":  # a row still loading: the same place in its folder
                cursor = feed.row_in_folder(value.group_key, value.index)
            else:
                cursor = feed.folder_row(value)
        if cursor is None:
            cursor = min(max(self._cursor, 0), max(feed.row_count - 1, 0))
        self._cursor = cursor
        self._asked.clear()
        self._strip_cache.clear()
        self._set_height(feed.row_count)
        if self.is_mounted:
            height = self.scrollable_content_region.height
            if height > 0:
                target = cursor - screen_line if 0 <= screen_line < height else \
                    int(self.scroll_offset.y)
                target = max(0, min(target, max(0, feed.row_count - height)))
                if target != int(self.scroll_offset.y):
                    self.scroll_to(y=target, animate=False, immediate=True, force=True)
                self._scroll_cursor_into_view()
        self.refresh()
        self._post_highlighted()

    def _set_height(self, rows: int) -> None:
        """The list's scrollable height. Setting `virtual_size` lays the whole screen out
        again, which repaints every widget; unless the scrollbar shows or hides, only the
        list and its scrollbar need drawing, so the size is set without that pass."""
        size = Size(0, rows)
        if size == self.virtual_size:
            return
        height = self.scrollable_content_region.height
        if not self.is_mounted or height <= 0 or \
                (self.virtual_size.height > height) != (rows > height):
            self.virtual_size = size
            return
        self.set_reactive(ItemList.virtual_size, size)
        scrollbar = self.vertical_scrollbar
        scrollbar.window_virtual_size = rows
        scrollbar.refresh()

    @property
    def row_count(self) -> int:
        return self.feed.row_count

    def row_at(self, index: int) -> Row | None:
        return self.feed.row_at(index)

    @property
    def rows(self) -> list[Row]:
        """Every display row (O(rows): for tests and tools, not for drawing)."""
        return [self.feed.row_at(i) for i in range(self.feed.row_count)]

    @property
    def items(self) -> list[Item]:
        """The loaded items, in row order."""
        return list(self.feed.items())

    @property
    def cursor_index(self) -> int:
        return self._cursor

    @property
    def cursor_row(self) -> Row | None:
        return self.feed.row_at(self._cursor)

    @property
    def cursor_item(self) -> Item | None:
        row = self.cursor_row
        return row.item if isinstance(row, ItemRow) else None

    @property
    def collapsed(self) -> frozenset[str]:
        return frozenset(self.feed.collapsed)

    def visible_ids(self) -> set[int]:
        """Ids of every loaded item of this view (collapsed folders included)."""
        return self.feed.loaded_ids()

    def move_to_next_unread(self) -> bool:
        """Move to the next loaded unread item after the cursor, wrapping; expands its folder
        if needed. False when there is no other."""
        return self.move_to_next(lambda item: item.state == State.UNREAD)

    def move_to_next(self, wanted: Callable[[Item], bool]) -> bool:
        """Move to the next loaded item after the cursor that is `wanted`, wrapping (its
        folder expanded if needed). False when there is no other."""
        order = list(self.feed.items())
        if not order:
            return False
        row = self.cursor_row
        start = -1
        if isinstance(row, ItemRow):
            start = next((i for i, it in enumerate(order) if it.id == row.item.id), -1)
        elif isinstance(row, FolderRow) and (folder := self.feed.by_key.get(row.key)):
            if folder.items:
                start = next(i for i, it in enumerate(order) if it.id == folder.items[0].id) - 1
        for step in range(1, len(order) + 1):
            candidate = order[(start + step) % len(order)]
            if wanted(candidate):
                if isinstance(row, ItemRow) and candidate.id == row.item.id:
                    return False
                return self.select_item(candidate.id, center=True)
        return False

    def select_item(self, item_id: int, *, center: bool = False) -> bool:
        """Put the cursor on a loaded item (expanding its folder). False when not loaded."""
        folder = self.feed.folder_of(item_id)
        if folder is None:
            return False
        if folder.key in self.feed.collapsed:
            self.expand(folder.key)
        index = self.feed.row_of(item_id)
        if index is None:
            return False
        self._move_cursor(index, center=center)
        return True

    def collapse_all(self) -> None:
        self.feed.collapsed = set(self.feed.by_key)
        self.relayout()

    def expand_all(self) -> None:
        self.feed.collapsed.clear()
        self.relayout()

    def collapse(self, key: str) -> None:
        self.feed.collapsed.add(key)
        self.relayout()

    def expand(self, key: str) -> None:
        self.feed.collapsed.discard(key)
        self.relayout()

    # ------------------------------------------------------------------ actions

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor - 1)

    def action_page_down(self) -> None:
        self._move_cursor(self._cursor + self._page_height(), page=True)

    def action_page_up(self) -> None:
        self._move_cursor(self._cursor - self._page_height(), page=True)

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self._move_cursor(self.feed.row_count - 1)

    def action_toggle_select(self) -> None:
        row = self.cursor_row
        if isinstance(row, ItemRow):
            self.selection.toggle(row.item.id, self.feed.key, row.group_key)
            self._range_anchor = row.item.id
        elif isinstance(row, FolderRow):
            folder = self.feed.by_key.get(row.key)
            if folder is not None:
                self.selection.toggle_folder(self.feed.key, folder)

    def action_select_range(self) -> None:
        """Tick every loaded row between the last one ticked and the cursor."""
        anchor = self.feed.row_of(self._range_anchor) if self._range_anchor is not None \
            else None
        if anchor is None:
            self.action_toggle_select()
            return
        low, high = sorted((anchor, self._cursor))
        rows = [(row.item.id, row.group_key) for i in range(low, high + 1)
                if isinstance(row := self.feed.row_at(i), ItemRow)]
        self.selection.select_rows(self.feed.key, rows)

    def action_open(self) -> None:
        row = self.cursor_row
        if isinstance(row, ItemRow):
            self.post_message(self.Opened(row.item, item_list=self))
        elif isinstance(row, FolderRow):
            self._toggle_folder_collapse(row.key)

    def action_collapse(self) -> None:
        row = self.cursor_row
        if isinstance(row, FolderRow):
            if row.key not in self.feed.collapsed:
                self.collapse(row.key)
        elif isinstance(row, ItemRow | PendingRow) and self.feed.show_folders:
            folder_row = self.feed.folder_row(row.group_key)
            if folder_row is not None:
                self._move_cursor(folder_row)

    def action_expand(self) -> None:
        row = self.cursor_row
        if isinstance(row, FolderRow) and row.key in self.feed.collapsed:
            self.expand(row.key)

    # ------------------------------------------------------------------ mouse

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = int(self.scroll_offset.y) + offset.y
        row = self.row_at(index)
        if row is None:
            return
        event.stop()
        self._move_cursor(index)
        x = offset.x
        if isinstance(row, FolderRow):
            if x < 2:
                self._toggle_folder_collapse(row.key)
            elif x < 4:
                self.action_toggle_select()
        elif isinstance(row, ItemRow):
            indent = FOLDER_INDENT if self.feed.show_folders else 0
            if indent <= x < indent + 2:
                self.action_toggle_select()
            elif event.chain >= 2:
                self.post_message(self.Opened(row.item, item_list=self))

    # ------------------------------------------------------------------ internals

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _toggle_folder_collapse(self, key: str) -> None:
        if key in self.feed.collapsed:
            self.expand(key)
        else:
            self.collapse(key)

    def _anchor(self) -> tuple[str, object] | None:
        """What the cursor was last on (kept as the cursor moves: by the time `relayout`
        runs, the feed has already changed under the cursor's row number)."""
        return self._anchored

    def _move_cursor(self, index: int, *, page: bool = False, center: bool = False) -> None:
        rows = self.feed.row_count
        if not rows:
            self._cursor = 0
            self._post_highlighted()
            return
        index = max(0, min(index, rows - 1))
        old = self._cursor
        if index == old:
            return
        self._cursor = index
        if page:
            # keep the cursor on the same screen line while paging
            self.scroll_to(y=int(self.scroll_offset.y) + index - old, animate=False,
                           immediate=True)
        self._scroll_cursor_into_view(center=center)
        # Only the two rows involved are drawn again (their cached strips keyed by cursor).
        self.refresh_lines(old)
        self.refresh_lines(index)
        self._post_highlighted()

    def _scroll_cursor_into_view(self, *, center: bool = False) -> None:
        if not self.is_mounted:
            return
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = int(self.scroll_offset.y)
        cursor = self._cursor
        if top <= cursor < top + height:
            return
        if center:
            target = cursor - height // 2
        elif cursor < top:
            target = cursor
        else:
            target = cursor - height + 1
        target = max(0, min(target, max(0, self.feed.row_count - height)))
        # forced: right after a feed grew, the scrollbar that allows scrolling is not shown yet
        self.scroll_to(y=target, animate=False, immediate=True, force=True)

    def _post_highlighted(self) -> None:
        row = self.cursor_row
        item = row.item if isinstance(row, ItemRow) else None
        folder = row if isinstance(row, FolderRow) else None
        key: object = item.id if item is not None else folder
        self.feed.cursor_row = self._cursor  # where to come back to on a tab switch
        if item is not None:
            self._anchored = ("item", item.id)
        elif folder is not None:
            self._anchored = ("folder", folder.key)
        elif isinstance(row, PendingRow):
            self._anchored = ("pending", row)
        if key == self._last_highlighted:
            return
        if self.post_message(self.Highlighted(item, item_list=self, folder=folder)):
            self._last_highlighted = key

    def _on_selection_changed(self, selection: Selection) -> None:
        # Only the rows on screen whose checkbox changed are drawn again (a toggle: the row
        # and its folder's tri-state), not the whole list; a row off screen is drawn afresh
        # when it comes into view, its checkbox being part of its cached strip's key.
        top = int(self.scroll_offset.y)
        for index in range(top, top + self.size.height):
            row = self.feed.row_at(index)
            if row is not None and self._marks.get(index) != self._mark(row):
                self.refresh_lines(index)
        self.post_message(self.SelectionChanged(len(selection), item_list=self))

    def _mark(self, row: Row) -> str:
        """A row's checkbox: on, off, or (a folder) partial."""
        if isinstance(row, ItemRow):
            return "on" if self.selection.has(row.item.id, self.feed.key, row.group_key) \
                else "off"
        if isinstance(row, FolderRow):
            folder = self.feed.by_key.get(row.key)
            return self.selection.folder_state(self.feed.key, folder) if folder else "off"
        return ""

    def _want_windows(self) -> None:
        """Ask for the pages the screen (and the read-ahead) needs, once each."""
        self._want_scheduled = False
        top = int(self.scroll_offset.y)
        height = max(self.scrollable_content_region.height, 1)
        keys = [f.key for f in self.feed.wanted(top, top + 2 * height)
                if f.key not in self._asked]
        if keys:
            self._asked.update(keys)
            self.post_message(self.WindowWanted(self.feed, keys, item_list=self))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.feed.scroll_row = int(new)

    def now(self) -> datetime:
        """The time relative times and SLA flags are measured from (the `clock` if given)."""
        return self._clock() if self._clock is not None else datetime.now(UTC)

    def _now_minute(self) -> int:
        return int(self.now().timestamp() // 60)

    def _tick(self) -> None:
        minute = self._now_minute()
        if minute != self._minute:
            self._minute = minute
            self._strip_cache.clear()
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strip_cache.clear()

    def on_focus(self, _event: events.Focus) -> None:
        self._styles.clear()
        self._strip_cache.clear()
        self.refresh()

    def on_blur(self, _event: events.Blur) -> None:
        self._styles.clear()
        self._strip_cache.clear()
        self.refresh()

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        index = int(self.scroll_offset.y) + y
        row = self.feed.row_at(index)
        if row is None:
            if y == 1 and not self.feed.row_count and self._empty_text:
                text = fit("  " + inert(self._empty_text), width)
                return Strip([Segment(text, self.rich_style + self._style("item-list--dim"))])
            return Strip.blank(width, self.rich_style)
        if (y == 0 or isinstance(row, PendingRow)) and not self._want_scheduled:
            self._want_scheduled = True  # once per paint, however many rows are pending
            self.call_later(self._want_windows)
        is_cursor = index == self._cursor
        if len(self._marks) > MARKS_KEPT:  # (rows scrolled past; a missing one is drawn again)
            self._marks.clear()
        mark = self._marks[index] = self._mark(row)
        key = (index, width, is_cursor, self._minute, mark)
        strip = self._strip_cache.get(key)
        if strip is None:
            strip = self.render_row(row, width, is_cursor)
            if not isinstance(row, PendingRow):
                self._strip_cache.set(key, strip)
        return strip
