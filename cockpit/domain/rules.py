"""State rules: what a transition changes, which items a bulk run skips, and why.

Everything here works on plain mappings of an item's columns so the store can apply the same
rules to rows it has just read inside its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cockpit.domain.models import ARCHIVED, BulkOp, Kind, State


class RuleError(Exception):
    """A transition that the item's rules forbid (answers 409)."""


def is_decision(kind: str, payload: Mapping[str, Any] | None) -> bool:
    """Decision items are resolved only through their own actions (approve, deny, ...)."""
    if kind == Kind.WAITPOINT:
        return True
    if kind == Kind.ESCALATION:
        return not bool((payload or {}).get("advisory"))
    return False


# Outcomes that a system outside the inbox acted on: reopening the row would not undo them.
_FINAL_OUTCOMES = {"failed_run": frozenset({"retried", "cancelled"})}


def is_final(kind: str, payload: Mapping[str, Any] | None, resolved_action: str | None) -> bool:
    """Whether a resolved item's outcome can no longer be reopened (restore, unread)."""
    return is_decision(kind, payload) or resolved_action in _FINAL_OUTCOMES.get(kind, ())


def resolution(outcome: str, actor: str, now: datetime, read_at: Any) -> dict[str, Any]:
    """The columns of an item closed with `outcome`. Resolving counts as reading, so `read_at`
    is the item's first read (a value, or an SQL expression that keeps each row's own)."""
    return {
        "state": State.RESOLVED.value,
        "resolved_action": outcome,
        "resolved_at": now,
        "resolved_by": actor,
        "read_at": read_at,
        "updated_at": now,
    }


def reopening(now: datetime) -> dict[str, Any]:
    """The columns of an item back to unread, with every trace of its outcome cleared."""
    return {
        "state": State.UNREAD.value,
        "read_at": None,
        "resolved_action": None,
        "resolved_at": None,
        "resolved_by": None,
        "updated_at": now,
    }


def transition(row: Mapping[str, Any], state: State, resolved_action: str | None,
               actor: str, now: datetime) -> dict[str, Any]:
    """The column changes that move `row` to `state`; raises RuleError when not allowed.

    Reading keeps the first `read_at`; resolving also counts as reading; going back to unread
    (a restore, when it was resolved) clears every trace of the earlier outcome.
    """
    current = State(row["state"])
    decision = is_decision(row["kind"], row.get("payload"))
    if state == State.RESOLVED:
        if decision:
            raise RuleError("a decision item is resolved only through its own actions")
        return resolution(resolved_action or "resolved", actor, now, row.get("read_at") or now)
    if resolved_action is not None:
        raise RuleError("resolved_action only goes with state 'resolved'")
    if state == State.UNREAD:
        if current == State.RESOLVED and is_final(row["kind"], row.get("payload"),
                                                  row.get("resolved_action")):
            raise RuleError("a decided item cannot be reopened")
        return reopening(now)
    # State.READ
    if current == State.RESOLVED:
        raise RuleError("a resolved item goes back to unread (restore), not to read")
    return {"state": State.READ.value, "read_at": row.get("read_at") or now, "updated_at": now}


def bulk_skip_reason(row: Mapping[str, Any], op: BulkOp) -> str | None:
    """Why a bulk run leaves `row` alone, or None when the op applies to it."""
    state = row["state"]
    if op in (BulkOp.RESOLVE, BulkOp.ARCHIVE):
        if is_decision(row["kind"], row.get("payload")):
            return "decision item: use its own actions"
        if row.get("blocking"):
            return "blocking item: resolve it on its own"
        if state == State.RESOLVED:
            return "already archived" if row.get("resolved_action") == ARCHIVED else "already resolved"
        return None
    if op == BulkOp.RESTORE and state != State.RESOLVED:
        return "not resolved"
    if op in (BulkOp.RESTORE, BulkOp.UNREAD) and state == State.RESOLVED:
        # unread is the way back from Archived, as with PATCH
        if is_final(row["kind"], row.get("payload"), row.get("resolved_action")):
            return "a decided item cannot be reopened"
        return None
    if state == State.RESOLVED:
        return "resolved: restore it first"
    if op == BulkOp.READ and state == State.READ:
        return "already read"
    if op == BulkOp.UNREAD and state == State.UNREAD:
        return "already unread"
    return None


# -- times in payloads -----------------------------------------------------------------------

def payload_time(value: Any) -> datetime | None:
    """An ISO 8601 time a producer wrote in a payload (naive means UTC), or None."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def due_of(payload: Mapping[str, Any]) -> datetime | None:
    """When an item falls due: a waitpoint's timeout, a producer's `due_at`, or a ticket's
    SLA resolution target, whichever the payload names first."""
    sla = payload.get("sla")
    for value in (payload.get("timeout_at"), payload.get("due_at"),
                  sla.get("resolution_due") if isinstance(sla, Mapping) else None):
        if (when := payload_time(value)) is not None:
            return when
    return None


# -- producers' upserts ----------------------------------------------------------------------

# What a producer owns and an upsert refreshes. Everything else is the server's or people's.
PRODUCER_COLUMNS = (
    "title", "body_md", "sender_type", "sender_id", "sender_name", "target_user_id",
    "target_role", "priority", "blocking", "payload",
)
# Payload keys the server writes for people's actions (four-eyes approvals, notes, the run a
# retry started): a producer can neither seed nor wipe them.
SERVER_PAYLOAD_KEYS = ("approvals", "notes", "retry_run_id")


def producer_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """`payload` without the keys only the server may write."""
    return {k: v for k, v in payload.items() if k not in SERVER_PAYLOAD_KEYS}


def upsert_changes(before: Mapping[str, Any], incoming: Mapping[str, Any],
                   now: datetime) -> dict[str, Any]:
    """The columns a producer's upsert of `incoming` changes on the stored row `before`.

    Only what the producer owns is refreshed. What people did stays: the server's payload
    keys, the assignee, the tags people added, and the state. Something new arriving returns
    an open item to unread; a resolved (decided, archived) item stays exactly as it was
    closed. Empty when nothing the producer owns changed.
    """
    kept = {k: v for k, v in (before.get("payload") or {}).items() if k in SERVER_PAYLOAD_KEYS}
    proposed = {name: incoming[name] for name in PRODUCER_COLUMNS}
    proposed["payload"] = {**producer_payload(incoming["payload"]), **kept}
    proposed["due_at"] = due_of(proposed["payload"])
    changes = {k: v for k, v in proposed.items() if before.get(k) != v}

    old_producer_tags = before.get("producer_tags")
    if old_producer_tags is None:  # a row from before producers' tags were kept apart
        old_producer_tags = before.get("tags") or []
    people_tags = [t for t in before.get("tags") or [] if t not in old_producer_tags]
    tags = list(dict.fromkeys([*incoming["tags"], *people_tags]))
    if tags != (before.get("tags") or []):
        changes["tags"] = tags
    if list(incoming["tags"]) != list(before.get("producer_tags") or []):
        changes["producer_tags"] = list(incoming["tags"])
    if before.get("assignee_id") is None and incoming.get("assignee_id") is not None:
        changes["assignee_id"] = incoming["assignee_id"]
    if not changes:
        return {}
    news = any(k in changes for k in PRODUCER_COLUMNS) or "tags" in changes
    if news and before["state"] != State.RESOLVED:
        changes.update(state=State.UNREAD.value, read_at=None)
    changes["updated_at"] = now
    return changes
