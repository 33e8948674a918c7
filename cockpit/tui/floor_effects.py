"""The requests of the Agents and Reports screens, each in a worker of the screen that posts
one message back to it (`Effects`' rule: nothing here touches a widget).

A failure is an `OperationFailed`, which bubbles from the screen to the app's one handler.
The workers belong to the screen, so they end with it; an answer for a screen that is gone
is dropped by Textual (posting to a closed screen does nothing).
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.screen import Screen
from textual.worker import Worker

from cockpit.client import CockpitClient
from cockpit.tui.messages import (
    AgentSaved,
    MetricsChanged,
    ReportLoaded,
    RosterLoaded,
    TicketsLoaded,
)
from cockpit.tui.workers import Effects

FETCH_CONCURRENCY = 8
DRILL_LIMIT = 500  # tickets fetched for one drill-down; the rest are counted, not listed


class FloorEffects(Effects):
    def __init__(self, screen: Screen, client: CockpitClient) -> None:
        super().__init__(screen, client)  # type: ignore[arg-type] - a screen runs workers too

    def roster(self) -> Worker[None]:
        """The agents, who we are (our role decides what we may change) and the aux codes."""
        async def job() -> RosterLoaded:
            agents, me, codes = await asyncio.gather(
                self.client.agents(), self.client.me(), self.client.aux_codes())
            return RosterLoaded(agents, me, codes)

        return self._run("load the agents", job, group="roster")

    def metrics(self) -> Worker[None]:
        async def job() -> MetricsChanged:
            return MetricsChanged(await self.client.live_metrics())

        return self._run("load the live figures", job, group="metrics", exclusive=True)

    def save_agent(self, agent_id: str, what: str, **fields: Any) -> Worker[None]:
        async def job() -> AgentSaved:
            return AgentSaved(await self.client.patch_agent(agent_id, **fields), what)

        return self._run(f"change {what}", job)

    def report(self, key: tuple[str, str, str, str]) -> Worker[None]:
        name, start, end, by = key

        async def job() -> ReportLoaded:
            return ReportLoaded(key, await self.client.report(name, start=start, end=end,
                                                              by=by or None))

        return self._run(f"load the {name} report", job, group="report", exclusive=True)

    def tickets(self, ids: list[int]) -> Worker[None]:
        async def job() -> TicketsLoaded:
            return TicketsLoaded(*await self.client.get_many(ids[:DRILL_LIMIT]))

        return self._run("load the tickets", job, group="tickets", exclusive=True)
