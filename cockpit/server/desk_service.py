"""The support desk's service: timelines, saved views, macros, SLA policies and customers.

Reached as `Inbox.desk`: it shares the inbox's engine, clock and per-view counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from cockpit.domain.models import Priority
from cockpit.domain.query import Query, QueryError
from cockpit.domain.query import parse as parse_query
from cockpit.domain.redaction import redact_value
from cockpit.domain.roles import Principal, Role
from cockpit.domain.sanitize import clean_value
from cockpit.domain.views import BUILTIN_NAMES, BUILTIN_VIEWS
from cockpit.server import journal
from cockpit.server.actions import actions_for
from cockpit.server.errors import BadRequest, Conflict, Forbidden, NotFound
from cockpit.server.macros import MACROS, check_steps, rendered_steps
from cockpit.server.macros import find as find_macro
from cockpit.server.saved import Saved
from cockpit.store import customers, inbox, timeline, view_counts
from cockpit.store import sla as stored_sla
from cockpit.store.tables import views as views_table

if TYPE_CHECKING:
    from cockpit.server.inbox import Inbox

VIEWS = Saved(views_table, "view", BUILTIN_NAMES)


class Desk:
    def __init__(self, inbox_service: Inbox) -> None:
        self.inbox = inbox_service

    @property
    def engine(self) -> Engine:
        return self.inbox.engine

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.inbox.clock

    def customer(self, user: Principal, customer_id: str) -> dict[str, Any]:
        """A customer's history card, from the tickets `user` may see."""
        with self.inbox.reads.connect() as conn:
            card = customers.history(conn, user, customer_id, self.clock())
        if card is None:
            raise NotFound(f"no customer {customer_id!r} among your tickets")
        return card

    # -- macros ----------------------------------------------------------------------------

    def macros(self, user: Principal) -> list[dict[str, Any]]:
        with self.inbox.reads.connect() as conn:
            found = MACROS.visible(conn, user)
        return [{k: m[k] for k in ("name", "title", "scope", "role", "actions")} for m in found]

    def add_macro(self, user: Principal, *, name: str, title: str | None,
                  actions: list[dict[str, Any]], scope: str = "personal",
                  role: str | None = None) -> dict[str, Any]:
        steps = check_steps(redact_value(clean_value(actions)))
        with self.engine.begin() as conn:
            MACROS.add(conn, user, name=name, scope=scope, role=role, now=self.clock(),
                       title=title or name, actions=steps)
        return next(m for m in self.macros(user) if m["name"] == name and m["scope"] == scope)

    def remove_macro(self, user: Principal, name: str) -> None:
        with self.engine.begin() as conn:
            MACROS.remove(conn, user, name)

    def preview_macro(self, user: Principal, item_id: int, name: str,
                      overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """What the macro would do to this ticket, rendered; changes nothing."""
        with self.inbox.reads.connect() as conn:
            row = inbox.get_row(conn, item_id, user)
            if row is None:
                raise NotFound(f"item {item_id} not found")
            if "macro" not in actions_for(row, user):
                raise Conflict(f"macros run on open tickets; this is a {row['kind']} "
                               f"({row['state']})")
            macro = find_macro(conn, user, name)
        return {"name": name, "title": macro["title"],
                "actions": rendered_steps(macro, row, user, clean_value(overrides or {}))}

    # -- SLA policies ----------------------------------------------------------------------

    def sla_policies(self) -> list[dict[str, Any]]:
        with self.inbox.reads.connect() as conn:
            found = stored_sla.policies(conn)
        return [{"priority": p.value, **found[p.value]} for p in Priority]

    def set_sla_policy(self, user: Principal, priority: Priority,
                       minutes: dict[str, int]) -> list[dict[str, Any]]:
        """New targets for one priority; tickets opened from now on use them, and a ticket
        whose priority changes is retimed by them."""
        if not user.ranks_at_least(Role.ADMIN):
            raise Forbidden("only admins and owners set SLA policies")
        with self.engine.begin() as conn:
            stored_sla.set_policy(conn, priority.value, minutes)
            journal.record(conn, actor=user.id, origin="api", action="sla.policy",
                           item_id=None, params={"priority": priority.value, **minutes})
        return self.sla_policies()

    # -- saved views -----------------------------------------------------------------------

    def view_query(self, user: Principal, name: str) -> Query:
        builtin = next((v for v in BUILTIN_VIEWS if v.name == name), None)
        if builtin is not None:
            return parse_query(builtin.query)
        with self.inbox.reads.connect() as conn:
            found = VIEWS.find(conn, user, name)
        if found is None:
            raise BadRequest(f"view: no saved view named {name!r}")
        return parse_query(found["query"])

    def views(self, user: Principal) -> list[dict[str, Any]]:
        """Built-in views, then the caller's own and those shared with their role, each
        with its live count and unread count."""
        with self.inbox.reads.connect() as conn:
            stored = VIEWS.visible(conn, user)
            found = [{"name": v.name, "title": v.title, "query": v.query, "scope": v.scope,
                      "role": None} for v in BUILTIN_VIEWS]
            found += [{k: v[k] for k in ("name", "title", "query", "scope", "role")}
                      for v in stored]
            now = self.clock()
            scopes = [inbox.Scope(user, now, query=parse_query(v["query"])) for v in found]
            # the database's kept counts where the view's terms allow (every built-in view:
            # sums over a few hundred rows, one statement for all), else the items counted
            kept = view_counts.tab_counts(conn, scopes)
            for view, scope, counts in zip(found, scopes, kept, strict=True):
                if counts is None:
                    counts = self.inbox.tab_counts(conn, scope)
                view.update(count=counts["active"] + counts["resolved"],
                            unread=counts["unread"])
        return found

    def add_view(self, user: Principal, *, name: str, title: str | None, query: str,
                 scope: str = "personal", role: str | None = None) -> dict[str, Any]:
        try:
            parse_query(query)
        except QueryError as exc:
            raise BadRequest(f"query: {exc}") from exc
        with self.engine.begin() as conn:
            VIEWS.add(conn, user, name=name, scope=scope, role=role, now=self.clock(),
                      title=title or name, query=query)
        return next(v for v in self.views(user) if v["name"] == name and v["scope"] == scope)

    def remove_view(self, user: Principal, name: str) -> None:
        with self.engine.begin() as conn:
            VIEWS.remove(conn, user, name)

    def timeline(self, user: Principal, item_id: int) -> list[dict[str, Any]]:
        """A ticket's conversation and history, oldest first: its first customer message (the
        item's body), then every entry. Internal notes are for people only: a service
        account (the customer channel) never reads one."""
        with self.inbox.reads.connect() as conn:
            row = inbox.get_row(conn, item_id, user)
            if row is None:
                raise NotFound(f"item {item_id} not found")
            entries = timeline.entries(conn, item_id, internal=user.role != Role.SERVICE)
        customer = (row.get("payload") or {}).get("customer")
        first = {"id": 0, "type": "customer_message", "body_md": row["body_md"],
                 "author": (customer.get("name") if isinstance(customer, dict) else None)
                 or row["sender_name"], "at": row["created_at"], "internal": False, "data": {}}
        keep = ("id", "type", "author", "body_md", "at", "internal", "data")
        return [first] + [{k: e[k] for k in keep} for e in entries]
