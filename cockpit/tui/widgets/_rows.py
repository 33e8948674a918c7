"""Drawing the inbox list's rows: folder rows, item rows and rows still loading.

A mixin of `ItemList`: each row becomes one `Strip` of exactly the list's width. Untrusted text
(titles, names, payload values used as folder labels) is made inert with
`cockpit.tui.glyphs.inert` and drawn as plain `Segment`s, never parsed as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from cockpit.domain.grouping import FolderRow
from cockpit.domain.models import Item, State
from cockpit.tui.feed import PendingRow, Row
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

if TYPE_CHECKING:
    from cockpit.tui.widgets.item_list import ItemList

CHECK_OFF = "☐"
CHECK_ON = "☑"
CHECK_PARTIAL = "◩"
FOLDER_OPEN = "▾"
FOLDER_CLOSED = "▸"
UNREAD_DOT = "●"
ELLIPSIS = "…"
PENDING = "·  ·  ·"

TIME_COL = 4  # "now", "59m", "23h", "13d", "10mo" fit
SENDER_COL = 16  # at most
MIN_SENDER_COL = 10
MIN_TITLE = 12  # the age column shows when a plain title keeps this much
MIN_TITLE_WITH_SENDER = 20  # the sender column shows when a plain title keeps this much
ROW_PREFIX = 9  # checkbox, unread dot, initials, kind icon and their gaps
FOLDER_INDENT = 2  # item rows are indented under folder rows


def fit(text: str, width: int) -> str:
    """Cut or pad `text` to exactly `width` cells, ending in an ellipsis when cut."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length == width:
        return text
    if length < width:
        return text + " " * (width - length)
    return set_cell_size(text, width - 1) + ELLIPSIS


def cut(text: str, width: int) -> str:
    """Cut `text` to at most `width` cells (no padding)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + ELLIPSIS


class RowDrawing:
    def _style(self: ItemList, name: str) -> Style:
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

    def _row_style(self: ItemList, name: str) -> Style:
        """A component style used as a whole-row base (full, background included)."""
        key = f"row:{name}"
        style = self._styles.get(key)
        if style is None:
            style = self.get_component_rich_style(name)
            self._styles[key] = style
        return style

    def render_row(self: ItemList, row: Row, width: int, is_cursor: bool = False) -> Strip:
        """One display row as a Strip of exactly `width` cells."""
        if isinstance(row, FolderRow):
            return self._render_folder(row, width, is_cursor)
        if isinstance(row, PendingRow):
            return self._render_pending(width, is_cursor)
        return self._render_item(row.item, width, is_cursor, row.group_key)

    def _render_pending(self: ItemList, width: int, is_cursor: bool) -> Strip:
        """A row whose item is on its way: the same columns, a quiet placeholder."""
        indent = FOLDER_INDENT if self.feed.show_folders else 0
        parts: list[tuple[str, Style | None]] = [
            (" " * (indent + ROW_PREFIX), None), (PENDING, self._style("item-list--dim"))]
        return self._strip(parts, self._base(is_cursor, False), width)

    def _ansi(self: ItemList) -> bool:
        """Whether the theme is drawn in the 16 ANSI colours (badges then use them too);
        kept with the styles, which a theme change clears."""
        ansi = self._styles.get("ansi")
        if ansi is None:
            try:
                ansi = bool(self.app.current_theme.ansi)
            except Exception:  # noqa: BLE001 - no app (a widget drawn alone in a test)
                ansi = False
            self._styles["ansi"] = ansi
        return ansi

    def _base(self: ItemList, is_cursor: bool, is_selected: bool) -> Style:
        # Kept with the component styles (cleared with them): `rich_style` walks every
        # ancestor's styles, a third of the cost of drawing a row.
        key = (is_cursor, is_selected)
        base = self._styles.get(key)
        if base is None:
            base = self.rich_style
            if is_selected:
                base = base + self._row_style("item-list--selected")
            if is_cursor:
                base = base + self._row_style("item-list--cursor")
            self._styles[key] = base
        return base

    def _strip(self: ItemList, parts: list[tuple[str, Style | None]], base: Style, width: int) -> Strip:
        segments = [Segment(text, base + style if style else base) for text, style in parts if text]
        return Strip(segments).crop_extend(0, width, base)

    def _render_folder(self: ItemList, row: FolderRow, width: int, is_cursor: bool) -> Strip:
        folder = self.feed.by_key.get(row.key)
        state = self.selection.folder_state(self.feed.key, folder) if folder else "off"
        base = self._base(is_cursor, False)
        arrow = FOLDER_CLOSED if row.key in self.feed.collapsed else FOLDER_OPEN
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
        label = cut(inert(row.label), max(room, 1))
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

    def columns(self: ItemList, width: int) -> tuple[bool, int]:
        """(whether the age column shows, the sender column's width or 0) at `width` cells."""
        indent = FOLDER_INDENT if self.feed.show_folders else 0
        room = width - indent - ROW_PREFIX
        show_time = room >= MIN_TITLE + 1 + TIME_COL
        room -= 1 + TIME_COL
        sender_col = 0
        if room - 2 >= MIN_TITLE_WITH_SENDER + MIN_SENDER_COL:
            sender_col = min(SENDER_COL, max(MIN_SENDER_COL, (room - 2) // 3))
        return show_time, sender_col

    def _render_item(self: ItemList, item: Item, width: int, is_cursor: bool,
                     group_key: str) -> Strip:
        selected = self.selection.has(item.id, self.feed.key, group_key)
        base = self._base(is_cursor, selected)
        unread = item.state == State.UNREAD
        resolved = item.state == State.RESOLVED
        indent = FOLDER_INDENT if self.feed.show_folders else 0

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
        parts.append((fit(inert(item.title), title_width), title_style))
        dim = self._style("item-list--dim")
        if sender_col:
            parts.append(("  " + fit(inert(sender.name), sender_col), dim))
        if show_time:
            stamp = relative_time(item.created_at, self.now())
            parts.append((" " + stamp.rjust(TIME_COL)[-TIME_COL:], dim))
        return self._strip(parts, base, width)
