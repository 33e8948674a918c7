"""The customer's history at the top of a ticket: name, VIP and blocked flags, tickets,
CSAT, median first reply and the last tickets (GET /customers/{id}). Shown literally."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.widgets import Static

from cockpit.tui.describe import customer_facts

FLAG_STYLES = {"VIP": "bold reverse", "blocked": "bold reverse red"}


class CustomerCard(Static):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)

    def show(self, card: Mapping[str, Any] | None, *, name: str = "",
             current: int | None = None) -> None:
        """The card, or (before it is loaded, or when it cannot be) the customer's name."""
        if card is None:
            self.update(Text(name or "customer", style="bold"))
            self.border_subtitle = "loading history…" if name else ""
            return
        facts = customer_facts(card, current)
        text = Text(facts.name, style="bold")
        for flag in facts.flags:
            text.append("  ")
            text.append(f" {flag} ", style=FLAG_STYLES.get(flag, "bold"))
        text.append("\n" + facts.figures)
        for line in facts.last:
            text.append("\n" + line, style="dim")
        self.update(text)
        self.border_subtitle = ""
