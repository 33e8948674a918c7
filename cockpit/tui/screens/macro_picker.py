"""Pick a macro for a ticket: the list on the left, the highlighted macro rendered for this
ticket on the right (the server's preview: nothing changes), its reply (or note) editable
before it runs. `enter` or `ctrl+s` runs, `esc` cancels.

Dismisses with a `MacroRun` (the agent's edit, if any, as the step's override: the server
takes an override as written), or None.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from cockpit.client import ApiError
from cockpit.tui.format import clean, one_line

Preview = Callable[[str], Awaitable[dict[str, Any]]]
EDITABLE = ("reply", "note")  # the first of these steps is the text the agent may edit


@dataclass(frozen=True)
class MacroRun:
    name: str
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


def step_line(step: dict[str, Any]) -> str:
    """One step of a previewed macro as a line: "priority → high", "tag: refund"."""
    action = one_line(step.get("action"), 20)
    params = {k: v for k, v in step.items() if k != "action"}
    if action in EDITABLE:
        return f"{action}: {one_line(params.get('body_md'), 60)}"
    shown = ", ".join(one_line(v if not isinstance(v, list) else ", ".join(map(str, v)), 40)
                      for v in params.values() if v not in (None, "", []))
    return f"{action}: {shown}" if shown else action


class MacroPickerScreen(ModalScreen[MacroRun | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="macro.cancel", priority=True),
        Binding("ctrl+s", "run", "Run", id="macro.run", priority=True),
    ]

    def __init__(self, title: str, macros: Sequence[dict[str, Any]], preview: Preview, *,
                 item_id: int | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.macros = list(macros)
        self.preview = preview
        self.item_id = item_id
        self.steps: list[dict[str, Any]] = []  # the highlighted macro, rendered
        self.previewed: str | None = None  # its name, once its preview is in
        self.editable: int | None = None  # the index of the step whose text is editable
        self.refused = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="macro-box"):
            yield Static(f"Macro: {one_line(self.title_text, 80)}", id="macro-question",
                         markup=False)
            with Horizontal(id="macro-panes"):
                yield OptionList(*(Option(Content(one_line(m.get("title") or m["name"], 40)),
                                          id=m["name"]) for m in self.macros), id="macro-list")
                with Vertical(id="macro-preview"):
                    yield Static("", id="macro-steps", markup=False)
                    yield TextArea("", id="macro-text", soft_wrap=True)
            yield Static("enter or ctrl+s runs · tab edits the text · esc cancels",
                         id="macro-hint", markup=False)

    def on_mount(self) -> None:
        box = self.query_one("#macro-list", OptionList)
        self.set_focus(box)  # now: keys typed right after the key that opened it land here
        if self.macros:
            box.highlighted = 0
        else:
            self.query_one("#macro-steps", Static).update(
                "No macros yet: `cockpit macros add` saves one.")

    @on(OptionList.OptionHighlighted, "#macro-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.previewed = None
            self.query_one("#macro-steps", Static).update("rendering the preview…")
            self._load(event.option.id)

    @work(exclusive=True, group="preview")
    async def _load(self, name: str) -> None:
        try:
            answer = await self.preview(name)
        except ApiError as exc:
            self._show(name, [], exc.message)
            return
        self._show(name, list(answer.get("actions") or []), "")

    def _show(self, name: str, steps: list[dict[str, Any]], refused: str) -> None:
        self.previewed, self.steps, self.refused = name, steps, refused
        self.editable = next((n for n, s in enumerate(steps) if s.get("action") in EDITABLE),
                             None)
        lines = Text()
        if refused:
            lines.append(f"Cannot run here: {one_line(refused, 200)}", style="bold red")
        for n, step in enumerate(steps):
            if n:
                lines.append("\n")
            lines.append(f"{n + 1}. {step_line(step)}",
                         style="bold" if n == self.editable else "")
        self.query_one("#macro-steps", Static).update(lines)
        text = self.query_one("#macro-text", TextArea)
        text.display = self.editable is not None
        if self.editable is not None:
            text.text = clean(steps[self.editable].get("body_md") or "")
            text.border_title = f"{steps[self.editable]['action']} (edit before it runs)"

    @on(OptionList.OptionSelected, "#macro-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_run()

    def action_run(self) -> None:
        box = self.query_one("#macro-list", OptionList)
        if box.highlighted is None or not self.macros:
            return
        name = box.get_option_at_index(box.highlighted).id
        if name is None or self.previewed != name:
            self.notify("The preview is still rendering.", markup=False, timeout=2)
            return
        if self.refused:
            self.notify(f"Cannot run {name}: {one_line(self.refused, 120)}",
                        severity="warning", markup=False)
            return
        overrides: dict[str, dict[str, Any]] = {}
        if self.editable is not None:
            edited = self.query_one("#macro-text", TextArea).text.strip()
            rendered = clean(self.steps[self.editable].get("body_md") or "").strip()
            if not edited:
                self.notify("The text is empty.", severity="warning", markup=False)
                return
            if edited != rendered:
                overrides[str(self.editable)] = {"body_md": edited}
        self.dismiss(MacroRun(name, overrides))

    def action_cancel(self) -> None:
        self.dismiss(None)
