"""Transfer a ticket: to an agent (their status and load/capacity shown, a full one marked) or
to a queue, with an optional note (kept as an internal note). Type to filter, ↑↓ to move,
`enter` transfers, `esc` cancels.

Dismisses with a `Transfer`, or None. Names come from the server and are shown literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input
from textual.widgets.option_list import Option

from cockpit.tui.format import one_line
from cockpit.tui.screens.picker import FilterPicker, picker_bindings

QUEUE = "\x00queue:"  # option ids: "\x00queue:<name>" for queues, the user id for agents
STATUS_ORDER = {"available": 0, "busy": 1, "away": 2, "offline": 3}


@dataclass(frozen=True)
class Transfer:
    agent_id: str | None = None
    queue: str | None = None
    note: str = ""

    @property
    def params(self) -> dict[str, Any]:
        target = {"agent_id": self.agent_id} if self.agent_id else {"queue": self.queue}
        return {**target, **({"note": self.note} if self.note else {})}

    @property
    def where(self) -> str:
        return self.agent_id or f"queue {self.queue}"


def agent_label(agent: dict[str, Any], me: str) -> str:
    """"alice · available · 2/5", "bob · busy (Wrap-up) · 5/5 full"."""
    name = one_line(agent.get("id"), 40)
    status = one_line(agent.get("status") or "?", 12)
    if agent.get("aux_code"):
        status += f" ({one_line(agent['aux_code'], 20)})"
    active, capacity = agent.get("active"), agent.get("capacity")
    load = f"{active}/{capacity}" if isinstance(active, int) and isinstance(capacity, int) \
        else "?"
    full = isinstance(active, int) and isinstance(capacity, int) and active >= capacity
    return f"{'me (' + name + ')' if name == me else name} · {status} · {load}" + \
        (" full" if full else "")


class TransferScreen(FilterPicker[Transfer]):
    PREFIX = "transfer"
    PLACEHOLDER = "type to filter agents and queues"
    HINT = "enter transfers · ↑↓ move · tab to the note · esc cancels"
    BINDINGS = picker_bindings("transfer")

    def __init__(self, title: str, agents: Sequence[dict[str, Any]],
                 queues: Sequence[dict[str, Any]], *, me: str, current: str | None = None,
                 item_id: int | None = None) -> None:
        super().__init__(f"Transfer: {one_line(title, 80)}")
        self.agents = sorted((a for a in agents if a.get("id") and a.get("id") != current),
                             key=lambda a: (STATUS_ORDER.get(a.get("status"), 9),
                                            str(a["id"]).casefold()))
        self.queues = [q for q in queues if q.get("name")]
        self.me = me
        self.item_id = item_id

    def extra(self) -> ComposeResult:
        yield Input(placeholder="note (optional, internal)", id="transfer-note", compact=True)

    def options(self, wanted: str) -> list[Option]:
        options = [Option(Content(agent_label(a, self.me)), id=str(a["id"]))
                   for a in self.agents if wanted in str(a["id"]).casefold()]
        options += [Option(Content(f"queue {one_line(q['name'], 40)}"), id=QUEUE + q["name"])
                    for q in self.queues
                    if wanted in f"queue {q['name']}".casefold()]
        return options

    def pick(self, option_id: str) -> Transfer:
        note = self.query_one("#transfer-note", Input).value.strip()
        if option_id.startswith(QUEUE):
            return Transfer(queue=option_id.removeprefix(QUEUE), note=note)
        return Transfer(agent_id=option_id, note=note)
