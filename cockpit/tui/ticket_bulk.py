"""A ticket's keys over a whole selection: close, assign, priority, tags and macros run on every
ticket ticked (or every ticket a ticked folder or `*` holds) in one request per part, each ticket
journalled on its own; what fails is counted, never aborts the rest ("Close: 4 ok, 1 failed").

A mixin of `CockpitApp` (handlers by Textual's naming convention: `on_<message>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cockpit.domain.models import Kind
from cockpit.tui.format import one_line, plural
from cockpit.tui.guards import while_running
from cockpit.tui.messages import BulkChoicesLoaded
from cockpit.tui.screens import AssignScreen, PromptScreen
from cockpit.tui.screens.assign import Assignee

if TYPE_CHECKING:
    from cockpit.tui.app import CockpitApp
    from cockpit.tui.screens.macro_picker import MacroRun

# The ticket actions a selection can run, and how a toast names them.
TICKET_OPS: dict[str, str] = {"close": "Close", "assign": "Assign", "priority": "Priority",
                              "tag": "Tag", "untag": "Untag", "macro": "Macro"}
# Those answered with a line of text: (question, placeholder, the parameter it fills).
TEXT_PARAMS = {"priority": ("Set the priority of {n}", "low, normal, high or urgent",
                            "priority"),
               "tag": ("Add tags to {n}", "tags, separated by commas", "tags"),
               "untag": ("Remove tags from {n}", "tags, separated by commas", "tags")}


def ticket_summary(op: str, ok: int, failed: int, skipped: int = 0) -> str:
    """"Close: 4 ok, 1 failed" (and the items that are not tickets)."""
    text = f"{TICKET_OPS[op]}: {ok:,} ok, {failed:,} failed"
    return text + (f", {skipped:,} not tickets" if skipped else "")


class TicketBulk:
    def selection_has_tickets(self: CockpitApp) -> bool:
        return bool(self.selection.scopes) or any(
            i.kind == Kind.TICKET for i in self.selected.values())

    def request_ticket_bulk(self: CockpitApp, op: str) -> None:
        count = len(self.selection)
        what = plural(count, "selected item")
        if op == "close":
            self.confirm(f"Close {what}?", "Items that are not tickets are left as they are.",
                         lambda: self.run_ticket_bulk(op, {}), yes="Close")
        elif op in TEXT_PARAMS:
            question, placeholder, param = TEXT_PARAMS[op]

            def answered(text: str | None) -> None:
                if text:
                    value: Any = [t.strip() for t in text.split(",") if t.strip()] \
                        if param == "tags" else text.strip()
                    self.run_ticket_bulk(op, {param: value})

            self.push_screen(PromptScreen(question.format(n=what), placeholder=placeholder),
                             answered)
        else:
            self.effects.bulk_choices(op)  # the picker opens when they are in

    @while_running
    def on_bulk_choices_loaded(self: CockpitApp, message: BulkChoicesLoaded) -> None:
        what = plural(len(self.selection), "selected item")
        if message.op == "assign":
            def assigned(choice: Assignee | None) -> None:
                if choice is not None:
                    self.run_ticket_bulk("assign", {"assignee_id": choice.user_id})

            self.push_screen(AssignScreen(what, message.choices, me=self.user), assigned)
            return
        example = self.cursor_item() or next(iter(self.selected.values()), None)

        def chosen(run: MacroRun | None) -> None:
            if run is not None:
                self.run_ticket_bulk("macro", {"name": run.name})

        async def preview(name: str) -> dict[str, Any]:
            if example is None or example.kind != Kind.TICKET:
                return {"actions": []}  # nothing to render it on: the run goes ahead
            return await self.client.preview_macro(example.id, name)

        from cockpit.tui.screens.macro_picker import MacroPickerScreen

        title = f"{what} (preview on {one_line(example.title, 40)})" if example else what
        self.push_screen(MacroPickerScreen(title, message.choices, preview), chosen)

    def run_ticket_bulk(self: CockpitApp, op: str, params: dict[str, Any]) -> None:
        ids = sorted(self.selection.ids)
        if self.selection.scopes:
            self.effects.bulk_selection(self.selection.scopes, sorted(self.selection.excluded),
                                        ids, op, params)
        else:
            self.effects.bulk(ids, op, params)
