"""What the detail pane says about an item, as plain data (no widgets, no markup).

Every string here may contain item text; the pane shows it literally (never as markup).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cockpit.domain.models import Item, State
from cockpit.domain.redaction import is_credential_key, mask
from cockpit.tui.format import (
    clean,
    flatten,
    humanize_key,
    one_line,
    parse_time,
    relative,
    show_value,
)

ROLE_WORDS = {"agent": "agent", "crew": "crew", "pipeline": "pipeline", "system": "system",
              "customer": "customer"}


@dataclass(frozen=True)
class Badge:
    text: str
    tone: str  # ok | warn | bad | info | muted


@dataclass(frozen=True)
class Note:
    author: str
    when: str  # "3h ago (2099-03-14 06:30 UTC)", or "" when the time is unreadable
    text: str


# Payload keys the detail pane shows in their own section, not among the context rows.
SHOWN_APART = frozenset({"notes"})


@dataclass(frozen=True)
class ContextRow:
    label: str
    value: str
    secret: bool = False


def sender_line(item: Item) -> str:
    kind = ROLE_WORDS.get(item.sender.type, str(item.sender.type))
    who = one_line(item.sender.id, 60)
    parts = [kind, who]
    if item.target_user_id:
        parts.append("personal")
    elif item.target_role:
        parts.append(f"for {item.target_role}s")
    return " · ".join(p for p in parts if p)


def state_line(item: Item, now: datetime, restore_key: str | None = None) -> str:
    """"Unread · 3h ago", "Resolved 5m ago · approved by maria", "Archived 2m ago · Restore (u)"."""
    if item.state == State.RESOLVED:
        when = relative(item.resolved_at or item.updated_at, now)
        if item.is_archived:
            line = f"Archived {when}"
        else:
            outcome = one_line(item.resolved_action or "resolved", 40)
            line = f"Resolved {when} · {outcome}"
        if item.resolved_by:
            line += f" by {one_line(item.resolved_by, 40)}"
        if "restore" in item.actions:
            line += f" · Restore ({restore_key})" if restore_key else " · Restore"
        return line
    parts = ["Unread" if item.state == State.UNREAD else "Read", relative(item.created_at, now)]
    if item.priority in ("high", "urgent"):
        parts.append(f"{item.priority} priority")
    if item.blocking:
        parts.append("blocking")
    if item.assignee_id:
        parts.append(f"assigned to {one_line(item.assignee_id, 40)}")
    return " · ".join(parts)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def risk_badge(item: Item) -> Badge | None:
    if item.kind != "escalation":
        return None
    score = _number(item.payload.get("risk_score"))
    if score is None:
        return None
    score = max(0.0, min(10.0, score))
    tone = "ok" if score < 4 else "warn" if score < 7 else "bad"
    word = {"ok": "low", "warn": "medium", "bad": "high"}[tone]
    return Badge(f"Risk {score:g}/10 · {word}", tone)


def waitpoint_badges(item: Item, now: datetime) -> list[Badge]:
    if item.kind != "waitpoint":
        return []
    p = item.payload
    badges: list[Badge] = []
    index, count = _number(p.get("step_index")), _number(p.get("step_count"))
    step = one_line(p.get("step") or "", 60)
    if index is not None and count is not None:
        text = f"Paused at step {int(index)} of {int(count)}"
        badges.append(Badge(f"{text}: {step}" if step else text, "info"))
    elif step:
        badges.append(Badge(f"Paused at {step}", "info"))
    timeout = parse_time(p.get("timeout_at"))
    if timeout is not None and item.state != State.RESOLVED:
        left = (timeout - now).total_seconds()
        if left > 0:
            tone = "bad" if left < 15 * 60 else "warn" if left < 60 * 60 else "muted"
            badges.append(Badge(f"Times out {relative(timeout, now)}", tone))
        else:
            badges.append(Badge(f"Timed out {relative(timeout, now)}", "bad"))
    if p.get("second_approver_required"):
        approvals = p.get("approvals") or []
        done = len(approvals) if isinstance(approvals, list) else 0
        text = f"{min(done, 2)} of 2 approvals"
        if done and isinstance(approvals, list):
            text += " (" + ", ".join(one_line(a, 30) for a in approvals[:2]) + ")"
        badges.append(Badge(text, "ok" if done >= 2 else "warn"))
    return badges


def lead_note(item: Item) -> str | None:
    """A note shown before everything else (credential requests)."""
    if item.kind == "escalation" and str(item.payload.get("type", "")).upper() == "CREDENTIAL":
        name = one_line(item.payload.get("secret_name") or "the secret", 60)
        return (f"Credential request: {name} is handled in the credential flow (the vault), "
                "never in this inbox. Do not paste secrets here; approving only records "
                "that it may be issued.")
    return None


def summary_line(item: Item) -> str | None:
    """A one-line digest for kinds whose payload says more than the body (hire requests)."""
    p = item.payload
    kind_type = str(p.get("type", "")).upper()
    if item.kind == "escalation" and kind_type == "HIRE":
        name = one_line(p.get("agent_name") or "a new agent", 40)
        role = one_line(p.get("role") or "", 60)
        who = one_line(p.get("requested_by") or "", 40)
        text = f"Hire request: {name}" + (f" as {role}" if role else "")
        return text + (f", requested by {who}" if who else "")
    if item.kind == "escalation" and p.get("proposed_action"):
        return f"Proposal: {one_line(p['proposed_action'], 120)}"
    if item.kind == "escalation" and p.get("advisory"):
        return "Advisory: nothing to decide here"
    return None


def notes(item: Item, now: datetime, timeline: Sequence[Mapping[str, Any]] = ()) -> list[Note]:
    """People's internal notes, oldest first: a ticket's timeline entries of type `note`, and
    notes kept in the payload by older servers (`payload.notes`: [{"by", "at", "text"}])."""
    found = item.payload.get("notes")
    entries: list[Any] = list(found) if isinstance(found, list) else []
    entries += [e for e in timeline if e.get("type") == "note"]
    shown: list[Note] = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"text": entry}
        if not isinstance(entry, Mapping):
            continue
        text = clean(entry.get("body_md") or entry.get("text") or "").strip()
        if not text:
            continue
        author = one_line(entry.get("author") or entry.get("by") or "someone", 60)
        at = parse_time(entry.get("at"))
        when = f"{relative(at, now)} ({at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)" if at else ""
        shown.append(Note(author, when, text))
    return shown


def context_rows(payload: dict[str, Any], now: datetime, *, reveal: bool,
                 skip: frozenset[str] = frozenset()) -> list[ContextRow]:
    """The payload as humanised key/value rows; credential-looking values masked; top-level
    keys in `skip` left out (shown elsewhere)."""
    rows: list[ContextRow] = []
    if skip:
        payload = {k: v for k, v in payload.items() if k not in skip}
    for path, leaf, value in flatten(payload):
        secret = is_credential_key(leaf) or is_credential_key(path)
        shown = show_value(leaf, value, now)
        if secret and not reveal and shown not in ("", "—"):
            shown = mask(str(value))
        rows.append(ContextRow(humanize_key(path), shown, secret))
    return rows


def has_secrets(payload: dict[str, Any]) -> bool:
    return any(is_credential_key(leaf) or is_credential_key(path)
               for path, leaf, _v in flatten(payload))


def body_markdown(item: Item) -> str:
    return clean(item.body_md).strip() or "_No details._"
