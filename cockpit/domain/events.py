"""Events as each user may see them: an event only names items visible to its receiver.

Who sees what depends on a user's role, and on the user's id only where an item targets that
user by name. So subscribers fall into audiences: everyone of one role sees the same cut of an
event, except the users it names, who each see their own. `audience` gives the key; the hub
cuts and encodes an event once per key, not once per subscriber.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from cockpit.domain.roles import Principal

# Events that are about the stream itself, not about items: every subscriber gets them.
STREAM_EVENTS = frozenset({"reset", "heartbeat"})

Audience = tuple[str, str | None]


def named_users(event: dict[str, Any]) -> frozenset[str]:
    """The users the event's items target by name: for them alone the cut is personal."""
    entries = (event.get("data") or {}).get("items") or ()
    return frozenset(e["target_user_id"] for e in entries if e.get("target_user_id"))


def audience(user: Principal, named: Collection[str]) -> Audience:
    """Who sees the same as `user`: everyone of its role, unless `named` holds its id."""
    return (user.role, user.id if user.id in named else None)


def touches_floor(event: dict[str, Any]) -> bool:
    """Whether the floor's live figures may have changed: a ticket changed, or something the
    event does not itemise did (a reset)."""
    entries = (event.get("data") or {}).get("items")
    return entries is None or any(e.get("kind") == "ticket" for e in entries)


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
