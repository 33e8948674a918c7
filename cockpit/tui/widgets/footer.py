"""A footer that keeps the keys that matter when the terminal is narrow.

Textual's footer lists the active bindings in order and cuts the row at the edge, so at 80
columns "? Help" and "q Quit" fell off the end. This one drops the least useful keys first
(those listed in `droppable`, in that order), then the palette key, until the row fits.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

# Actions dropped first when the row is too long (the help screen lists them all anyway).
DROPPABLE = ("toggle_select", "open", "open_link", "reveal", "search", "undo", "mark('unread')")


class FittingFooter(Footer):
    def __init__(self, *, droppable: Iterable[str] = DROPPABLE, **kwargs) -> None:
        super().__init__(**kwargs)
        self.droppable = tuple(droppable)
        self._shown: tuple | None = None  # the keys last composed

    def bindings_changed(self, screen: Screen) -> None:
        """Compose the keys again only when they differ from those shown: the bindings are
        checked again on every cursor move, and rebuilding the row costs a dozen mounts and
        a layout of the screen."""
        keys = tuple((binding.key, binding.action, binding.description, binding.group, enabled,
                      tooltip)
                     for _node, binding, enabled, tooltip in screen.active_bindings.values()
                     if binding.show)
        if keys == self._shown and self.is_attached:
            return
        if screen.app.app_focus:  # (without focus the footer waits: it composes later)
            self._shown = keys
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        width = self.size.width or self.app.size.width
        palette = [k for k in keys if k.has_class("-command-palette")]
        shown = [k for k in keys if not k.has_class("-command-palette")]

        def cells(widget: Widget) -> int:
            key = getattr(widget, "key_display", "")
            description = getattr(widget, "description", "")
            return cell_len(key) + (1 + cell_len(description) if description else 0) + 1

        def total() -> int:
            return sum(map(cells, shown)) + sum(cells(k) + 2 for k in palette)

        for action in self.droppable:
            if total() <= width:
                break
            shown = [k for k in shown if getattr(k, "action", None) != action]
        if total() > width:
            palette = []
        yield from shown
        yield from palette

    def on_resize(self, _event: events.Resize) -> None:
        self.refresh(recompose=True)
