"""The bar under the list while something is selected: the count and the bulk buttons."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
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

    def compose(self) -> ComposeResult:
        yield Static("", id="bulk-summary", markup=False)
        with Horizontal(id="bulk-buttons"):
            for op, (label, _short) in BUTTONS.items():
                button = Button(label, id=f"bulk-{op}", compact=True,
                                variant="primary" if op == "archive" else "default")
                button.can_focus = False
                yield button

    def show(self, count: int, hidden: int, *, can_close: bool) -> None:
        text = f"{count} selected"
        if hidden:
            text += f" ({hidden} hidden by this view)"
        # one line whatever it says: no layout of the screen for a new count
        self.query_one("#bulk-summary", Static).update(text, layout=False)
        for op in ("resolve", "archive"):
            self.query_one(f"#bulk-{op}", Button).display = can_close

    def on_resize(self, event: events.Resize) -> None:
        short = event.size.width < NARROW
        for op, (label, short_label) in BUTTONS.items():
            button = self.query_one(f"#bulk-{op}", Button)
            button.label = short_label if short else label
            # Narrow: the label alone, no padding cell either side (CSS refuses `line-pad: 0`)
            button.styles.line_pad = 0 if short else 1
            button.styles.width = cell_len(short_label) if short else "auto"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        op = (event.button.id or "").removeprefix("bulk-")
        self.post_message(self.Requested(op))
