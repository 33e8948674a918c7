"""The action executor: every named action on an item runs here, in one transaction.

The executor locks the row, checks that the action is one this user may run now (the same
`actions` list the app draws its buttons from), lets the kind's handler change the source
record and say what happens to the row, then writes the row, the event, the journal record
and, for decisions, the outbound webhook — all in that one transaction. Of many concurrent
decisions on one item, the first to lock it wins; the others find it decided and get 409.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from cockpit.domain.actions import available_actions, callback_url
from cockpit.domain.models import ARCHIVED, Kind, State
from cockpit.domain.roles import Principal, Role
from cockpit.domain.rules import resolution, transition
from cockpit.server import outbox, sources
from cockpit.server.errors import Conflict, Forbidden, NotFound
from cockpit.store import events, inbox
from cockpit.store.tables import (
    dismissed_proposals,
    escalations,
    hires,
    pipelines,
    runs,
    users,
    waitpoints,
)

if TYPE_CHECKING:
    from cockpit.server.tickets import Effects

# Decisions and retries are reported to the producer's callback_url.
CALLBACK_ACTIONS = frozenset({"approve", "deny", "reject", "retry", "cancel", "timed_out"})


@dataclass
class ActionContext:
    conn: Connection
    user: Principal
    row: dict[str, Any]
    params: dict[str, Any]
    now: datetime
    emit: bool = True  # write the item's event (a bulk run writes one for all instead)
    effects: Effects | None = None  # where a ticket action's writes go; None: at once


@dataclass
class Outcome:
    """What a handler decided: the row's new columns and a line for the journal."""

    changes: dict[str, Any] = field(default_factory=dict)
    detail: str | None = None


Handler = Callable[[ActionContext], Outcome]
_HANDLERS: dict[tuple[str | None, str], Handler] = {}
KNOWN_ACTIONS: set[str] = set()


def handles(name: str, *kinds: str) -> Callable[[Handler], Handler]:
    """Register a handler for `name` on these kinds (or on every kind when none is given)."""
    def register(handler: Handler) -> Handler:
        for kind in kinds or (None,):
            _HANDLERS[(kind, name)] = handler
        KNOWN_ACTIONS.add(name)
        return handler
    return register


def resolved(ctx: ActionContext, outcome: str, **payload_changes: Any) -> dict[str, Any]:
    """Row changes that close the item with `outcome` as its resolved_action."""
    changes = resolution(outcome, ctx.user.id, ctx.now, ctx.row.get("read_at") or ctx.now)
    if payload_changes:
        changes["payload"] = {**(ctx.row.get("payload") or {}), **payload_changes}
    return changes


# -- every kind ------------------------------------------------------------------------------

@handles("archive")
def _archive(ctx: ActionContext) -> Outcome:
    return Outcome(resolved(ctx, ARCHIVED))


@handles("dismiss")
def _dismiss(ctx: ActionContext) -> Outcome:
    return Outcome(resolved(ctx, "dismissed"))


@handles("restore")
def _restore(ctx: ActionContext) -> Outcome:
    return Outcome(transition(ctx.row, State.UNREAD, None, ctx.user.id, ctx.now))


@handles("open", Kind.MESSAGE)
def _open(ctx: ActionContext) -> Outcome:
    """Following a message's link counts as reading it; the client opens the link itself."""
    if ctx.row["state"] == State.UNREAD:
        return Outcome(transition(ctx.row, State.READ, None, ctx.user.id, ctx.now))
    return Outcome()


# -- waitpoints ------------------------------------------------------------------------------

def _waiting(ctx: ActionContext) -> dict[str, Any]:
    wp = sources.waitpoint_of(ctx.conn, ctx.row["id"])
    if wp is None or wp["status"] != "waiting":
        raise Conflict("this waitpoint was already decided")
    if wp["timeout_at"] is not None and wp["timeout_at"] <= ctx.now:
        raise Conflict("this waitpoint timed out")
    return wp


def _decide_waitpoint(ctx: ActionContext, status: str, approvals: list[str]) -> None:
    done = ctx.conn.execute(update(waitpoints).where(
        waitpoints.c.item_id == ctx.row["id"], waitpoints.c.status == "waiting",
    ).values(status=status, approvals=approvals, decided_by=ctx.user.id, decided_at=ctx.now))
    if done.rowcount != 1:
        raise Conflict("this waitpoint was already decided")


@handles("approve", Kind.WAITPOINT)
def _approve_waitpoint(ctx: ActionContext) -> Outcome:
    wp = _waiting(ctx)
    approvals = [*wp["approvals"], ctx.user.id]
    needed = 2 if wp["second_approver_required"] else 1
    if len(set(approvals)) < needed:
        # four eyes: the first approval is recorded and the item stays open for another person
        ctx.conn.execute(update(waitpoints).where(waitpoints.c.id == wp["id"])
                         .values(approvals=approvals))
        payload = {**(ctx.row.get("payload") or {}), "approvals": approvals}
        return Outcome({"payload": payload, "state": State.READ.value,
                        "read_at": ctx.row.get("read_at") or ctx.now, "updated_at": ctx.now},
                       detail=f"{len(approvals)} of {needed} approvals")
    _decide_waitpoint(ctx, "approved", approvals)
    return Outcome(resolved(ctx, "approved", approvals=approvals))


@handles("deny", Kind.WAITPOINT)
def _deny_waitpoint(ctx: ActionContext) -> Outcome:
    wp = _waiting(ctx)
    _decide_waitpoint(ctx, "denied", wp["approvals"])
    return Outcome(resolved(ctx, "denied"))


# -- escalations, proposals and hires --------------------------------------------------------

def _decide_escalation(ctx: ActionContext, status: str) -> dict[str, Any]:
    esc = sources.escalation_of(ctx.conn, ctx.row["id"])
    if esc is None:
        raise Conflict("this escalation has no record to decide")
    done = ctx.conn.execute(update(escalations).where(
        escalations.c.id == esc["id"], escalations.c.status == "open",
    ).values(status=status, decided_by=ctx.user.id, decided_at=ctx.now))
    if done.rowcount != 1:
        raise Conflict("this escalation was already decided")
    return esc


@handles("approve", Kind.ESCALATION)
def _approve_escalation(ctx: ActionContext) -> Outcome:
    esc = _decide_escalation(ctx, "approved")
    detail = None
    if esc["type"] == sources.HIRE:
        hire = sources.hire_of(ctx.conn, ctx.row["id"])
        if hire is not None:
            flipped = ctx.conn.execute(update(hires).where(
                hires.c.id == hire["id"], hires.c.status == "pending",
            ).values(status="approved", decided_by=ctx.user.id, decided_at=ctx.now))
            if flipped.rowcount != 1:
                raise Conflict("this hire was already decided")
            ctx.conn.execute(update(users).where(users.c.id == hire["agent_id"])
                             .values(status="active"))
            detail = f"agent {hire['agent_id']} is active"
    elif esc["proposed_action"]:
        detail = f"applied: {esc['proposed_action']}"
    return Outcome(resolved(ctx, "approved"), detail=detail)


@handles("reject", Kind.ESCALATION)
def _reject_escalation(ctx: ActionContext) -> Outcome:
    esc = _decide_escalation(ctx, "rejected")
    detail = None
    if esc["type"] == sources.HIRE:
        ctx.conn.execute(update(hires).where(hires.c.item_id == ctx.row["id"],
                                             hires.c.status == "pending")
                         .values(status="rejected", decided_by=ctx.user.id, decided_at=ctx.now))
    fingerprint = sources.proposal_fingerprint(ctx.row.get("payload") or {})
    if fingerprint and not sources.was_dismissed(ctx.conn, ctx.row.get("payload") or {}):
        ctx.conn.execute(insert(dismissed_proposals).values(
            fingerprint=fingerprint, evaluator=esc["evaluator"],
            proposed_action=esc["proposed_action"], dismissed_by=ctx.user.id,
            dismissed_at=ctx.now))
        detail = "proposal dismissed; it will not be raised again"
    return Outcome(resolved(ctx, "rejected"), detail=detail)


# -- failed runs -----------------------------------------------------------------------------

@handles("retry", Kind.FAILED_RUN)
def _retry(ctx: ActionContext) -> Outcome:
    """Queue a new run of a registered pipeline; else hand the retry to the producer through
    its callback_url (the executor queues the webhook); else refuse, leaving the item open."""
    run = sources.run_for_item(ctx.conn, ctx.row["id"])
    if run is None or run["status"] != "failed":
        raise Conflict("this run was already retried or cancelled")
    known = ctx.conn.execute(select(pipelines.c.slug)
                             .where(pipelines.c.slug == run["pipeline"])).first()
    if known is None:
        if not callback_url(ctx.row.get("payload") or {}):
            raise Conflict(f"cannot retry: pipeline {run['pipeline']!r} is not registered and "
                           "the item has no callback_url to hand the retry to")
        ctx.conn.execute(update(runs).where(runs.c.id == run["id"])
                         .values(status="retried", updated_at=ctx.now))
        return Outcome(resolved(ctx, "retried"), detail="retry sent to the producer")
    ref = f"{run['run_ref'][:160]}-retry-{ctx.now.strftime('%Y%m%d%H%M%S%f')}"
    ctx.conn.execute(insert(runs).values(
        run_ref=ref, pipeline=run["pipeline"], inputs=run["inputs"], status="queued",
        retry_of=run["run_ref"], item_id=None, created_at=ctx.now, updated_at=ctx.now))
    ctx.conn.execute(update(runs).where(runs.c.id == run["id"])
                     .values(status="retried", updated_at=ctx.now))
    return Outcome(resolved(ctx, "retried", retry_run_id=ref), detail=f"new run {ref}")


@handles("cancel", Kind.FAILED_RUN)
def _cancel(ctx: ActionContext) -> Outcome:
    run = sources.run_for_item(ctx.conn, ctx.row["id"])
    if run is not None:
        done = ctx.conn.execute(update(runs).where(runs.c.id == run["id"],
                                                   runs.c.status == "failed")
                                .values(status="cancelled", updated_at=ctx.now))
        if done.rowcount != 1:
            raise Conflict("this run was already retried or cancelled")
    return Outcome(resolved(ctx, "cancelled"))


# -- the executor ----------------------------------------------------------------------------

def approvals_of(row: dict[str, Any]) -> tuple[str, ...]:
    approvals = (row.get("payload") or {}).get("approvals") or []
    return tuple(a for a in approvals if isinstance(a, str))


def actions_for(row: dict[str, Any], user: Principal) -> list[str]:
    return available_actions(row, user.id, user.role, approved_by=approvals_of(row))


def permitted(row: dict[str, Any], user: Principal, name: str) -> Handler:
    """The handler of `name` for `row`, when `user` may run it on the row now; else raises
    the 4xx of the API saying why not."""
    handler = _HANDLERS.get((row["kind"], name)) or _HANDLERS.get((None, name))
    if handler is None or name not in actions_for(row, user):
        if not user.ranks_at_least(Role.MEMBER):
            raise Forbidden(f"a {user.role} cannot {name}")
        if row["state"] == State.RESOLVED and name != "restore":
            raise Conflict(f"{name} is no longer possible: already {row['resolved_action']}")
        if name == "approve" and user.id in approvals_of(row):
            raise Conflict("you already approved this; it needs a different second approver")
        raise Conflict(f"{name} is not possible on this item now (state {row['state']})")
    return handler


def run_action(conn: Connection, user: Principal, item_id: int, name: str,
               params: dict[str, Any], origin: str, now: datetime, *,
               emit: bool = True) -> tuple[dict, Outcome]:
    """Run `name` on the item; answers its new row. Raises the 4xx errors of the API.

    With `emit=False` no event is written: a bulk run writes one for all its items."""
    if name not in KNOWN_ACTIONS:
        raise NotFound(f"unknown action {name!r}")
    row = inbox.get_row(conn, item_id, user, for_update=True)
    if row is None:
        raise NotFound(f"item {item_id} not found")
    handler = permitted(row, user, name)
    outcome = handler(ActionContext(conn, user, row, params, now, emit))
    if outcome.changes:
        inbox.update_rows(conn, [item_id], outcome.changes)
        row.update(outcome.changes)
        if emit:
            events.append(conn, "item.updated",
                          {"items": [events.item_entry(row)], "action": name})
    if name in CALLBACK_ACTIONS and row["state"] == State.RESOLVED:
        outbox.enqueue(conn, row, name, user.id, params, now)
    return row, outcome


# The support desk's actions on tickets register themselves with the executor.
from cockpit.server import tickets  # noqa: F401
