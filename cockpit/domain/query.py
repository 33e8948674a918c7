"""The query language (DESIGN.md, "The query language"): text in, a typed query out. Pure.

    refund is:unread -kind:message priority:>=high assignee:me,none created:<2h "two words"

Space-separated terms, all of which must hold. A bare word or a "quoted phrase" matches title,
body and sender name. `field:value` filters, `-field:value` negates it, `field:a,b` means a or
b. Comparisons (`<`, `<=`, `>`, `>=`) apply to priorities and times; a time is a duration ago
(`<2h`: less than two hours ago; for `due:`, from now on), a date (`<=2026-11-30`, a whole day)
or `today`.

`parse` never guesses: a term it cannot read raises QueryError naming the term and its
position (0-based, in characters), so the app can point at it as the user types.
The store compiles a Query to SQL (cockpit/store/query.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from cockpit.domain.models import Priority

MAX_QUERY = 1_000  # characters
MAX_TERMS = 50


class QueryError(ValueError):
    """A term the parser cannot read: `str()` names it and its position."""

    def __init__(self, message: str, position: int, term: str) -> None:
        super().__init__(f"{message} (term {term!r} at position {position})")
        self.message = message
        self.position = position
        self.term = term


class Op(StrEnum):
    EQ = "="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


IS_VALUES = ("unread", "read", "active", "resolved", "archived", "decision", "blocking",
             "assigned", "unassigned")
SLA_VALUES = ("ok", "at_risk", "breached")
NAME_FIELDS = ("kind", "sender", "tag", "queue", "customer", "routine", "issue", "crew",
               "assignee")
TIME_FIELDS = ("created", "updated", "due")
FIELDS = ("is", "priority", "sla", *NAME_FIELDS, *TIME_FIELDS)


@dataclass(frozen=True, slots=True)
class Ago:
    """A moment relative to now: `seconds` before it (or after it, for `due:`)."""

    seconds: int


@dataclass(frozen=True, slots=True)
class Day:
    """A whole calendar day (UTC)."""

    day: date


@dataclass(frozen=True, slots=True)
class Today:
    """The current UTC day, resolved when the query runs."""


TimeValue = Ago | Day | Today


@dataclass(frozen=True, slots=True)
class Comparison:
    op: Op
    value: str | TimeValue  # a priority name, or a time


@dataclass(frozen=True, slots=True)
class Filter:
    """`field:a,b`: the item's field is one of the alternatives (each a plain value or a
    comparison); negated, it is none of them."""

    field: str
    alternatives: tuple[str | Comparison, ...]
    negated: bool = False
    position: int = field(default=0, compare=False)  # where it began, for error messages


@dataclass(frozen=True, slots=True)
class Text:
    """A bare word or a quoted phrase, matched in title, body and sender name."""

    text: str
    negated: bool = False
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Query:
    terms: tuple[Filter | Text, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def relative_to_now(self) -> bool:
        """Whether its answer changes with the clock alone (`created:<2h`, `due:today`)."""
        return any(isinstance(alt, Comparison) and isinstance(alt.value, (Ago, Today))
                   for term in self.terms if isinstance(term, Filter)
                   for alt in term.alternatives)


# A term: an optional minus, then a quoted phrase, or a field:value, or a bare word.
_TERM = re.compile(r'(-?)(?:"([^"]*)"|([A-Za-z_]+):("[^"]*"|\S*)|(\S+))')
_DURATION = re.compile(r"^(\d{1,6})(m|h|d|w)$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_COMPARISON = re.compile(r"^(<=|>=|<|>)(.+)$")


def parse(text: str) -> Query:
    """Parse `text` into a Query; raises QueryError for a term it cannot read."""
    if len(text) > MAX_QUERY:
        raise QueryError(f"a query is at most {MAX_QUERY} characters", MAX_QUERY, text[-20:])
    terms: list[Filter | Text] = []
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        if text.startswith('"', position) or text.startswith('-"', position):
            if '"' not in text[text.index('"', position) + 1:]:
                raise QueryError("a quoted phrase is not closed", position, text[position:])
        match = _TERM.match(text, position)
        if match is None or not match.group(0):  # pragma: no cover - the pattern takes any \S
            raise QueryError("cannot read this", position, text[position:position + 20])
        terms.append(_term(match, position))
        position = match.end()
        if len(terms) > MAX_TERMS:
            raise QueryError(f"a query has at most {MAX_TERMS} terms", match.start(),
                             match.group(0))
    return Query(tuple(terms))


def _term(match: re.Match[str], position: int) -> Filter | Text:
    negated = match.group(1) == "-"
    raw = match.group(0)
    if match.group(2) is not None:
        phrase = match.group(2).strip()
        if not phrase:
            raise QueryError("an empty phrase matches nothing", position, raw)
        return Text(phrase, negated, position)
    if match.group(5) is not None:
        return Text(match.group(5), negated, position)
    name, value = match.group(3).lower(), match.group(4)
    if name not in FIELDS:
        raise QueryError(f"unknown field {name!r}; fields are {', '.join(FIELDS)}",
                         position, raw)
    if value.startswith('"'):
        if len(value) < 2 or not value.endswith('"'):
            raise QueryError("a quoted value is not closed", position, raw)
        parts = [value[1:-1].strip()]  # a quoted value is one value, commas and all
    else:
        parts = [p.strip() for p in value.split(",")]
    if any(not p for p in parts):
        raise QueryError(f"{name}: needs a value", position, raw)
    return Filter(name, tuple(_value(name, p, position, raw) for p in parts), negated, position)


def _value(name: str, value: str, position: int, raw: str) -> str | Comparison:
    compared = _COMPARISON.match(value)
    if name == "is":
        if value.lower() not in IS_VALUES:
            raise QueryError(f"is: one of {', '.join(IS_VALUES)}", position, raw)
        return value.lower()
    if name == "sla":
        if value.lower() not in SLA_VALUES:
            raise QueryError(f"sla: one of {', '.join(SLA_VALUES)}", position, raw)
        return value.lower()
    if name == "priority":
        op, level = (Op(compared.group(1)), compared.group(2)) if compared else (Op.EQ, value)
        if level.lower() not in {p.value for p in Priority}:
            raise QueryError("priority: low, normal, high or urgent, or a comparison such "
                             "as >=high", position, raw)
        return Comparison(op, level.lower()) if op != Op.EQ else level.lower()
    if name in TIME_FIELDS:
        op, moment = (Op(compared.group(1)), compared.group(2)) if compared else (Op.EQ, value)
        return Comparison(op, _time(name, moment, position, raw))
    if compared:
        raise QueryError(f"{name}: only priorities and times compare", position, raw)
    return value


def _time(name: str, value: str, position: int, raw: str) -> TimeValue:
    if value.lower() == "today":
        return Today()
    duration = _DURATION.match(value.lower())
    if duration:
        return Ago(int(duration.group(1)) * _UNIT_SECONDS[duration.group(2)])
    try:
        return Day(date.fromisoformat(value))
    except ValueError:
        raise QueryError(f"{name}: a duration (30m, 2h, 3d, 1w), a date (2026-11-30) or "
                         "today, optionally after <, <=, > or >=", position, raw) from None
