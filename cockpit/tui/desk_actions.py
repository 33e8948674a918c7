"""The support desk's pickers and collision detection: the macro picker (with the server's
preview), the transfer picker, the question when an agent is at capacity, and telling the
server which ticket the detail pane shows (and hearing who else views it).

A mixin of `CockpitApp` through `ItemActions` (handlers by Textual's naming convention).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cockpit.tui.format import one_line
from cockpit.tui.guards import while_running
from cockpit.tui.messages import (
    ForceNeeded,
    MacrosLoaded,
    PresenceChanged,
    TransferTargetsLoaded,
)
from cockpit.tui.widgets.detail import DetailPane

if TYPE_CHECKING:
    from cockpit.tui.app import CockpitApp
    from cockpit.tui.screens.macro_picker import MacroRun
    from cockpit.tui.screens.transfer import Transfer

VIEWING_EVERY = 20.0  # seconds between "still viewing" calls; the server forgets after 60


class DeskActions:
    """The support desk's pickers and collision detection (a mixin of `CockpitApp`)."""

    @while_running
    def on_macros_loaded(self: CockpitApp, message: MacrosLoaded) -> None:
        from cockpit.tui.screens.macro_picker import MacroPickerScreen

        item = self.known.get(message.item.id, message.item)

        def picked(run: MacroRun | None) -> None:
            if run is not None:
                params = {"name": run.name, **({"overrides": run.overrides}
                                               if run.overrides else {})}
                self.effects.act(item, "macro", f"Macro {run.name} run", params)

        self.push_screen(MacroPickerScreen(
            item.title, message.macros,
            lambda name: self.client.preview_macro(item.id, name), item_id=item.id), picked)

    @while_running
    def on_transfer_targets_loaded(self: CockpitApp, message: TransferTargetsLoaded) -> None:
        from cockpit.tui.screens.transfer import TransferScreen

        item = self.known.get(message.item.id, message.item)

        def picked(choice: Transfer | None) -> None:
            if choice is not None:
                self.effects.act_or_ask(item, "transfer", f"Transferred to {choice.where}",
                                        choice.params)

        self.push_screen(TransferScreen(item.title, message.agents, message.queues,
                                        me=self.user, current=item.assignee_id,
                                        item_id=item.id), picked)

    @while_running
    def on_force_needed(self: CockpitApp, message: ForceNeeded) -> None:
        """An agent at capacity: ask, then send the same action again, forced."""
        why = message.reason.split(": ", 1)[-1].split(";")[0]
        self.confirm(f"{one_line(why, 100)}. Give them this ticket anyway?",
                     one_line(message.item.title, 120),
                     lambda: self.effects.act_or_ask(message.item, message.name, message.verb,
                                                     {**message.params, "force": True}),
                     yes="Past capacity", item_id=message.item.id)

    # -- collision detection: who else views the ticket shown ------------------------------

    def on_detail_pane_shown(self: CockpitApp, message: DetailPane.Shown) -> None:
        if message.previous is not None:
            self.effects.viewing(message.previous, False)
        if message.item_id is not None:
            self.effects.viewing(message.item_id, True)
        if getattr(self, "_viewing_timer", None) is None:
            self._viewing_timer = self.set_interval(VIEWING_EVERY, self._still_viewing)

    @while_running
    def _still_viewing(self: CockpitApp) -> None:
        shown = self.detail.ticket_shown
        if shown is not None:
            self.effects.viewing(shown, True)

    @while_running
    def on_presence_changed(self: CockpitApp, message: PresenceChanged) -> None:
        others = [v for v in message.viewers if v != self.user]
        if others:
            self.viewers[message.item_id] = others
        else:
            self.viewers.pop(message.item_id, None)
        self.detail.me = self.user
        self.detail.set_viewers(message.item_id, message.viewers)
