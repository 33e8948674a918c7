"""The Reports screen's rules, without Textual: the reports, periods and groupings to cycle
through, the dates a period stands for, figures as words, and the one figure a chart plots.

Report bodies come from `GET /reports/{name}` (DESIGN.md, "Agents, queues, routing, reports").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from cockpit.domain.reports import FIGURES
from cockpit.tui.describe import duration
from cockpit.tui.format import humanize_key

REPORTS = tuple(FIGURES)  # volume, first_response, response, resolution, sla, csat, aux
GROUPINGS = ("agent", "queue", "tag", "day")
PERIODS = ("today", "yesterday", "7d", "30d", "custom")
PERIOD_LABELS = {"today": "Today", "yesterday": "Yesterday", "7d": "Last 7 days",
                 "30d": "Last 30 days", "custom": "Custom"}
REPORT_LABELS = {"volume": "Volume", "first_response": "First response",
                 "response": "Next response", "resolution": "Resolution", "sla": "SLA",
                 "csat": "CSAT", "aux": "Aux time"}
# The figure each report's chart plots: the one a supervisor reads first.
CHARTED = {"volume": "created", "first_response": "median_s", "response": "median_s",
           "resolution": "median_s", "sla": "pct", "csat": "positive_pct", "aux": "available"}


def period_range(period: str, today: date,
                 custom: tuple[date, date] | None = None) -> tuple[date, date]:
    """(from, to) as days; the server counts `to` whole."""
    if period == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    if period == "7d":
        return today - timedelta(days=6), today
    if period == "30d":
        return today - timedelta(days=29), today
    if period == "custom" and custom is not None:
        return custom
    return today, today


def parse_custom(text: str) -> tuple[date, date]:
    """"2026-11-01 2026-11-30" (or "from..to", "from to") -> two days, the first not after."""
    parts = text.replace("..", " ").replace(",", " ").split()
    if len(parts) != 2:
        raise ValueError("two dates, from and to, e.g. 2026-11-01 2026-11-30")
    try:
        start, end = (date.fromisoformat(p) for p in parts)
    except ValueError as exc:
        raise ValueError(f"dates as YYYY-MM-DD ({exc})") from None
    if end < start:
        raise ValueError("the end comes before the start")
    return start, end


def figure_label(name: str) -> str:
    """"median_s" -> "Median", "first_response_pct" -> "First response %"."""
    if name.endswith("_pct"):
        return f"{humanize_key(name.removesuffix('_pct'))} %" if name != "pct" else "SLA %"
    if name.endswith("_s"):
        return humanize_key(name.removesuffix("_s"))
    return humanize_key(name)


def figure_text(report: str, name: str, value: Any) -> str:
    """A figure as a table shows it: times as durations, shares with %, none as —."""
    if value is None:
        return "—"
    if name.endswith("_s") or report == "aux":
        return duration(float(value)) if value else "0s"
    if name.endswith("pct") or name == "pct":
        return f"{float(value):.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def chart_series(report: Mapping[str, Any]) -> tuple[str, list[str], list[float]]:
    """(figure, row labels, values) for the chart: the report's charted figure per row,
    a row without a value plotted as 0."""
    name = str(report.get("name", ""))
    figure = CHARTED.get(name, "")
    figures = list(report.get("figures") or ())
    if figure not in figures and figures:
        figure = figures[0]
    labels: list[str] = []
    values: list[float] = []
    for row in report.get("rows") or ():
        labels.append(str(row.get("label", "")))
        value = (row.get("figures") or {}).get(figure)
        values.append(float(value) if isinstance(value, int | float) else 0.0)
    return figure, labels, values


def chart_scale(report: str, figure: str) -> tuple[float, str]:
    """Divide plotted values by this, and name the unit: minutes read better than seconds."""
    if figure.endswith("_s") or report == "aux":
        return 60.0, "minutes"
    if figure.endswith("pct"):
        return 1.0, "%"
    return 1.0, ""
