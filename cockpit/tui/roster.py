"""The Agents screen's rules, without Textual: one agent as the roster shows them, the sort
orders, the filters, and reading what a manager types for capacity, skills and queues.

Agent data comes from the server (`GET /agents`); names and codes are shown literally.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cockpit.domain.agents import (
    LEVEL_MAX,
    LEVEL_MIN,
    MAX_QUEUES,
    STATUSES,
    AgentError,
    check_capacity,
    check_names,
    check_skills,
)
from cockpit.tui.format import one_line, parse_time

SORTS = ("status", "name", "load", "since")
STATUS_FILTERS: tuple[str | None, ...] = (None, *STATUSES)  # None: every status
STATUS_RANK = {status: rank for rank, status in enumerate(STATUSES)}
MANAGER_ROLES = frozenset({"manager", "admin", "owner"})
BAR_WIDTH = 10


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    status: str
    aux_code: str | None
    since: datetime | None
    active: int
    capacity: int
    skills: dict[str, int] = field(default_factory=dict)
    queues: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Agent:
        skills = data.get("skills") or {}
        return cls(id=str(data.get("id", "")), name=str(data.get("name") or data.get("id", "")),
                   status=str(data.get("status", "offline")), aux_code=data.get("aux_code"),
                   since=parse_time(data.get("status_since")),
                   active=int(data.get("active") or 0),
                   capacity=max(int(data.get("capacity") or 1), 1),
                   skills={str(k): int(v) for k, v in skills.items()},
                   queues=tuple(str(q) for q in data.get("queues") or ()))

    def words(self) -> str:
        """What a text filter looks in: name, id, aux code, skills, queues."""
        return " ".join([self.name, self.id, self.aux_code or "", *self.skills,
                         *self.queues]).casefold()


def sort_agents(agents: Iterable[Agent], order: str) -> list[Agent]:
    """status: available first (then by name); load: fullest first; since: longest first."""
    def name(agent: Agent) -> tuple[str, str]:
        return agent.name.casefold(), agent.id

    if order == "name":
        return sorted(agents, key=name)
    if order == "load":
        return sorted(agents, key=lambda a: (-a.active / a.capacity, -a.active, name(a)))
    if order == "since":
        return sorted(agents, key=lambda a: (a.since is None, a.since or datetime.min, name(a)))
    return sorted(agents, key=lambda a: (STATUS_RANK.get(a.status, len(STATUSES)), name(a)))


def filter_agents(agents: Iterable[Agent], status: str | None, text: str) -> list[Agent]:
    wanted = text.strip().casefold().split()
    return [a for a in agents if (status is None or a.status == status)
            and all(w in a.words() for w in wanted)]


def next_in(choices: Sequence[Any], current: Any) -> Any:
    """The choice after `current`, wrapping round (the first when `current` is unknown)."""
    index = choices.index(current) if current in choices else -1
    return choices[(index + 1) % len(choices)]


def load_bar(active: int, capacity: int, width: int = BAR_WIDTH) -> str:
    """"██████░░░░ 3/5": the share of capacity in use, then the figures."""
    filled = min(width, round(width * active / max(capacity, 1)))
    return "█" * filled + "░" * (width - filled) + f" {active}/{capacity}"


def skills_text(skills: Mapping[str, int], limit: int = 60) -> str:
    """"billing 4 · tech 2", strongest first."""
    ordered = sorted(skills.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    return one_line(" · ".join(f"{name} {level}" for name, level in ordered), limit)


# -- what a manager types ----------------------------------------------------------------------

def parse_capacity(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = -1
    return check_capacity(value)


NONE_WORDS = frozenset({"none", "-"})  # typed to clear skills or queues


def parse_skills(text: str) -> dict[str, int]:
    """"billing 4, tech:2, vat=5" -> {"billing": 4, "tech": 2, "vat": 5}; "none" clears them."""
    pairs: dict[str, Any] = {}
    if text.strip().casefold() in NONE_WORDS:
        return {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        for separator in ("=", ":", " "):
            name, found, level = part.rpartition(separator)
            if found and name.strip():
                break
        else:
            raise AgentError("skills", f"{part!r} needs a level from {LEVEL_MIN} to "
                                       f"{LEVEL_MAX}, e.g. \"billing 4\"")
        try:
            pairs[name.strip()] = int(level.strip())
        except ValueError:
            pairs[name.strip()] = level.strip()
    return check_skills(pairs)


def skills_input(skills: Mapping[str, int]) -> str:
    """The prompt's starting value: what `parse_skills` reads back."""
    return ", ".join(f"{name} {level}" for name, level in skills.items())


def parse_queues(text: str) -> list[str]:
    """"billing, tech" -> ["billing", "tech"]; "none" clears them."""
    if text.strip().casefold() in NONE_WORDS:
        return []
    return check_names(text, "queues", MAX_QUEUES)
