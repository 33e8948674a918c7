"""An item's markdown body as one widget, rendered by Rich.

Textual's Markdown widget mounts a widget per block and, on every update, removes them all
and mounts new ones: following the cursor through a feed, each move left hundreds of widgets
to the garbage collector (its full passes, 50-150 ms, landed on key presses) and laid out
dozens more. Here one Static holds the rendered document. Links are written out with their
address, never as terminal hyperlinks: the text is untrusted, and the address is what a
person must see before following one.
"""

from __future__ import annotations

from rich.markdown import Markdown
from textual.widgets import Static


class MarkdownBody(Static):
    DEFAULT_CSS = """
    MarkdownBody { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.source = ""

    def show(self, source: str) -> None:
        """Render `source` (markdown) in place of what was shown."""
        self.source = source
        dark = self.app.current_theme.dark
        self.update(Markdown(source, hyperlinks=False,
                             code_theme="ansi_dark" if dark else "ansi_light"))
