"""A ticket's conversation: customer messages, public replies and internal notes as distinct
boxes, every change (assign, transfer, status, ...) as one compact line; oldest first.

Updated in place: one Static per entry, kept and reused from ticket to ticket (a cursor move
mounts nothing unless this ticket has more entries than any shown before). Text is shown
literally, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static

from cockpit.tui.describe import Said

TITLES = {"customer": "{author} · customer", "reply": "{author} · reply to the customer",
          "note": "Internal note · {author}"}


class Conversation(Vertical):
    DEFAULT_CSS = """
    Conversation { height: auto; }
    Conversation > Static { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.shown: tuple[Said, ...] = ()
        self._boxes: list[Static] = []

    def show(self, entries: Sequence[Said]) -> None:
        entries = tuple(entries)
        if entries == self.shown:
            return
        self.shown = entries
        missing = len(entries) - len(self._boxes)
        if missing > 0:
            new = [Static("", markup=False) for _ in range(missing)]
            self._boxes += new
            self.mount_all(new)
        for box, said in zip(self._boxes, entries, strict=False):
            self._fill(box, said)
            box.display = True
        for box in self._boxes[len(entries):]:
            box.display = False

    @staticmethod
    def _fill(box: Static, said: Said) -> None:
        box.set_classes(f"said -{said.kind}")
        if said.kind == "change":
            line = Text("· ", style="dim")
            line.append(said.author, style="bold")
            line.append(f" {said.text}")
            if said.when:
                line.append(f" · {said.when}", style="dim")
            box.update(line)
            box.border_title = box.border_subtitle = None
            return
        text = Text(said.text or "(empty)")
        if said.cut:
            text.append(f"\n… {said.cut:,} more characters (Show all)", style="italic dim")
        box.update(text)
        box.border_title = TITLES[said.kind].format(author=said.author)
        box.border_subtitle = ("internal · never sent · " if said.kind == "note" else "") + \
            said.when
