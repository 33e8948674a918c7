"""Grouping the inbox into folders and flattening folders into display rows.

Pure functions over `Item`s: no IO, nothing of the app. Every grouping is one pass over the
items (O(n)) plus a sort of the folder keys, so it is fine for 100,000 items.

Folder keys are stable strings: a grouping's folder for "no value" is always `NONE_KEY`
("~none") and comes last, so collapsed state keyed by folder key survives reloads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from cockpit.domain import rules
from cockpit.domain.models import Item, Kind, Priority, SenderType, State

GROUP_BY: tuple[str, ...] = (
    "smart",
    "kind",
    "sender",
    "routine",
    "issue",
    "crew",
    "priority",
    "assignee",
    "none",
)

NONE_KEY = "~none"
ALL_KEY = "~all"

# Smart folders, in their fixed order.
SMART_DECISIONS = "decisions"
SMART_AGENTS = "agents"
SMART_TICKETS = "tickets"
SMART_REVIEW = "review"
SMART_FYI = "fyi"
SMART_FOLDERS: tuple[tuple[str, str], ...] = (
    (SMART_DECISIONS, "Decisions needed"),
    (SMART_AGENTS, "Agent replies"),
    (SMART_TICKETS, "Customer tickets"),
    (SMART_REVIEW, "Needs review"),
    (SMART_FYI, "FYI"),
)

KIND_ORDER: tuple[str, ...] = ("waitpoint", "escalation", "failed_run", "ticket", "message")
KIND_LABELS: dict[str, str] = {
    "waitpoint": "Waitpoints",
    "escalation": "Escalations",
    "failed_run": "Failed runs",
    "ticket": "Tickets",
    "message": "Messages",
}
PRIORITY_ORDER: tuple[str, ...] = ("urgent", "high", "normal", "low")
PRIORITY_LABELS: dict[str, str] = {"urgent": "Urgent", "high": "High", "normal": "Normal", "low": "Low"}

# The payload keys a folder of these group-bys is read from, the first that holds a value
# winning: DESIGN.md's names (those of the query's `routine:` `issue:` `crew:`) first, then the
# ones producers also use.
PAYLOAD_FOLDERS: dict[str, tuple[str, ...]] = {
    "routine": ("pipeline_slug", "routine", "pipeline"),
    "issue": ("issue_identifier", "issue"),
    "crew": ("crew_id", "crew"),
}

# A folder key read from a payload is cut to this many characters: the store keeps it in an
# indexed column (an index entry has a size limit), and the app cuts it alike.
FOLDER_KEY_MAX = 100

_NONE_LABELS: dict[str, str] = {
    "routine": "No routine",
    "issue": "No issue",
    "crew": "No crew",
    "assignee": "Unassigned",
    "sender": "No sender",
}


@dataclass(frozen=True, slots=True)
class Group:
    """One folder: a stable key, a label for people, and its items in input order."""

    key: str
    label: str
    items: tuple[Item, ...]


class FolderRow(NamedTuple):
    key: str
    label: str
    count: int
    unread: int


class ItemRow(NamedTuple):
    item: Item
    group_key: str


Row = FolderRow | ItemRow


# --------------------------------------------------------------------------- helpers


def text_value(value: Any) -> str | None:
    """A payload value as a folder key: strings as they are, other scalars via `str`.

    None, empty and whitespace-only values mean "no value". Never raises.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
    else:
        try:
            text = str(value).strip()
        except Exception:  # a hostile __str__ must not break the list
            return None
    return text or None


def humanise_kind(kind: str) -> str:
    """`deploy_notice` -> `Deploy notice`; known kinds get their plural label."""
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    words = kind.replace("_", " ").replace("-", " ").replace(".", " ").split()
    text = " ".join(words)
    return (text[:1].upper() + text[1:]) if text else "Other"


def is_decision(item: Item) -> bool:
    """A waitpoint, or an escalation that is not advisory: the same rule the server applies."""
    return rules.is_decision(item.kind, item.payload)


def payload_folder(payload: Mapping[str, Any], group_by: str) -> str | None:
    """The folder of `group_by` (one of PAYLOAD_FOLDERS) a payload is in; None for "no value"."""
    for name in PAYLOAD_FOLDERS[group_by]:
        value = text_value(payload.get(name))
        if value is not None:
            value = text_value(value[:FOLDER_KEY_MAX])
            return None if value == NONE_KEY else value
    return None


def is_advisory(payload: Mapping[str, Any] | None) -> bool:
    """Whether the payload marks its item advisory: an escalation that is, is no decision."""
    return not rules.is_decision(Kind.ESCALATION, payload)


# --------------------------------------------------------------------------- smart


def smart_key(item: Item) -> str:
    """Which smart folder an item lands in: see `smart_folder`."""
    return smart_folder(item.kind, item.sender.type, item.priority, is_advisory(item.payload))


def smart_folder(kind: str, sender_type: str, priority: str, advisory: bool) -> str:
    """The smart folder of an item of these columns (first rule that matches wins). The
    store counts smart folders by these four columns and names each count's folder here.

    1. Decisions needed: waitpoints and non-advisory escalations.
    2. Kind rules: tickets -> Customer tickets; failed runs and advisory escalations -> Needs review.
    3. Sender rules: agent or crew -> Agent replies; customer -> Customer tickets.
    4. Priority high/urgent -> Needs review.
    5. Everything else (unknown kinds too) -> FYI.
    """
    if kind == Kind.WAITPOINT:
        return SMART_DECISIONS
    if kind == Kind.ESCALATION:
        return SMART_REVIEW if advisory else SMART_DECISIONS
    if kind == Kind.TICKET:
        return SMART_TICKETS
    if kind == Kind.FAILED_RUN:
        return SMART_REVIEW
    if sender_type in (SenderType.AGENT, SenderType.CREW):
        return SMART_AGENTS
    if sender_type == SenderType.CUSTOMER:
        return SMART_TICKETS
    if priority in (Priority.HIGH, Priority.URGENT):
        return SMART_REVIEW
    return SMART_FYI


# --------------------------------------------------------------------------- grouping


def _bucket(items: Iterable[Item], key_of: Callable[[Item], str]) -> dict[str, list[Item]]:
    buckets: dict[str, list[Item]] = {}
    for item in items:
        key = key_of(item)
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = [item]
        else:
            bucket.append(item)
    return buckets


def _by_value(items: Sequence[Item], mode: str, value_of: Callable[[Item], str | None]) -> list[Group]:
    """Folders for a free-valued attribute: sorted by label, the "no value" folder last."""

    def key_of(item: Item) -> str:
        value = value_of(item)
        if value is None or value == NONE_KEY:
            return NONE_KEY
        return value

    buckets = _bucket(items, key_of)
    none_items = buckets.pop(NONE_KEY, None)
    groups = [Group(key, key, tuple(members)) for key, members in buckets.items()]
    groups.sort(key=lambda g: (g.label.casefold(), g.key))
    if none_items:
        groups.append(Group(NONE_KEY, _NONE_LABELS.get(mode, "None"), tuple(none_items)))
    return groups


def group_items(items: Sequence[Item], group_by: str) -> list[Group]:
    """Split `items` into folders for `group_by` (one of `GROUP_BY`).

    Items keep their input order inside each folder. Empty folders are never returned.
    Raises ValueError for an unknown `group_by`.
    """
    if group_by == "none":
        return [Group(ALL_KEY, "All", tuple(items))] if items else []

    if group_by == "smart":
        buckets = _bucket(items, smart_key)
        return [
            Group(key, label, tuple(buckets[key])) for key, label in SMART_FOLDERS if key in buckets
        ]

    if group_by == "kind":
        buckets = _bucket(items, lambda it: it.kind)
        known = [k for k in KIND_ORDER if k in buckets]
        unknown = sorted(k for k in buckets if k not in KIND_LABELS)
        return [Group(k, humanise_kind(k), tuple(buckets[k])) for k in (*known, *unknown)]

    if group_by == "priority":
        buckets = _bucket(items, lambda it: str(it.priority.value))
        order = [p for p in PRIORITY_ORDER if p in buckets]
        order += sorted(k for k in buckets if k not in PRIORITY_LABELS)
        return [Group(p, PRIORITY_LABELS.get(p, p.title()), tuple(buckets[p])) for p in order]

    if group_by == "sender":
        buckets = _bucket(items, lambda it: it.sender.id)
        groups = [Group(k, members[0].sender.name, tuple(members)) for k, members in buckets.items()]
        groups.sort(key=lambda g: (g.label.casefold(), g.key))
        return groups

    if group_by in PAYLOAD_FOLDERS:
        return _by_value(items, group_by, lambda it: payload_folder(it.payload, group_by))
    if group_by == "assignee":
        return _by_value(items, "assignee", lambda it: text_value(it.assignee_id))

    raise ValueError(f"unknown group_by {group_by!r}; one of {', '.join(GROUP_BY)}")


def _folder_order(group_by: str) -> Callable[[Group | FolderRow], tuple[Any, ...]]:
    """The sort key that puts folders (groups or folder rows) in the order `group_items`
    returns them."""
    if group_by == "smart":
        smart = {key: i for i, (key, _label) in enumerate(SMART_FOLDERS)}
        return lambda g: (smart.get(g.key, len(smart)), g.key)
    if group_by in ("kind", "priority"):
        fixed = {key: i for i, key in enumerate(KIND_ORDER if group_by == "kind" else PRIORITY_ORDER)}
        return lambda g: (0, fixed[g.key], "") if g.key in fixed else (1, 0, g.key)
    if group_by == "none":
        return lambda g: (0,)
    if group_by in GROUP_BY:
        return lambda g: (1, "", "") if g.key == NONE_KEY else (0, g.label.casefold(), g.key)
    raise ValueError(f"unknown group_by {group_by!r}; one of {', '.join(GROUP_BY)}")


def _folder_label(group_by: str, key: str, hint: str | None) -> str:
    if group_by == "none":
        return "All"
    if group_by == "smart":
        return dict(SMART_FOLDERS).get(key, key)
    if group_by == "kind":
        return humanise_kind(key)
    if group_by == "priority":
        return PRIORITY_LABELS.get(key, key.title())
    if key == NONE_KEY:
        return _NONE_LABELS.get(group_by, "None")
    return text_value(hint) or key


def folders(group_by: str, counted: Iterable[tuple[str | None, str | None, int, int]]
            ) -> list[FolderRow]:
    """Folder rows, labelled and in order, from counts the store made: (key or None for "no
    value", a label hint such as a sender's name, count, unread) per folder.

    A key counted more than once (per state, or differing only by surrounding spaces) adds
    up, its label made from its greatest hint: the same however the store split the count.
    """
    if group_by not in GROUP_BY:
        raise ValueError(f"unknown group_by {group_by!r}; one of {', '.join(GROUP_BY)}")
    totals: dict[str, list[Any]] = {}  # key -> [greatest hint, count, unread]
    for key, hint, count, unread in counted:
        key = ALL_KEY if group_by == "none" else text_value(key) or NONE_KEY
        if (known := totals.get(key)) is None:
            totals[key] = [hint, count, unread]
            continue
        if hint is not None and (known[0] is None or hint > known[0]):
            known[0] = hint
        known[1] += count
        known[2] += unread
    rows = [FolderRow(key, _folder_label(group_by, key, hint), count, unread)
            for key, (hint, count, unread) in totals.items()]
    return sorted(rows, key=_folder_order(group_by))


def merge_groups(earlier: Sequence[Group], later: Sequence[Group], group_by: str) -> list[Group]:
    """`group_items(a + b)` computed from `group_items(a)` and `group_items(b)`.

    For appending a page of older items without regrouping everything: the cost is the
    size of `later` plus a copy of the folder tuples that grow.
    """
    merged: dict[str, Group] = {g.key: g for g in earlier}
    for group in later:
        known = merged.get(group.key)
        if known is None:
            merged[group.key] = group
        else:
            merged[group.key] = Group(known.key, known.label, known.items + group.items)
    return sorted(merged.values(), key=_folder_order(group_by))


def flatten(
    groups: Sequence[Group], collapsed: set[str] | frozenset[str], show_folders: bool = True
) -> list[Row]:
    """Display rows: a folder row per group, followed by its items unless it is collapsed.

    With `show_folders=False` there are no folder rows and nothing is collapsed.
    """
    rows: list[Row] = []
    append = rows.append
    extend = rows.extend
    unread_state = State.UNREAD
    for group in groups:
        key = group.key
        if show_folders:
            unread = sum(1 for it in group.items if it.state == unread_state)
            append(FolderRow(key, group.label, len(group.items), unread))
            if key in collapsed:
                continue
        extend([ItemRow(it, key) for it in group.items])
    return rows
