"""The inbox service: every read and write of items, shared by the HTTP routes and the CLI.

Each write happens in one transaction together with its event in the event log; the event bus
is woken after the commit so websocket clients hear about it at once.
"""

from __future__ import annotations

import json
import logging
import operator
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, func

from cockpit.domain.grouping import GROUP_BY
from cockpit.domain.masking import masked_payload
from cockpit.domain.models import (
    ARCHIVED,
    MAX_FUTURE,
    TICKET_BULK_OPS,
    BulkOp,
    BulkResult,
    BulkSkip,
    Item,
    ItemIn,
    Kind,
    Page,
    Priority,
    Receipt,
    SenderType,
    SortOrder,
    State,
    StateFilter,
    check_json,
)
from cockpit.domain.query import Query, QueryError
from cockpit.domain.query import parse as parse_query
from cockpit.domain.redaction import redact_value
from cockpit.domain.roles import INGEST_ROLES, Principal, Role
from cockpit.domain.rules import (
    RuleError,
    bulk_skip_reason,
    reopening,
    resolution,
    transition,
    upsert_changes,
)
from cockpit.domain.sanitize import clean_value
from cockpit.domain.sla import Target
from cockpit.domain.sla import summary as sla_summary
from cockpit.server import journal, outbox, routing, sla, sources, ticket_bulk
from cockpit.server.actions import actions_for, run_action
from cockpit.server.desk_service import Desk
from cockpit.server.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    ServiceError,
)
from cockpit.server.ingest import Dropped, one_line, prepare_row
from cockpit.store import events, in_transaction, inbox
from cockpit.store import sla as stored_sla
from cockpit.store.db import reader
from cockpit.store.deliveries import visible_deliveries
from cockpit.store.groups import group_rows, in_folder
from cockpit.store.tables import items

Clock = Callable[[], datetime]
log = logging.getLogger("cockpit.inbox")
_ITEM_COLUMNS = tuple(k for k in Item.model_fields if k not in ("sender", "actions"))
_item_values = operator.itemgetter(*_ITEM_COLUMNS)
_ITEM_FIELDS = len(Item.model_fields)
COUNTS_CACHE_SIZE = 1024
MAX_EVENT_ITEMS = 1_000  # a bulk event names at most this many items; past it, a reset
_RESULTS = {400: "invalid", 403: "forbidden", 404: "not_found", 409: "conflict"}


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Inbox:
    def __init__(self, engine: Engine, *, notify: Callable[[], None] = lambda: None,
                 clock: Clock = utcnow) -> None:
        self.engine = engine
        self.reads = reader(engine)  # for what only reads: it never queues behind a write
        self.notify = notify
        self.clock = clock
        self.desk = Desk(self)
        self._counts_cache: OrderedDict[tuple, tuple[int, dict[str, int]]] = OrderedDict()
        self._counts_lock = threading.Lock()

    # -- reads -----------------------------------------------------------------------------

    def to_item(self, row: dict[str, Any], user: Principal, *, reveal: bool = False,
                sla_targets: list[Target] | None = None) -> Item:
        """The row as `user` reads it: credentials in the payload masked unless revealed,
        and a ticket's SLA (due times and status) as Cockpit tracks it, if it does.

        A row that no longer fits the model (written by an older version, or by hand) is
        served with its odd fields mended rather than failing the whole read for everyone.
        """
        return _model(self._fields(row, user, reveal=reveal, sla_targets=sla_targets))

    def item_json(self, row: dict[str, Any], user: Principal, *, reveal: bool = False,
                  sla_targets: list[Target] | None = None) -> dict[str, Any]:
        """What `to_item` answers, as plain values for the JSON encoder: built without the
        model when the row fits it (every row the server writes does), mended otherwise."""
        fields = self._fields(row, user, reveal=reveal, sla_targets=sla_targets)
        return fields if _fits(fields) else _model(fields).model_dump(mode="json")

    def _fields(self, row: dict[str, Any], user: Principal, *, reveal: bool,
                sla_targets: list[Target] | None) -> dict[str, Any]:
        try:
            fields = dict(zip(_ITEM_COLUMNS, _item_values(row)))
        except KeyError:  # a row read without every column
            fields = {k: row[k] for k in _ITEM_COLUMNS if k in row}
        if not reveal:
            fields["payload"] = masked_payload(row.get("payload") or {})[0]
        if sla_targets is None and row.get("kind") == Kind.TICKET:
            with self.reads.connect() as conn:
                sla_targets = stored_sla.targets_for(conn, [row["id"]]).get(row["id"])
        if sla_targets:
            fields["payload"] = {**(fields.get("payload") or {}),
                                 "sla": sla_summary(sla_targets, self.clock())}
        fields["sender"] = {"type": row["sender_type"], "id": row["sender_id"],
                            "name": row["sender_name"]}
        fields["actions"] = actions_for(row, user)
        return fields

    def scope(self, user: Principal, *, kind: str | None = None, q: str | None = None,
              view: str | None = None) -> inbox.Scope:
        """What a read covers: the saved view's query and `q` together. A query the parser
        cannot read is a 400 naming the term; an unknown view a 400 naming it."""
        try:
            query = parse_query(q or "")
        except QueryError as exc:
            raise BadRequest(f"q: {exc}") from exc
        if view:
            query = Query(self.desk.view_query(user, view).terms + query.terms)
        return inbox.Scope(user, self.clock(), kind=kind, query=query)

    def list(self, user: Principal, **view: Any) -> Page:
        """One page of the view (see `window`), as the model."""
        return Page.model_validate(self.window(user, **view))

    def window(self, user: Principal, *, state: StateFilter = StateFilter.ACTIVE,
               kind: str | None = None, q: str | None = None, limit: int = 50,
               cursor: str | None = None, sort: SortOrder = SortOrder.NEWEST,
               group_by: str | None = None, group: str | None = None,
               view: str | None = None) -> dict[str, Any]:
        """One page of the view; with `group_by` and `group`, of that one folder. Plain
        values (a Page's fields), ready for the JSON encoder."""
        scope = self.scope(user, kind=kind, q=q, view=view)
        with self.reads.connect() as conn:
            where = _folder_clause(group_by, group)
            try:
                rows, next_cursor = inbox.list_rows(conn, scope, state=state, limit=limit,
                                                    cursor=cursor, sort=sort, where=where,
                                                    where_key=(group_by, group))
            except inbox.BadCursor as exc:
                raise BadRequest(str(exc)) from exc
            counts = self.tab_counts(conn, scope)
            tracked = stored_sla.targets_for(
                conn, [r["id"] for r in rows if r["kind"] == Kind.TICKET])
        return {"items": [self.item_json(r, user, sla_targets=tracked.get(r["id"], []))
                          for r in rows], "next_cursor": next_cursor, "counts": counts}

    def groups(self, user: Principal, *, state: StateFilter = StateFilter.ACTIVE,
               kind: str | None = None, q: str | None = None,
               group_by: str = "smart", view: str | None = None) -> dict[str, Any]:
        """The folders of a view with exact counts, and the view's total."""
        if group_by not in GROUP_BY:
            raise BadRequest(f"group_by: one of {', '.join(GROUP_BY)}")
        scope = self.scope(user, kind=kind, q=q, view=view)
        with self.reads.connect() as conn:
            rows = group_rows(conn, scope, state, group_by)
        return {"groups": [r._asdict() for r in rows], "total": sum(r.count for r in rows)}

    def count(self, user: Principal, q: str | None = None) -> dict[str, int]:
        scope = self.scope(user, q=q)
        with self.reads.connect() as conn:
            counts = self.tab_counts(conn, scope)
        return {"unread": counts["unread"], "active": counts["active"]}

    def tab_counts(self, conn, scope: inbox.Scope) -> dict[str, int]:
        """The per-tab counts, computed once per state of the event log.

        Every change writes an event, so while the newest seq stands still the counts do
        too: paging through a large inbox counts it once, not once per page. The seq is read
        before the counts, so a change racing the count can only cause a recount. A query
        the clock moves (`created:<2h`, `sla:breached`) is never cached.
        """
        if not scope.timeless:
            return inbox.tab_counts(conn, scope)
        key = (scope.user.id, scope.user.role, scope.kind, scope.query)
        seq = events.newest(conn)
        with self._counts_lock:
            cached = self._counts_cache.get(key)
            if cached is not None and cached[0] == seq:
                self._counts_cache.move_to_end(key)
                return dict(cached[1])
        counts = inbox.tab_counts(conn, scope)
        with self._counts_lock:
            self._counts_cache[key] = (seq, counts)
            if len(self._counts_cache) > COUNTS_CACHE_SIZE:
                self._counts_cache.popitem(last=False)
        return dict(counts)

    def get(self, user: Principal, item_id: int, *, reveal: bool = False,
            origin: str = "api") -> Item:
        """One item; `reveal` (managers and above) shows its credentials, and is journalled."""
        row, targets = self._read(user, item_id, reveal, origin)
        return self.to_item(row, user, reveal=reveal, sla_targets=targets)

    def get_json(self, user: Principal, item_id: int, *, reveal: bool = False,
                 origin: str = "api") -> dict[str, Any]:
        """`get` as plain values, ready for the JSON encoder."""
        row, targets = self._read(user, item_id, reveal, origin)
        return self.item_json(row, user, reveal=reveal, sla_targets=targets)

    def _read(self, user: Principal, item_id: int, reveal: bool,
              origin: str) -> tuple[dict[str, Any], list[Target]]:
        """The row, and its tracked SLA targets (a ticket's), read on one connection."""
        if reveal and not user.ranks_at_least(Role.MANAGER):
            raise Forbidden("only managers and above may reveal credentials")
        with self.reads.connect() as conn:
            row = inbox.get_row(conn, item_id, user)
            targets = stored_sla.targets_for(conn, [item_id]).get(item_id, []) \
                if row is not None and row["kind"] == Kind.TICKET else []
        if row is None:
            raise NotFound(f"item {item_id} not found")
        if reveal and masked_payload(row.get("payload") or {})[1]:
            with self.engine.begin() as conn:
                journal.record(conn, actor=user.id, origin=origin, action="reveal",
                               item_id=item_id)
        return row, targets

    def audit(self, user: Principal, **filters: Any) -> list[dict[str, Any]]:
        # The journal holds people's notes and parameters: a producer (the customer channel)
        # reads none of it.
        if user.role == Role.SERVICE:
            raise Forbidden("service accounts do not read the journal")
        with self.reads.connect() as conn:
            return journal.query(conn, user, **filters)

    def outbox(self, user: Principal, *, include_delivered: bool) -> list[dict[str, Any]]:
        if not user.ranks_at_least(Role.ADMIN):
            raise Forbidden("only admins and owners see the outbox")
        with self.reads.connect() as conn:
            rows = visible_deliveries(conn, user, include_delivered=include_delivered)
        return [{k: v for k, v in r.items() if k != "body"}
                | {"body": json.loads(r["body"]), "delivery_id": outbox.delivery_id(r)}
                for r in rows]

    def register_pipeline(self, user: Principal, slug: str, name: str) -> dict[str, str]:
        if user.role not in INGEST_ROLES:
            raise Forbidden("only service, admin and owner accounts register pipelines")
        with self.engine.begin() as conn:
            sources.register_pipeline(conn, slug, name, self.clock())
        return {"slug": slug, "name": name}

    # -- writes ----------------------------------------------------------------------------

    def ingest(self, user: Principal, item: ItemIn) -> tuple[Item | Receipt | None, str]:
        """Store one item; answers 'created', 'duplicate', 'upserted' or 'dropped', with the
        stored item when the caller may see it and otherwise only a receipt."""
        if user.role not in INGEST_ROLES:
            raise Forbidden("only service, admin and owner accounts may ingest items")
        now = self.clock()
        if item.created_at is not None and item.created_at - now > MAX_FUTURE:
            raise BadRequest("created_at: more than a day ahead of the server's clock")
        try:
            values = prepare_row(item, now, producer=user.id)
        except Dropped:
            return None, "dropped"

        def work(conn) -> tuple[dict[str, Any] | None, str]:
            if item.kind == "escalation" and sources.was_dismissed(conn, values["payload"]):
                return None, "dropped"
            row, created = inbox.insert_row(conn, values)
            if not created:
                if not item.upsert:
                    return row, "duplicate"
                return self._upsert(conn, user, row, values, now), "upserted"
            sources.create_source(conn, row, now)
            sla.ticket_created(conn, row, now)
            events.append(conn, "item.created", {"items": [events.item_entry(row)]})
            row.update(routing.ticket_created(conn, row, now))
            if row["kind"] == "escalation":
                events.append(conn, "escalation.created",
                              {"items": [events.item_entry(row)],
                               "type": (row["payload"] or {}).get("type")})
            return row, "created"

        row, status = in_transaction(self.engine, work)
        if row is None:
            return None, status
        if status != "duplicate":
            self.notify()
        if not user.can_see(row["target_user_id"], row["target_role"]):
            return Receipt(id=row["id"], kind=row["kind"], source_id=row["source_id"],
                           outcome=status), status
        return self.to_item(row, user), status

    @staticmethod
    def _upsert(conn, user: Principal, before: dict[str, Any], values: dict[str, Any],
                now: datetime) -> dict[str, Any]:
        """Refresh what the producer owns on the locked row `before`; answers the new row."""
        if before["created_by"] not in (None, user.id) and not user.ranks_at_least(Role.ADMIN):
            # Not by what the caller may see: a producer cannot even tell whose item it is.
            raise Forbidden("this item was created by another producer; only it, an admin "
                            "or the owner may upsert it")
        changes = upsert_changes(before, values, now)
        if not changes:
            return before
        inbox.update_rows(conn, [before["id"]], changes)
        row = {**before, **changes}
        if row["state"] != State.RESOLVED:
            sources.refresh_source(conn, row, now)
        entries = [events.item_entry(row)]
        if (before["target_user_id"], before["target_role"]) != \
                (row["target_user_id"], row["target_role"]):
            # Whoever could see it before hears of it too: their copy must go.
            entries.append({**events.item_entry(row),
                            "target_user_id": before["target_user_id"],
                            "target_role": before["target_role"]})
        events.append(conn, "item.updated", {"items": entries})
        return row

    def act(self, user: Principal, item_id: int, name: str, params: dict[str, Any],
            origin: str = "api") -> Item:
        """Run one action; every attempt, refused or not, lands in the journal."""
        started = time.perf_counter()
        name = one_line(name)

        def work(conn) -> dict[str, Any]:
            row, outcome = run_action(conn, user, item_id, name, params, origin, self.clock())
            journal.record(conn, actor=user.id, origin=origin, action=name, item_id=item_id,
                           params=params, result="ok", detail=outcome.detail,
                           latency_ms=_ms_since(started))
            return row

        try:
            try:
                check_json(params)
            except ValueError as exc:
                params = {}  # what cannot be read is not kept; the detail says why
                raise BadRequest(f"params: {exc}") from exc
            # Parameters are untrusted text like any item field, and land in the journal and
            # in webhook bodies: cleaned, and every secret in them redacted.
            params = redact_value(clean_value(params))
            row = in_transaction(self.engine, work)
        except ServiceError as exc:
            with self.engine.begin() as conn:
                journal.record(conn, actor=user.id, origin=origin, action=name, item_id=item_id,
                               params=params, result=_RESULTS.get(exc.status, "failed"),
                               detail=exc.message, latency_ms=_ms_since(started))
            raise
        self.notify()
        return self.to_item(row, user)

    def patch(self, user: Principal, item_id: int, state: State,
              resolved_action: str | None = None, origin: str = "api") -> Item:
        if state == State.RESOLVED and not user.ranks_at_least(Role.MEMBER):
            raise Forbidden(f"a {user.role} cannot resolve items")
        if resolved_action is not None:
            resolved_action = one_line(resolved_action)
            if not resolved_action:
                raise BadRequest("resolved_action: must not be blank")
        def work(conn) -> tuple[dict[str, Any], bool]:
            row = inbox.get_row(conn, item_id, user, for_update=True)
            if row is None:
                raise NotFound(f"item {item_id} not found")
            if row["state"] == state and (state != State.RESOLVED
                                          or row["resolved_action"] == (resolved_action
                                                                        or "resolved")):
                return row, False
            if row["state"] == state == State.RESOLVED:
                raise Conflict(f"already resolved ({row['resolved_action']}); restore it first")
            if row["state"] == State.RESOLVED and not user.ranks_at_least(Role.MEMBER):
                raise Forbidden(f"a {user.role} cannot restore items")
            try:
                changes = transition(row, state, resolved_action, user.id, self.clock())
            except RuleError as exc:
                raise Conflict(str(exc)) from exc
            inbox.update_rows(conn, [item_id], changes)
            row.update(changes)
            events.append(conn, "item.updated", {"items": [events.item_entry(row)]})
            journal.record(conn, actor=user.id, origin=origin, action=f"state.{state.value}",
                           item_id=item_id, params={"resolved_action": resolved_action})
            return row, True

        row, changed = in_transaction(self.engine, work)
        if changed:
            self.notify()
        return self.to_item(row, user)

    def bulk(self, user: Principal, ids: Sequence[int], op: BulkOp,
             origin: str = "api", params: dict[str, Any] | None = None) -> BulkResult:
        """One transaction over many items; decision and blocking items are skipped, with why.

        The journal gets `bulk.started`, one record per item (origin `bulk`), and
        `bulk.completed` with the counts; a skipped item never stops the others.
        """
        self._may_bulk(user, op)
        params = self._bulk_params(params)
        started = time.perf_counter()
        wanted = list(dict.fromkeys(ids))
        now = self.clock()

        def work(conn) -> BulkResult:
            rows = {r["id"]: r for r in inbox.get_rows(conn, wanted, user, for_update=True)}
            result = self._bulk_rows(conn, user, op, [rows[i] for i in wanted if i in rows],
                                     now, params)
            result.not_found = [i for i in wanted if i not in rows]
            self._journal_bulk(conn, user, op, origin, result, started)
            return result

        result = in_transaction(self.engine, work)
        if result.updated:
            self.notify()
        return result

    def bulk_query(self, user: Principal, op: BulkOp, *, q: str | None = None,
                   view: str | None = None, state: StateFilter = StateFilter.ACTIVE,
                   group_by: str | None = None, group: str | None = None,
                   except_ids: Sequence[int] = (), origin: str = "api",
                   params: dict[str, Any] | None = None) -> dict[str, Any]:
        """`op` on everything a query matches for `user` (any number of items) but
        `except_ids`, in one transaction with one event; answers counts."""
        self._may_bulk(user, op)
        params = self._bulk_params(params)
        started = time.perf_counter()
        scope = self.scope(user, q=q, view=view)
        now = self.clock()

        def work(conn) -> BulkResult:
            rows = inbox.matching_rows(conn, scope, state=state, except_ids=except_ids,
                                       where=_folder_clause(group_by, group))
            result = self._bulk_rows(conn, user, op, rows, now, params)
            self._journal_bulk(conn, user, op, origin, result, started)
            return result

        result = in_transaction(self.engine, work)
        if result.updated:
            self.notify()
        return {"updated": len(result.updated),
                "skipped": dict(Counter(s.reason for s in result.skipped))}

    @staticmethod
    def _may_bulk(user: Principal, op: BulkOp) -> None:
        if op in (BulkOp.RESOLVE, BulkOp.ARCHIVE, BulkOp.RESTORE, *TICKET_BULK_OPS) \
                and not user.ranks_at_least(Role.MEMBER):
            raise Forbidden(f"a {user.role} cannot {op.value} items")

    @staticmethod
    def _bulk_params(params: dict[str, Any] | None) -> dict[str, Any]:
        """A ticket op's parameters, held to the rules of every action's."""
        try:
            check_json(params or {})
        except ValueError as exc:
            raise BadRequest(f"params: {exc}") from exc
        return redact_value(clean_value(params or {}))

    @staticmethod
    def _bulk_rows(conn, user: Principal, op: BulkOp, rows: Sequence[dict[str, Any]],
                   now: datetime, params: dict[str, Any] | None = None) -> BulkResult:
        """Apply `op` to the locked `rows` that it applies to, skip the others with why,
        and write one event: the items it changed, or (past a size that would make every
        client chew on megabytes) a reset that tells them to refetch."""
        if op in TICKET_BULK_OPS:
            return _bulk_ticket_action(conn, user, op, rows, now, params or {})
        result = BulkResult()
        changed = []
        for row in rows:
            if reason := bulk_skip_reason(row, op) or _restore_refused(row, user):
                result.skipped.append(BulkSkip(id=row["id"], reason=reason))
            else:
                result.updated.append(row["id"])
                changed.append(row)
        if not changed:
            return result
        changes = _bulk_changes(op, user.id, now)
        inbox.update_rows(conn, result.updated, changes)
        for row in changed:
            row.update({k: v for k, v in changes.items() if k != "read_at"})
        _bulk_event(conn, op, changed)
        return result

    @staticmethod
    def _journal_bulk(conn, user: Principal, op: BulkOp, origin: str, result: BulkResult,
                      started: float) -> None:
        base = {"actor": user.id, "item_id": None}
        total = len(result.updated) + len(result.skipped) + len(result.not_found)
        journal.record(conn, **base, origin=origin, action="bulk.started",
                       params={"op": op.value, "count": total})
        records = [{"item_id": i, "result": "ok", "detail": None} for i in result.updated]
        records += [{"item_id": s.id, "result": "skipped", "detail": s.reason}
                    for s in result.skipped]
        records += [{"item_id": i, "result": "not_found", "detail": None}
                    for i in result.not_found]
        journal.record_many(conn, actor=user.id, origin="bulk", action=op.value,
                            params={"via": origin}, records=records)
        journal.record(conn, **base, origin=origin, action="bulk.completed",
                       params={"op": op.value, "ok": len(result.updated),
                               "failed": total - len(result.updated),
                               "skipped": len(result.skipped),
                               "not_found": len(result.not_found)},
                       latency_ms=_ms_since(started))


_EPOCH = datetime.fromtimestamp(0, UTC)
_STAND_INS = {"kind": "unknown", "source_id": "?", "state": State.UNREAD, "title": "(unreadable)",
              "created_at": _EPOCH, "updated_at": _EPOCH,
              "sender": {"type": "system", "id": "?", "name": "?"}}


_STATE_VALUES = frozenset(State)
_PRIORITY_VALUES = frozenset(Priority)
_SENDER_TYPES = frozenset(SenderType)


def _fits(fields: dict[str, Any]) -> bool:
    """Whether the model would take `fields` as they are. The columns' SQL types hold the
    rest; these are what a row written by hand or by an older version can get wrong."""
    tags = fields.get("tags")
    return (fields.get("state") in _STATE_VALUES and fields.get("priority") in _PRIORITY_VALUES
            and fields["sender"]["type"] in _SENDER_TYPES
            and isinstance(fields.get("payload"), dict) and isinstance(tags, list)
            and all(isinstance(t, str) for t in tags)
            and isinstance(fields.get("blocking"), bool) and len(fields) == _ITEM_FIELDS)


def _model(fields: dict[str, Any]) -> Item:
    try:
        return Item(**fields)
    except ValidationError as exc:
        log.warning("item %s does not fit the model (%s); serving it mended",
                    fields.get("id"), "; ".join(str(e["loc"]) for e in exc.errors()))
        return _mended(fields, exc)


def _mended(fields: dict[str, Any], error: ValidationError) -> Item:
    """An Item from a row that fails validation: each field that does not fit takes its
    default (or a stand-in), so the row is still listed and can be archived."""
    bad = {e["loc"][0] for e in error.errors() if e["loc"]}
    kept = {k: v for k, v in fields.items() if k not in bad}
    return Item(**kept, **{k: v for k, v in _STAND_INS.items() if k in bad})


def _bulk_event(conn, op: BulkOp, changed: Sequence[dict[str, Any]]) -> None:
    """One event for a whole bulk run: the items it changed, or (past a size that would make
    every client chew on megabytes) a reset that tells them to refetch."""
    if len(changed) > MAX_EVENT_ITEMS:
        events.append(conn, "reset", {"reason": f"{op.value}: {len(changed)} items"})
    elif changed:
        events.append(conn, "items.bulk", {"op": op.value,
                                           "items": [events.item_entry(r) for r in changed]})


def _bulk_ticket_action(conn, user: Principal, op: BulkOp, rows: Sequence[dict[str, Any]],
                        now: datetime, params: dict[str, Any]) -> BulkResult:
    """The ticket action `op` on every ticket of `rows`, their writes batched
    (cockpit.server.ticket_bulk): one that fails is counted with why, and the others go on."""
    result, changed = ticket_bulk.run(conn, user, op, rows, now, params)
    _bulk_event(conn, op, changed)
    return result


def _folder_clause(group_by: str | None, group: str | None) -> list[Any]:
    """The WHERE clause that keeps one folder of a view (none without `group`)."""
    if group is None:
        return []
    if group_by not in GROUP_BY:
        raise BadRequest(f"group_by: one of {', '.join(GROUP_BY)} (it names what `group` is)")
    return [in_folder(group_by, group)]


def _restore_refused(row: dict[str, Any], user: Principal) -> str | None:
    """Bringing a resolved item back (unread) takes a member, as with PATCH."""
    if row["state"] == State.RESOLVED and not user.ranks_at_least(Role.MEMBER):
        return f"a {user.role} cannot restore items"
    return None


def _bulk_changes(op: BulkOp, actor: str, now: datetime) -> dict[str, Any]:
    """One UPDATE's values for every row of a bulk op; `read_at` keeps each row's first read."""
    first_read = func.coalesce(items.c.read_at, now)
    if op == BulkOp.READ:
        return {"state": State.READ.value, "read_at": first_read, "updated_at": now}
    if op in (BulkOp.UNREAD, BulkOp.RESTORE):
        return reopening(now)
    return resolution(ARCHIVED if op == BulkOp.ARCHIVE else "resolved", actor, now, first_read)
