"""Folders computed by the database: one GROUP BY per state, exact counts at any size.

A folder's key is read from columns, the payload's keys included (routine, issue, crew and
the advisory flag are kept in columns at every write: cockpit.store.inbox.folder_columns), and
is the same expression whether the server counts folders, pages inside one (`group_by` +
`group`), or acts on one by bulk query, so the three agree. Every count reads one range of
an index that holds all it needs (ix_items_folders, ix_items_payload_folders), never the
table.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, case, func, literal, select
from sqlalchemy.sql import ColumnElement

from cockpit.domain.grouping import (
    ALL_KEY,
    NONE_KEY,
    PAYLOAD_FOLDERS,
    SMART_AGENTS,
    SMART_DECISIONS,
    SMART_FYI,
    SMART_REVIEW,
    SMART_TICKETS,
    FolderRow,
    folders,
    smart_folder,
)
from cockpit.domain.models import (
    ARCHIVED,
    Kind,
    Priority,
    SenderType,
    State,
    StateFilter,
)
from cockpit.store.inbox import Scope, window_states
from cockpit.store.tables import items

c = items.c

# What smart folders are counted by, in the order of the index ix_items_folders: the count of
# each combination is named by cockpit.domain.grouping.smart_folder.
_SMART_COLUMNS = (c.kind, c.priority, c.sender_type, c.advisory)

# (folder key, label hint, count, unread), as cockpit.domain.grouping.folders adds them up
_Count = tuple[str | None, str | None, int, int]


def _smart() -> ColumnElement[str]:
    """The smart folder of a row: cockpit.domain.grouping.smart_folder in SQL, for paging
    inside a smart folder and bulk runs on one (a test holds the two to the same answers)."""
    return case(
        (c.kind == Kind.WAITPOINT.value, SMART_DECISIONS),
        (and_(c.kind == Kind.ESCALATION.value, c.advisory), SMART_REVIEW),
        (c.kind == Kind.ESCALATION.value, SMART_DECISIONS),
        (c.kind == Kind.TICKET.value, SMART_TICKETS),
        (c.kind == Kind.FAILED_RUN.value, SMART_REVIEW),
        (c.sender_type.in_([SenderType.AGENT.value, SenderType.CREW.value]), SMART_AGENTS),
        (c.sender_type == SenderType.CUSTOMER.value, SMART_TICKETS),
        (c.priority.in_([Priority.HIGH.value, Priority.URGENT.value]), SMART_REVIEW),
        else_=SMART_FYI,
    )


def folder_key(group_by: str) -> ColumnElement[str]:
    """The folder key of a row for `group_by`; NULL means the "no value" folder."""
    match group_by:
        case "smart":
            return _smart()
        case "kind":
            return c.kind
        case "priority":
            return c.priority
        case "sender":
            return c.sender_id
        case "assignee":
            return func.nullif(func.trim(c.assignee_id), "")
        case "none":
            return literal(ALL_KEY)
    if group_by in PAYLOAD_FOLDERS:
        return c[group_by]
    raise ValueError(f"unknown group_by {group_by!r}")


def in_folder(group_by: str, key: str) -> ColumnElement[bool]:
    """Rows in the folder `key` of `group_by`."""
    expr = folder_key(group_by)
    return expr.is_(None) if key == NONE_KEY else expr == key


def group_rows(conn: Connection, scope: Scope, state: StateFilter,
               group_by: str) -> list[FolderRow]:
    """The folders of the view, each with its exact count and unread count: one GROUP BY per
    state, each one index range; where the key leads the index after the state (smart, kind,
    routine) the engine counts as it reads, where one GROUP BY over all states would hash or
    sort every row first (100k items: 2-4 times as long on SQLite, up to twice on
    PostgreSQL). `folders` adds up a key's counts."""
    where = [*scope.clauses(conn)]
    if state == StateFilter.ARCHIVED:
        where.append(c.resolved_action == ARCHIVED)
    keys = {"smart": _SMART_COLUMNS, "none": ()}.get(group_by, (folder_key(group_by),))
    hint = func.max(c.sender_name) if group_by == "sender" else literal(None)
    counted: list[_Count] = []
    for one in window_states(state):
        query = select(*keys, hint, func.count()).where(*where, c.state == one).group_by(*keys)
        counted.extend(_counts(group_by, conn.execute(query).all(), one == State.UNREAD))
    return folders(group_by, counted)


def _counts(group_by: str, rows: list, unread: bool) -> list[_Count]:
    """What `folders` takes of each row one GROUP BY answered (the count of one state)."""
    if group_by == "smart":
        return [(smart_folder(kind, sender_type, priority, bool(advisory)), None, n,
                 n if unread else 0) for kind, priority, sender_type, advisory, _, n in rows]
    if group_by == "none":  # no keys: one row, even when it counts nothing
        return [(ALL_KEY, None, n, n if unread else 0) for _, n in rows if n]
    return [(key, hint, n, n if unread else 0) for key, hint, n in rows]
