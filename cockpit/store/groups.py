"""Folders computed by the database: one GROUP BY per view, exact counts at any size.

A folder's key is the same expression whether the server counts folders, pages inside one
(`group_by` + `group`), or acts on one by bulk query, so the three always agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, select
from sqlalchemy.sql import ColumnElement

from cockpit.domain.grouping import ALL_KEY, NONE_KEY, FolderRow, folders
from cockpit.domain.models import (
    ARCHIVED,
    Kind,
    Priority,
    SenderType,
    State,
    StateFilter,
)
from cockpit.store.inbox import Scope, window_states
from cockpit.store.query import advisory_sql, payload_field
from cockpit.store.tables import items

c = items.c


def _smart(postgres: bool, *, escalations: bool = True) -> ColumnElement[str]:
    """The smart folder of a row: cockpit.domain.grouping.smart_key, in SQL. Without
    `escalations` it is only right for other kinds, and reads no payload."""
    advisory = [(and_(c.kind == Kind.ESCALATION.value, ~advisory_sql(postgres)), "decisions")]
    return case(
        (c.kind == Kind.WAITPOINT.value, "decisions"),
        *(advisory if escalations else []),
        (c.kind.in_([Kind.ESCALATION.value, Kind.FAILED_RUN.value]), "review"),
        (c.kind == Kind.TICKET.value, "tickets"),
        (c.sender_type.in_([SenderType.AGENT.value, SenderType.CREW.value]), "agents"),
        (c.sender_type == SenderType.CUSTOMER.value, "tickets"),
        (c.priority.in_([Priority.HIGH.value, Priority.URGENT.value]), "review"),
        else_="fyi",
    )


def folder_key(group_by: str, dialect: str) -> ColumnElement[str]:
    """The folder key of a row for `group_by`; NULL means the "no value" folder."""
    match group_by:
        case "smart":
            return _smart(dialect == "postgresql")
        case "kind":
            return c.kind
        case "priority":
            return c.priority
        case "sender":
            return c.sender_id
        case "assignee":
            return func.nullif(func.trim(c.assignee_id), "")
        case "routine" | "issue" | "crew":
            return payload_field(group_by)
        case "none":
            return literal(ALL_KEY)
    raise ValueError(f"unknown group_by {group_by!r}")


def in_folder(group_by: str, key: str, dialect: str) -> ColumnElement[bool]:
    """Rows in the folder `key` of `group_by`."""
    expr = folder_key(group_by, dialect)
    if group_by == "none":
        return literal(True) if key == ALL_KEY else literal(False)
    if key == NONE_KEY:
        return expr.is_(None)
    return func.trim(expr) == key if group_by in ("routine", "issue", "crew") else expr == key


def group_rows(conn: Connection, scope: Scope, state: StateFilter,
               group_by: str) -> list[FolderRow]:
    """The folders of the view, each with its exact count and unread count: one GROUP BY per
    state (each one index range; `folders` adds up what a key counts in each)."""
    hint = func.max(c.sender_name) if group_by == "sender" else literal(None)
    where = [*scope.clauses(conn)]
    if state == StateFilter.ARCHIVED:
        where.append(c.resolved_action == ARCHIVED)
    unread = func.sum(case((c.state == State.UNREAD.value, 1), else_=0))
    counted = []
    for key, part in _parts(group_by, conn.dialect.name):
        for one in window_states(state):
            query = select(key, hint, func.count(), unread).where(*where, *part, c.state == one)
            counted.extend(conn.execute(query.group_by(key)).all())
    return folders(group_by, ((k, h, n, int(u or 0)) for k, h, n, u in counted))


def _parts(group_by: str, dialect: str) -> list[tuple[ColumnElement[str], list[Any]]]:
    """The folder key, and the rows it is counted over. Smart folders read the payload of
    escalations only: the other rows are counted from the index ix_items_folders alone."""
    if group_by != "smart":
        return [(folder_key(group_by, dialect), [])]
    escalation = c.kind == Kind.ESCALATION.value
    return [(_smart(dialect == "postgresql", escalations=False), [~escalation]),
            (folder_key(group_by, dialect), [escalation])]
