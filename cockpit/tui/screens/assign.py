"""Pick the person to assign an item to: a short list, "me" first, filtered as you type.

Dismisses with an `Assignee` (its `user_id` None means unassign), or None when cancelled.
User ids come from the server and are shown literally (never as markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cockpit.tui.format import one_line

NOBODY = "\x00nobody"  # the option id for "unassign" (no user id can hold a NUL)


@dataclass(frozen=True)
class Assignee:
    user_id: str | None  # None: unassign


def people_in_order(people: Sequence[str], me: str) -> list[str]:
    """Me first, then everyone else by name (each once)."""
    others = sorted({p for p in people if p and p != me}, key=str.casefold)
    return ([me] if me else []) + others


class AssignScreen(ModalScreen[Assignee | None]):
    """The assign picker. `item_id` names the item it is for (the app closes the picker when
    that item is decided elsewhere)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="assign.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="assign.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="assign.up"),
    ]

    def __init__(self, title: str, people: Sequence[str], *, me: str,
                 current: str | None = None, item_id: int | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.people = people_in_order(people, me)
        self.me = me
        self.current = current
        self.item_id = item_id

    def compose(self) -> ComposeResult:
        with Vertical(id="assign-box"):
            yield Static(f"Assign: {one_line(self.title_text, 80)}", id="assign-question",
                         markup=False)
            yield Input(placeholder="type to filter", id="assign-filter", compact=True)
            yield OptionList(id="assign-list")
            yield Static("enter assigns · ↑↓ move · esc cancels", id="assign-hint",
                         markup=False)

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#assign-filter", Input).focus()

    def _label(self, person: str) -> Content:
        text = one_line(person, 60)
        if person == self.me:
            text = f"me ({text})"
        if person == self.current:
            text += " · holds it now"
        return Content(text)

    def _fill(self, wanted: str) -> None:
        wanted = wanted.strip().casefold()
        options = [Option(self._label(p), id=p) for p in self.people
                   if not wanted or wanted in p.casefold()
                   or (p == self.me and wanted in "me")]
        if self.current and (not wanted or wanted in "nobody unassign"):
            options.append(Option(Content("nobody (unassign)"), id=NOBODY))
        box = self.query_one("#assign-list", OptionList)
        box.set_options(options)
        if options:
            box.highlighted = 0

    @on(Input.Changed, "#assign-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#assign-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        box = self.query_one("#assign-list", OptionList)
        if box.highlighted is not None:
            self._pick(box.get_option_at_index(box.highlighted).id)

    @on(OptionList.OptionSelected, "#assign-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id is None:
            return
        self.dismiss(Assignee(None if option_id == NOBODY else option_id))

    def action_move(self, step: int) -> None:
        box = self.query_one("#assign-list", OptionList)
        if step > 0:
            box.action_cursor_down()
        else:
            box.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
