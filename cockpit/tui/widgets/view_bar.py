"""The saved views as chips with their live counts, the shown one marked; `:` picks one.

Titles come from the server: they are drawn as plain text (Content), never parsed as markup,
and cut to one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.content import Content
from textual.widgets import Static

from cockpit.tui.format import one_line
from cockpit.tui.widgets.tab_bar import short_count


def chips(views: Sequence[dict[str, Any]], active: str, key: str) -> Content:
    """" My open 3 │ Unassigned 40 │ … · : views" with the shown view first and reversed
    (a narrow pane cuts the line at its right end)."""
    parts: list[tuple[str, str] | str] = []
    ordered = sorted(views, key=lambda v: v.get("name") != active)
    for view in ordered:
        if parts:
            parts.append(("│", "dim"))
        count = view.get("count")
        label = one_line(view.get("title") or view.get("name"), 24)
        text = f" {label} {short_count(count)} " if isinstance(count, int) else f" {label} "
        parts.append((text, "bold reverse" if view.get("name") == active else ""))
    if key:
        parts.append((f"  {key} views", "dim italic"))
    return Content.assemble(*parts)


class ViewBar(Static):
    """One line of chips; hidden until the server has listed the views."""

    DEFAULT_CSS = """
    ViewBar { height: 1; width: 1fr; overflow: hidden hidden; text-wrap: nowrap; }
    """

    def show_views(self, views: Sequence[dict[str, Any]], active: str, key: str) -> None:
        self.display = bool(views)
        self.update(chips(views, active, key))
