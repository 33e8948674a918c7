"""The key bar at the bottom: the screen's shown bindings on one line, drawn by one widget.

Textual's footer composes a widget per key and composes them all again whenever the bindings
change, which in the inbox is most cursor moves (each kind of item has its own actions): a
dozen mounts, a layout, and a dozen widgets left to the garbage collector per move. This bar
draws the same line itself and only repaints when the keys change. It also keeps the keys
that matter when the terminal is narrow: Textual's cuts the row at the edge, so at 80
columns "? Help" and "q Quit" fell off; this one drops the least useful keys first (those in
`droppable`, in that order), then the palette key, then the last keys but Help and Quit,
until the row fits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

# Actions dropped first when the row is too long (the help screen lists them all anyway).
DROPPABLE = ("toggle_select", "open", "open_link", "reveal", "search", "undo", "mark('unread')")
KEPT = ("help", "quit")  # shown whatever else must go


@dataclass(frozen=True, slots=True)
class FooterKey:
    """One key as drawn: where it is on the line (cells start..end) and what it does."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    start: int = 0
    end: int = 0

    @property
    def width(self) -> int:
        return cell_len(self.display) + (1 + cell_len(self.description)
                                         if self.description else 0)


class FittingFooter(Widget, can_focus=False):
    COMPONENT_CLASSES = {"footer--key", "footer--description", "footer--disabled"}
    DEFAULT_CSS = """
    FittingFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer--disabled { text-style: dim; }
    }
    """
    ALLOW_SELECT = False
    PALETTE_RULE = "▏"  # between the keys and the palette's key, at the right edge

    def __init__(self, *, droppable: Iterable[str] = DROPPABLE, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.droppable = tuple(droppable)
        self.keys: tuple[FooterKey, ...] = ()  # the screen's shown bindings, in order
        self.palette: FooterKey | None = None
        self.shown: tuple[FooterKey, ...] = ()  # as last drawn, placed on the line

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        """The bindings were checked again (on every cursor move): a repaint of this line
        only when the keys shown differ."""
        if screen is not self.screen:
            return
        keys: dict[str, FooterKey] = {}  # by action: one key per action, as Textual's footer
        palette = None
        for binding_key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items():
            key = FooterKey(binding.key, self.app.get_key_display(binding),
                            binding.description, binding.action, enabled)
            if binding_key == self.app.COMMAND_PALETTE_BINDING \
                    and self.app.ENABLE_COMMAND_PALETTE:
                palette = key
            elif binding.show:
                keys.setdefault(binding.action, key)
        if (tuple(keys.values()), palette) != (self.keys, self.palette):
            self.keys, self.palette = tuple(keys.values()), palette
            self.refresh()

    def fitting(self, width: int) -> tuple[list[FooterKey], FooterKey | None]:
        """The keys that fit in `width` cells, the droppable ones dropped first."""
        keys, palette = list(self.keys), self.palette

        def total() -> int:
            palette_width = palette.width + len(self.PALETTE_RULE) if palette else 0
            return sum(k.width + 1 for k in keys) + palette_width

        for action in self.droppable:
            if total() <= width:
                break
            keys = [k for k in keys if k.action != action]
        if total() > width:
            palette = None
        while total() > width:  # still too long: the last keys go, never Help or Quit
            last = max((i for i, k in enumerate(keys) if k.action not in KEPT), default=None)
            if last is None:
                break
            del keys[last]
        return keys, palette

    def render(self) -> Text:
        width = self.size.width
        keys, palette = self.fitting(width)
        key_style = self.get_component_rich_style("footer--key")
        description_style = self.get_component_rich_style("footer--description")
        disabled = self.get_component_rich_style("footer--disabled")
        styles = {True: (key_style, description_style),
                  False: (key_style + disabled, description_style + disabled)}
        line = Text(no_wrap=True, overflow="crop", end="")
        placed: list[FooterKey] = []

        def draw(key: FooterKey) -> None:
            start = line.cell_len
            for_key, for_description = styles[key.enabled]
            line.append(key.display, for_key)
            if key.description:
                line.append(" ")
                line.append(key.description, for_description)
            placed.append(replace(key, start=start, end=line.cell_len))

        for key in keys:
            draw(key)
            line.append(" ")
        if palette is not None:
            line.append(" " * max(0, width - line.cell_len - palette.width
                                  - len(self.PALETTE_RULE)))
            line.append(self.PALETTE_RULE, "dim")
            draw(palette)
        self.shown = tuple(placed)
        line.stylize_before(self.rich_style)  # the bar's background under every key
        return line

    def on_resize(self, _event: events.Resize) -> None:
        self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for key in self.shown:
            if key.start <= event.x < key.end:
                if key.enabled:
                    self.app.simulate_key(key.key)
                else:
                    self.app.bell()
                return
