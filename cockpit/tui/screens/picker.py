"""A dialog that picks one thing from a short list: a question, a filter box, the options, a
hint. Type to filter, ↑↓ to move, `enter` picks, `esc` cancels (dismisses with None).

The assign, transfer and view pickers are this one dialog with their own options; each names
its widgets with its own prefix (`#assign-box`, `#assign-list`, ...) for the app's styles, and
its bindings with its own ids (`assign.cancel`, ...) so keymap.toml can tell them apart.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cockpit.tui.format import one_line

Picked = TypeVar("Picked")


def picker_bindings(prefix: str) -> list[Binding]:
    return [
        Binding("escape", "cancel", "Cancel", id=f"{prefix}.cancel"),
        Binding("down", "move(1)", "Next", show=False, id=f"{prefix}.down"),
        Binding("up", "move(-1)", "Previous", show=False, id=f"{prefix}.up"),
    ]


class FilterPicker(ModalScreen[Picked | None], Generic[Picked]):
    PREFIX = "picker"
    PLACEHOLDER = "type to filter"
    HINT = "enter picks · ↑↓ move · esc cancels"

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    # -- what a subclass says -------------------------------------------------------------

    def options(self, wanted: str) -> list[Option]:
        """The options matching the filter text (already stripped and casefolded)."""
        raise NotImplementedError

    def pick(self, option_id: str) -> Picked | None:
        """What picking an option answers (None: nothing, stay open)."""
        raise NotImplementedError

    def submit_text(self, text: str) -> Picked | None:
        """`enter` with no option highlighted (nothing matches the filter)."""
        return None

    def extra(self) -> ComposeResult:
        """Widgets under the list (the transfer note)."""
        yield from ()

    # -- the dialog -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        prefix = self.PREFIX
        with Vertical(id=f"{prefix}-box", classes="picker-box"):
            yield Static(one_line(self.question, 90), id=f"{prefix}-question",
                         classes="picker-question", markup=False)
            yield Input(placeholder=self.PLACEHOLDER, id=f"{prefix}-filter",
                        classes="picker-filter", compact=True)
            yield OptionList(id=f"{prefix}-list", classes="picker-list")
            yield from self.extra()
            yield Static(self.HINT, id=f"{prefix}-hint", classes="picker-hint", markup=False)

    @property
    def option_list(self) -> OptionList:
        return self.query_one(f"#{self.PREFIX}-list", OptionList)

    @property
    def filter_box(self) -> Input:
        return self.query_one(f"#{self.PREFIX}-filter", Input)

    def on_mount(self) -> None:
        self._fill("")
        self.set_focus(self.filter_box)  # now, not on the next refresh: typing goes on

    def _fill(self, wanted: str) -> None:
        options = self.options(wanted.strip().casefold())
        box = self.option_list
        box.set_options(options)
        if options:
            box.highlighted = 0

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        if event.input is self.filter_box:
            self._fill(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        box = self.option_list
        if box.highlighted is not None:
            self._pick(box.get_option_at_index(box.highlighted).id)
        elif (answer := self.submit_text(self.filter_box.value.strip())) is not None:
            self.dismiss(answer)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id is not None and (answer := self.pick(option_id)) is not None:
            self.dismiss(answer)

    def action_move(self, step: int) -> None:
        if step > 0:
            self.option_list.action_cursor_down()
        else:
            self.option_list.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
