"""The Inbox / Unread / Archived tabs with live counts. Keys 1-3 switch; it never takes focus."""

from __future__ import annotations

from textual.widgets import Tab, Tabs

from cockpit.tui.view_names import TABS


def short_count(count: int) -> str:
    """"42", "1.2k", "12k": a tab label keeps its width while counts grow."""
    if count < 1000:
        return str(count)
    if count < 10_000:
        return f"{count / 1000:.1f}k"
    return f"{count // 1000}k"


class TabBar(Tabs, can_focus=False):
    # A minimum width per tab: the underline stays put while the counts in the labels change.
    DEFAULT_CSS = """
    TabBar Tab { min-width: 13; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(*(Tab(label, id=tab) for tab, (label, _s, _c) in TABS.items()), id=id)

    def set_counts(self, counts: dict[str, int]) -> None:
        for tab, (label, _state, key) in TABS.items():
            count = counts.get(key)
            text = label if count is None else f"{label} {short_count(count)}"
            widget = self.get_tab(tab)
            if widget is not None and widget.label_text != text:
                widget.label = text
