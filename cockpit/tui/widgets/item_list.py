"""The left-pane inbox list: one virtual widget that scales to 100,000 items.

`ItemList` is a `ScrollView` using the Line API: it keeps a flat list of display rows (folder
rows and item rows, see `cockpit.domain.grouping`) and draws only the lines on screen in
`render_line`. There is no widget per row. Rendered strips are cached per
(row, width, cursor, focus) and the cache is dropped whenever contents, selection, styles or
the minute change.

Untrusted text (titles, names, payload values used as folder labels) is made inert with
`cockpit.tui.glyphs.inert` and drawn as plain `Segment`s, never parsed as markup.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import ClassVar, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cockpit.domain.grouping import (
    GROUP_BY,
    FolderRow,
    Group,
    ItemRow,
    Row,
    group_items,
    merge_groups,
)
from cockpit.domain.models import Item, State
from cockpit.tui.glyphs import (
    SLA_GLYPHS,
    inert,
    initials,
    kind_icon,
    priority_pill,
    relative_time,
    sender_badge_style,
    sla_flag,
)
from cockpit.tui.selection import Selection

CHECK_OFF = "☐"
CHECK_ON = "☑"
CHECK_PARTIAL = "◩"
FOLDER_OPEN = "▾"
FOLDER_CLOSED = "▸"
UNREAD_DOT = "●"
ELLIPSIS = "…"

TIME_COL = 4  # "now", "59m", "23h", "13d", "10mo" fit
SENDER_COL = 16  # at most
MIN_SENDER_COL = 10
MIN_TITLE = 12  # the age column shows when a plain title keeps this much
MIN_TITLE_WITH_SENDER = 20  # the sender column shows when a plain title keeps this much
ROW_PREFIX = 9  # checkbox, unread dot, initials, kind icon and their gaps
FOLDER_INDENT = 2  # item rows are indented under folder rows


class _Block(NamedTuple):
    """One folder's span of rows: an optional folder row, then its items unless collapsed."""

    start: int
    key: str
    label: str
    items: tuple[Item, ...]
    folder: bool
    open: bool


def _item_id(item: Item) -> int:
    return item.id


def _fit(text: str, width: int) -> str:
    """Cut or pad `text` to exactly `width` cells, ending in an ellipsis when cut."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length == width:
        return text
    if length < width:
        return text + " " * (width - length)
    return set_cell_size(text, width - 1) + ELLIPSIS


def _cut(text: str, width: int) -> str:
    """Cut `text` to at most `width` cells (no padding)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + ELLIPSIS


class ItemList(ScrollView, can_focus=True):
    """A keyboard-first, virtual, grouped list of inbox items with checkboxes."""

    HELP = """
## Inbox list

| key | does |
|---|---|
| `j` / `↓`, `k` / `↑` | move the cursor |
| `pagedown` / `pageup` | move a page |
| `g` / `home`, `G` / `end` | first / last row |
| `space` | tick the row's checkbox; on a folder row tick or untick the whole folder |
| `enter` | open the item; on a folder row collapse or expand it |
| `←` / `→` | collapse / expand the folder (`←` on an item jumps to its folder) |
| mouse | click a row to move there; click the checkbox column to tick it |

Folder checkboxes are tri-state: `☐` none, `☑` all, `◩` some of its items are ticked.
The selection survives tab, view and search changes.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("space", "toggle_select", "Select", id="list.toggle"),
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

    group_by: reactive[str] = reactive("smart", init=False)

    # ------------------------------------------------------------------ messages

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

    # ------------------------------------------------------------------ setup

    def __init__(
        self,
        *,
        group_by: str = "smart",
        selection: Selection | None = None,
        clock: Callable[[], datetime] | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        if group_by not in GROUP_BY:
            raise ValueError(f"unknown group_by {group_by!r}; one of {', '.join(GROUP_BY)}")
        self.set_reactive(ItemList.group_by, group_by)
        self._selection: Selection = selection if selection is not None else Selection()
        self._clock = clock
        self._items: list[Item] = []
        self._pos: dict[int, int] = {}  # item id -> index in _items
        self._groups: list[Group] = []
        self._group_items: dict[str, tuple[Item, ...]] = {}
        self._unread_memo: dict[str, int] = {}
        self._blocks: list[_Block] = []  # one per folder; rows are computed, never stored
        self._starts: list[int] = []  # first row index of each block
        self._row_count = 0
        self._row_of_folder: dict[str, int] = {}
        self._collapsed: dict[str, set[str]] = {}  # per group_by mode
        self._cursor = 0
        self._last_highlighted: object = object()  # sentinel: nothing posted yet
        self._strip_cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        self._minute = self._now_minute()
        self._empty_text = ""

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
        """The selection this list ticks (shared with the app; survives `set_items`)."""
        return self._selection

    @selection.setter
    def selection(self, selection: Selection) -> None:
        if selection is self._selection:
            return
        if self.is_mounted:
            self._selection.unsubscribe(self._on_selection_changed)
            selection.subscribe(self._on_selection_changed)
        self._selection = selection
        self._on_selection_changed(selection)

    # ------------------------------------------------------------------ public API

    @property
    def items(self) -> list[Item]:
        """The current contents, in their order (a copy)."""
        return list(self._items)

    @property
    def rows(self) -> list[Row]:
        """Every display row, materialised (O(n): for tests and tools, not for drawing)."""
        return [self.row_at(index) for index in range(self._row_count)]

    @property
    def row_count(self) -> int:
        return self._row_count

    def row_at(self, index: int) -> Row | None:
        """The display row at `index` (O(log folders)), or None when out of range."""
        if not 0 <= index < self._row_count:
            return None
        block = self._blocks[bisect.bisect_right(self._starts, index) - 1]
        offset = index - block.start
        if block.folder:
            if offset == 0:
                return FolderRow(block.key, block.label, len(block.items), self._unread(block))
            offset -= 1
        return ItemRow(block.items[offset], block.key)

    @property
    def cursor_index(self) -> int:
        return self._cursor

    @property
    def cursor_row(self) -> Row | None:
        return self.row_at(self._cursor)

    @property
    def cursor_item(self) -> Item | None:
        row = self.cursor_row
        return row.item if isinstance(row, ItemRow) else None

    @property
    def collapsed(self) -> frozenset[str]:
        """Folder keys collapsed in the current grouping."""
        return frozenset(self._collapsed.get(self.group_by, ()))

    def visible_ids(self) -> set[int]:
        """Ids of every item in the current contents (items in collapsed folders included)."""
        return set(self._pos)

    def get_item(self, item_id: int) -> Item | None:
        pos = self._pos.get(item_id)
        return self._items[pos] if pos is not None else None

    def folder_item_ids(self, key: str) -> tuple[int, ...]:
        return tuple(it.id for it in self._group_items.get(key, ()))

    def set_items(self, items: Sequence[Item]) -> None:
        """Replace the contents (reload, tab switch, search).

        The cursor stays on the same item id if it is still present, else at the same row
        index (clamped). The selection is left alone.
        """
        seen: set[int] = set()
        unique: list[Item] = []
        for item in items:
            if item.id not in seen:
                seen.add(item.id)
                unique.append(item)
        self._items = unique
        self._reindex()
        self._rebuild()

    def upsert_items(self, items: Sequence[Item]) -> None:
        """Replace items with the same id in place; insert new ones by `created_at` (newest first)."""
        if not items:
            return
        contents = self._items
        pending: dict[int, Item] = {}
        replaced = False
        for item in items:
            pos = self._pos.get(item.id)
            if pos is not None:
                contents[pos] = item
                replaced = True
            else:
                pending[item.id] = item  # a later copy in the same batch wins
        if not pending:
            self._rebuild()
            return

        def newest_first(it: Item) -> float:
            return -it.created_at.timestamp()

        fresh = sorted(pending.values(), key=newest_first)
        if not replaced and contents and fresh[0].created_at < contents[-1].created_at:
            # The next page of older items: group only the new ones and merge the folders.
            start = len(contents)
            contents.extend(fresh)
            self._pos.update(zip(map(_item_id, fresh), range(start, start + len(fresh))))
            mode = self.group_by
            self._rebuild(merge_groups(self._groups, group_items(fresh, mode), mode))
            return
        for item in fresh:
            at = bisect.bisect_left(contents, newest_first(item), key=newest_first)
            contents.insert(at, item)
        self._reindex()
        self._rebuild()

    def remove_ids(self, ids: Iterable[int], *, deselect: bool = False) -> None:
        """Drop items by id. The cursor stays on its item, or (if it went) the row taking its place.

        The selection is not changed unless `deselect=True` (see `Selection.discard_missing`).
        """
        drop = set(ids)
        if deselect:
            self.selection.discard_missing(drop)
        if not drop.intersection(self._pos):
            return
        self._items = [it for it in self._items if it.id not in drop]
        self._reindex()
        self._rebuild()

    def move_to_next_unread(self) -> bool:
        """Move to the next unread item after the cursor, wrapping; expands its folder if needed.

        Returns False when there is no other unread item.
        """
        order = [it for group in self._groups for it in group.items]
        if not order:
            return False
        row = self.cursor_row
        start = -1
        if isinstance(row, ItemRow):
            current = row.item.id
            for i, it in enumerate(order):
                if it.id == current:
                    start = i
                    break
        elif isinstance(row, FolderRow):
            members = self._group_items.get(row.key, ())
            if members:
                first = members[0].id
                for i, it in enumerate(order):
                    if it.id == first:
                        start = i - 1
                        break
        n = len(order)
        for step in range(1, n + 1):
            candidate = order[(start + step) % n]
            if candidate.state == State.UNREAD:
                if isinstance(row, ItemRow) and candidate.id == row.item.id:
                    return False
                index = self._reveal(candidate.id)
                if index is None:
                    return False
                self._move_cursor(index, center=True)
                return True
        return False

    def select_item(self, item_id: int) -> bool:
        """Put the cursor on an item (expanding its folder). False when it is not in the list."""
        index = self._reveal(item_id) if item_id in self._pos else None
        if index is None:
            return False
        self._move_cursor(index)
        return True

    def collapse_all(self) -> None:
        self._collapsed[self.group_by] = set(self._group_items)
        self._rebuild(self._groups)  # same folders: no regrouping

    def expand_all(self) -> None:
        self._collapsed.pop(self.group_by, None)
        self._rebuild(self._groups)  # same folders: no regrouping

    def collapse(self, key: str) -> None:
        self._collapsed.setdefault(self.group_by, set()).add(key)
        self._rebuild(self._groups)  # same folders: no regrouping

    def expand(self, key: str) -> None:
        self._collapsed.setdefault(self.group_by, set()).discard(key)
        self._rebuild(self._groups)  # same folders: no regrouping

    # ------------------------------------------------------------------ reactive

    def validate_group_by(self, value: str) -> str:
        if value not in GROUP_BY:
            raise ValueError(f"unknown group_by {value!r}; one of {', '.join(GROUP_BY)}")
        return value

    def watch_group_by(self, _old: str, _new: str) -> None:
        self._rebuild()

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
        self._move_cursor(self._row_count - 1)

    def action_next_unread(self) -> None:
        self.move_to_next_unread()

    def action_toggle_select(self) -> None:
        row = self.cursor_row
        if isinstance(row, ItemRow):
            self.selection.toggle(row.item.id)
        elif isinstance(row, FolderRow):
            self.selection.toggle_folder(self.folder_item_ids(row.key))

    def action_open(self) -> None:
        row = self.cursor_row
        if isinstance(row, ItemRow):
            self.post_message(self.Opened(row.item, item_list=self))
        elif isinstance(row, FolderRow):
            self._toggle_folder_collapse(row.key)

    def action_collapse(self) -> None:
        row = self.cursor_row
        if isinstance(row, FolderRow):
            if row.key not in self._collapsed.get(self.group_by, ()):
                self.collapse(row.key)
        elif isinstance(row, ItemRow) and self._show_folders():
            folder_row = self._row_of_folder.get(row.group_key)
            if folder_row is not None:
                self._move_cursor(folder_row)

    def action_expand(self) -> None:
        row = self.cursor_row
        if isinstance(row, FolderRow) and row.key in self._collapsed.get(self.group_by, ()):
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
        else:
            indent = FOLDER_INDENT if self._show_folders() else 0
            if indent <= x < indent + 2:
                self.action_toggle_select()
            elif event.chain >= 2:
                self.post_message(self.Opened(row.item, item_list=self))

    # ------------------------------------------------------------------ internals

    def _show_folders(self) -> bool:
        return self.group_by != "none"

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _reindex(self) -> None:
        self._pos = dict(zip(map(_item_id, self._items), range(len(self._items))))

    def _toggle_folder_collapse(self, key: str) -> None:
        if key in self._collapsed.get(self.group_by, ()):
            self.expand(key)
        else:
            self.collapse(key)

    def _locate(self, item_id: int) -> tuple[_Block, int] | None:
        """The block holding an item and its offset in that block (one O(n) scan)."""
        for block in self._blocks:
            for offset, item in enumerate(block.items):
                if item.id == item_id:
                    return block, offset
        return None

    @staticmethod
    def _row_in_block(block: _Block, offset: int) -> int | None:
        if not block.open:
            return None
        return block.start + (1 if block.folder else 0) + offset

    def _reveal(self, item_id: int) -> int | None:
        """Expand the folder holding `item_id` if it is collapsed; returns the item's row."""
        found = self._locate(item_id)
        if found is None:
            return None
        block, offset = found
        if not block.open:
            self.expand(block.key)
            found = self._locate(item_id)
            if found is None:
                return None
            block, offset = found
        return self._row_in_block(block, offset)

    def _unread(self, block: _Block) -> int:
        count = self._unread_memo.get(block.key)
        if count is None:
            unread = State.UNREAD
            count = sum(1 for it in block.items if it.state == unread)
            self._unread_memo[block.key] = count
        return count

    def _anchor(self) -> tuple[str, object] | None:
        row = self.cursor_row
        if isinstance(row, ItemRow):
            return ("item", row.item.id)
        if isinstance(row, FolderRow):
            return ("folder", row.key)
        return None

    def _rebuild(self, groups: list[Group] | None = None) -> None:
        """Regroup (unless `groups` is given) and lay the rows out again, keeping the cursor on
        its item and on the same screen line."""
        anchor = self._anchor()
        old_cursor = self._cursor
        screen_line = old_cursor - int(self.scroll_offset.y)

        mode = self.group_by
        show_folders = mode != "none"
        if groups is None:
            groups = group_items(self._items, mode)
        self._groups = groups
        self._group_items = {g.key: g.items for g in groups}
        self._unread_memo = {}
        collapsed = self._collapsed.get(mode, set())
        if collapsed:
            collapsed.intersection_update(self._group_items)  # forget folders that are gone
        blocks: list[_Block] = []
        starts: list[int] = []
        row_of_folder: dict[str, int] = {}
        index = 0
        for group in groups:
            members = group.items
            is_open = not (show_folders and group.key in collapsed)
            blocks.append(_Block(index, group.key, group.label, members, show_folders, is_open))
            starts.append(index)
            if show_folders:
                row_of_folder[group.key] = index
                index += 1
            if is_open:
                index += len(members)
        self._blocks = blocks
        self._starts = starts
        self._row_count = index
        self._row_of_folder = row_of_folder

        new_cursor: int | None = None
        if anchor is not None:
            kind, value = anchor
            if kind == "item":
                found = self._locate(value) if value in self._pos else None  # type: ignore[arg-type]
                if found is not None:
                    block, offset = found
                    new_cursor = self._row_in_block(block, offset)
                    if new_cursor is None:  # hidden in a collapsed folder: sit on the folder
                        new_cursor = block.start
            elif kind == "folder":
                new_cursor = row_of_folder.get(value)  # type: ignore[arg-type]
        if new_cursor is None:
            new_cursor = min(max(old_cursor, 0), max(index - 1, 0))
        self._cursor = new_cursor

        self._strip_cache.clear()
        self.virtual_size = Size(0, index)
        if self.is_mounted:
            height = self.scrollable_content_region.height
            if height > 0:
                if 0 <= screen_line < height:
                    target = new_cursor - screen_line
                else:
                    target = int(self.scroll_offset.y)
                target = max(0, min(target, max(0, index - height)))
                if target != int(self.scroll_offset.y):
                    self.scroll_to(y=target, animate=False, immediate=True)
                self._scroll_cursor_into_view()
        self.refresh()
        self._post_highlighted()

    def _move_cursor(self, index: int, *, page: bool = False, center: bool = False) -> None:
        if not self._row_count:
            self._cursor = 0
            self._post_highlighted()
            return
        index = max(0, min(index, self._row_count - 1))
        old = self._cursor
        if index == old:
            return
        self._cursor = index
        self._strip_cache.clear()
        if page:
            # keep the cursor on the same screen line while paging
            delta = index - old
            self.scroll_to(y=int(self.scroll_offset.y) + delta, animate=False, immediate=True)
        self._scroll_cursor_into_view(center=center)
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
        target = max(0, min(target, max(0, self._row_count - height)))
        self.scroll_to(y=target, animate=False, immediate=True)

    def _post_highlighted(self) -> None:
        row = self.cursor_row
        item = row.item if isinstance(row, ItemRow) else None
        folder = row if isinstance(row, FolderRow) else None
        key: object = item.id if item is not None else folder
        if key == self._last_highlighted:
            return
        if self.post_message(self.Highlighted(item, item_list=self, folder=folder)):
            self._last_highlighted = key

    def _on_selection_changed(self, selection: Selection) -> None:
        self._strip_cache.clear()
        self.refresh()
        self.post_message(self.SelectionChanged(len(selection), item_list=self))

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

    def _style(self, name: str) -> Style:
        """A component style usable as a span: its colour (resolved), attributes, and a
        background only when the component sets one."""
        style = self._styles.get(name)
        if style is None:
            full = self.get_component_rich_style(name)
            partial = self.get_component_rich_style(name, partial=True)
            style = Style(
                color=full.color if partial.color else None,
                bgcolor=full.bgcolor if partial.bgcolor else None,
            )
            style += partial.without_color
            self._styles[name] = style
        return style

    def _row_style(self, name: str) -> Style:
        """A component style used as a whole-row base (full, background included)."""
        key = f"row:{name}"
        style = self._styles.get(key)
        if style is None:
            style = self.get_component_rich_style(name)
            self._styles[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        index = int(self.scroll_offset.y) + y
        row = self.row_at(index)
        if row is None:
            if y == 1 and not self._row_count and self._empty_text:
                text = _fit("  " + inert(self._empty_text), width)
                return Strip([Segment(text, self.rich_style + self._style("item-list--dim"))])
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self._cursor
        key = (index, width, is_cursor, self._minute)
        strip = self._strip_cache.get(key)
        if strip is None:
            strip = self.render_row(row, width, is_cursor)
            self._strip_cache.set(key, strip)
        return strip

    def render_row(self, row: Row, width: int, is_cursor: bool = False) -> Strip:
        """One display row as a Strip of exactly `width` cells."""
        if isinstance(row, FolderRow):
            return self._render_folder(row, width, is_cursor)
        return self._render_item(row.item, width, is_cursor)

    def _ansi(self) -> bool:
        """Whether the theme is drawn in the 16 ANSI colours (badges then use them too)."""
        try:
            return bool(self.app.current_theme.ansi)
        except Exception:  # noqa: BLE001 - no app (a widget drawn alone in a test)
            return False

    def _base(self, is_cursor: bool, is_selected: bool) -> Style:
        base = self.rich_style
        if is_selected:
            base = base + self._row_style("item-list--selected")
        if is_cursor:
            base = base + self._row_style("item-list--cursor")
        return base

    def _strip(self, parts: list[tuple[str, Style | None]], base: Style, width: int) -> Strip:
        segments = [Segment(text, base + style if style else base) for text, style in parts if text]
        return Strip(segments).crop_extend(0, width, base)

    def _render_folder(self, row: FolderRow, width: int, is_cursor: bool) -> Strip:
        state = self.selection.folder_state(
            it.id for it in self._group_items.get(row.key, ())
        )
        base = self._base(is_cursor, False)
        arrow = FOLDER_CLOSED if row.key in self._collapsed.get(self.group_by, ()) else FOLDER_OPEN
        check, check_style = {
            "on": (CHECK_ON, self._style("item-list--checked")),
            "partial": (CHECK_PARTIAL, self._style("item-list--checked")),
            "off": (CHECK_OFF, self._style("item-list--checkbox")),
        }[state]
        count = f" ({row.count})"
        unread = f"  {UNREAD_DOT} {row.unread} unread" if row.unread else ""
        room = width - 4 - cell_len(count) - cell_len(unread)
        if room < 8 and unread:
            unread = f" {UNREAD_DOT}{row.unread}"
            room = width - 4 - cell_len(count) - cell_len(unread)
        label = _cut(inert(row.label), max(room, 1))
        folder_style = self._style("item-list--folder")
        parts: list[tuple[str, Style | None]] = [
            (arrow + " ", folder_style),
            (check, check_style),
            (" ", None),
            (label, folder_style),
            (count, self._style("item-list--count")),
            (unread, self._style("item-list--unread")),
        ]
        return self._strip(parts, base, width)

    def columns(self, width: int) -> tuple[bool, int]:
        """(whether the age column shows, the sender column's width or 0) at `width` cells."""
        indent = FOLDER_INDENT if self._show_folders() else 0
        room = width - indent - ROW_PREFIX
        show_time = room >= MIN_TITLE + 1 + TIME_COL
        room -= 1 + TIME_COL
        sender_col = 0
        if room - 2 >= MIN_TITLE_WITH_SENDER + MIN_SENDER_COL:
            sender_col = min(SENDER_COL, max(MIN_SENDER_COL, (room - 2) // 3))
        return show_time, sender_col

    def _render_item(self, item: Item, width: int, is_cursor: bool) -> Strip:
        selected = item.id in self.selection
        base = self._base(is_cursor, selected)
        unread = item.state == State.UNREAD
        resolved = item.state == State.RESOLVED
        indent = FOLDER_INDENT if self._show_folders() else 0

        parts: list[tuple[str, Style | None]] = []
        if indent:
            parts.append((" " * indent, None))
        if selected:
            parts.append((CHECK_ON, self._style("item-list--checked")))
        else:
            parts.append((CHECK_OFF, self._style("item-list--checkbox")))
        parts.append((" ", None))
        parts.append((UNREAD_DOT if unread else " ", self._style("item-list--unread-dot")))
        parts.append((" ", None))
        sender = item.sender
        parts.append(
            (initials(sender.name), sender_badge_style(str(sender.type.value), sender.id,
                                                        ansi=self._ansi()))
        )
        parts.append((" ", None))
        parts.append((kind_icon(item.kind), self._style("item-list--icon")))
        parts.append((" ", None))
        used = indent + ROW_PREFIX

        pill = priority_pill(item.priority)
        if pill:
            pill_style = self._style(
                "item-list--urgent" if item.priority.value == "urgent" else "item-list--high"
            )
            parts.append((pill, pill_style))
            parts.append((" ", None))
            used += cell_len(pill) + 1
        if not resolved:
            flag = sla_flag(item.payload, self.now())
            if flag:
                glyph = SLA_GLYPHS[flag]
                parts.append(
                    (glyph, self._style("item-list--late" if flag == "late" else "item-list--due"))
                )
                parts.append((" ", None))
                used += cell_len(glyph) + 1

        # The columns depend on the width alone, never on a row's badges: the age and the
        # sender line up on every row, and badges take their room from the title.
        show_time, sender_col = self.columns(width)
        title_width = width - used
        if show_time:
            title_width -= 1 + TIME_COL
        if sender_col:
            title_width -= 2 + sender_col
        title_width = max(title_width, 1)

        if unread:
            title_style: Style | None = self._style("item-list--unread")
        elif resolved:
            title_style = self._style("item-list--dim")
        else:
            title_style = None
        parts.append((_fit(inert(item.title), title_width), title_style))
        dim = self._style("item-list--dim")
        if sender_col:
            parts.append(("  " + _fit(inert(sender.name), sender_col), dim))
        if show_time:
            stamp = relative_time(item.created_at, self.now())
            parts.append((" " + stamp.rjust(TIME_COL)[-TIME_COL:], dim))
        return self._strip(parts, base, width)
