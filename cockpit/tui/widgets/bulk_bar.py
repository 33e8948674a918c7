"""The bar under the list once something was selected: the count and the bulk buttons.

It stays when the selection empties (saying how to select; its buttons then do nothing but
say so): the list keeps its height, where a bar that came and went moved the list's last rows
and laid the screen out again at every toggle."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

# op -> (label, short label for narrow panes)
BUTTONS = {
    "read": ("Mark read", "Read"),
    "unread": ("Mark unread", "Unread"),
    "resolve": ("Resolve", "Resolve"),
    "archive": ("Archive", "Archive"),
    "clear": ("Clear", "Clear"),
}
NARROW = 48  # below this width: short labels, no padding (five buttons and Clear fit 38 cells)


class BulkBar(Vertical):
    """"N selected (M hidden by this view)" over one button per bulk op (never focused: keys
    do the same)."""

    DEFAULT_CSS = """
    BulkBar { height: auto; background: $boost; padding: 0 1; }
    BulkBar #bulk-summary { width: 1fr; height: 1; text-style: bold; }
    BulkBar #bulk-buttons { height: 1; }
    BulkBar Button { margin: 0 1 0 0; min-width: 5; }
    """

    class Requested(Message):
        """A bulk button was pressed: `op` is read, unread, resolve, archive or clear."""

        def __init__(self, op: str) -> None:
            super().__init__()
            self.op = op

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._short: bool | None = None  # the labels drawn: short ones, or None before any
        self._idle_keys: tuple[str, str, str] | None = None  # (see show_none) while shown

    def compose(self) -> ComposeResult:
        yield Static("", id="bulk-summary", markup=False)
        with Horizontal(id="bulk-buttons"):
            for op, (label, _short) in BUTTONS.items():
                button = Button(label, id=f"bulk-{op}", compact=True,
                                variant="primary" if op == "archive" else "default")
                button.can_focus = False
                yield button

    def show(self, count: int, hidden: int, *, can_close: bool) -> None:
        self._idle_keys = None
        text = f"{count} selected"
        if hidden:
            text += f" ({hidden} hidden by this view)"
        # one line whatever it says: no layout of the screen for a new count
        self.query_one("#bulk-summary", Static).update(text, layout=False)
        for op in ("resolve", "archive"):
            self.query_one(f"#bulk-{op}", Button).display = can_close

    def show_none(self, select: str, select_all: str, select_range: str) -> None:
        """Nothing selected: the bar says, dimmed, which keys select (one item, all, a range).
        (Its text alone changes: a class set here would apply the stylesheet to the bar
        again, ~3 ms a toggle.)"""
        if self._idle_keys == (select, select_all, select_range):
            return  # already says so (the app syncs the bar at every page it loads)
        self._idle_keys = (select, select_all, select_range)
        self._draw_idle()

    def _draw_idle(self) -> None:
        if self._idle_keys is None:
            return
        one, every, span = self._idle_keys
        hint = f"Nothing selected · {one} {every} {span} select" if self._short else \
            f"Nothing selected · {one} selects, {every} all, {span} a range"
        self.query_one("#bulk-summary", Static).update(Content.styled(hint, "dim not bold"),
                                                       layout=False)

    def on_resize(self, event: events.Resize) -> None:
        short = event.size.width < NARROW
        if not event.size.width or short == self._short:
            return  # hidden, or as drawn: setting a label is a layout of the screen
        self._short = short
        for op, (label, short_label) in BUTTONS.items():
            button = self.query_one(f"#bulk-{op}", Button)
            button.label = short_label if short else label
            # Narrow: the label alone, no padding cell either side (CSS refuses `line-pad: 0`)
            button.styles.line_pad = 0 if short else 1
            button.styles.width = cell_len(short_label) if short else "auto"
        self._draw_idle()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        op = (event.button.id or "").removeprefix("bulk-")
        self.post_message(self.Requested(op))
