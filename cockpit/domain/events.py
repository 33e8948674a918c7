"""Events as each user may see them: an event only names items visible to its receiver."""

from __future__ import annotations

from typing import Any

from cockpit.domain.roles import Principal

# Events that are about the stream itself, not about items: every subscriber gets them.
STREAM_EVENTS = frozenset({"reset", "heartbeat"})


def visible_event(event: dict[str, Any], user: Principal) -> dict[str, Any] | None:
    """`event` cut down to the items `user` may see, or None when that leaves nothing."""
    if event["type"] in STREAM_EVENTS:
        return event
    data = event.get("data") or {}
    entries = data.get("items")
    if entries is None:
        return None  # an item event that names no items is no one's business
    mine = [e for e in entries if user.can_see(e.get("target_user_id"), e.get("target_role"))]
    if not mine:
        return None
    if len(mine) == len(entries):
        return event
    return {**event, "data": {**data, "items": mine}}
