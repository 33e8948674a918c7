"""The Agents screen: the live roster, the queues now and today's figures; set your own status
and aux code; managers change an agent's capacity, skills and queues.

Fresh from the server on arrival, on every `metrics` push (the figures at once, the roster
refetched, coalesced: one request at a time, one more if pushes came meanwhile) and on a slow
timer while shown, so it stays right without pushes too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker

from cockpit.client import CockpitClient
from cockpit.domain.agents import AgentError
from cockpit.tui.describe import duration
from cockpit.tui.floor_effects import FloorEffects
from cockpit.tui.format import one_line, plural, utcnow
from cockpit.tui.messages import AgentSaved, MetricsChanged, RosterLoaded
from cockpit.tui.roster import (
    MANAGER_ROLES,
    SORTS,
    STATUS_FILTERS,
    Agent,
    filter_agents,
    next_in,
    parse_capacity,
    parse_queues,
    parse_skills,
    skills_input,
    sort_agents,
)
from cockpit.tui.screens.page import PageScreen
from cockpit.tui.screens.prompt import PromptScreen
from cockpit.tui.screens.status_picker import StatusChoice, StatusPicker
from cockpit.tui.widgets.footer import FittingFooter
from cockpit.tui.widgets.roster import STATUS_STYLES, RosterTable

REFRESH_EVERY = 10.0  # seconds, while shown: right even when no metrics are pushed
EDITS = {"capacity": "capacity", "skills": "skills", "queues": "queues"}
# Dropped first from a narrow footer (? lists them all): help and quit stay.
FOOTER_DROPPABLE = ("status_filter", "filter", "edit('queues')", "edit('skills')",
                    "page('reports')", "page('inbox')")


class AgentsScreen(PageScreen):
    CSS_PATH = "agents.tcss"
    page = "agents"
    TITLE_TEXT = "Agents"
    BINDINGS = [
        Binding("s", "sort", "Sort", id="agents.sort"),
        Binding("f", "status_filter", "Status filter", id="agents.status_filter"),
        Binding("slash", "filter", "Filter", key_display="/", id="agents.filter"),
        Binding("m", "my_status", "My status", id="agents.my_status"),
        Binding("c", "edit('capacity')", "Capacity", id="agents.capacity"),
        Binding("S", "edit('skills')", "Skills", id="agents.skills"),
        Binding("Q", "edit('queues')", "Queues", id="agents.queues"),
        Binding("escape", "back", "Back", show=False, id="agents.back"),
    ]

    def __init__(self, client: CockpitClient) -> None:
        super().__init__(id="agents-screen")
        self.effects = FloorEffects(self, client)
        self.agents: list[Agent] = []
        self.me: dict[str, str] = {}
        self.aux_codes: list[dict[str, str]] = []
        self.metrics: dict[str, Any] | None = None
        self.sort = SORTS[0]
        self.status_filter: str | None = None
        self.text_filter = ""
        self.loaded = False
        self._roster_worker: Worker[None] | None = None
        self._roster_again = False
        self._timer: Timer | None = None

    def now(self) -> datetime:
        clock = getattr(self.app, "now", None)
        return clock() if callable(clock) else utcnow()

    def compose(self) -> ComposeResult:
        yield Static("", id="agents-title", markup=False)
        with Horizontal(id="agents-summary"):
            yield Static("", id="agents-queues")
            yield Static("", id="agents-today")
        yield Input(placeholder="Filter agents: name, skill, queue or aux code · esc clears",
                    id="agents-filter", compact=True)
        yield RosterTable(id="agents-roster")
        yield FittingFooter(droppable=FOOTER_DROPPABLE)

    @property
    def roster(self) -> RosterTable:
        return self.query_one("#agents-roster", RosterTable)

    @property
    def filter_box(self) -> Input:
        return self.query_one("#agents-filter", Input)

    def on_mount(self) -> None:
        self.filter_box.display = False
        self.roster.focus()
        self._show_title()

    def on_screen_resume(self) -> None:
        self.refresh_now()
        if self._timer is None:
            self._timer = self.set_interval(REFRESH_EVERY, self.refresh_now)

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def refresh_now(self) -> None:
        self.effects.metrics()
        self.request_roster()

    def request_roster(self) -> None:
        """One roster request at a time; asked again meanwhile, one more after it."""
        if self._roster_worker is not None and not self._roster_worker.is_finished:
            self._roster_again = True
            return
        self._roster_again = False
        self._roster_worker = self.effects.roster()

    # -- answers ---------------------------------------------------------------------------

    def on_roster_loaded(self, message: RosterLoaded) -> None:
        self._roster_worker = None
        self.agents = [Agent.from_json(a) for a in message.agents]
        self.me = message.me
        self.aux_codes = message.aux_codes
        self.loaded = True
        self._show_roster()
        if self._roster_again:
            self.request_roster()

    def on_metrics_changed(self, message: MetricsChanged) -> None:
        self.metrics = message.data
        self._show_summary()

    def pushed(self, data: dict[str, Any]) -> None:
        """A `metrics` event (the app hands it on): new figures, so the roster moved too."""
        self.post_message(MetricsChanged(data))
        if self.is_current:
            self.request_roster()

    def on_agent_saved(self, message: AgentSaved) -> None:
        saved = Agent.from_json(message.agent)
        self.agents = [saved if a.id == saved.id else a for a in self.agents]
        self._show_roster()
        self.notify(f"{one_line(saved.name, 40)}: {message.what} saved", markup=False,
                    timeout=3)
        self.request_roster()  # routing may have handed out tickets meanwhile

    # -- drawing ---------------------------------------------------------------------------

    def shown_agents(self) -> list[Agent]:
        return sort_agents(filter_agents(self.agents, self.status_filter, self.text_filter),
                           self.sort)

    def _show_roster(self) -> None:
        shown = self.shown_agents()
        self.roster.show(shown, self.now())
        self._show_title(len(shown))
        self.refresh_bindings()

    def _show_title(self, shown: int | None = None) -> None:
        parts = ["Agents"]
        if not self.loaded:
            parts.append("loading…")
        else:
            count = plural(len(self.agents), "agent")
            parts.append(count if shown == len(self.agents) else f"{shown} of {count}")
        parts.append(f"sorted by {self.sort}")
        if self.status_filter:
            parts.append(f"only {self.status_filter}")
        if self.text_filter:
            parts.append(f"matching “{one_line(self.text_filter, 30)}”")
        if self.me.get("id"):
            parts.append(f"you: {one_line(self.me['id'], 30)} ({self.me.get('role', '?')})")
        self.query_one("#agents-title", Static).update(" · ".join(parts))

    def _show_summary(self) -> None:
        data = self.metrics or {}
        queues = Table(box=None, padding=(0, 1), expand=True, show_edge=False)
        for header, justify in (("Queue", "left"), ("Waiting", "right"),
                                ("Oldest", "right"), ("Available", "right")):
            queues.add_column(header, justify=justify, header_style="bold", no_wrap=True)  # type: ignore[arg-type]
        for queue in data.get("queues") or ():
            oldest = queue.get("oldest_wait_s")
            waiting = int(queue.get("waiting") or 0)
            queues.add_row(Text(one_line(queue.get("name", ""), 24)),
                           Text(str(waiting), style="bold yellow" if waiting else ""),
                           duration(oldest) if oldest is not None else "—",
                           f"{queue.get('available', 0)} of {queue.get('agents', 0)}")
        if not data.get("queues"):
            queues.add_row(Text("no queues yet", style="dim"), "", "", "")
        self.query_one("#agents-queues", Static).update(queues)
        self.query_one("#agents-today", Static).update(_today(data))

    # -- actions ---------------------------------------------------------------------------

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action == "my_status":
            if not self.loaded:
                return "The roster is still loading."
            if not any(a.id == self.me.get("id") for a in self.agents):
                return "You are not on the roster, so you have no status to set."
        if action == "edit":
            what = str(parameters[0]) if parameters else "that"
            role = self.me.get("role", "")
            if role not in MANAGER_ROLES:
                return (f"Only managers and above change an agent's {what}"
                        f"{f' (you are {role})' if role else ''}.")
            if self.roster.cursor_agent is None:
                return "No agent under the cursor."
        return None

    def action_sort(self) -> None:
        self.sort = next_in(SORTS, self.sort)
        self._show_roster()

    def action_status_filter(self) -> None:
        self.status_filter = next_in(STATUS_FILTERS, self.status_filter)
        self._show_roster()

    def action_filter(self) -> None:
        box = self.filter_box
        box.display = True
        self.set_focus(box)

    @on(Input.Changed, "#agents-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.text_filter = event.value
        self._show_roster()

    @on(Input.Submitted, "#agents-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.filter_box.display = False
        self.roster.focus()

    async def action_back(self) -> None:
        """esc: the filters first, then back to the inbox."""
        box = self.filter_box
        if box.display or self.text_filter or self.status_filter:
            box.value = ""
            box.display = False
            self.text_filter = ""
            self.status_filter = None
            self.roster.focus()
            self._show_roster()
            return
        await self.action_page("inbox")

    def action_my_status(self) -> None:
        me = next((a for a in self.agents if a.id == self.me.get("id")), None)
        if me is None:
            return

        def chosen(choice: StatusChoice | None) -> None:
            if choice is None:
                return
            fields: dict[str, Any] = {"aux_code": choice.aux_code} if choice.aux_code \
                else {"status": choice.status}
            self.effects.save_agent(me.id, "status", **fields)

        self.app.push_screen(StatusPicker(me.status, me.aux_code, self.aux_codes), chosen)

    def action_edit(self, what: str) -> None:
        agent = self.roster.cursor_agent
        if agent is None or what not in EDITS:
            return
        current = {"capacity": str(agent.capacity), "skills": skills_input(agent.skills),
                   "queues": ", ".join(agent.queues)}[what]
        question = {
            "capacity": f"Capacity of {one_line(agent.name, 40)} (1-20 open tickets):",
            "skills": f"Skills of {one_line(agent.name, 40)} (name level, comma between; "
                      "none clears):",
            "queues": f"Queues of {one_line(agent.name, 40)} (comma between; none clears):",
        }[what]

        def answered(text: str | None) -> None:
            if text is None:
                return  # cancelled
            try:
                value: Any = {"capacity": parse_capacity, "skills": parse_skills,
                              "queues": parse_queues}[what](text)
            except AgentError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.effects.save_agent(agent.id, what, **{what: value})

        self.app.push_screen(PromptScreen(question, value=current), answered)


def _today(data: dict[str, Any]) -> Table:
    """Today's figures and who is in which status, as a small grid."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()  # wraps: agents by status is the longest line
    csat = data.get("csat_today") or {}
    first = data.get("first_response_median_s")
    grid.add_row("Handled today", str(data.get("handled_today", "—")))
    grid.add_row("First response", duration(first) + " median" if first is not None else "—")
    share = csat.get("positive_pct")
    grid.add_row("CSAT today", f"{share:.0f}% ({plural(int(csat.get('count') or 0), 'rating')})"
                 if share is not None else "—")
    counts = data.get("agents_by_status") or {}
    line = Text()
    for status, style in STATUS_STYLES.items():
        if line:
            line.append(" · ")
        line.append(f"{counts.get(status, 0)} {status}", style=style)
    grid.add_row("Agents", line)
    return grid
