"""A full screen beside the inbox (Agents, Reports): its own keys, the keys that switch screens,
help and quit, and the command palette's entries for it.

It is modal in Textual's sense: the inbox's keys (archive, approve, ...) stay behind it instead
of acting, unseen, on the inbox's item. A key of this screen that does not apply now is hidden
from the footer (`check_action`); pressed anyway, the screen says why (`why_not`).
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.screen import ModalScreen

from cockpit.tui.commands import PaletteCommand, action_runner, split_action
from cockpit.tui.keymap import normalize_keys
from cockpit.tui.screens.help import HelpRow, HelpScreen

# The same ids as the inbox's bindings: one remap in keymap.toml moves the key everywhere.
PAGE_BINDINGS: list[Binding] = [
    Binding("f1", "page('inbox')", "Inbox", id="cockpit.screen_inbox"),
    Binding("f2", "page('agents')", "Agents", id="cockpit.screen_agents"),
    Binding("f3", "page('reports')", "Reports", id="cockpit.screen_reports"),
    Binding("question_mark", "help", "Help", key_display="?", id="cockpit.help"),
    Binding("q", "app.quit", "Quit", id="cockpit.quit"),
]


class PageScreen(ModalScreen[None]):
    """Subclasses name `page` (the app's name for them) and add their BINDINGS."""

    BINDINGS = PAGE_BINDINGS
    page = ""
    TITLE_TEXT = ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page" and parameters and parameters[0] == self.page:
            return False  # this screen's own key: nothing to switch to
        if not self.is_mounted:
            return True
        try:
            return self.why_not(action, parameters) is None
        except Exception:  # noqa: BLE001 - during composition, before the widgets exist
            return True

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Why `action` does nothing now, or None when it applies."""
        return None

    def on_key(self, event: events.Key) -> None:
        """A key of ours hidden because it does not apply: say why instead of ignoring it."""
        active = self.active_bindings.get(event.key)
        if active is not None and active.enabled:
            return
        for binding in self._own_bindings():
            if event.key not in self._keys(binding):
                continue
            action, params = split_action(binding.action)
            reason = self.why_not(action, params)
            if reason:
                event.stop()
                self.notify(reason, markup=False, timeout=4)
            return

    async def action_page(self, name: str) -> None:
        await self.app.run_action(f"page({name!r})")

    def _keys(self, binding: Binding) -> list[str]:
        """The binding's keys as the user's keymap has them."""
        keymap = getattr(self.app, "user_keymap", {})
        return normalize_keys(keymap.get(binding.id or "", binding.key))

    def _own_bindings(self) -> list[Binding]:
        """This screen's keys, then the keys every page has."""
        own = [] if type(self) is PageScreen else list(Binding.make_bindings(type(self).BINDINGS))
        return own + list(Binding.make_bindings(PAGE_BINDINGS))

    # -- help and palette ------------------------------------------------------------------

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.help_rows()))

    def help_rows(self) -> list[HelpRow]:
        rows: list[HelpRow] = []
        section = self.TITLE_TEXT or self.page.title()
        for binding in self._own_bindings():
            shown = " ".join(dict.fromkeys(self.app.get_key_display(binding.with_key(k))
                                           for k in self._keys(binding)))
            action, params = split_action(binding.action)
            rows.append(HelpRow(section, shown, binding.description or binding.action,
                                binding.id or f"{self.page}:{binding.action}",
                                self.why_not(action, params) is None))
        return rows

    def palette_commands(self) -> list[PaletteCommand]:
        """This screen's keys that apply now, runnable from the palette."""
        commands = []
        for binding in self._own_bindings():
            action, params = split_action(binding.action)
            if binding.action == "help" or self.check_action(action, params) is False:
                continue
            key = self.app.get_key_display(binding.with_key(self._keys(binding)[0]))
            commands.append(PaletteCommand(binding.description, f"key {key}",
                                           action_runner(self, binding.action)))
        return commands

