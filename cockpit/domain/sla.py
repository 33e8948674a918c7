"""Service levels for tickets: targets per priority, when each falls due, and what state a
ticket's SLA is in (DESIGN.md, "Support desk"). Pure.

Three targets: the first response (from the ticket's creation), the next response (from each
customer message after a reply) and the resolution (from creation, or from a reopening). A
target is met by a public reply (responses) or by closing (resolution). A pending target is
**at risk** from 75 % of its time on and **breached** once past due. A priority change moves
the due time of every pending target (counted from its own start); closing stops them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cockpit.domain.models import Priority

TARGETS = ("first_response", "next_response", "resolution")
AT_RISK_SHARE = 0.75
SLA_STATES = ("ok", "at_risk", "breached")

# Minutes per target, by priority: what a support team would start from.
DEFAULT_POLICIES: dict[str, dict[str, int]] = {
    Priority.URGENT: {"first_response": 15, "next_response": 30, "resolution": 240},
    Priority.HIGH: {"first_response": 60, "next_response": 120, "resolution": 480},
    Priority.NORMAL: {"first_response": 240, "next_response": 480, "resolution": 1440},
    Priority.LOW: {"first_response": 480, "next_response": 1440, "resolution": 4320},
}


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    start_at: datetime
    due_at: datetime
    met_at: datetime | None = None

    @property
    def warn_at(self) -> datetime:
        return warn_at(self.start_at, self.due_at)


def due(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)


def warn_at(start: datetime, due_at: datetime) -> datetime:
    return start + (due_at - start) * AT_RISK_SHARE


def status(targets: list[Target], now: datetime) -> str:
    """ok, at_risk or breached: the worst over the pending targets."""
    pending = [t for t in targets if t.met_at is None]
    if any(t.due_at <= now for t in pending):
        return "breached"
    if any(t.warn_at <= now for t in pending):
        return "at_risk"
    return "ok"


def summary(targets: list[Target], now: datetime) -> dict[str, str | None]:
    """What a ticket carries: each target's due time while pending, and the status."""
    dues = {f"{t.name}_due": t.due_at.isoformat() for t in targets if t.met_at is None}
    return {**{f"{name}_due": dues.get(f"{name}_due") for name in TARGETS},
            "status": status(targets, now)}
