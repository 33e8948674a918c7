"""Every key binding, read from the bindings themselves (so remapped keys show as remapped)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


@dataclass(frozen=True)
class HelpRow:
    section: str
    keys: str
    description: str
    binding_id: str
    available: bool = True


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="help.up"),
    ]

    def __init__(self, rows: Sequence[HelpRow]) -> None:
        super().__init__()
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys", id="help-title", markup=False)
            with VerticalScroll(id="help-scroll"):
                yield Static(self._table(), id="help-table")
            yield Static("Dimmed keys do not apply to the current item. Remap any key by its id "
                         "in keymap.toml. esc closes.", id="help-hint", markup=False)

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(no_wrap=True, min_width=12)
        table.add_column(ratio=1)
        table.add_column(no_wrap=True, style="dim")
        section = None
        for row in self.rows:
            if row.section != section:
                if section is not None:
                    table.add_row("", "", "")
                section = row.section
                table.add_row(Text(section, style="bold underline"), "", "")
            style = "" if row.available else "dim"
            table.add_row(Text(row.keys, style=f"bold {style}".strip()),
                          Text(row.description, style=style), Text(row.binding_id))
        return table

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)
