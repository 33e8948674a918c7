"""`:` picks a saved view (the built-ins, yours, your role's; each with its live count), or
runs what was typed as a query in the query language.

Dismisses with a `ViewChoice`, or None. View titles come from the server and are shown
literally (never as markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual.content import Content
from textual.widgets.option_list import Option

from cockpit.tui.format import one_line
from cockpit.tui.screens.picker import FilterPicker, picker_bindings

NO_VIEW = "\x00none"  # option ids: a view's name, or these (no view name holds a NUL)
AS_QUERY = "\x00query"
SCOPES = {"builtin": "built-in", "personal": "yours", "role": "shared"}


@dataclass(frozen=True)
class ViewChoice:
    view: str = ""  # "" : no saved view
    query: str | None = None  # a query typed instead (None: keep the current one)


def view_label(view: dict[str, Any], active: str) -> Content:
    """"Unassigned · 40 (12 unread) · built-in", "My open · 3 · yours · shown"."""
    title = one_line(view.get("title") or view.get("name"), 50)
    count, unread = view.get("count"), view.get("unread")
    text = title + (f" · {count:,}" if isinstance(count, int) else "")
    if isinstance(unread, int) and unread:
        text += f" ({unread:,} unread)"
    scope = SCOPES.get(view.get("scope", ""), "")
    if view.get("scope") == "role" and view.get("role"):
        scope = f"shared with {one_line(view['role'], 20)}"
    text += f" · {scope}" if scope else ""
    if view.get("name") == active:
        text += " · shown"
    return Content(text)


class ViewPicker(FilterPicker[ViewChoice]):
    PREFIX = "views"
    PLACEHOLDER = "a view's name, or a query (kind:ticket priority:>=high …)"
    HINT = "enter shows it · ↑↓ move · esc cancels"
    BINDINGS = picker_bindings("views")

    def __init__(self, views: Sequence[dict[str, Any]], *, active: str = "") -> None:
        super().__init__("Show a saved view, or type a query")
        self.views = [v for v in views if v.get("name")]
        self.active = active

    def options(self, wanted: str) -> list[Option]:
        typed = self.filter_box.value.strip() if self.is_mounted else ""
        options = [Option(view_label(v, self.active), id=str(v["name"])) for v in self.views
                   if wanted in str(v["name"]).casefold()
                   or wanted in str(v.get("title") or "").casefold()]
        if typed:
            options.append(Option(Content(f"Search: {one_line(typed, 70)}"), id=AS_QUERY))
        elif self.active:
            options.insert(0, Option(Content("No view: the whole tab"), id=NO_VIEW))
        return options

    def pick(self, option_id: str) -> ViewChoice:
        if option_id == AS_QUERY:
            return ViewChoice(self.active, self.filter_box.value.strip())
        if option_id == NO_VIEW:
            return ViewChoice("")
        return ViewChoice(option_id)
