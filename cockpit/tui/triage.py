"""The app's triage rules, without Textual: tabs, what a bulk run leaves open, toast wording."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cockpit.domain.models import BulkResult, Item, State
from cockpit.domain.rules import is_decision
from cockpit.tui.format import one_line, plural

# op -> (verb for toasts, past tense)
BULK_VERBS: dict[str, tuple[str, str]] = {
    "read": ("Mark read", "marked read"),
    "unread": ("Mark unread", "marked unread"),
    "resolve": ("Resolve", "resolved"),
    "archive": ("Archive", "archived"),
}
CLOSING_OPS = frozenset({"resolve", "archive"})

# Payload keys that hold a link an item can open.
LINK_KEYS = ("url", "link", "issue_url", "chat_url", "run_url", "ticket_url")


def belongs(item: Item, tab: str) -> bool:
    """Whether `item` is listed in `tab` (Inbox = unread + read, Archived = resolved)."""
    if tab == "unread":
        return item.state == State.UNREAD
    if tab == "archived":
        return item.state == State.RESOLVED
    return item.state != State.RESOLVED


def stays_open_reason(item: Item) -> str | None:
    """Why a bulk resolve/archive leaves this item alone (mirrors the server's rule)."""
    if is_decision(item.kind, item.payload):
        return "decision item"
    if item.blocking:
        return "blocking item"
    return None


@dataclass(frozen=True)
class BulkPlan:
    op: str
    ids: list[int]
    staying: Counter[str] = field(default_factory=Counter)

    @property
    def kept(self) -> int:
        return sum(self.staying.values())

    @property
    def acting(self) -> int:
        return len(self.ids) - self.kept

    def question(self) -> str:
        verb = BULK_VERBS[self.op][0]
        return f"{verb} {plural(self.acting, 'item')}?"

    def explanation(self) -> str:
        if not self.kept:
            return ""
        reasons = ", ".join(plural(n, reason) for reason, n in sorted(self.staying.items()))
        why = []
        if self.staying.get("decision item"):
            why.append("decision items close only through their own actions (approve, deny, ...)")
        if self.staying.get("blocking item"):
            why.append("blocking items are resolved one at a time")
        return (f"{plural(self.kept, 'item')} {'stays' if self.kept == 1 else 'stay'} open: "
                f"{reasons}. " + "; ".join(why).capitalize() + ".")


def plan_bulk(op: str, selected: Mapping[int, Item]) -> BulkPlan:
    staying: Counter[str] = Counter()
    if op in CLOSING_OPS:
        for item in selected.values():
            reason = stays_open_reason(item)
            if reason:
                staying[reason] += 1
    return BulkPlan(op, sorted(selected), staying)


def closable(items: Iterable[Item]) -> bool:
    """Whether a bulk resolve/archive would change any of `items`."""
    return any(stays_open_reason(i) is None for i in items)


def bulk_summary(op: str, result: BulkResult) -> str:
    """"12 archived, 3 left open" (and what could not be found)."""
    past = BULK_VERBS[op][1]
    parts = [f"{len(result.updated)} {past}"]
    if result.skipped:
        left = "left open" if op in CLOSING_OPS else "unchanged"
        parts.append(f"{len(result.skipped)} {left}")
    if result.not_found:
        parts.append(f"{len(result.not_found)} gone")
    return ", ".join(parts)


def query_summary(op: str, updated: int, skipped: Mapping[str, int], more_skipped: int = 0
                  ) -> str:
    """"Archive: 4,210 archived, 12 left open (decision item: 12)" for a run by query."""
    past = BULK_VERBS[op][1]
    text = f"{BULK_VERBS[op][0]}: {updated:,} {past}"
    left = sum(skipped.values()) + more_skipped
    if left:
        why = ", ".join(f"{reason}: {n:,}" for reason, n in sorted(skipped.items()))
        text += f", {left:,} {'left open' if op in CLOSING_OPS else 'unchanged'}"
        text += f" ({why})" if why else ""
    return text


def link_of(payload: Mapping[str, Any]) -> str | None:
    for key in LINK_KEYS:
        value = payload.get(key)
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return value
    return None


@dataclass(frozen=True)
class Undo:
    """The last archive or resolve, and what to say when it is undone."""

    ids: tuple[int, ...]
    verb: str
    read_ids: tuple[int, ...] = ()  # those that were read before: undo brings them back read


def decided_elsewhere(old: Item | None, new: Item, me: str) -> str | None:
    """What someone else just did to an item we hold a copy of ("Approved by maria"), when a
    live update shows it decided (or a four-eyes approval counted) by another person."""
    if old is None:
        return None
    if new.state == State.RESOLVED and old.state != State.RESOLVED:
        who = new.resolved_by
        if not who or who == me:
            return None
        outcome = one_line(new.resolved_action or "resolved", 40)
        return f"{outcome.capitalize()} by {one_line(who, 40)}"
    before = _approvals(old)
    fresh = [a for a in _approvals(new) if a not in before and a != me]
    if fresh and new.state != State.RESOLVED:
        count = len(_approvals(new))
        return (f"Approved by {one_line(fresh[-1], 40)} ({count} of 2, waiting for a second "
                "approver)")
    return None


def _approvals(item: Item) -> list[str]:
    found = item.payload.get("approvals")
    return [a for a in found if isinstance(a, str)] if isinstance(found, list) else []
