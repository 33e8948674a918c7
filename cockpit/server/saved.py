"""Named records people save for themselves or share with a role: saved views and macros.

One set of rules for both: names are slugs, a built-in name is taken, sharing with a role
(and removing a shared record) takes a manager, and each change is journalled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table

from cockpit.domain.roles import TARGET_ROLES, Principal, Role
from cockpit.domain.views import VIEW_NAME
from cockpit.server import journal
from cockpit.server.errors import BadRequest, Conflict, Forbidden, NotFound
from cockpit.store import views as records


@dataclass(frozen=True)
class Saved:
    table: Table
    what: str  # "view", "macro": for messages and journal actions
    builtin: frozenset[str] = frozenset()

    def visible(self, conn: Connection, user: Principal) -> list[dict[str, Any]]:
        return records.visible(conn, self.table, user)

    def find(self, conn: Connection, user: Principal, name: str) -> dict[str, Any] | None:
        return records.find(conn, self.table, user, name)

    def add(self, conn: Connection, user: Principal, *, name: str, scope: str,
            role: str | None, now: datetime, **values: Any) -> None:
        if not VIEW_NAME.match(name):
            raise BadRequest("name: lower-case letters, digits, _ and -, starting with a letter")
        if name in self.builtin:
            raise Conflict(f"name: {name!r} is a built-in {self.what}")
        if scope == "role":
            if role not in TARGET_ROLES:
                raise BadRequest(f"role: one of {', '.join(TARGET_ROLES)}")
            if not user.ranks_at_least(Role.MANAGER):
                raise Forbidden(f"only managers and above share a {self.what} with a role")
        elif scope == "personal":
            role = None
        else:
            raise BadRequest("scope: personal or role")
        if any(r["name"] == name and r["scope"] == scope for r in self.visible(conn, user)):
            raise Conflict(f"name: a {scope} {self.what} named {name!r} exists; remove it first")
        records.add(conn, self.table, name=name, scope=scope, role=role,
                    owner=user.id if scope == "personal" else None, created_by=user.id,
                    now=now, **values)
        journal.record(conn, actor=user.id, origin="api", action=f"{self.what}.add",
                       item_id=None, params={"name": name, "scope": scope, "role": role})

    def remove(self, conn: Connection, user: Principal, name: str) -> None:
        if name in self.builtin:
            raise Conflict(f"{name!r} is a built-in {self.what}")
        found = self.find(conn, user, name)
        if found is None:
            raise NotFound(f"no {self.what} named {name!r}")
        if found["scope"] == "role" and not user.ranks_at_least(Role.MANAGER):
            raise Forbidden(f"only managers and above remove a shared {self.what}")
        records.remove(conn, self.table, found["id"])
        journal.record(conn, actor=user.id, origin="api", action=f"{self.what}.remove",
                       item_id=None, params={"name": name, "scope": found["scope"]})
