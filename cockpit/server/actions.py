"""The action executor: every named action on an item runs here, in one transaction.

A handler gets the locked row and answers the column changes; the executor checks that the
action is one this user may run now, writes the changes and the event, and wakes the hub.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from cockpit.domain.actions import available_actions
from cockpit.domain.models import ARCHIVED, State
from cockpit.domain.roles import Principal, Role
from cockpit.domain.rules import transition
from cockpit.server.errors import BadRequest, Conflict, Forbidden, NotFound
from cockpit.store import events, inbox


@dataclass
class ActionContext:
    conn: Connection
    user: Principal
    row: dict[str, Any]
    params: dict[str, Any]
    origin: str
    now: datetime


Handler = Callable[[ActionContext], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def action(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler
    return register


def resolve_as(ctx: ActionContext, outcome: str) -> dict[str, Any]:
    """Close the item with `outcome` as its resolved_action (bypassing the PATCH rule)."""
    return {
        "state": State.RESOLVED.value,
        "resolved_action": outcome,
        "resolved_at": ctx.now,
        "resolved_by": ctx.user.id,
        "read_at": ctx.row.get("read_at") or ctx.now,
        "updated_at": ctx.now,
    }


@action("archive")
def _archive(ctx: ActionContext) -> dict[str, Any]:
    return resolve_as(ctx, ARCHIVED)


@action("dismiss")
def _dismiss(ctx: ActionContext) -> dict[str, Any]:
    return resolve_as(ctx, "dismissed")


@action("restore")
def _restore(ctx: ActionContext) -> dict[str, Any]:
    return transition(ctx.row, State.UNREAD, None, ctx.user.id, ctx.now)


@action("open")
def _open(ctx: ActionContext) -> dict[str, Any]:
    """Following a message's link counts as reading it; the client opens the link itself."""
    if ctx.row["state"] == State.UNREAD:
        return transition(ctx.row, State.READ, None, ctx.user.id, ctx.now)
    return {}


def run_action(conn: Connection, user: Principal, item_id: int, name: str,
               params: dict[str, Any], origin: str, now: datetime) -> dict[str, Any]:
    """Run `name` on the item and answer its new row; raises the 4xx errors of the API."""
    handler = HANDLERS.get(name)
    if handler is None:
        raise NotFound(f"unknown action {name!r}")
    if not isinstance(params, dict):
        raise BadRequest("params: must be a JSON object")
    row = inbox.get_row(conn, item_id, user, for_update=True)
    if row is None:
        raise NotFound(f"item {item_id} not found")
    if name not in available_actions(row, user.id, user.role):
        if not user.ranks_at_least(Role.MEMBER):
            raise Forbidden(f"a {user.role} cannot {name}")
        raise Conflict(f"{name} is not possible on this item now (state {row['state']})")
    changes = handler(ActionContext(conn, user, row, params, origin, now))
    if changes:
        inbox.update_rows(conn, [item_id], changes)
        row.update(changes)
        events.append(conn, "item.updated", {"items": [events.item_entry(row)], "action": name})
    return row
