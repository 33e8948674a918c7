"""A report's main figure as a bar chart in the terminal (textual-plotext), one bar per row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual_plotext import PlotextPlot

from cockpit.tui.format import one_line
from cockpit.tui.report_view import (
    REPORT_LABELS,
    chart_scale,
    chart_series,
    figure_label,
)

LABEL_WIDTH = 14  # bar labels are cut to this: a long tag must not squeeze the bars


class ReportChart(PlotextPlot):
    DEFAULT_CSS = """
    ReportChart { height: 14; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.figure = ""

    def show(self, report: Mapping[str, Any] | None) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not report:
            plt.title("Loading…")
            self.refresh()
            return
        name = str(report.get("name", ""))
        figure, labels, values = chart_series(report)
        self.figure = figure
        divide, unit = chart_scale(name, figure)
        title = f"{REPORT_LABELS.get(name, name)}: {figure_label(figure)}"
        if unit:
            title += f" ({unit})"
        if not labels:
            plt.title(f"{title}: no data in this period")
        else:
            plt.bar([one_line(label, LABEL_WIDTH) for label in labels],
                    [round(v / divide, 1) for v in values])
            plt.title(title)
        self.refresh()
