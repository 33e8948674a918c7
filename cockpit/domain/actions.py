"""Which named actions a user may run on an item now (the `actions` list of DESIGN.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cockpit.domain.models import ARCHIVED, Kind, State
from cockpit.domain.roles import ROLE_RANK, Role
from cockpit.domain.rules import is_decision, is_final

# Actions that decide an item; each one-key use asks for confirmation in the app.
DECISIONS = frozenset({"approve", "deny", "reject", "retry", "cancel", "close"})

_ACTIVE_ACTIONS: dict[str, tuple[str, ...]] = {
    Kind.WAITPOINT: ("approve", "deny"),
    Kind.ESCALATION: ("approve", "reject"),
    Kind.FAILED_RUN: ("retry", "cancel", "archive"),
    Kind.MESSAGE: ("open", "dismiss", "archive"),
    Kind.TICKET: ("reply", "note", "macro", "assign", "transfer", "priority", "tag", "untag",
                  "close", "archive"),
}
# What the customer channel (a service account) reports on a ticket, in any state.
_SERVICE_TICKET_ACTIONS = ("customer_message", "csat")
_ADVISORY_ACTIONS = ("dismiss", "archive")
_GENERIC_ACTIONS = ("archive",)


def available_actions(row: Mapping[str, Any], user_id: str, role: str,
                      approved_by: tuple[str, ...] = ()) -> list[str]:
    """The actions `user_id` may run on `row` now; empty for viewers and for decided items.

    `approved_by` names who already approved a four-eyes waitpoint: they cannot approve again.
    """
    kind, payload = row["kind"], row.get("payload") or {}
    if role == Role.SERVICE:
        return list(_SERVICE_TICKET_ACTIONS) if kind == Kind.TICKET else []
    if ROLE_RANK.get(role, 0) < ROLE_RANK[Role.MEMBER]:
        return []
    if row["state"] == State.RESOLVED:
        if is_final(kind, payload, row.get("resolved_action")):
            return []
        if kind == Kind.TICKET and row.get("resolved_action") != ARCHIVED:
            return ["reopen", "note"]  # a closed ticket: reopened, or noted on
        return ["restore"]
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
