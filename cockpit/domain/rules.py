"""State rules: what a transition changes, which items a bulk run skips, and why.

Everything here works on plain mappings of an item's columns so the store can apply the same
rules to rows it has just read inside its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
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
    if op == BulkOp.RESTORE:
        if state != State.RESOLVED:
            return "not resolved"
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
