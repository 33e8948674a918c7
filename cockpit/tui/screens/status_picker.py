"""Pick your own status, or an aux code (which implies its status: Lunch is away, Wrap-up
busy). Dismisses with a `StatusChoice`, or None when cancelled. Codes come from the server
(`GET /aux-codes`) and are shown literally."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cockpit.domain.agents import STATUSES
from cockpit.tui.format import one_line


@dataclass(frozen=True)
class StatusChoice:
    status: str
    aux_code: str | None = None


def choices(aux_codes: Sequence[dict[str, str]]) -> list[StatusChoice]:
    """The statuses, then each aux code with the status it stands for."""
    found = [StatusChoice(s) for s in STATUSES]
    found += [StatusChoice(str(c.get("status", "")), str(c.get("code", "")))
              for c in aux_codes if c.get("code")]
    return found


class StatusPicker(ModalScreen[StatusChoice | None]):
    CSS_PATH = "status_picker.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="status.cancel"),
        Binding("j", "move(1)", "Next", show=False, id="status.down"),
        Binding("k", "move(-1)", "Previous", show=False, id="status.up"),
    ]

    def __init__(self, status: str, aux_code: str | None,
                 aux_codes: Sequence[dict[str, str]]) -> None:
        super().__init__()
        self.current = StatusChoice(status, aux_code)
        self.choices = choices(aux_codes)

    def compose(self) -> ComposeResult:
        with Vertical(id="status-box"):
            yield Static("Your status", id="status-question", markup=False)
            yield OptionList(*(Option(self._label(c), id=str(i))
                               for i, c in enumerate(self.choices)), id="status-list")
            yield Static("enter sets it · j/k move · esc cancels", id="status-hint",
                         markup=False)

    def _label(self, choice: StatusChoice) -> Content:
        text = choice.status.title() if choice.aux_code is None else \
            f"{one_line(choice.aux_code, 30)} ({choice.status})"
        if choice == self.current:
            text += " · now"
        return Content(text)

    def on_mount(self) -> None:
        box = self.query_one("#status-list", OptionList)
        box.highlighted = self.choices.index(self.current) if self.current in self.choices \
            else 0
        box.focus()

    @on(OptionList.OptionSelected, "#status-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)])

    def action_move(self, step: int) -> None:
        box = self.query_one("#status-list", OptionList)
        if step > 0:
            box.action_cursor_down()
        else:
            box.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
