"""A ticket action over many tickets in one run (issue 10): a bulk close, assign, priority,
tag, untag or macro, inside the bulk request's one transaction.

Each ticket runs the very handlers and checks of a single action (cockpit.server.tickets) on
its row in memory, in the order of the selection. What the handlers would write (timeline
entries, replies for the outbox, SLA changes, agents reserved, tickets for routing to settle)
is gathered instead (`Batch`); a ticket that fails drops what it gathered, and the others go
on. Then what the run gathered is written for every ticket together: one statement per table
(for the rows, one per set of changed columns), the SLA changes in each ticket's own order,
and one routing pass over every queue where the run freed capacity or left a ticket waiting.

Two things differ from running the tickets one after the other. Routing passes once, after
every ticket, instead of after each close or reassignment: no ticket of the run is handed to
an agent halfway through it (and then, say, closed by it). And a macro step outside
`macros.STEP_ACTIONS` (an agent's override may name any action) is not gathered: such a run
goes ticket by ticket through the executor, each ticket in a savepoint (`one_by_one`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from cockpit.domain.agents import CAPACITY_DEFAULT
from cockpit.domain.models import (
    NOT_A_TICKET,
    BulkOp,
    BulkResult,
    BulkSkip,
    Kind,
    State,
)
from cockpit.domain.roles import Principal
from cockpit.domain.sla import TARGETS
from cockpit.server import macros, outbox, routing
from cockpit.server.actions import ActionContext, permitted, run_action
from cockpit.server.errors import ServiceError
from cockpit.server.tickets import Effects
from cockpit.store import agents as stored_agents
from cockpit.store import inbox, timeline
from cockpit.store import routing as waiting
from cockpit.store import sla as stored_sla
from cockpit.store.each import update_each
from cockpit.store.tables import items
from cockpit.store.tables import outbox as outbox_rows

REPLY_MEETS = ("first_response", "next_response")  # what a reply meets, as sla.replied
CHUNK = 500  # ids per statement: under every driver's bound-parameter limit


class NotGathered(Exception):
    """A macro step whose writes a `Batch` does not gather: the run goes ticket by ticket."""


def run(conn: Connection, user: Principal, op: BulkOp, rows: Sequence[dict[str, Any]],
        now: datetime, params: dict[str, Any]) -> tuple[BulkResult, list[dict[str, Any]]]:
    """The ticket action `op` on every ticket of the locked `rows`; answers the result (the
    others skipped as not tickets, the failures with why) and the rows it changed."""
    try:
        return Batch(conn, user, now).run(rows, op, params)
    except NotGathered:  # nothing is written until every ticket has run: start again
        return one_by_one(conn, user, op, rows, now, params)


def one_by_one(conn: Connection, user: Principal, op: BulkOp, rows: Sequence[dict[str, Any]],
               now: datetime, params: dict[str, Any]) -> tuple[BulkResult, list[dict[str, Any]]]:
    """`run` through the executor, each ticket in a savepoint: one that fails is rolled back
    alone and counted, and the others go on."""
    result = BulkResult()
    changed = []
    for row in rows:
        if row["kind"] != Kind.TICKET:
            result.skipped.append(BulkSkip(id=row["id"], reason=NOT_A_TICKET))
            continue
        savepoint = conn.begin_nested()
        try:
            after, _ = run_action(conn, user, row["id"], op.value, params, "bulk", now,
                                  emit=False)
        except ServiceError as exc:
            savepoint.rollback()
            result.skipped.append(BulkSkip(id=row["id"], reason=exc.message))
            continue
        savepoint.commit()
        result.updated.append(row["id"])
        changed.append(after)
    return result, changed


@dataclass
class _Gathered:
    """What one ticket's action would write, held until the action succeeds."""

    entries: list[dict[str, Any]] = field(default_factory=list)  # timeline rows
    replies: list[tuple[int, dict[str, Any], str]] = field(default_factory=list)  # entry, row, body
    sla: list[tuple[str, Any]] = field(default_factory=list)  # ("meet" | "retime", what), in order
    reserved: set[str] = field(default_factory=set)  # agents given the ticket by a person
    loads: Counter[str] = field(default_factory=Counter)  # open tickets agents gain or lose
    settled: list[routing.Settling] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)  # of the ticket's row


def _holder(row: dict[str, Any]) -> str | None:
    """The agent whose load the ticket counts in: its assignee while it is open."""
    return row.get("assignee_id") if row["state"] != State.RESOLVED else None


class Batch(Effects):
    """Runs every ticket's action on its row in memory and gathers the writes, then writes
    them for all the tickets that succeeded."""

    def __init__(self, conn: Connection, user: Principal, now: datetime) -> None:
        self.conn, self.user, self.now = conn, user, now
        self.users: dict[str, bool] = {}
        self.macros: dict[str, dict[str, Any] | ServiceError] = {}
        self.agents: dict[str, dict[str, Any] | None] = {}
        # per agent: what the run changed in its open tickets, plus, once the agent is
        # reserved, the stored count: their open tickets as the run leaves them so far
        self.loads: Counter[str] = Counter()
        self.done: list[tuple[dict[str, Any], _Gathered]] = []
        self.ticket = _Gathered()

    def run(self, rows: Sequence[dict[str, Any]], op: BulkOp,
            params: dict[str, Any]) -> tuple[BulkResult, list[dict[str, Any]]]:
        result = BulkResult()
        tickets = [r["id"] for r in rows if r["kind"] == Kind.TICKET]
        # whole rows (a bulk by query locks only the columns it needs), locked already
        current = {r["id"]: r for r in inbox.get_rows(self.conn, tickets, self.user)}
        for row in rows:
            if row["kind"] != Kind.TICKET:
                result.skipped.append(BulkSkip(id=row["id"], reason=NOT_A_TICKET))
                continue
            ticket = current[row["id"]]
            self.ticket = _Gathered()
            try:
                self._run(ticket, op.value, params)
            except ServiceError as exc:
                result.skipped.append(BulkSkip(id=row["id"], reason=exc.message))
                continue
            self.loads.update(self.ticket.loads)
            self.done.append((ticket, self.ticket))
            result.updated.append(row["id"])
        self._write()
        return result, [ticket for ticket, _ in self.done]

    def _run(self, row: dict[str, Any], name: str, params: dict[str, Any]) -> None:
        """The action on the row in memory, as `run_action` runs it on the stored row."""
        handler = permitted(row, self.user, name)
        outcome = handler(ActionContext(self.conn, self.user, row, params, self.now,
                                        emit=False, effects=self))
        row.update(outcome.changes)
        self.ticket.columns.update(outcome.changes)

    # -- what the handlers read: once per run ---------------------------------------------

    def active_user(self, ctx: ActionContext, user_id: str) -> bool:
        if user_id not in self.users:
            self.users[user_id] = super().active_user(ctx, user_id)
        return self.users[user_id]

    def macro(self, ctx: ActionContext, name: str) -> dict[str, Any]:
        if name not in self.macros:
            try:
                self.macros[name] = super().macro(ctx, name)
            except ServiceError as exc:
                self.macros[name] = exc
        found = self.macros[name]
        if isinstance(found, ServiceError):
            raise type(found)(found.message)
        return found

    def reserve(self, ctx: ActionContext, agent_id: str, *, field: str) -> str | None:
        """`routing.reserve`, counting the tickets the run gave and took so far."""
        if agent_id not in self.agents:
            self.agents[agent_id] = stored_agents.get(self.conn, agent_id, for_update=True)
            self.loads[agent_id] += stored_agents.load_of(self.conn, agent_id)
        agent = self.agents[agent_id]
        capacity = agent["capacity"] if agent else CAPACITY_DEFAULT
        load = self.loads[agent_id] + self.ticket.loads[agent_id] \
            - (_holder(ctx.row) == agent_id)
        if agent is not None:
            self.ticket.reserved.add(agent_id)
        return routing.past_capacity(agent_id, load, capacity, force=ctx.params.get("force"),
                                     field=field)

    # -- what the handlers write: gathered ---------------------------------------------------

    def entry(self, ctx: ActionContext, type_: str, *, body_md: str = "",
              internal: bool = False, **data: Any) -> None:
        self.ticket.entries.append({"item_id": ctx.row["id"], "type": type_,
                                    "author": self.user.id, "body_md": body_md,
                                    "internal": internal, "data": data, "at": self.now})

    def reply(self, ctx: ActionContext, body: str) -> None:
        self.ticket.replies.append((len(self.ticket.entries), dict(ctx.row), body))
        self.entry(ctx, "reply", body_md=body)
        self.ticket.sla.append(("meet", REPLY_MEETS))

    def closed(self, ctx: ActionContext) -> None:
        self.ticket.sla.append(("meet", TARGETS))

    def reprioritised(self, ctx: ActionContext, priority: str) -> None:
        self.ticket.sla.append(("retime", priority))

    def settle(self, ctx: ActionContext, changes: dict[str, Any]) -> dict[str, Any]:
        """Routing's part comes after every ticket (`_route`); the loads count it now."""
        self.ticket.settled.append(routing.settling(ctx.row, changes))
        before, after = _holder(ctx.row), _holder({**ctx.row, **changes})
        if before is not None:
            self.ticket.loads[before] -= 1
        if after is not None:
            self.ticket.loads[after] += 1
        return changes

    def step(self, ctx: ActionContext, name: str, params: dict[str, Any]) -> dict[str, Any]:
        if name not in macros.STEP_ACTIONS:
            raise NotGathered(name)
        self._run(ctx.row, name, params)
        return ctx.row

    # -- writing what was gathered ---------------------------------------------------------

    def _write(self) -> None:
        conn, now = self.conn, self.now
        for agent_id in sorted(set().union(*(g.reserved for _, g in self.done))):
            stored_agents.change(conn, agent_id, last_assigned_at=now)
        self._timeline()
        self._sla()
        changed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row, gathered in self.done:
            if gathered.columns:
                columns = tuple(sorted(gathered.columns))
                changed.setdefault(columns, []).append(
                    {"id": row["id"], **{c: row[c] for c in columns}})
        for rows in changed.values():
            update_each(conn, items, ("id",), rows)
        self._route()

    def _timeline(self) -> None:
        """Every entry in one INSERT, each ticket's in the order its steps made them; then
        each reply's webhook, which names its entry."""
        entries: list[dict[str, Any]] = []
        replies = []
        for _, gathered in self.done:
            replies += [(len(entries) + n, row, body) for n, row, body in gathered.replies]
            entries += gathered.entries
        ids = timeline.add_many(self.conn, entries)
        messages = [outbox.message(row, "reply", self.user.id,
                                   {"body_md": body, "timeline_id": ids[n]}, self.now)
                    for n, row, body in replies]
        if any(messages):
            self.conn.execute(insert(outbox_rows), [m for m in messages if m is not None])

    def _sla(self) -> None:
        """Each ticket's SLA changes in its own order: the n-th of every ticket together."""
        policies = None
        for n in range(max((len(g.sla) for _, g in self.done), default=0)):
            meets: dict[tuple[str, ...], list[int]] = {}
            retimes: dict[int, dict[str, int]] = {}
            for row, gathered in self.done:
                if n >= len(gathered.sla):
                    continue
                what, value = gathered.sla[n]
                if what == "meet":
                    meets.setdefault(value, []).append(row["id"])
                else:
                    policies = policies or stored_sla.policies(self.conn)
                    retimes[row["id"]] = policies[value]
            for targets, ids in meets.items():
                stored_sla.meet_many(self.conn, ids, targets, self.now)
            if retimes:
                stored_sla.retime_many(self.conn, retimes)

    def _route(self) -> None:
        """One pass over the queues of every agent a ticket left and every queue a ticket
        waits in again; a ticket left waiting takes the agent it gave it, as with `settle`."""
        conn = self.conn
        settled = [(row, s) for row, g in self.done for s in g.settled]
        if not settled:
            return
        waiting.clear_waits(conn, sorted({row["id"] for row, s in settled if not s.waits}))
        queues = {s.queue for _, s in settled if s.queue}
        for agent_id in sorted({s.freed for _, s in settled if s.freed is not None}):
            queues.update((stored_agents.get(conn, agent_id) or {}).get("queues") or ())
        if not queues:
            return
        routing.route(conn, self.now, queues=queues)
        left = {row["id"]: row for row, _ in settled
                if row["assignee_id"] is None and row["state"] != State.RESOLVED}
        ids = sorted(left)
        for start in range(0, len(ids), CHUNK):
            for item_id, assignee in conn.execute(
                    select(items.c.id, items.c.assignee_id).where(
                        items.c.id.in_(ids[start:start + CHUNK]),
                        items.c.assignee_id.is_not(None))):
                left[item_id].update(assignee_id=assignee, updated_at=self.now)
