"""The Reports screen: pick the report, the period and the grouping with keys; its main figure
as a chart, every figure in a table; `enter` on a cell drills down to the tickets behind it
(that figure's tickets where the report names them, else the row's)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from cockpit.client import CockpitClient
from cockpit.tui.floor_effects import FloorEffects
from cockpit.tui.format import one_line, plural, utcnow
from cockpit.tui.messages import ReportLoaded
from cockpit.tui.report_view import (
    GROUPINGS,
    PERIOD_LABELS,
    PERIODS,
    REPORT_LABELS,
    REPORTS,
    figure_label,
    figure_text,
    parse_custom,
    period_range,
)
from cockpit.tui.roster import next_in
from cockpit.tui.screens.drill import DrillScreen
from cockpit.tui.screens.page import PageScreen
from cockpit.tui.screens.prompt import PromptScreen
from cockpit.tui.widgets.footer import FittingFooter

Key = tuple[str, str, str, str]  # report, from, to, by


class ReportsScreen(PageScreen):
    CSS_PATH = "reports.tcss"
    page = "reports"
    TITLE_TEXT = "Reports"
    BINDINGS = [
        Binding("r", "report(1)", "Report", id="reports.next"),
        Binding("R", "report(-1)", "Previous report", show=False, id="reports.previous"),
        Binding("p", "period", "Period", id="reports.period"),
        Binding("d", "dates", "Dates…", id="reports.dates"),
        Binding("g", "grouping", "Group by", id="reports.grouping"),
        Binding("j", "move(1)", "Down", show=False, id="reports.down"),
        Binding("k", "move(-1)", "Up", show=False, id="reports.up"),
        Binding("escape", "page('inbox')", "Back", show=False, id="reports.back"),
    ]

    def __init__(self, client: CockpitClient) -> None:
        super().__init__(id="reports-screen")
        self.client = client
        self.effects = FloorEffects(self, client)
        self.report_name = "volume"
        self.period = "7d"
        self.custom: tuple[date, date] | None = None
        self.by = "agent"
        self.report: dict[str, Any] | None = None
        self.wanted: Key | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="reports-title", markup=False)
        # plotext is imported when the Reports screen is first built, not when the app starts
        from cockpit.tui.widgets.report_chart import ReportChart

        yield ReportChart(id="reports-chart")
        yield DataTable(id="reports-table", cursor_type="cell", zebra_stripes=True)
        yield Static("", id="reports-hint", markup=False)
        yield FittingFooter(droppable=("dates", "page('agents')", "page('inbox')"))

    @property
    def table(self) -> DataTable:
        return self.query_one("#reports-table", DataTable)

    def today(self) -> date:
        clock = getattr(self.app, "now", utcnow)
        return clock().date()

    def on_mount(self) -> None:
        self.table.focus()

    def on_screen_resume(self) -> None:
        self.load()

    # -- loading ---------------------------------------------------------------------------

    def key(self) -> Key:
        start, end = period_range(self.period, self.today(), self.custom)
        return self.report_name, start.isoformat(), end.isoformat(), self.by

    def load(self) -> None:
        self.wanted = self.key()
        self._show_title("loading…")
        self.effects.report(self.wanted)

    def on_report_loaded(self, message: ReportLoaded) -> None:
        if message.key != self.wanted:
            return  # an answer to an earlier choice
        self.report = message.report
        self.query_one("#reports-chart").show(self.report)
        self._fill_table()
        rows = len(self.report.get("rows") or ())
        self._show_title(plural(rows, "row"))

    def _show_title(self, note: str) -> None:
        name, start, end, by = self.key()
        span = start if start == end else f"{start} – {end}"
        text = (f"{REPORT_LABELS.get(name, name)} · {PERIOD_LABELS[self.period]} ({span}) · "
                f"by {by} · {note}")
        self.query_one("#reports-title", Static).update(text)

    def _fill_table(self) -> None:
        report = self.report or {}
        name = str(report.get("name", ""))
        figures = [str(f) for f in report.get("figures") or ()]
        table = self.table
        keep = table.cursor_coordinate
        table.clear(columns=True)
        table.add_column(self.by.title(), key="label")
        for figure in figures:
            table.add_column(figure_label(figure), key=figure)
        table.add_column("Tickets", key="tickets")
        for row in [*(report.get("rows") or ()), report.get("total")]:
            if not row:
                continue
            total = row is report.get("total")
            style = "bold" if total else ""
            values = row.get("figures") or {}
            label = "Total" if total else one_line(row.get("label", ""), 30)
            table.add_row(Text(label, style=style),
                          *(Text(figure_text(name, f, values.get(f)), style=style,
                                 justify="right") for f in figures),
                          Text(str(len(row.get("ticket_ids") or ())), style=style,
                               justify="right"))
        if table.row_count:
            table.move_cursor(row=min(keep.row, table.row_count - 1),
                              column=min(keep.column, len(figures) + 1), animate=False)
        self.query_one("#reports-hint", Static).update(
            "enter on a figure lists the tickets behind it · ←→ figures · ↑↓ rows")

    # -- choosing --------------------------------------------------------------------------

    def action_report(self, step: int) -> None:
        index = REPORTS.index(self.report_name)
        self.report_name = REPORTS[(index + step) % len(REPORTS)]
        if self.report_name == "aux" and self.by == "tag":
            self.by = "agent"  # aux time is by agent, queue or day
        self.load()

    def action_period(self) -> None:
        self.period = next_in(PERIODS, self.period)
        if self.period == "custom" and self.custom is None:
            self.action_dates()
            return
        self.load()

    def action_dates(self) -> None:
        start, end = period_range(self.period, self.today(), self.custom)

        def answered(text: str | None) -> None:
            if text is None:
                if self.period == "custom" and self.custom is None:
                    self.period = PERIODS[0]
                    self.load()
                return
            try:
                self.custom = parse_custom(text)
            except ValueError as exc:
                self.notify(f"Dates: {exc}", severity="error", markup=False)
                return
            self.period = "custom"
            self.load()

        self.app.push_screen(PromptScreen("Report from and to (both days included):",
                                          value=f"{start.isoformat()} {end.isoformat()}"),
                             answered)

    def action_grouping(self) -> None:
        groupings = [g for g in GROUPINGS if not (self.report_name == "aux" and g == "tag")]
        self.by = next_in(groupings, self.by)
        self.load()

    def action_move(self, step: int) -> None:
        if step > 0:
            self.table.action_cursor_down()
        else:
            self.table.action_cursor_up()

    # -- drilling down ---------------------------------------------------------------------

    def drill_target(self, row: int, column: int) -> tuple[str, list[int]] | None:
        """(what, ticket ids) behind the cell at (row, column): the figure's own tickets
        when the report names them, else the row's."""
        report = self.report or {}
        rows = [*(report.get("rows") or ()), report.get("total")]
        if not 0 <= row < len(rows) or not rows[row]:
            return None
        chosen = rows[row]
        label = "Total" if chosen is report.get("total") else one_line(chosen.get("label"), 40)
        figures = [str(f) for f in report.get("figures") or ()]
        figure = figures[column - 1] if 1 <= column <= len(figures) else None
        drill = chosen.get("drill") or {}
        if figure is not None and figure in drill:
            return f"{label}: {figure_label(figure)}", list(drill[figure])
        return label, list(chosen.get("ticket_ids") or ())

    @on(DataTable.CellSelected, "#reports-table")
    def _drill(self, event: DataTable.CellSelected) -> None:
        event.stop()
        target = self.drill_target(event.coordinate.row, event.coordinate.column)
        if target is None:
            return
        what, ids = target
        name = REPORT_LABELS.get(self.report_name, self.report_name)
        if not ids:
            self.notify(f"No tickets behind {what}" + (
                " (aux time is about agents, not tickets)" if self.report_name == "aux"
                else "."), markup=False, timeout=3)
            return
        self.app.push_screen(DrillScreen(self.client, f"{name} · {what}", ids))
