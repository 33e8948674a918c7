"""The support desk's actions on tickets (DESIGN.md, "Support desk (tickets)").

Each writes its timeline entry in the action's own transaction. Public replies go to the
customer through the outbox; internal notes only ever reach the timeline, which no outbound
path reads.

The actions a bulk run takes (the macro steps, `macros.STEP_ACTIONS`, and the macro) make
every write through `Effects`: at once here, gathered for every ticket of the run together in
cockpit.server.ticket_bulk. Either way the same checks run in the same order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cockpit.domain.actions import callback_url
from cockpit.domain.models import ARCHIVED, Kind, Priority, State
from cockpit.domain.rules import reopening
from cockpit.domain.sanitize import neutralise
from cockpit.server import macros, outbox, routing, sla
from cockpit.server.actions import ActionContext, Outcome, handles, resolved, run_action
from cockpit.server.errors import BadRequest, Conflict
from cockpit.store import timeline
from cockpit.store.tables import users

BODY_MAX = 20_000


class Effects:
    """Where a ticket action's writes go: into its transaction at once."""

    def active_user(self, ctx: ActionContext, user_id: str) -> bool:
        found = ctx.conn.execute(select(users.c.status).where(users.c.id == user_id)).first()
        return found is not None and found.status == "active"

    def reserve(self, ctx: ActionContext, agent_id: str, *, field: str) -> str | None:
        return routing.reserve(ctx.conn, agent_id, ctx.row["id"], ctx.now,
                               force=ctx.params.get("force"), field=field)

    def entry(self, ctx: ActionContext, type_: str, *, body_md: str = "",
              internal: bool = False, **data: Any) -> None:
        timeline.add(ctx.conn, ctx.row["id"], type_, ctx.user.id, ctx.now, body_md=body_md,
                     internal=internal, **data)

    def reply(self, ctx: ActionContext, body: str) -> None:
        entry = timeline.add(ctx.conn, ctx.row["id"], "reply", ctx.user.id, ctx.now,
                             body_md=body)
        outbox.enqueue(ctx.conn, ctx.row, "reply", ctx.user.id,
                       {"body_md": body, "timeline_id": entry}, ctx.now)
        sla.replied(ctx.conn, ctx.row, ctx.now)

    def closed(self, ctx: ActionContext) -> None:
        sla.closed(ctx.conn, ctx.row, ctx.now)

    def reprioritised(self, ctx: ActionContext, priority: str) -> None:
        sla.reprioritised(ctx.conn, ctx.row, priority)

    def settle(self, ctx: ActionContext, changes: dict[str, Any]) -> dict[str, Any]:
        return routing.settle(ctx.conn, ctx.row, changes, ctx.now)

    def macro(self, ctx: ActionContext, name: str) -> dict[str, Any]:
        return macros.find(ctx.conn, ctx.user, name)

    def step(self, ctx: ActionContext, name: str, params: dict[str, Any]) -> dict[str, Any]:
        """One step of a macro, as its own action; answers the ticket's row after it."""
        row, _ = run_action(ctx.conn, ctx.user, ctx.row["id"], name, params, "api", ctx.now,
                            emit=ctx.emit)
        return row


AT_ONCE = Effects()


def _effects(ctx: ActionContext) -> Effects:
    return ctx.effects or AT_ONCE


def _body(ctx: ActionContext, what: str) -> str:
    """The `body_md` parameter (`text` too, as older clients send it), cleaned already."""
    body = ctx.params.get("body_md", ctx.params.get("text"))
    if not isinstance(body, str) or not body.strip():
        raise BadRequest(f"body_md: {what} needs some text")
    if len(body) > BODY_MAX:
        raise BadRequest(f"body_md: at most {BODY_MAX} characters")
    return body.strip()


def _note(ctx: ActionContext, entry: str, **data: Any) -> None:
    _effects(ctx).entry(ctx, entry, **data)


@handles("reply", Kind.TICKET)
def _reply(ctx: ActionContext) -> Outcome:
    """A public reply: on the timeline and, signed, to the ticket's callback_url."""
    body = _body(ctx, "a reply")
    if not callback_url(ctx.row.get("payload") or {}):
        raise Conflict("this ticket has no callback_url: a reply could not reach the customer")
    _effects(ctx).reply(ctx, body)
    changes: dict[str, Any] = {"updated_at": ctx.now}
    if ctx.row["state"] == State.UNREAD:
        changes.update(state=State.READ.value, read_at=ctx.now)
    return Outcome(changes, detail="reply queued for the customer")


@handles("note", Kind.TICKET)
def _internal_note(ctx: ActionContext) -> Outcome:
    body = _body(ctx, "a note")
    _effects(ctx).entry(ctx, "note", body_md=body, internal=True)
    return Outcome({"updated_at": ctx.now})


def _existing_user(ctx: ActionContext, user_id: Any, param: str) -> str | None:
    if user_id is None:
        return None
    if not isinstance(user_id, str) or not user_id or len(user_id) > 200:
        raise BadRequest(f"{param}: the id of a user, or null")
    if not _effects(ctx).active_user(ctx, user_id):
        raise BadRequest(f"{param}: no active user {user_id!r}")
    return user_id


@handles("assign", Kind.TICKET)
def _assign(ctx: ActionContext) -> Outcome:
    who = _existing_user(ctx, ctx.params.get("assignee_id", ctx.user.id), "assignee_id")
    if who == ctx.row.get("assignee_id"):
        return Outcome()
    forced = None if who is None else _effects(ctx).reserve(ctx, who, field="assignee_id")
    _note(ctx, "assign", **{"from": ctx.row.get("assignee_id"), "to": who})
    changes = _effects(ctx).settle(ctx, {"assignee_id": who, "updated_at": ctx.now})
    return Outcome(changes, detail=forced)


@handles("transfer", Kind.TICKET)
def _transfer(ctx: ActionContext) -> Outcome:
    """To another agent (`agent_id`) or queue (`queue`), with an optional internal note."""
    agent, queue = ctx.params.get("agent_id"), ctx.params.get("queue")
    if (agent is None) == (queue is None):
        raise BadRequest("agent_id or queue: transfer to one of them")
    note = ctx.params.get("note")
    if note is not None and not isinstance(note, str):
        raise BadRequest("note: text")
    changes: dict[str, Any] = {"updated_at": ctx.now}
    forced = None
    if agent is not None:
        changes["assignee_id"] = _existing_user(ctx, agent, "agent_id")
        target = {"agent_id": changes["assignee_id"]}
        if changes["assignee_id"] not in (None, ctx.row.get("assignee_id")):
            forced = _effects(ctx).reserve(ctx, changes["assignee_id"], field="agent_id")
    else:
        if not isinstance(queue, str) or not queue.strip() or len(queue) > 200:
            raise BadRequest("queue: the name of a queue")
        queue = neutralise(queue, keep_newlines=False).strip()
        changes["payload"] = {**(ctx.row.get("payload") or {}), "queue": queue}
        changes["assignee_id"] = None
        target = {"queue": queue}
    _effects(ctx).entry(ctx, "transfer", body_md=(note or "").strip(), internal=True,
                        **{"from": ctx.row.get("assignee_id"), **target})
    return Outcome(_effects(ctx).settle(ctx, changes), detail=forced)


@handles("priority", Kind.TICKET)
def _priority(ctx: ActionContext) -> Outcome:
    wanted = ctx.params.get("priority")
    if wanted not in {p.value for p in Priority}:
        raise BadRequest("priority: low, normal, high or urgent")
    if wanted == ctx.row["priority"]:
        return Outcome()
    _note(ctx, "priority", **{"from": ctx.row["priority"], "to": wanted})
    _effects(ctx).reprioritised(ctx, wanted)
    return Outcome({"priority": wanted, "updated_at": ctx.now})


@handles("close", Kind.TICKET)
def _close(ctx: ActionContext) -> Outcome:
    reason = ctx.params.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
        raise BadRequest("reason: at most 500 characters of text")
    _note(ctx, "status", **{"from": ctx.row["state"], "to": "closed", "reason": reason})
    _effects(ctx).closed(ctx)
    return Outcome(_effects(ctx).settle(ctx, resolved(ctx, "closed")))


@handles("reopen", Kind.TICKET)
def _reopen(ctx: ActionContext) -> Outcome:
    _note(ctx, "status", **{"from": ctx.row.get("resolved_action"), "to": "open"})
    sla.reopened_ticket(ctx.conn, ctx.row, ctx.now)
    return Outcome(routing.settle(ctx.conn, ctx.row, reopening(ctx.now), ctx.now))


def _tags_param(ctx: ActionContext) -> list[str]:
    tags = ctx.params.get("tags")
    if isinstance(tags, str):
        tags = [t for t in (t.strip() for t in tags.split(",")) if t]
    if not isinstance(tags, list) or not tags or len(tags) > 50 or not all(
            isinstance(t, str) and 0 < len(t.strip()) <= 64 for t in tags):
        raise BadRequest("tags: a list of 1 to 50 tags, each 1 to 64 characters")
    return [neutralise(t, keep_newlines=False).strip() for t in tags]


@handles("tag", Kind.TICKET)
def _tag(ctx: ActionContext) -> Outcome:
    """People's tags: a producer's upsert keeps them (only its own tags are its to replace)."""
    added = [t for t in _tags_param(ctx) if t not in (ctx.row.get("tags") or [])]
    if not added:
        return Outcome()
    _note(ctx, "tag", added=added)
    return Outcome({"tags": [*(ctx.row.get("tags") or []), *added], "updated_at": ctx.now})


@handles("untag", Kind.TICKET)
def _untag(ctx: ActionContext) -> Outcome:
    gone = [t for t in _tags_param(ctx) if t in (ctx.row.get("tags") or [])]
    if not gone:
        return Outcome()
    _note(ctx, "tag", removed=gone)
    return Outcome({"tags": [t for t in ctx.row.get("tags") or [] if t not in gone],
                    "updated_at": ctx.now})


# -- what the customer channel (a service account) reports ---------------------------------

@handles("customer_message", Kind.TICKET)
def _customer_message(ctx: ActionContext) -> Outcome:
    """What the customer wrote: on the timeline, and a closed ticket opens again."""
    body = _body(ctx, "a customer message")
    customer = (ctx.row.get("payload") or {}).get("customer") or {}
    author = customer.get("name") if isinstance(customer, dict) else None
    timeline.add(ctx.conn, ctx.row["id"], "customer_message",
                 str(author or ctx.row["sender_name"])[:200], ctx.now, body_md=body)
    reopens = ctx.row["state"] == State.RESOLVED and ctx.row.get("resolved_action") != ARCHIVED
    sla.customer_wrote(ctx.conn, ctx.row, ctx.now, reopened=reopens)
    if reopens:
        _note(ctx, "status", **{"from": ctx.row.get("resolved_action"), "to": "open",
                                "by": "customer_message"})
        return Outcome(reopening(ctx.now))
    return Outcome({"state": State.UNREAD.value, "read_at": None, "updated_at": ctx.now})


@handles("csat", Kind.TICKET)
def _csat(ctx: ActionContext) -> Outcome:
    rating = ctx.params.get("rating")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise BadRequest("rating: a whole number from 1 to 5")
    _note(ctx, "csat", rating=rating)
    return Outcome()


# -- macros ------------------------------------------------------------------------------------

@handles("macro", Kind.TICKET)
def _macro(ctx: ActionContext) -> Outcome:
    """Run a macro's steps in order, each through the executor, in this one transaction: a
    step that cannot run undoes the whole macro."""
    name = ctx.params.get("name")
    if not isinstance(name, str) or not name:
        raise BadRequest("name: the macro to run")
    overrides = ctx.params.get("overrides") or {}
    if not isinstance(overrides, dict):
        raise BadRequest("overrides: step index -> parameters")
    macro = _effects(ctx).macro(ctx, name)
    steps = macros.rendered_steps(macro, ctx.row, ctx.user, overrides)
    done = []
    for step in steps:
        params = {k: v for k, v in step.items() if k != "action"}
        row = _effects(ctx).step(ctx, step["action"], params)
        done.append(step["action"])
    ctx.row.update(row)
    return Outcome(detail=f"macro {name}: {', '.join(done)}")
