"""The screens beside the inbox (DESIGN.md, "Keys": Inbox, Agents and Reports, reachable by key
and from the palette). A mixin of `CockpitApp`: the `page` action the keys and the palette run,
and the live floor figures handed on to the Agents screen.

Each page is built once and kept (installed), so its sort, filter or chosen report are still
there when the user comes back; it refreshes itself whenever it is shown again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import Screen

from cockpit.tui.messages import MetricsChanged
from cockpit.tui.screens.page import PAGE_BINDINGS, PageScreen

if TYPE_CHECKING:
    from cockpit.tui.app import CockpitApp

# The pages' modules load when a page is first shown (or its keys are checked), not at launch.


def _agents(app: CockpitApp) -> Screen:
    from cockpit.tui.screens.agents import AgentsScreen

    return AgentsScreen(app.client)


def _reports(app: CockpitApp) -> Screen:
    from cockpit.tui.screens.reports import ReportsScreen

    return ReportsScreen(app.client)


PAGES: dict[str, Callable[[CockpitApp], Screen]] = {"agents": _agents, "reports": _reports}


def page_scopes() -> dict[str, list[Binding]]:
    """The bindings live together on each page and its dialogs (for checking keymap.toml)."""
    from cockpit.tui.screens.agents import AgentsScreen
    from cockpit.tui.screens.drill import DrillScreen
    from cockpit.tui.screens.reports import ReportsScreen
    from cockpit.tui.screens.status_picker import StatusPicker
    from cockpit.tui.widgets.roster import RosterTable

    def make(*groups: object) -> list[Binding]:
        return [b for g in groups for b in Binding.make_bindings(g)]  # type: ignore[arg-type]

    return {"agents": make(AgentsScreen.BINDINGS, PAGE_BINDINGS, RosterTable.BINDINGS),
            "reports": make(ReportsScreen.BINDINGS, PAGE_BINDINGS),
            "status": make(StatusPicker.BINDINGS), "drill": make(DrillScreen.BINDINGS)}


class Pages:
    def action_page(self: CockpitApp, name: str) -> None:
        """Show the inbox, the Agents or the Reports screen (pages never stack up)."""
        top = self.screen
        on_page = isinstance(top, PageScreen)
        if name == "inbox":
            if on_page:
                self.pop_screen()
            return
        if name not in PAGES or (on_page and top.page == name):
            return
        if not self.is_screen_installed(name):
            self.install_screen(PAGES[name](self), name=name)
        if on_page:
            self.switch_screen(name)
        else:
            self.push_screen(name)

    def on_metrics_changed(self: CockpitApp, message: MetricsChanged) -> None:
        """A `metrics` event from the live stream: for the Agents screen, if it was opened."""
        if self.is_running and self.is_screen_installed("agents"):
            from cockpit.tui.screens.agents import AgentsScreen

            screen = self.get_screen("agents")
            if isinstance(screen, AgentsScreen) and screen.is_mounted:
                screen.pushed(message.data)
