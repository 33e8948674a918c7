"""Reports on the support floor (DESIGN.md, "Agents, queues, routing, reports"). Pure: what a
ticket's timeline measures, and the figures of a row. The store reads, the server groups.

A ticket's conversation runs in sessions: the first opens when the ticket is created, and each
reopening starts a new one, so a ticket reopened a week later is measured afresh instead of
inflating the old session's figures.

- **first response**: from a session's start to the first human reply in it;
- **response** (next response): from a customer message that follows a reply to the next
  human reply (a run of customer messages counts from the first);
- **resolution**: from a session's start to its close.

Only public replies by people count: internal notes are no reply, and a reply by a bot (a
service account, the system, or an agent marked as a bot) does not answer the customer.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

REPORTS = ("volume", "first_response", "response", "resolution", "sla", "csat", "aux")
BY = ("agent", "queue", "tag", "day")
MEASURES = ("first_response", "response", "resolution")
SLA_TARGETS = ("first_response", "next_response", "resolution")
TIME_FIGURES = ("median_s", "p90_s", "mean_s", "count")

# The figures of each report, in the order a table shows them.
FIGURES: dict[str, tuple[str, ...]] = {
    "volume": ("created", "closed", "reopened"),
    "first_response": TIME_FIGURES,
    "response": TIME_FIGURES,
    "resolution": TIME_FIGURES,
    "sla": tuple(f"{t}_{f}" for t in SLA_TARGETS for f in ("pct", "achieved", "breached"))
    + ("pct", "achieved", "breached"),
    "csat": ("count", "mean", "positive", "positive_pct"),
    "aux": (),  # seconds per status and per aux code, named by them
}
POSITIVE_RATING = 4  # CSAT: 4 and 5 are satisfied customers


@dataclass(frozen=True, slots=True)
class Entry:
    """One timeline entry that matters to the clocks."""

    type: str  # reply, customer_message, status
    at: datetime
    author: str = ""
    human: bool = True  # for a reply: by a person, not a bot
    to: str | None = None  # for a status entry: closed or open


@dataclass(frozen=True, slots=True)
class Sample:
    measure: str  # first_response, response, resolution
    at: datetime  # when it was measured: the reply, the close
    seconds: float
    author: str  # who ended the clock
    session: int  # 1 for the first, 2 after the first reopening, ...


@dataclass(slots=True)
class Clock:
    """Where a ticket's clocks stand: its session and when it started, whether a person has
    answered in it, whether it is closed, and since when the customer waits for a next
    response. Stored between report runs, so the timeline is read once."""

    session: int
    start: datetime
    answered: bool = False
    closed: bool = False
    waiting_since: datetime | None = None

    @classmethod
    def new(cls, created_at: datetime) -> Clock:
        return cls(1, created_at)

    def advance(self, entry: Entry) -> Sample | None:
        """Take one more entry (oldest first); answers what it measured, if anything."""
        if entry.type == "reply":
            if not entry.human or self.closed:
                return None
            found = None
            if not self.answered:
                found = Sample("first_response", entry.at, _seconds(self.start, entry.at),
                               entry.author, self.session)
                self.answered = True
            elif self.waiting_since is not None:
                found = Sample("response", entry.at, _seconds(self.waiting_since, entry.at),
                               entry.author, self.session)
            self.waiting_since = None
            return found
        if entry.type == "customer_message":
            if self.answered and self.waiting_since is None:
                self.waiting_since = entry.at
        elif entry.type == "status" and entry.to == "closed" and not self.closed:
            self.closed, self.waiting_since = True, None
            return Sample("resolution", entry.at, _seconds(self.start, entry.at), entry.author,
                          self.session)
        elif entry.type == "status" and entry.to == "open":
            self.session, self.start = self.session + 1, entry.at
            self.answered = self.closed = False
            self.waiting_since = None
        return None


def samples(created_at: datetime, entries: Iterable[Entry]) -> list[Sample]:
    """What one ticket's timeline (oldest first) measures."""
    clock = Clock.new(created_at)
    return [s for s in (clock.advance(e) for e in entries) if s is not None]


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def time_figures(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"median_s": None, "p90_s": None, "mean_s": None, "count": 0}
    ordered = sorted(values)
    return {"median_s": round(statistics.median(ordered), 1),
            "p90_s": round(percentile(ordered, 0.9), 1),
            "mean_s": round(statistics.fmean(ordered), 1), "count": len(ordered)}


def pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def sla_figures(achieved: dict[str, int], breached: dict[str, int]) -> dict[str, Any]:
    """Per target, and over all of them: % achieved = achieved / (achieved + breached)."""
    figures: dict[str, Any] = {}
    for target in SLA_TARGETS:
        ok, bad = achieved.get(target, 0), breached.get(target, 0)
        figures.update({f"{target}_pct": pct(ok, ok + bad), f"{target}_achieved": ok,
                        f"{target}_breached": bad})
    ok, bad = sum(achieved.values()), sum(breached.values())
    figures.update(pct=pct(ok, ok + bad), achieved=ok, breached=bad)
    return figures


def csat_figures(ratings: Sequence[int]) -> dict[str, Any]:
    positive = sum(1 for r in ratings if r >= POSITIVE_RATING)
    return {"count": len(ratings),
            "mean": round(statistics.fmean(ratings), 2) if ratings else None,
            "positive": positive, "positive_pct": pct(positive, len(ratings))}


def sla_outcome(due_at: datetime, met_at: datetime | None,
                now: datetime) -> tuple[str, datetime] | None:
    """achieved or breached, and when that was settled; None while still pending."""
    if met_at is not None:
        return ("achieved", met_at) if met_at <= due_at else ("breached", due_at)
    if due_at <= now:
        return "breached", due_at
    return None
