"""Which named actions a user may run on an item now (the `actions` list of DESIGN.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cockpit.domain.models import Kind, State
from cockpit.domain.roles import ROLE_RANK, Role
from cockpit.domain.rules import is_decision, is_final

# Actions that decide an item; each one-key use asks for confirmation in the app.
DECISIONS = frozenset({"approve", "deny", "reject", "retry", "cancel", "close"})

_ACTIVE_ACTIONS: dict[str, tuple[str, ...]] = {
    Kind.WAITPOINT: ("approve", "deny"),
    Kind.ESCALATION: ("approve", "reject"),
    Kind.FAILED_RUN: ("retry", "cancel", "archive"),
    Kind.MESSAGE: ("open", "dismiss", "archive"),
    Kind.TICKET: ("note", "assign", "tag", "untag", "close", "archive"),
}
_ADVISORY_ACTIONS = ("dismiss", "archive")
_GENERIC_ACTIONS = ("archive",)


def available_actions(row: Mapping[str, Any], user_id: str, role: str,
                      approved_by: tuple[str, ...] = ()) -> list[str]:
    """The actions `user_id` may run on `row` now; empty for viewers and for decided items.

    `approved_by` names who already approved a four-eyes waitpoint: they cannot approve again.
    """
    if ROLE_RANK.get(role, 0) < ROLE_RANK[Role.MEMBER]:
        return []
    kind, payload = row["kind"], row.get("payload") or {}
    if row["state"] == State.RESOLVED:
        return [] if is_final(kind, payload, row.get("resolved_action")) else ["restore"]
    if kind == Kind.ESCALATION and not is_decision(kind, payload):
        actions = list(_ADVISORY_ACTIONS)
    else:
        actions = list(_ACTIVE_ACTIONS.get(kind, _GENERIC_ACTIONS))
    if "approve" in actions and user_id in approved_by:
        actions.remove("approve")
    if kind == Kind.MESSAGE and not _link_of(payload):
        actions.remove("open")
    return actions


def _link_of(payload: Mapping[str, Any]) -> str | None:
    for key in ("url", "link", "issue_url", "chat_url"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def callback_url(payload: Mapping[str, Any]) -> str | None:
    """Where the producer asked to hear of decisions and retries on its item, if anywhere."""
    url = payload.get("callback_url")
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None
