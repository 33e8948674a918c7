"""CLI output in four formats: a table for people, json and yaml for scripts, quiet for ids."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cockpit.domain.models import Item
from cockpit.domain.sanitize import neutralise

FORMATS = ("table", "json", "yaml", "quiet")


def _plain(item: Item) -> dict[str, Any]:
    return item.model_dump(mode="json")


def ago(when: datetime, now: datetime | None = None) -> str:
    """'5m', '3h', '2d' for the past; 'in 5m' for the future; 'now' within ten seconds."""
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    if abs(seconds) < 10:
        return "now"
    size, unit = next((s, u) for s, u in ((86400, "d"), (3600, "h"), (60, "m"), (1, "s"))
                      if abs(seconds) >= s)
    amount = f"{abs(seconds) // size}{unit}"
    return amount if seconds > 0 else f"in {amount}"


def _inert(text: str) -> Text:
    """Untrusted text for the terminal: never markup, never a control sequence."""
    return Text(neutralise(text, keep_newlines=False))


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def print_items(items: Sequence[Item], fmt: str) -> None:
    """Items as a table, or (json, yaml) always an array, or (quiet) their ids."""
    if fmt == "quiet":
        for item in items:
            print(item.id)
        return
    if fmt in ("json", "yaml"):
        _dump([_plain(i) for i in items], fmt)
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    rows = []
    for item in items:
        state = item.resolved_action if item.state == "resolved" else item.state
        rows.append((str(item.id), _inert(state or ""), _inert(item.kind), item.priority.value,
                     _inert(item.title), _inert(item.sender.name), ago(item.created_at)))
    headers = ("ID", "STATE", "KIND", "PRI", "TITLE", "FROM", "AGE")
    widths = [max([len(h), *(len(str(row[n])) for row in rows)]) for n, h in enumerate(headers)]
    widths[5] = min(widths[5], 16)
    console = _console()
    # The title gets what the other columns leave (two spaces between columns).
    widths[4] = max(10, console.width - (sum(widths) - widths[4]) - 2 * (len(headers) - 1))
    for header, width in zip(headers, widths, strict=True):
        table.add_column(header, no_wrap=True, overflow="ellipsis", width=width)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def print_value(value: dict[str, Any], fmt: str, *, ids: Sequence[str] = ()) -> None:
    if fmt == "quiet":
        for line in ids or [str(v) for v in value.values()]:
            print(line)
        return
    if fmt in ("json", "yaml"):
        _dump(value, fmt)
        return
    console = _console()
    for key, val in value.items():
        shown = json.dumps(val) if isinstance(val, (list, dict)) else str(val)
        console.print(Text(f"{key}: ", style="bold") + _inert(shown))


def _inert_data(data: Any) -> Any:
    """Every string (and key) neutralised: JSON would escape a control character as \\u001b,
    and `jq -r` would turn it back into a raw one on the terminal."""
    if isinstance(data, str):
        return neutralise(data)
    if isinstance(data, dict):
        return {_inert_data(k): _inert_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_inert_data(v) for v in data]
    return data


def _dump(data: Any, fmt: str) -> None:
    data = _inert_data(data)
    if fmt == "json":
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        yaml.safe_dump(data, sys.stdout, sort_keys=False, allow_unicode=True)


AUDIT_COLUMNS = ("id", "at", "actor", "origin", "action", "item_id", "result", "detail",
                 "latency_ms")
OUTBOX_COLUMNS = ("id", "item_id", "url", "attempts", "next_attempt_at", "delivered_at",
                  "last_error")


def print_records(records: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str]) -> None:
    """Journal or outbox rows: json/yaml as they are, a table of `columns`, or ids."""
    if fmt == "quiet":
        for record in records:
            print(record["id"])
        return
    if fmt in ("json", "yaml"):
        _dump(list(records), fmt)
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in columns:
        wraps = column in ("detail", "url", "last_error")
        table.add_column(column.upper(), overflow="fold", no_wrap=not wraps,
                         ratio=1 if wraps else None)
    for record in records:
        table.add_row(*(_inert(_cell(record.get(c))) for c in columns))
    _console().print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value[:4].isdigit() and "T" in value:
        try:
            return ago(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)
