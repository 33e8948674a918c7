"""The live roster: one row per agent in a DataTable (it draws only the rows in view, so 200
agents scroll as fast as 10). Refilled in place: the cursor stays on its agent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from cockpit.tui.describe import duration
from cockpit.tui.format import one_line
from cockpit.tui.roster import Agent, load_bar, skills_text

STATUS_STYLES = {"available": "bold green", "busy": "bold yellow", "away": "magenta",
                 "offline": "dim"}
COLUMNS = (("name", "Agent"), ("status", "Status"), ("since", "For"), ("aux", "Aux code"),
           ("load", "Load"), ("skills", "Skills"), ("queues", "Queues"))


class RosterTable(DataTable):
    DEFAULT_CSS = """
    RosterTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="roster.down"),
        Binding("k", "cursor_up", "Up", show=False, id="roster.up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.agents: list[Agent] = []

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    @property
    def cursor_agent(self) -> Agent | None:
        if not self.agents or not 0 <= self.cursor_row < len(self.agents):
            return None
        return self.agents[self.cursor_row]

    def show(self, agents: Sequence[Agent], now: datetime) -> None:
        """Refill with `agents` in this order, keeping the cursor on the agent it was on."""
        keep = self.cursor_agent.id if self.cursor_agent is not None else None
        self.agents = list(agents)
        self.clear()
        self.add_rows((self._cells(a, now) for a in self.agents))
        for row, agent in enumerate(self.agents):
            if agent.id == keep:
                self.move_cursor(row=row, animate=False)
                break

    @staticmethod
    def _cells(agent: Agent, now: datetime) -> tuple[Text, ...]:
        since = duration(max((now - agent.since).total_seconds(), 0)) if agent.since else "—"
        full = agent.active >= agent.capacity
        return (Text(one_line(agent.name, 28), style="bold"),
                Text(agent.status, style=STATUS_STYLES.get(agent.status, "")),
                Text(since),
                Text(one_line(agent.aux_code or "", 20)),
                Text(load_bar(agent.active, agent.capacity), style="yellow" if full else ""),
                Text(skills_text(agent.skills, 40)),
                Text(one_line(", ".join(agent.queues), 30)))
