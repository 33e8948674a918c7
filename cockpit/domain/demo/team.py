"""The demo's support floor: a dozen agents, three queues, and what each agent did over the
last day (shifts, breaks, lunch, meetings), ending with every status on the roster.

Pure data: times are minutes before `now`; a seeder plays them through the floor service.
"""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.domain.agents import AVAILABLE, AWAY, BUSY, OFFLINE


@dataclass(frozen=True, slots=True)
class DemoQueue:
    name: str
    skills: tuple[str, ...]
    skill_timeout_s: int


@dataclass(frozen=True, slots=True)
class DemoAgent:
    id: str
    role: str
    capacity: int
    skills: dict[str, int]
    queues: tuple[str, ...]
    # (minutes before now, status, aux code): what the agent set, oldest first
    day: tuple[tuple[int, str, str | None], ...]


QUEUES = (
    DemoQueue("general", (), 300),
    DemoQueue("billing", ("billing",), 600),
    DemoQueue("technical", ("api",), 900),
)

H = 60  # minutes in an hour


def _shift(start_h: float, end_h: float | None, *breaks: tuple[float, float, str]
           ) -> tuple[tuple[int, str, str | None], ...]:
    """A shift from `start_h` to `end_h` hours before now (None: still on it), with breaks
    (from, to, aux code) in hours before now; after the shift, offline."""
    steps: list[tuple[int, str, str | None]] = [(round(start_h * H), AVAILABLE, None)]
    for begin, end, code in breaks:
        status = BUSY if code == "Wrap-up" else AWAY
        steps.append((round(begin * H), status, code))
        if end is not None:
            steps.append((round(end * H), AVAILABLE, None))
    if end_h is not None:
        steps.append((round(end_h * H), OFFLINE, None))
    return tuple(steps)


def _days(*shifts: tuple[tuple[int, str, str | None], ...]) -> tuple:
    return tuple(step for shift in shifts for step in shift)


YESTERDAY = (26, 17)  # yesterday's shift: from 26 to 17 hours ago
TODAY = 8.5  # today's shift began 8.5 hours ago

TEAM = (
    # available now
    DemoAgent("maria", "manager", 6, {"billing": 5, "refunds": 4, "en": 5, "de": 3},
              ("general", "billing"),
              _days(_shift(*YESTERDAY, (22, 21, "Lunch")),
                    _shift(TODAY, None, (4.5, 3.5, "Lunch")))),
    DemoAgent("ana", "member", 5, {"billing": 3, "en": 5, "es": 5},
              ("general", "billing"),
              _days(_shift(*YESTERDAY, (23, 22.5, "Break"), (21.5, 20.5, "Lunch")),
                    _shift(TODAY, None, (5, 4, "Lunch"), (2, 1.75, "Break")))),
    DemoAgent("ben", "member", 5, {"en": 4, "fr": 4},
              ("general",),
              _days(_shift(*YESTERDAY, (22, 21, "Lunch"), (19, 18.5, "Training")),
                    _shift(7, None, (3.5, 2.5, "Lunch")))),
    # available, at capacity: the roster shows busy
    DemoAgent("chen", "member", 2, {"api": 4, "sql": 3, "en": 4},
              ("general", "technical"),
              _days(_shift(*YESTERDAY, (21.5, 20.5, "Lunch")),
                    _shift(TODAY, None, (4, 3, "Lunch")))),
    # busy: wrapping up a call
    DemoAgent("dev", "member", 4, {"billing": 4, "refunds": 3, "en": 4},
              ("billing",),
              _days(_shift(*YESTERDAY, (21, 20, "Lunch")),
                    _shift(TODAY, None, (4, 3, "Lunch"), (0.2, None, "Wrap-up")))),
    # away, for every reason
    DemoAgent("eli", "member", 5, {"en": 3},
              ("general",),
              _days(_shift(*YESTERDAY, (22, 21, "Lunch")),
                    _shift(TODAY, None, (4.5, 3.5, "Lunch"), (0.25, None, "Break")))),
    DemoAgent("fay", "member", 4, {"billing": 2, "de": 5},
              ("billing",),
              _days(_shift(*YESTERDAY, (21, 20, "Lunch")),
                    _shift(6, None, (0.5, None, "Lunch")))),
    DemoAgent("gus", "member", 3, {"api": 5, "sql": 4},
              ("technical",),
              _days(_shift(*YESTERDAY, (22, 21, "Lunch")),
                    _shift(TODAY, None, (4, 3, "Lunch"), (1, None, "Training")))),
    DemoAgent("hana", "manager", 3, {"api": 3, "en": 5},
              ("technical",),
              _days(_shift(*YESTERDAY, (20, 19, "Meeting")),
                    _shift(TODAY, None, (5, 4, "Lunch"), (0.75, None, "Meeting")))),
    DemoAgent("kai", "member", 3, {"api": 2, "sql": 5},
              ("technical",),
              _days(_shift(*YESTERDAY, (21, 20, "Lunch")),
                    _shift(TODAY, None, (3.5, 2.75, "Lunch"), (0.6, None, "Technical Issue")))),
    # offline: their shifts are over
    DemoAgent("ivan", "member", 5, {"api": 3, "en": 4},
              ("general", "technical"),
              _days(_shift(25, 16, (21, 20, "Lunch")),
                    _shift(8, 2, (5, 4, "Lunch")))),
    DemoAgent("sam", "member", 5, {"billing": 3, "en": 4},
              ("billing",),
              _days(_shift(*YESTERDAY, (21, 20, "Lunch")),
                    _shift(8, 1.5, (4.5, 3.5, "Lunch")))),
)
