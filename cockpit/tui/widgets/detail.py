"""The right pane: who sent it, what it is, where it stands, its body, its context, its actions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Markdown, Static

from cockpit.domain.grouping import FolderRow
from cockpit.domain.models import Item, State
from cockpit.tui import describe
from cockpit.tui.format import initials, one_line, plural, utcnow
from cockpit.tui.glyphs import sender_badge_style

# Button variants for action names; anything else is a plain button.
VARIANTS = {"approve": "success", "deny": "error", "reject": "error", "cancel": "error",
            "retry": "warning", "restore": "primary"}
LABELS = {"approve": "Approve", "deny": "Deny", "reject": "Reject", "retry": "Retry",
          "cancel": "Cancel run", "dismiss": "Dismiss", "archive": "Archive", "close": "Close",
          "restore": "Restore", "open": "Open link", "note": "Add note", "assign": "Assign…",
          "tag": "Add tags", "untag": "Remove tags"}


class DetailPane(VerticalScroll):
    """Shows one item. The app calls `show(item)`; buttons post `ActionPressed`."""

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; }
    DetailPane #detail-content { height: auto; }
    DetailPane #detail-head { height: auto; margin-top: 1; }
    DetailPane #detail-avatar { width: auto; height: 1; text-style: bold; }
    DetailPane #detail-who { width: 1fr; height: auto; padding-left: 1; }
    DetailPane .badge { width: auto; height: auto; padding: 0 1; }
    DetailPane #detail-badges { height: auto; }
    DetailPane #detail-actions {
        layout: grid; grid-size: 2; grid-gutter: 0 1; grid-rows: 1; height: auto; margin: 1 0;
    }
    DetailPane #detail-actions Button { width: 100%; }
    DetailPane #detail-context { height: auto; }
    DetailPane #detail-notes { height: auto; }
    DetailPane .-hidden { display: none; }
    """

    class TimelineWanted(Message):
        """A ticket is shown whose timeline (its notes) is not loaded for this version yet."""

        def __init__(self, item: Item) -> None:
            super().__init__()
            self.item = item

    class ActionPressed(Message):
        def __init__(self, item: Item, action: str) -> None:
            super().__init__()
            self.item = item
            self.action = action

    revealed: reactive[bool] = reactive(False, init=False)

    def __init__(self, *, clock: Callable[[], datetime] = utcnow, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.clock = clock
        self.item: Item | None = None
        self.folder: FolderRow | None = None  # the folder summarised, when no item is shown
        self.timeline: list[dict] = []  # the shown ticket's timeline, once loaded
        self._timeline_key: tuple[int, datetime] | None = None
        self.key_hints: Mapping[str, str] = {}
        # The server masks credentials; a reveal fetches the item's payload unmasked.
        self.revealed_payload: dict | None = None

    EMPTY = "Nothing open. Move with j/k, enter opens an item."

    def compose(self) -> ComposeResult:
        yield Static(self.EMPTY, id="detail-empty", markup=False)
        yield Static("", id="detail-folder", classes="-hidden", markup=False)
        with Vertical(id="detail-content", classes="-hidden"):
            yield Static("", id="detail-note", classes="note", markup=False)
            with Horizontal(id="detail-head"):
                yield Static("", id="detail-avatar", markup=False)
                yield Static("", id="detail-who", markup=False)
            yield Static("", id="detail-title", markup=False)
            yield Static("", id="detail-state", markup=False)
            yield Static("", id="detail-summary", markup=False)
            yield Vertical(id="detail-badges")
            yield Container(id="detail-actions")
            yield Markdown(id="detail-body", open_links=False)
            yield Static("", id="detail-notes", markup=False)
            yield Static("", id="detail-context", markup=False)

    # -- showing ---------------------------------------------------------------------------

    def show(self, item: Item | None, *, empty: str | None = None) -> None:
        """Show `item`; None clears the pane (saying `empty`, or the default hint)."""
        same = item is not None and self.item is not None and item.id == self.item.id
        if not same:
            self.revealed = False
            self.revealed_payload = None
        if not same:
            self.timeline = []
        self.item = item
        if item is not None and item.kind == "ticket" \
                and (item.id, item.updated_at) != self._timeline_key:
            self._timeline_key = (item.id, item.updated_at)
            self.post_message(self.TimelineWanted(item))
        self.folder = None
        self.query_one("#detail-folder").set_class(True, "-hidden")
        self.query_one("#detail-empty", Static).update(empty or self.EMPTY)
        self._render_item(scroll_home=not same)

    def show_timeline(self, item_id: int, entries: list[dict]) -> None:
        """The timeline of `item_id` arrived: its notes show if that item is still shown."""
        if self.item is not None and self.item.id == item_id:
            self.timeline = entries
            self._render_notes(self.item, self.clock())

    def show_folder(self, folder: FolderRow, *, selected: int = 0, hint: str = "") -> None:
        """A folder's summary (the cursor is on a folder row): its name, count and unread."""
        self.show(None)
        self.folder = folder
        text = Text(one_line(folder.label, 200), style="bold")
        figures = [plural(folder.count, "item"), f"{folder.unread} unread"]
        if selected:
            figures.append(f"{selected} selected")
        text.append("\n" + " · ".join(figures))
        if hint:
            text.append("\n\n" + hint, style="dim")
        box = self.query_one("#detail-folder", Static)
        box.update(text)
        box.set_class(False, "-hidden")
        self.query_one("#detail-empty").set_class(True, "-hidden")

    def reveal(self, item: Item) -> None:
        """Show `item`'s payload as fetched with its credentials, if it is still the one open."""
        if self.item is not None and self.item.id == item.id:
            self.revealed_payload = item.payload
            self.revealed = True

    def watch_revealed(self) -> None:
        self._render_item(scroll_home=False)

    def _render_item(self, *, scroll_home: bool) -> None:
        item = self.item
        self.query_one("#detail-empty").set_class(item is not None, "-hidden")
        self.query_one("#detail-content").set_class(item is None, "-hidden")
        if item is None:
            return
        now = self.clock()
        self.set_class(item.state == State.RESOLVED, "-resolved")

        note = describe.lead_note(item)
        note_widget = self.query_one("#detail-note", Static)
        note_widget.update(note or "")
        note_widget.set_class(note is None, "-hidden")

        badge_style = sender_badge_style(str(item.sender.type.value), item.sender.id,
                                         ansi=bool(self.app.current_theme.ansi))
        self.query_one("#detail-avatar", Static).update(
            Text(f" {initials(item.sender.name)} ", style=badge_style))
        who = Text(one_line(item.sender.name, 80), style="bold")
        who.append("\n" + describe.sender_line(item), style="dim")
        self.query_one("#detail-who", Static).update(who)

        self.query_one("#detail-title", Static).update(Text(one_line(item.title, 400)))
        restore_key = self.key_hints.get("restore")
        self.query_one("#detail-state", Static).update(
            describe.state_line(item, now, restore_key))
        summary = describe.summary_line(item)
        summary_widget = self.query_one("#detail-summary", Static)
        summary_widget.update(summary or "")
        summary_widget.set_class(summary is None, "-hidden")

        badges = [b for b in (describe.risk_badge(item),) if b]
        badges += describe.waitpoint_badges(item, now)
        box = self.query_one("#detail-badges", Vertical)
        box.remove_children()
        box.mount_all(Static(b.text, classes=f"badge -{b.tone}", markup=False) for b in badges)
        box.set_class(not badges, "-hidden")

        self.query_one("#detail-body", Markdown).update(describe.body_markdown(item))
        self._render_notes(item, now)
        self._render_context(item, now)
        self._render_actions(item)
        if scroll_home:
            self.scroll_home(animate=False)

    def _render_notes(self, item: Item, now: datetime) -> None:
        """People's internal notes (payload.notes): author, time and text, oldest first."""
        card = self.query_one("#detail-notes", Static)
        notes = describe.notes(item, now, self.timeline)
        card.set_class(not notes, "-hidden")
        if not notes:
            return
        text = Text()
        for index, note in enumerate(notes):
            if index:
                text.append("\n\n")
            text.append(note.author, style="bold")
            if note.when:
                text.append(f" · {note.when}", style="dim")
            text.append("\n" + note.text)
        card.update(text)
        card.border_title = f"Internal notes ({len(notes)})"
        card.border_subtitle = "never sent to the customer"

    def _render_context(self, item: Item, now: datetime) -> None:
        card = self.query_one("#detail-context", Static)
        payload = self.revealed_payload if self.revealed and self.revealed_payload is not None \
            else item.payload
        rows = describe.context_rows(payload, now, reveal=self.revealed,
                                     skip=describe.SHOWN_APART)
        card.set_class(not rows, "-hidden")
        if not rows:
            return
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(style="bold", no_wrap=True, max_width=28)
        table.add_column(ratio=1, overflow="fold")
        for row in rows:
            table.add_row(Text(row.label), Text(row.value))
        card.update(table)
        secrets = any(r.secret for r in rows)
        hint = self.key_hints.get("reveal", "R")
        card.border_title = "Context"
        card.border_subtitle = ((f"{hint} hides secrets" if self.revealed
                                 else f"{hint} reveals secrets") if secrets else "")

    def _render_actions(self, item: Item) -> None:
        bar = self.query_one("#detail-actions", Container)
        bar.remove_children()
        buttons = []
        for name in item.actions:
            label = LABELS.get(name, name.replace("_", " ").capitalize())
            key = self.key_hints.get(name)
            if key:
                label = f"{label} ({key})"
            buttons.append(Button(label, name=name, variant=VARIANTS.get(name, "default"),
                                  compact=True, classes=f"action -{name}"))
        bar.mount_all(buttons)
        bar.set_class(not buttons, "-hidden")

    def on_resize(self) -> None:
        # As many button columns as fit (about 18 cells each): buttons wrap, never clip.
        columns = max(1, min(4, (self.size.width - 2) // 18))
        self.query_one("#detail-actions", Container).styles.grid_size_columns = columns

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if self.item is not None and event.button.name:
            event.stop()
            self.post_message(self.ActionPressed(self.item, event.button.name))
