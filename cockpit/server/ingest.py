"""Turning a producer's item into a row: redaction, control characters, outage advisories."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cockpit.domain.models import ItemIn, Kind, State
from cockpit.domain.redaction import is_credential_key, redact
from cockpit.domain.rules import due_of, producer_payload
from cockpit.domain.sanitize import clean_text, clean_title, clean_value, neutralise, outage_rewrite

# Payload keys that only describe an advisory itself: an advisory carrying nothing else is "pure".
_ADVISORY_ONLY_KEYS = frozenset({"advisory", "reason", "type", "evaluator", "component", "source",
                                 "sweep", "sweep_id", "raw_reason"})


class Dropped(Exception):
    """The item is not worth storing (a pure outage advisory, raised again every sweep)."""


def redact_free_text(value: Any, key: str = "") -> Any:
    """Redact secrets inside payload text (a log excerpt, an error), except under a
    credential-looking key: those values are kept for their owner and masked until revealed."""
    if isinstance(value, dict):
        return {k: redact_free_text(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_free_text(v, key) for v in value]
    if isinstance(value, str) and not is_credential_key(key):
        return redact(value)
    return value


def one_line(text: str) -> str:
    """A short field (a name, an id, a tag): secrets redacted, one line, inert, trimmed."""
    return neutralise(redact(text), keep_newlines=False).strip()


def prepare_row(item: ItemIn, now: datetime, producer: str) -> dict[str, Any]:
    """The columns to store for `item`: every string cleaned, secrets redacted in every field.

    Raises Dropped for a pure advisory about an infrastructure outage.
    """
    payload: dict[str, Any] = producer_payload(redact_free_text(clean_value(item.payload)))
    title = item.title
    if item.kind == Kind.ESCALATION and isinstance(payload.get("reason"), str):
        friendly = outage_rewrite(payload["reason"])
        if friendly is not None:
            if payload.get("advisory") and set(payload) <= _ADVISORY_ONLY_KEYS:
                raise Dropped(f"outage advisory not stored: {payload['reason'][:120]}")
            if title.strip() == payload["reason"].strip():
                title = friendly
            payload = {**payload, "raw_reason": payload["reason"], "reason": friendly}
    created = item.created_at or now
    tags = list(dict.fromkeys(t for t in (one_line(t) for t in item.tags) if t))
    return {
        "kind": item.kind,
        "source_id": one_line(item.source_id),
        "state": State.UNREAD.value,
        "resolved_action": None,
        "title": clean_title(title),
        "body_md": clean_text(item.body_md),
        "sender_type": item.sender.type.value,
        "sender_id": one_line(item.sender.id),
        "sender_name": one_line(item.sender.name),
        "target_user_id": one_line(item.target_user_id) if item.target_user_id else None,
        "target_role": item.target_role,
        "priority": item.priority.value,
        "blocking": item.blocking,
        "payload": payload,
        "tags": tags,
        "producer_tags": tags,
        "created_by": producer,
        "due_at": due_of(payload),
        "assignee_id": one_line(item.assignee_id) if item.assignee_id else None,
        "created_at": created,
        "updated_at": created,
        "read_at": None,
        "resolved_at": None,
        "resolved_by": None,
    }
