"""Turning item data into words for people: relative times, humanised keys, safe text.

Pure functions (no Textual): the detail pane, the toasts and the tests share them. Item text is
untrusted; everything shown goes through `clean` first, and nothing here parses markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


# C0 and C1 controls (but tab and newline), DEL, and the bidi overrides/isolates that can make
# text read differently from what it is ("Trojan Source").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_CONTROL_NO_NL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def clean(text: object, *, keep_newlines: bool = True) -> str:
    """`text` as a string with control characters removed (escape sequences cannot survive)."""
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n")
    if keep_newlines:
        return _CONTROL.sub("", value)
    return _CONTROL_NO_NL.sub(" ", value).strip()


def one_line(text: object, limit: int = 200) -> str:
    value = " ".join(clean(text, keep_newlines=False).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def initials(name: str) -> str:
    """Two letters for an avatar badge: "Billing crew" -> "BC", "atlas" -> "AT"."""
    words = [w for w in re.split(r"[\s_.:/-]+", clean(name, keep_newlines=False)) if w]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[1][0]).upper()


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 45:
        return "moments"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{max(minutes, 1)}m"
    hours = seconds / 3600
    if hours < 24:
        return f"{int(hours)}h"
    days = hours / 24
    if days < 14:
        return f"{int(days)}d"
    return f"{int(days // 7)}w"


def relative(when: datetime | None, now: datetime) -> str:
    """"5m ago", "in 23m", "just now"."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - now).total_seconds()
    if abs(delta) < 45:
        return "just now"
    span = _span(delta)
    return f"in {span}" if delta > 0 else f"{span} ago"


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time from a payload value, or None when it is not one."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or len(value) < 16 or not value[:4].isdigit():
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_ACRONYMS = {"id": "ID", "url": "URL", "api": "API", "ip": "IP", "sla": "SLA", "vat": "VAT",
             "eu": "EU", "ssh": "SSH", "db": "DB", "cpu": "CPU", "gpu": "GPU", "pr": "PR"}


def humanize_key(path: str) -> str:
    """"timeout_at" -> "Timeout at", "customer.email" -> "Customer email", "runId" -> "Run ID"."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", clean(path, keep_newlines=False))
    words = [w.lower() for w in re.split(r"[\s_.\-]+", spaced) if w]
    if not words:
        return path
    words = [_ACRONYMS.get(w, w) for w in words]
    first = words[0]
    words[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(words)


def flatten(payload: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """(dotted path, leaf key, value) for every leaf of a nested payload, in order."""
    for key, value in payload.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            yield from flatten(value, path)
        else:
            yield path, str(key), value


def show_value(key: str, value: Any, now: datetime) -> str:
    """A payload value as words: times relative, lists joined, booleans yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return ", ".join(one_line(v, 80) for v in value) or "—"
        return f"{len(value)} entries"
    if isinstance(value, Mapping):
        return "—"
    when = parse_time(value)
    if when is not None:
        if key.endswith(("_at", "At")):
            return relative(when, now)
        return when.strftime("%Y-%m-%d %H:%M UTC")
    return clean(value)


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"
