"""Pick the person to assign an item to: a short list, "me" first, filtered as you type.

Dismisses with an `Assignee` (its `user_id` None means unassign), or None when cancelled.
User ids come from the server and are shown literally (never as markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.widgets.option_list import Option

from cockpit.tui.format import one_line
from cockpit.tui.screens.picker import FilterPicker, picker_bindings

NOBODY = "\x00nobody"  # the option id for "unassign" (no user id can hold a NUL)


@dataclass(frozen=True)
class Assignee:
    user_id: str | None  # None: unassign


def people_in_order(people: Sequence[str], me: str) -> list[str]:
    """Me first, then everyone else by name (each once)."""
    others = sorted({p for p in people if p and p != me}, key=str.casefold)
    return ([me] if me else []) + others


class AssignScreen(FilterPicker[Assignee]):
    """The assign picker. `item_id` names the item it is for (the app closes the picker when
    that item is decided elsewhere)."""

    PREFIX = "assign"
    HINT = "enter assigns · ↑↓ move · esc cancels"
    BINDINGS = picker_bindings("assign")

    def __init__(self, title: str, people: Sequence[str], *, me: str,
                 current: str | None = None, item_id: int | None = None) -> None:
        super().__init__(f"Assign: {one_line(title, 80)}")
        self.people = people_in_order(people, me)
        self.me = me
        self.current = current
        self.item_id = item_id

    def _label(self, person: str) -> Content:
        text = one_line(person, 60)
        if person == self.me:
            text = f"me ({text})"
        if person == self.current:
            text += " · holds it now"
        return Content(text)

    def options(self, wanted: str) -> list[Option]:
        options = [Option(self._label(p), id=p) for p in self.people
                   if not wanted or wanted in p.casefold()
                   or (p == self.me and wanted in "me")]
        if self.current and (not wanted or wanted in "nobody unassign"):
            options.append(Option(Content("nobody (unassign)"), id=NOBODY))
        return options

    def pick(self, option_id: str) -> Assignee:
        return Assignee(None if option_id == NOBODY else option_id)
