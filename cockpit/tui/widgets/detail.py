"""The right pane: who sent it, what it is, where it stands, its body (a ticket: its customer,
SLA and conversation), its context, its actions.

It never blocks keys: a new item updates the widgets already there (badges and buttons are
kept and reused, text only changes where it differs), a ticket's timeline and customer arrive
from workers, and a long text is rendered only up to `describe.TEXT_LIMIT` until the user asks
for all of it ("Show all").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Static

from cockpit.domain.grouping import FolderRow
from cockpit.domain.models import Item, State
from cockpit.tui import describe
from cockpit.tui.format import initials, one_line, plural, utcnow
from cockpit.tui.glyphs import sender_badge_style
from cockpit.tui.widgets.conversation import Conversation
from cockpit.tui.widgets.customer_card import CustomerCard
from cockpit.tui.widgets.markdown_body import MarkdownBody

# Button variants for action names; anything else is a plain button.
VARIANTS = {"approve": "success", "deny": "error", "reject": "error", "cancel": "error",
            "retry": "warning", "restore": "primary"}
LABELS = {"approve": "Approve", "deny": "Deny", "reject": "Reject", "retry": "Retry",
          "cancel": "Cancel run", "dismiss": "Dismiss", "archive": "Archive", "close": "Close",
          "restore": "Restore", "open": "Open link", "note": "Add note", "assign": "Assign…",
          "tag": "Add tags", "untag": "Remove tags", "reply": "Reply…", "macro": "Macro…",
          "transfer": "Transfer…", "priority": "Priority…", "reopen": "Reopen"}
MAX_BADGES = 4  # risk, waitpoint step, timeout, approvals; or a ticket's SLA


class ActionButton(Button):
    """A button for one item action (`action_name`), relabelled in place from item to item."""

    action_name = ""


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
    DetailPane #detail-more { width: auto; margin-top: 1; }
    DetailPane .-hidden { display: none; }
    """

    class TimelineWanted(Message):
        """A ticket is shown whose timeline and customer are not loaded for this version."""

        def __init__(self, item: Item) -> None:
            super().__init__()
            self.item = item

    class Shown(Message):
        """The ticket on show changed (`item_id` None: no ticket now): who views what."""

        def __init__(self, previous: int | None, item_id: int | None) -> None:
            super().__init__()
            self.previous = previous
            self.item_id = item_id

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
        self._folder_shown: tuple | None = None  # what its summary says
        self.timeline: list[dict] = []  # the shown ticket's timeline, once loaded
        self.customer: Mapping[str, Any] | None = None  # its customer's card, once loaded
        self.viewers: dict[int, list[str]] = {}  # ticket id -> who views it (presence)
        self.me = ""
        self.full = False  # "Show all": long texts rendered whole
        self._timeline_key: tuple[int, datetime] | None = None
        self.ticket_shown: int | None = None  # the ticket announced as viewed
        self._body_shown: str | None = None
        self._actions_shown: tuple = ()
        self._buttons: list[ActionButton] = []
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
            yield Static("", id="detail-viewers", classes="-hidden", markup=False)
            yield Static("", id="detail-summary", markup=False)
            with Vertical(id="detail-badges"):
                for _ in range(MAX_BADGES):
                    yield Static("", classes="badge", markup=False)
            yield Container(id="detail-actions")
            yield CustomerCard(id="detail-customer", classes="-hidden")
            yield Conversation(id="detail-conversation", classes="-hidden")
            yield MarkdownBody(id="detail-body")
            yield Button("Show all", id="detail-more", compact=True, classes="-hidden")
            yield Static("", id="detail-context", markup=False)

    # -- showing ---------------------------------------------------------------------------

    def show(self, item: Item | None, *, empty: str | None = None) -> None:
        """Show `item`; None clears the pane (saying `empty`, or the default hint)."""
        if item is not None and item is self.item and self.folder is None:
            return  # this very copy is on show (the list lays out again after every page)
        same = item is not None and self.item is not None and item.id == self.item.id
        if not same:
            self.revealed = False
            self.revealed_payload = None
            self.timeline = []
            self.customer = None
            self.full = False
        self.item = item
        ticket = item.id if item is not None and item.kind == "ticket" else None
        if ticket != self.ticket_shown:
            self.post_message(self.Shown(self.ticket_shown, ticket))
            self.ticket_shown = ticket
        if item is not None and item.kind == "ticket" \
                and (item.id, item.updated_at) != self._timeline_key:
            self._timeline_key = (item.id, item.updated_at)
            self.post_message(self.TimelineWanted(item))
        self.folder = None
        self.query_one("#detail-folder").set_class(True, "-hidden")
        self.query_one("#detail-empty", Static).update(empty or self.EMPTY)
        self._render_item(scroll_home=not same)

    def show_timeline(self, item_id: int, entries: list[dict]) -> None:
        """The timeline of `item_id` arrived: shown if that item is still the one shown."""
        if self.item is not None and self.item.id == item_id:
            self.timeline = entries
            self._render_conversation(self.item, self.clock())

    def show_customer(self, item_id: int, card: Mapping[str, Any]) -> None:
        """The customer card of ticket `item_id` arrived: shown if it is still shown."""
        if self.item is not None and self.item.id == item_id:
            self.customer = card
            self._render_customer(self.item)

    def set_viewers(self, item_id: int, viewers: list[str]) -> None:
        """Who views ticket `item_id` now (the presence events)."""
        self.viewers[item_id] = viewers
        if self.item is not None and self.item.id == item_id:
            self._render_viewers(self.item)

    def show_folder(self, folder: FolderRow, *, selected: int = 0, hint: str = "") -> None:
        """A folder's summary (the cursor is on a folder row): its name, count and unread."""
        shown = (folder, selected, hint)
        if self.folder is not None and shown == self._folder_shown:
            return  # unchanged: every page or recount lays the list out again
        self.show(None)
        self.folder, self._folder_shown = folder, shown
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
        self._render_viewers(item)
        summary = describe.summary_line(item)
        summary_widget = self.query_one("#detail-summary", Static)
        summary_widget.update(summary or "")
        summary_widget.set_class(summary is None, "-hidden")

        self._render_badges(item, now)
        self._render_actions(item)
        self._render_customer(item)
        self._render_conversation(item, now)
        self._render_context(item, now)
        if scroll_home:
            self.scroll_home(animate=False)

    def _render_viewers(self, item: Item) -> None:
        others = [v for v in self.viewers.get(item.id, ()) if v != self.me]
        line = self.query_one("#detail-viewers", Static)
        line.set_class(not others, "-hidden")
        if others:
            line.update("Also viewing: " + ", ".join(one_line(v, 40) for v in others))

    def _render_badges(self, item: Item, now: datetime) -> None:
        """Into the badge boxes already there: text and tone changed, extras hidden."""
        badges = [b for b in (describe.risk_badge(item), describe.sla_badge(item, now)) if b]
        badges += describe.waitpoint_badges(item, now)
        boxes = list(self.query_one("#detail-badges", Vertical).children)
        for box, badge in zip(boxes, badges[:MAX_BADGES], strict=False):
            assert isinstance(box, Static)
            box.update(badge.text)
            box.set_classes(f"badge -{badge.tone}")
        for box in boxes[len(badges):]:
            box.set_classes("badge -hidden")
        self.query_one("#detail-badges").set_class(not badges, "-hidden")

    def _render_customer(self, item: Item) -> None:
        card = self.query_one("#detail-customer", CustomerCard)
        customer = item.payload.get("customer")
        card.set_class(not isinstance(customer, Mapping), "-hidden")
        if isinstance(customer, Mapping):
            card.show(self.customer, name=one_line(customer.get("name") or "", 60),
                      current=item.id)

    def _render_conversation(self, item: Item, now: datetime) -> None:
        """A ticket: its conversation. Anything else: its body as markdown."""
        ticket = item.kind == "ticket"
        limit = None if self.full else describe.TEXT_LIMIT
        said = describe.conversation(item, self.timeline, now, limit=limit) if ticket else []
        self.query_one("#detail-conversation", Conversation).show(said)
        self.query_one("#detail-conversation").set_class(not ticket, "-hidden")
        self.query_one("#detail-body").set_class(ticket, "-hidden")
        cut = sum(s.cut for s in said)
        if not ticket:
            body, cut = describe.body_markdown(item, limit)
            if body != self._body_shown:  # a live update of the same item re-renders nothing
                self._body_shown = body
                self.query_one("#detail-body", MarkdownBody).show(body)
        more = self.query_one("#detail-more", Button)
        more.set_class(not cut, "-hidden")
        if cut:
            more.label = f"Show all ({cut:,} more characters)"

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
        """Buttons relabelled in place; new ones mounted only past the most ever shown."""
        wanted = []
        for name in item.actions:
            label = LABELS.get(name, name.replace("_", " ").capitalize())
            key = self.key_hints.get(name)
            wanted.append((name, f"{label} ({key})" if key else label))
        if tuple(wanted) == self._actions_shown:
            return
        self._actions_shown = tuple(wanted)
        bar = self.query_one("#detail-actions", Container)
        missing = len(wanted) - len(self._buttons)
        if missing > 0:
            new = [ActionButton("", compact=True) for _ in range(missing)]
            self._buttons += new
            bar.mount_all(new)
        for button, (name, label) in zip(self._buttons, wanted, strict=False):
            button.action_name = name
            button.label = label
            button.variant = VARIANTS.get(name, "default")
            button.set_classes(f"action -{name}")
        for button in self._buttons[len(wanted):]:
            button.set_classes("action -hidden")
        bar.set_class(not wanted, "-hidden")

    def on_resize(self) -> None:
        # As many button columns as fit (about 18 cells each): buttons wrap, never clip.
        columns = max(1, min(4, (self.size.width - 2) // 18))
        self.query_one("#detail-actions", Container).styles.grid_size_columns = columns

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "detail-more":
            self.full = True
            if self.item is not None:
                self._render_conversation(self.item, self.clock())
        elif self.item is not None and isinstance(event.button, ActionButton):
            self.post_message(self.ActionPressed(self.item, event.button.action_name))
