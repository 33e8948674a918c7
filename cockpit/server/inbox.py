"""The inbox service: every read and write of items, shared by the HTTP routes and the CLI.

Each write happens in one transaction together with its event in the event log; the event bus
is woken after the commit so websocket clients hear about it at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func

from cockpit.domain.actions import available_actions
from cockpit.domain.models import (
    ARCHIVED,
    BulkOp,
    BulkResult,
    BulkSkip,
    Item,
    ItemIn,
    Page,
    Sender,
    State,
    StateFilter,
)
from cockpit.domain.roles import INGEST_ROLES, Principal, Role
from cockpit.domain.rules import RuleError, bulk_skip_reason, transition
from cockpit.server.actions import run_action
from cockpit.server.errors import BadRequest, Conflict, Forbidden, NotFound
from cockpit.server.ingest import Dropped, prepare_row
from cockpit.store import events, inbox
from cockpit.store.tables import items

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Inbox:
    def __init__(self, engine: Engine, *, notify: Callable[[], None] = lambda: None,
                 clock: Clock = utcnow) -> None:
        self.engine = engine
        self.notify = notify
        self.clock = clock

    # -- reads -----------------------------------------------------------------------------

    def to_item(self, row: dict[str, Any], user: Principal) -> Item:
        return Item(
            **{k: row[k] for k in Item.model_fields if k in row and k not in ("sender", "actions")},
            sender=Sender(type=row["sender_type"], id=row["sender_id"], name=row["sender_name"]),
            actions=available_actions(row, user.id, user.role),
        )

    def list(self, user: Principal, *, state: StateFilter = StateFilter.ACTIVE,
             kind: str | None = None, q: str | None = None, limit: int = 50,
             cursor: str | None = None) -> Page:
        with self.engine.connect() as conn:
            try:
                rows, next_cursor = inbox.list_rows(conn, user, state=state, kind=kind, q=q,
                                                    limit=limit, cursor=cursor)
            except inbox.BadCursor as exc:
                raise BadRequest(str(exc)) from exc
            counts = inbox.tab_counts(conn, user, kind=kind, q=q)
        return Page(items=[self.to_item(r, user) for r in rows], next_cursor=next_cursor,
                    counts=counts)

    def count(self, user: Principal) -> dict[str, int]:
        with self.engine.connect() as conn:
            counts = inbox.tab_counts(conn, user)
        return {"unread": counts["unread"], "active": counts["active"]}

    def get(self, user: Principal, item_id: int) -> Item:
        with self.engine.connect() as conn:
            row = inbox.get_row(conn, item_id, user)
        if row is None:
            raise NotFound(f"item {item_id} not found")
        return self.to_item(row, user)

    # -- writes ----------------------------------------------------------------------------

    def ingest(self, user: Principal, item: ItemIn) -> tuple[Item | None, str]:
        """Store one item; answers it with 'created', 'duplicate', 'upserted' or 'dropped'."""
        if user.role not in INGEST_ROLES:
            raise Forbidden("only service, admin and owner accounts may ingest items")
        now = self.clock()
        try:
            values = prepare_row(item, now)
        except Dropped:
            return None, "dropped"
        with self.engine.begin() as conn:
            row, status = inbox.insert_row(conn, values, upsert=item.upsert, now=now)
            if status == "created":
                events.append(conn, "item.created", {"items": [events.item_entry(row)]})
                if row["kind"] == "escalation":
                    events.append(conn, "escalation.created",
                                  {"items": [events.item_entry(row)],
                                   "type": (row["payload"] or {}).get("type")})
            elif status == "upserted":
                events.append(conn, "item.updated", {"items": [events.item_entry(row)]})
        if status != "duplicate":
            self.notify()
        return self.to_item(row, user), status

    def act(self, user: Principal, item_id: int, name: str, params: dict[str, Any],
            origin: str = "api") -> Item:
        with self.engine.begin() as conn:
            row = run_action(conn, user, item_id, name, params, origin, self.clock())
        self.notify()
        return self.to_item(row, user)

    def patch(self, user: Principal, item_id: int, state: State,
              resolved_action: str | None = None) -> Item:
        if state == State.RESOLVED and not user.ranks_at_least(Role.MEMBER):
            raise Forbidden(f"a {user.role} cannot resolve items")
        with self.engine.begin() as conn:
            row = inbox.get_row(conn, item_id, user, for_update=True)
            if row is None:
                raise NotFound(f"item {item_id} not found")
            if row["state"] == state and (state != State.RESOLVED
                                          or row["resolved_action"] == (resolved_action
                                                                        or "resolved")):
                return self.to_item(row, user)
            if row["state"] == State.RESOLVED and not user.ranks_at_least(Role.MEMBER):
                raise Forbidden(f"a {user.role} cannot restore items")
            try:
                changes = transition(row, state, resolved_action, user.id, self.clock())
            except RuleError as exc:
                raise Conflict(str(exc)) from exc
            inbox.update_rows(conn, [item_id], changes)
            row.update(changes)
            events.append(conn, "item.updated", {"items": [events.item_entry(row)]})
        self.notify()
        return self.to_item(row, user)

    def bulk(self, user: Principal, ids: Sequence[int], op: BulkOp) -> BulkResult:
        """One transaction over many items; decision and blocking items are skipped, with why."""
        if op in (BulkOp.RESOLVE, BulkOp.ARCHIVE) and not user.ranks_at_least(Role.MEMBER):
            raise Forbidden(f"a {user.role} cannot {op.value} items")
        wanted = list(dict.fromkeys(ids))
        result = BulkResult()
        now = self.clock()
        with self.engine.begin() as conn:
            rows = {r["id"]: r for r in inbox.get_rows(conn, wanted, user, for_update=True)}
            changed: list[dict[str, Any]] = []
            for item_id in wanted:
                row = rows.get(item_id)
                if row is None:
                    result.not_found.append(item_id)
                elif reason := bulk_skip_reason(row, op):
                    result.skipped.append(BulkSkip(id=item_id, reason=reason))
                else:
                    result.updated.append(item_id)
                    changed.append(row)
            if changed:
                changes = _bulk_changes(op, user.id, now)
                inbox.update_rows(conn, result.updated, changes)
                entries = []
                for row in changed:
                    row.update({k: v for k, v in changes.items() if k != "read_at"})
                    entries.append(events.item_entry(row))
                events.append(conn, "items.bulk", {"op": op.value, "items": entries})
        if changed:
            self.notify()
        return result


def _bulk_changes(op: BulkOp, actor: str, now: datetime) -> dict[str, Any]:
    """One UPDATE's values for every row of a bulk op; `read_at` keeps each row's first read."""
    first_read = func.coalesce(items.c.read_at, now)
    if op == BulkOp.READ:
        return {"state": State.READ.value, "read_at": first_read, "updated_at": now}
    if op == BulkOp.UNREAD:
        return {"state": State.UNREAD.value, "read_at": None, "updated_at": now}
    return {
        "state": State.RESOLVED.value,
        "resolved_action": ARCHIVED if op == BulkOp.ARCHIVE else "resolved",
        "resolved_at": now,
        "resolved_by": actor,
        "read_at": first_read,
        "updated_at": now,
    }
