"""What the detail pane says about an item, as plain data (no widgets, no markup).

Every string here may contain item text; the pane shows it literally (never as markup).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cockpit.domain.credential_keys import is_credential_key, mask
from cockpit.domain.models import Item, State
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
SHOWN_APART = frozenset({"notes", "sla"})  # sla: a badge on tickets


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


def body_markdown(item: Item, limit: int | None = None) -> tuple[str, int]:
    """The body as markdown, cut to `limit` characters; and how many were left out."""
    return capped(clean(item.body_md).strip() or "_No details._", limit)


# -- a ticket: its conversation, its customer, its SLA -------------------------------------------

TEXT_LIMIT = 20_000  # characters of one text rendered until the user asks for all of it


def capped(text: str, limit: int | None) -> tuple[str, int]:
    """`text` cut to `limit` characters (None: all of it), and how many were left out."""
    if limit is None or len(text) <= limit:
        return text, 0
    return text[:limit], len(text) - limit


@dataclass(frozen=True)
class Said:
    """One entry of a ticket's conversation as the pane shows it."""

    kind: str  # customer | reply | note | change
    author: str
    when: str
    text: str
    cut: int = 0  # characters left out of `text`


MESSAGE_KINDS = {"customer_message": "customer", "reply": "reply", "note": "note"}


def conversation(item: Item, timeline: Sequence[Mapping[str, Any]], now: datetime, *,
                 limit: int | None = TEXT_LIMIT) -> list[Said]:
    """The timeline oldest first: messages with their text, every change as one line. Notes
    an older server kept in the payload come first. Before the timeline is in, the ticket's
    own body stands for its first message."""
    shown = [Said("note", n.author, n.when, n.text) for n in notes(item, now)]
    if not timeline:
        timeline = [{"type": "customer_message", "author": item.sender.name,
                     "body_md": item.body_md, "at": item.created_at}]
    for entry in timeline:
        kind = MESSAGE_KINDS.get(str(entry.get("type")))
        author = one_line(entry.get("author") or "someone", 60)
        at = parse_time(entry.get("at"))
        if kind is None:
            shown.append(Said("change", author, relative(at, now) if at else "",
                              change_line(entry)))
            continue
        when = f"{relative(at, now)} ({at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)" if at else ""
        text, cut = capped(clean(entry.get("body_md") or "").strip(), limit)
        shown.append(Said(kind, author, when, text, cut))
    return shown


def change_line(entry: Mapping[str, Any]) -> str:
    """"assigned to bob", "priority normal → high", "first response at risk" (one line)."""
    data = entry.get("data") if isinstance(entry.get("data"), Mapping) else {}

    def word(key: str) -> str:
        return one_line(data.get(key) or "", 40)

    kind = str(entry.get("type"))
    if kind == "assign":
        return f"assigned to {word('to')}" if data.get("to") else "unassigned"
    if kind == "transfer":
        where = f"queue {word('queue')}" if data.get("queue") else word("agent_id") or "nobody"
        note = one_line(entry.get("body_md") or "", 120)
        return f"transferred to {where}" + (f": {note}" if note else "")
    if kind == "status":
        reason = f" ({word('reason')})" if data.get("reason") else ""
        return ("reopened" if data.get("to") == "open" else f"{word('to') or 'changed'}") + reason
    if kind == "priority":
        return f"priority {word('from')} → {word('to')}"
    if kind == "tag":
        parts = []
        for key, verb in (("added", "tagged"), ("removed", "untagged")):
            tags = data.get(key)
            if isinstance(tags, list) and tags:
                parts.append(f"{verb} " + ", ".join(one_line(t, 30) for t in tags))
        return "; ".join(parts) or "tags changed"
    if kind == "csat":
        return f"CSAT {word('rating')}/5"
    if kind == "sla":
        target = word("target").replace("_", " ")
        return f"SLA {target} {word('status').replace('_', ' ')}".replace("  ", " ")
    return one_line(kind.replace("_", " "), 40)


SLA_TARGETS = (("first_response_due", "first response"), ("next_response_due", "next response"),
               ("resolution_due", "resolution"))


def sla_badge(item: Item, now: datetime) -> Badge | None:
    """"SLA at risk · first response due in 12m · resolution due in 3h", toned by its state."""
    sla = item.payload.get("sla")
    if item.kind != "ticket" or not isinstance(sla, Mapping) or item.state == State.RESOLVED:
        return None
    status = str(sla.get("status") or "ok")
    parts = [{"ok": "SLA ok", "at_risk": "SLA at risk", "breached": "SLA breached"}.get(
        status, f"SLA {one_line(status, 20)}")]
    for key, label in SLA_TARGETS:
        due_at = parse_time(sla.get(key))
        if due_at is not None:
            verb = "was due" if due_at <= now else "due"
            parts.append(f"{label} {verb} {relative(due_at, now)}")
    tone = {"ok": "ok", "at_risk": "warn", "breached": "bad"}.get(status, "muted")
    return Badge(" · ".join(parts), tone)


def customer_id(item: Item) -> str | None:
    customer = item.payload.get("customer")
    if item.kind != "ticket" or not isinstance(customer, Mapping):
        return None
    found = customer.get("id")
    return str(found) if isinstance(found, str | int) and str(found) else None


def duration(seconds: float) -> str:
    """"42s", "12m", "3h 5m", "2d 4h"."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours = seconds // 60, seconds // 3600
    if hours < 1:
        return f"{minutes}m"
    if hours < 24:
        return f"{hours}h {minutes % 60}m" if minutes % 60 else f"{hours}h"
    return f"{hours // 24}d {hours % 24}h" if hours % 24 else f"{hours // 24}d"


@dataclass(frozen=True)
class CustomerFacts:
    name: str
    flags: tuple[str, ...]  # "VIP", "blocked"
    figures: str  # "12 tickets · 9 closed · CSAT 4.5 (8 in 30 days) · first reply 42m"
    last: tuple[str, ...]  # "#12 Refund for order 991 · open"


def customer_facts(card: Mapping[str, Any], current: int | None = None) -> CustomerFacts:
    """The history card (GET /customers/{id}) as lines; `current` (this ticket) left out of
    the last tickets."""
    flags = tuple(f for f, on in (("VIP", card.get("vip")), ("blocked", card.get("blocked")))
                  if on)
    total, closed = _number(card.get("tickets_total")), _number(card.get("tickets_closed"))
    figures = [f"{int(total or 0)} ticket{'s' if total != 1 else ''}",
               f"{int(closed or 0)} closed"]
    average, count = _number(card.get("csat_avg")), int(_number(card.get("csat_count")) or 0)
    figures.append(f"CSAT {average:.1f} ({count} in 30 days)" if average is not None
                   else "no CSAT yet")
    median = _number(card.get("first_response_median_s"))
    if median is not None:
        figures.append(f"first reply {duration(median)} (median)")
    last = []
    for ticket in card.get("last_tickets") or ():
        if not isinstance(ticket, Mapping) or ticket.get("id") == current:
            continue
        last.append(f"#{one_line(ticket.get('id'), 12)} {one_line(ticket.get('title'), 60)} · "
                    f"{one_line(ticket.get('state'), 20)}")
    return CustomerFacts(one_line(card.get("name") or card.get("id") or "customer", 60), flags,
                         " · ".join(figures), tuple(last[:3]))
