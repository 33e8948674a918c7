"""What the keys do here: which bindings apply now (the footer shows only those), why a key
that does not apply does nothing, the help listing and the command palette.

A mixin of `CockpitApp`, kept apart so the app's module holds composition and state.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding

from cockpit.domain.actions import available_actions
from cockpit.domain.grouping import GROUP_BY, FolderRow
from cockpit.domain.models import Item, State
from cockpit.tui import describe
from cockpit.tui.commands import PaletteCommand
from cockpit.tui.format import one_line
from cockpit.tui.keymap import APP_BINDINGS, ITEM_KEYS, normalize_keys
from cockpit.tui.screens import AssignScreen, ConfirmScreen, HelpScreen, PromptScreen
from cockpit.tui.screens.help import HelpRow
from cockpit.tui.screens.view_picker import ViewPicker
from cockpit.tui.ticket_bulk import TICKET_OPS
from cockpit.tui.triage import closable, link_of
from cockpit.tui.view_names import TABS
from cockpit.tui.why import Here, why_not
from cockpit.tui.widgets.detail import LABELS
from cockpit.tui.widgets.item_list import ItemList

if TYPE_CHECKING:
    from cockpit.tui.app import CockpitApp


class KeyCatalog:
    @staticmethod
    def binding_scopes() -> dict[str, list[Binding]]:
        """The bindings live together: the inbox (app and list), and each dialog."""
        from cockpit.tui.pages import page_scopes
        from cockpit.tui.screens.compose import ComposeScreen
        from cockpit.tui.screens.macro_picker import MacroPickerScreen
        from cockpit.tui.screens.transfer import TransferScreen

        def make(bindings: Any) -> list[Binding]:
            return list(Binding.make_bindings(bindings))

        return {"inbox": make(APP_BINDINGS) + make(ItemList.BINDINGS),
                "confirm": make(ConfirmScreen.BINDINGS), "help": make(HelpScreen.BINDINGS),
                "prompt": make(PromptScreen.BINDINGS), "assign": make(AssignScreen.BINDINGS),
                "views": make(ViewPicker.BINDINGS),
                "compose": make(ComposeScreen.BINDINGS),
                "macro": make(MacroPickerScreen.BINDINGS),
                "transfer": make(TransferScreen.BINDINGS),
                **page_scopes()}

    def check_action(self: CockpitApp, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the keys that do not apply (the footer shows only what works now)."""
        if not self.is_mounted:
            return True
        try:
            return self.applies(action, parameters)
        except Exception:  # noqa: BLE001 - during composition, before the widgets exist
            return True

    def applies(self: CockpitApp, action: str, parameters: tuple[object, ...]) -> bool:
        if action == "search":  # a priority binding: not in dialogs, not inside the box itself
            return self.screen is self.screen_stack[0] and self.focused is not self.search_input
        if action == "keep_search":  # priority too: only inside the box
            return self.focused is self.search_input
        item = self.cursor_item()
        selecting = bool(self.selection)
        if action == "archive":
            if selecting:
                return closable(self.selected.values())
            return item is not None and "archive" in item.actions
        if action == "mark":
            if selecting:
                return True
            if item is None:
                return False
            if parameters and parameters[0] == "read":
                return item.state == State.UNREAD
            return item.state == State.READ or "restore" in item.actions
        if action == "undo":
            return self.undo_record is not None
        if action == "item":
            if selecting and parameters and parameters[0] in TICKET_OPS:
                return self.selection_has_tickets()
            if selecting and parameters and parameters[0] == "dismiss":
                return False  # `x` closes the selection's tickets, not the row under it
            return item is not None and bool(parameters) and parameters[0] in item.actions
        if action == "open_link":
            return item is not None and link_of(item.payload) is not None
        if action == "reveal":
            shown = self.detail.item
            return shown is not None and describe.has_secrets(shown.payload)
        return True

    def key_for(self: CockpitApp, binding_id: str) -> str | None:
        """The key shown for a binding of the app or the list, as the keymap has it."""
        for binding in [*self._all_bindings(), *Binding.make_bindings(ItemList.BINDINGS)]:
            if binding.id == binding_id:
                keys = self.user_keymap.get(binding_id, binding.key)
                return self.get_key_display(binding.with_key(keys.split(",")[0]))
        return None

    @functools.cached_property
    def select_keys(self: CockpitApp) -> tuple[str, str, str]:
        """The keys that select an item, all, a range (the keymap is read once, at start)."""
        one, every, span = (self.key_for(binding_id) or "?" for binding_id in
                            ("list.toggle", "cockpit.select_all", "list.select_range"))
        return one, every, span

    def key_hints(self: CockpitApp) -> dict[str, str]:
        hints = {name: self.key_for(f"cockpit.{name}") for name in ITEM_KEYS}
        hints["archive"] = self.key_for("cockpit.archive")
        hints["open"] = self.key_for("cockpit.open_link")
        hints["reveal"] = self.key_for("cockpit.reveal")
        return {k: v for k, v in hints.items() if v}

    def _all_bindings(self: CockpitApp) -> list[Binding]:
        return [b for b in Binding.make_bindings(self.BINDINGS)]

    def explain_key(self: CockpitApp, key: str) -> bool:
        """A key of ours pressed where it does not apply: say why (InboxScreen asks)."""
        if self.screen is not self.screen_stack[0] or self.focused is self.search_input:
            return False
        active = self.screen.active_bindings.get(key)
        if active is not None and active.enabled:
            return False  # a binding will act on it
        bound = [b for b in self._all_bindings()
                 if key in normalize_keys(self.user_keymap.get(b.id or "", b.key))]
        if not bound:
            return False
        item = self.cursor_item()
        # `d` is deny on a waitpoint and reject on an escalation: explain the one that fits.
        fitting = [b for b in bound if item is not None and _action_of(b)[1]
                   and _action_of(b)[1][0] in _kind_actions(item)]
        action, params = _action_of((fitting or bound)[0])
        here = Here(item, on_folder=isinstance(self.item_list.cursor_row, FolderRow),
                    selected=len(self.selection), user=self.user, keys=self.key_hints(),
                    labels=LABELS)
        self.notify(why_not(action, params, here), markup=False, timeout=4)
        return True

    def help_rows(self: CockpitApp) -> list[HelpRow]:
        """Every binding of the app, the list and the dialogs, with its key as remapped."""
        from cockpit.tui.screens.compose import ComposeScreen
        from cockpit.tui.screens.macro_picker import MacroPickerScreen

        main = self.screen_stack[0]
        active = {ab.binding.id for ab in main.active_bindings.values() if ab.enabled}
        rows: list[HelpRow] = []
        sections: list[tuple[str, list[Binding]]] = [
            ("List", list(Binding.make_bindings(ItemList.BINDINGS))),
            ("Inbox", self._all_bindings()),
            ("Dialogs", [*Binding.make_bindings(ConfirmScreen.BINDINGS),
                         *Binding.make_bindings(AssignScreen.BINDINGS),
                         *Binding.make_bindings(ViewPicker.BINDINGS),
                         *Binding.make_bindings(ComposeScreen.BINDINGS),
                         *Binding.make_bindings(MacroPickerScreen.BINDINGS)]),
        ]
        for section, bindings in sections:
            merged: dict[str, tuple[list[str], Binding]] = {}
            for binding in bindings:
                key = binding.id or f"{section}:{binding.action}"
                keys = self.user_keymap.get(binding.id, binding.key) if binding.id else \
                    binding.key
                shown = [self.get_key_display(binding.with_key(k.strip()))
                         for k in keys.split(",")]
                if key in merged:
                    merged[key][0].extend(shown)
                else:
                    merged[key] = (shown, binding)
            for key, (shown, binding) in merged.items():
                available = section != "Inbox" or binding.id in active or not binding.id
                rows.append(HelpRow(section, " ".join(dict.fromkeys(shown)),
                                    binding.description or binding.action, key, available))
        palette = self.COMMAND_PALETTE_BINDING
        rows.append(HelpRow("Inbox", self.get_key_display(Binding(palette, "command_palette")),
                            "Command palette: every action, group-by, themes",
                            "command_palette"))
        return rows

    def palette_commands(self: CockpitApp) -> list[PaletteCommand]:
        commands: list[PaletteCommand] = []
        for binding in self._all_bindings():
            action, _, rest = binding.action.partition("(")
            params = tuple(p.strip().strip("'\"") for p in rest.rstrip(")").split(",") if p)
            try:
                if not self.applies(action, params):
                    continue
            except Exception:  # noqa: BLE001
                continue
            if action == "item":
                continue  # listed below, with the item's title
            key = self.key_for(binding.id) if binding.id else None
            commands.append(PaletteCommand(
                binding.description, f"key {key}" if key else "",
                _runner(self, binding.action)))
        for mode in GROUP_BY:
            commands.append(PaletteCommand(f"Group by: {mode}", "change how the list groups",
                                           lambda mode=mode: self.set_group_by(mode)))
        commands.append(PaletteCommand("Collapse all groups", "",
                                       lambda: self.item_list.collapse_all()))
        commands.append(PaletteCommand("Expand all groups", "",
                                       lambda: self.item_list.expand_all()))
        for name in sorted(self.available_themes):
            commands.append(PaletteCommand(f"Theme: {name}", "switch the colours",
                                           lambda name=name: setattr(self, "theme", name)))
        for tab, (label, _s, _c) in TABS.items():
            commands.append(PaletteCommand(f"Tab: {label}", "", lambda t=tab: self.action_tab(t)))
        item = self.cursor_item()
        if item is not None:
            title = one_line(item.title, 60)
            for name in item.actions:
                commands.append(PaletteCommand(
                    f"{LABELS.get(name, name)}: {title}", "the item under the cursor",
                    lambda name=name, item=item: self.run_item_action(item, name)))
        return commands


def _action_of(binding: Binding) -> tuple[str, tuple[str, ...]]:
    """"item('approve')" -> ("item", ("approve",))."""
    action, _, rest = binding.action.partition("(")
    return action, tuple(p.strip().strip("'\"") for p in rest.rstrip(")").split(",") if p)

def _kind_actions(item: Item) -> set[str]:
    """Actions items of this kind offer while open (for choosing which reason to give)."""
    row = {"kind": item.kind, "payload": item.payload, "state": State.UNREAD}
    return set(available_actions(row, "", "owner"))

def _runner(app: App, action: str) -> Callable[[], object]:
    async def run() -> None:
        await app.run_action(action)

    return run
