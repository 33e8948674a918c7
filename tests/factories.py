"""Builders for test data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any


def item(**fields: Any) -> dict:
    """A valid ingest body; keyword arguments override any field."""
    body = {
        "kind": "message",
        "source_id": fields.pop("source_id", None) or f"src-{next(_counter)}",
        "title": "Nightly report is ready",
        "body_md": "All **green**.",
        "sender": {"type": "system", "id": "system", "name": "System"},
    }
    body.update(fields)
    return body


def _count() -> Iterator[int]:
    n = 0
    while True:
        n += 1
        yield n


_counter = _count()


class Clock:
    """A clock a test moves by hand: `clock()` is now, `clock.advance(minutes=5)` moves it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
