"""A yes/no question: `y` or `enter` confirms, `n` or `esc` cancels (DESIGN.md, "Keys")."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True (confirmed) or False. The text is shown literally, never as markup.

    `item_id` names the item the question is about: the app closes the question when that item
    is decided elsewhere meanwhile.
    """

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes", priority=True),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", priority=True),
    ]

    def __init__(self, question: str, detail: str = "", *, yes: str = "Yes",
                 no: str = "No", danger: bool = False, item_id: int | None = None) -> None:
        super().__init__(classes="-danger" if danger else None)
        self.item_id = item_id
        self.question = question
        self.detail = detail
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            if self.detail:
                yield Static(self.detail, id="confirm-detail", markup=False)
            with Horizontal(id="confirm-buttons"):
                yes = Button(f"{self.yes} (y)", id="confirm-yes", compact=True,
                             variant="error" if self.has_class("-danger") else "primary")
                no = Button(f"{self.no} (n)", id="confirm-no", compact=True)
                yes.can_focus = no.can_focus = False  # enter always means yes, whatever had focus
                yield yes
                yield no

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")
