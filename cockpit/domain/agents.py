"""Agents on the support floor: statuses, aux codes, capacity, skills (DESIGN.md, "Agents,
queues, routing, reports"). Pure: the rules and the checks, no IO.

Every user can be an agent. An agent states a status (available, busy, away, offline) and,
when away or busy, an aux code saying why (Break, Lunch, ... Wrap-up); the aux codes are
configurable and each belongs to one status. An agent who stated `available` but holds as many
open tickets as their capacity shows `busy`: they take no more until one closes.

The time an agent spends in each stated status and aux code is an interval log with exactly
one open interval per agent, cut to a report's period (the open one runs until now), so an
agent who stayed in one state all day counts for the whole day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

AVAILABLE, BUSY, AWAY, OFFLINE = "available", "busy", "away", "offline"
STATUSES = (AVAILABLE, BUSY, AWAY, OFFLINE)
AUX_STATUSES = (AWAY, BUSY)  # the statuses an aux code may explain

CAPACITY_MIN, CAPACITY_MAX, CAPACITY_DEFAULT = 1, 20, 5
LEVEL_MIN, LEVEL_MAX = 1, 5
MAX_SKILLS = 50
MAX_QUEUES = 50
NAME_MAX = 64

# What a contact centre starts from; stored, and changed by managers.
DEFAULT_AUX_CODES: tuple[tuple[str, str], ...] = (
    ("Break", AWAY),
    ("Lunch", AWAY),
    ("Training", AWAY),
    ("Meeting", AWAY),
    ("Technical Issue", AWAY),
    ("Wrap-up", BUSY),
)


class AgentError(ValueError):
    """Bad input for an agent, naming the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def shown_status(stated: str, load: int, capacity: int) -> str:
    """What the roster shows: `busy` for an available agent at capacity."""
    if stated == AVAILABLE and load >= capacity:
        return BUSY
    return stated


def takes_tickets(stated: str, load: int, capacity: int) -> bool:
    return stated == AVAILABLE and load < capacity


def status_change(status: Any, aux_code: Any, codes: Mapping[str, str],
                  current: tuple[str, str | None]) -> tuple[str, str | None]:
    """The (status, aux code) an agent asks for, checked against the configured `codes`
    (code -> status). Given only an aux code, the status is the code's; given only a status,
    the aux code is cleared. None for both keeps `current`."""
    if status is None and aux_code is None:
        return current
    if status is not None and status not in STATUSES:
        raise AgentError("status", f"one of {', '.join(STATUSES)}")
    if aux_code is not None:
        if not isinstance(aux_code, str) or aux_code not in codes:
            known = ", ".join(codes) or "none configured"
            raise AgentError("aux_code", f"one of the aux codes ({known})")
        wanted = codes[aux_code]
        if status is not None and status != wanted:
            raise AgentError("aux_code", f"{aux_code!r} is a {wanted} code, not {status}")
        return wanted, aux_code
    return status, None


def check_capacity(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) \
            or not CAPACITY_MIN <= value <= CAPACITY_MAX:
        raise AgentError("capacity", f"a whole number from {CAPACITY_MIN} to {CAPACITY_MAX}")
    return value


def check_name(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > NAME_MAX \
            or any(ch < " " or ch == "\x7f" for ch in value):
        raise AgentError(field, f"names of 1 to {NAME_MAX} printable characters")
    return value.strip()


def check_skills(value: Any) -> dict[str, int]:
    """{name: proficiency 1-5}."""
    if not isinstance(value, Mapping):
        raise AgentError("skills", "an object of skill names to proficiency 1-5")
    if len(value) > MAX_SKILLS:
        raise AgentError("skills", f"at most {MAX_SKILLS}")
    skills: dict[str, int] = {}
    for name, level in value.items():
        name = check_name(name, "skills")
        if isinstance(level, bool) or not isinstance(level, int) \
                or not LEVEL_MIN <= level <= LEVEL_MAX:
            raise AgentError(f"skills.{name}", f"a proficiency from {LEVEL_MIN} to {LEVEL_MAX}")
        skills[name] = level
    return skills


def check_names(value: Any, field: str, limit: int) -> list[str]:
    """A list of names (queues, required skills), without repeats, in the order given."""
    if isinstance(value, str):
        value = [v for v in (v.strip() for v in value.split(",")) if v]
    if not isinstance(value, list | tuple):
        raise AgentError(field, "a list of names")
    if len(value) > limit:
        raise AgentError(field, f"at most {limit}")
    return list(dict.fromkeys(check_name(v, field) for v in value))


# -- the interval log ------------------------------------------------------------------------

DAY_S = 86_400


def split_by_day(begin: float, finish: float) -> list[tuple[str, float]]:
    """[begin, finish) in epoch seconds, cut at each UTC midnight: (YYYY-MM-DD, seconds)."""
    pieces = []
    while begin < finish:
        stop = min((begin // DAY_S + 1) * DAY_S, finish)
        pieces.append((datetime.fromtimestamp(begin, UTC).date().isoformat(), stop - begin))
        begin = stop
    return pieces
