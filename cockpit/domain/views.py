"""Saved views: a name for a query in the query language (DESIGN.md, "Support desk")."""

from __future__ import annotations

import re
from dataclasses import dataclass

VIEW_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


@dataclass(frozen=True, slots=True)
class View:
    name: str
    title: str
    query: str
    scope: str = "builtin"  # builtin, personal, role
    role: str | None = None


# The five every helpdesk user knows, over open tickets.
BUILTIN_VIEWS: tuple[View, ...] = (
    View("my_open", "My open tickets", "kind:ticket is:active assignee:me"),
    View("unassigned", "Unassigned", "kind:ticket is:active assignee:none"),
    View("overdue", "Overdue (SLA at risk or breached)",
         "kind:ticket is:active sla:at_risk,breached"),
    View("high_priority", "High priority", "kind:ticket is:active priority:>=high"),
    View("all_open", "All open tickets", "kind:ticket is:active"),
)
BUILTIN_NAMES = frozenset(v.name for v in BUILTIN_VIEWS)
