"""CLI output in four formats: a table for people, json and yaml for scripts, quiet for ids.

Rich, PyYAML and the sanitiser are imported by the functions that draw with them, so a command
that prints nothing of the kind (or `--help`) never pays for them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from cockpit.domain.models import Item

FORMATS = ("table", "json", "yaml", "quiet")


def ago(when: datetime, now: datetime | None = None) -> str:
    """'5m', '3h', '2d' for the past; 'in 5m' for the future; 'now' within ten seconds."""
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    if abs(seconds) < 10:
        return "now"
    size, unit = next((s, u) for s, u in ((86400, "d"), (3600, "h"), (60, "m"), (1, "s"))
                      if abs(seconds) >= s)
    amount = f"{abs(seconds) // size}{unit}"
    return amount if seconds > 0 else f"in {amount}"


def _neutralise(text: str, *, keep_newlines: bool = True) -> str:
    from cockpit.domain.neutralise import neutralise

    return neutralise(text, keep_newlines=keep_newlines)


def _inert(text: str, *, keep_newlines: bool = False) -> Text:
    """Untrusted text for the terminal: a Text is never parsed as markup, and nothing in it
    can reach the terminal as a control sequence."""
    from rich.text import Text

    return Text(_neutralise(text, keep_newlines=keep_newlines))


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def state_word(item: Item) -> str:
    """The STATE column, in the app's words: unread, read, resolved, or archived."""
    return "archived" if item.is_archived else str(item.state)


def outcome_word(item: Item) -> str:
    """The ACTION column: how a resolved item was resolved (approved, denied, dismissed...)."""
    if item.state != "resolved" or item.is_archived:
        return ""
    return item.resolved_action or ""


def print_items(items: Sequence[Item], fmt: str) -> None:
    """Items as a table, or (json, yaml) always an array, or (quiet) their ids."""
    if fmt == "quiet":
        for item in items:
            print(item.id)
        return
    if fmt in ("json", "yaml"):
        _dump([i.model_dump(mode="json") for i in items], fmt)
        return
    from rich.table import Table

    outcomes = any(outcome_word(i) for i in items)
    headers = ["ID", "STATE", *(["ACTION"] if outcomes else []), "KIND", "PRI", "TITLE",
               "FROM", "AGE"]
    rows = []
    for item in items:
        cells = [str(item.id), state_word(item), *([outcome_word(item)] if outcomes else []),
                 item.kind, item.priority.value, item.title, item.sender.name,
                 ago(item.created_at)]
        rows.append([_inert(c) for c in cells])
    widths = [max([len(h), *(len(row[n]) for row in rows)]) for n, h in enumerate(headers)]
    title, sender = headers.index("TITLE"), headers.index("FROM")
    widths[sender] = min(widths[sender], 16)
    if outcomes:
        widths[headers.index("ACTION")] = min(widths[headers.index("ACTION")], 12)
    console = _console()
    # The title gets what the other columns leave (two spaces between columns).
    widths[title] = max(10, console.width - (sum(widths) - widths[title])
                        - 2 * (len(headers) - 1))
    table = Table(box=None, pad_edge=False, header_style="bold")
    for header, width in zip(headers, widths, strict=True):
        table.add_column(header, no_wrap=True, overflow="ellipsis", width=width)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def print_item(item: Item, fmt: str, *, timeline: Sequence[dict[str, Any]] = ()) -> None:
    """One item whole: json/yaml one object (the item as the API serves it); a table of
    everything about it, with a ticket's `timeline` (replies, internal notes, changes);
    quiet its id."""
    if fmt == "quiet":
        print(item.id)
        return
    if fmt in ("json", "yaml"):
        _dump(item.model_dump(mode="json"), fmt)
        return
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    now = datetime.now(UTC)
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    for label, value in _facts(item, now):
        facts.add_row(label, _inert(value))
    parts: list[Any] = [Text.assemble((f"#{item.id}  ", "bold"),
                                      (_neutralise(item.title, keep_newlines=False), "bold")),
                        facts]
    body = item.body_md.strip("\n")
    if body.strip():
        parts += [Text("\nBody", style="bold underline"), _inert(body, keep_newlines=True)]
    context = list(_context_rows(item.payload))
    if context:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="dim", max_width=40, overflow="fold")
        grid.add_column(overflow="fold")
        for key, value in context:
            grid.add_row(_inert(key), _inert(value, keep_newlines=True))
        parts += [Text("\nContext", style="bold underline"), grid]
    notes = item.payload.get("notes")
    if isinstance(notes, list) and notes:
        parts.append(Text(f"\nNotes ({len(notes)})", style="bold underline"))
        for note in notes:
            head, text = _note(note, now)
            parts += [Text.assemble(("internal note", "italic"), " · ", _inert(head)),
                      _inert(text, keep_newlines=True)]
    if timeline:
        parts.append(Text(f"\nTimeline ({len(timeline)})", style="bold underline"))
        for entry in timeline:
            word, head, text = _entry(entry, now)
            parts.append(Text.assemble((word, "italic"), " · ", _inert(head)))
            if text:
                parts.append(_inert(text, keep_newlines=True))
    parts.append(Text.assemble(("\nActions  ", "bold"),
                               _inert(", ".join(item.actions) if item.actions
                                      else "none you may run now")))
    _console().print(Group(*parts))


def _when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return ""
    local = value.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''} ({_relative(value, now)})".replace(
        "  (", " (")


def _relative(value: datetime, now: datetime) -> str:
    word = ago(value, now)
    return word if word == "now" or word.startswith("in ") else f"{word} ago"


def _facts(item: Item, now: datetime) -> Iterable[tuple[str, str]]:
    """The label/value rows at the top of `inbox get`, in the app's words."""
    if item.state == "resolved":
        verb = "archived" if item.is_archived else f"resolved · {item.resolved_action or '?'}"
        state = verb + (f" by {item.resolved_by}" if item.resolved_by else "")
    else:
        state = str(item.state)
    extras = [item.priority.value + " priority"] if item.priority.value != "normal" else []
    if item.blocking:
        extras.append("blocking")
    yield "State", " · ".join([state, *extras])
    yield "Kind", item.kind
    yield "From", f"{item.sender.name} ({item.sender.type.value} {item.sender.id})"
    if item.target_user_id:
        yield "For", f"{item.target_user_id} alone"
    elif item.target_role:
        yield "For", f"{item.target_role}s and above"
    else:
        yield "For", "everyone"
    if item.assignee_id:
        yield "Assignee", item.assignee_id
    if item.tags:
        yield "Tags", ", ".join(item.tags)
    yield "Created", _when(item.created_at, now)
    if item.updated_at != item.created_at:
        yield "Updated", _when(item.updated_at, now)
    if item.read_at:
        yield "Read", _when(item.read_at, now)
    if item.resolved_at:
        yield "Resolved", _when(item.resolved_at, now)
    yield "Source", item.source_id


def _context_rows(payload: dict[str, Any], prefix: str = "") -> Iterable[tuple[str, str]]:
    """The payload as dotted key/value rows (notes are shown on their own). Values are as the
    server sent them: credentials arrive masked unless `--reveal`."""
    for key, value in payload.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if not prefix and key == "notes":
            continue
        if isinstance(value, dict) and value:
            yield from _context_rows(value, path)
        else:
            yield path, _time(value) or _show(value)


def _time(value: Any) -> str | None:
    """A payload time (`timeout_at`, `sla_due_at`) as people read it, like the app does."""
    if not isinstance(value, str) or len(value) < 16 or not value[:4].isdigit() \
            or value[10:11] not in ("T", " "):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return _when(when if when.tzinfo else when.replace(tzinfo=UTC), datetime.now(UTC))


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value) if value else "—"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _note(note: Any, now: datetime) -> tuple[str, str]:
    """(author · time, text) of one entry of payload.notes."""
    if not isinstance(note, dict):
        return "", _show(note)
    head = [str(note.get("by") or "someone")]
    at = note.get("at")
    if isinstance(at, str):
        try:
            head.append(_when(datetime.fromisoformat(at.replace("Z", "+00:00")), now))
        except ValueError:
            head.append(at)
    return " · ".join(head), _show(note.get("text", ""))


_ENTRY_WORDS = {"note": "internal note", "reply": "reply", "customer_message": "customer"}


def _entry(entry: dict[str, Any], now: datetime) -> tuple[str, str, str]:
    """(what, author · time, text) of one timeline entry; an internal one says so."""
    kind = str(entry.get("type") or "entry")
    word = _ENTRY_WORDS.get(kind, kind)
    if entry.get("internal") and "internal" not in word:
        word = f"internal {word}"
    head, _ = _note({"by": entry.get("author"), "at": entry.get("at")}, now)
    text = entry.get("body_md") or ""
    data = entry.get("data") or {}
    if not text and data:
        text = ", ".join(f"{k}: {_show(v)}" for k, v in data.items())
    return word, head, str(text)


def print_value(value: dict[str, Any], fmt: str, *, ids: Sequence[str] = (),
                quiet: Sequence[str] | None = None) -> None:
    """A small result: json/yaml as it is, `key: value` lines, or (quiet) `ids` or `quiet`."""
    if fmt == "quiet":
        lines = quiet if quiet is not None else (ids or [str(v) for v in value.values()])
        for line in lines:
            print(line)
        return
    if fmt in ("json", "yaml"):
        _dump(value, fmt)
        return
    # plain lines: a count or a bulk summary needs no table (nor Rich's start-up)
    for key, val in value.items():
        if isinstance(val, (list, dict)):
            val = json.dumps(val, ensure_ascii=False)
        shown = _neutralise(val, keep_newlines=False) if isinstance(val, str) else val
        print(f"{key}: {shown}")


def _inert_data(data: Any) -> Any:
    """Every string (and key) neutralised: JSON would escape a control character as \\u001b,
    and `jq -r` would turn it back into a raw one on the terminal."""
    if isinstance(data, str):
        return _neutralise(data)
    if isinstance(data, dict):
        return {_inert_data(k): _inert_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_inert_data(v) for v in data]
    return data


def _yaml_dumper():
    """A safe dumper that writes a multi-line string as a literal block (`|`), as written."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
        style = "|" if "\n" in data else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    Dumper.add_representer(str, text)
    return Dumper


def _dump(data: Any, fmt: str) -> None:
    data = _inert_data(data)
    if fmt == "json":
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        import yaml

        # width: never fold a long line, so a body reads as it was written
        yaml.dump(data, sys.stdout, Dumper=_yaml_dumper(), sort_keys=False, allow_unicode=True,
                  width=2**31 - 1)


AUDIT_COLUMNS = ("id", "at", "actor", "origin", "action", "item_id", "result", "detail",
                 "latency_ms")
OUTBOX_COLUMNS = ("id", "item_id", "url", "attempts", "next_attempt_at", "delivered_at",
                  "last_error")
# Columns that hold prose or long values: they wrap between words and share the spare width
# (by these weights); every other column keeps its values whole on one line.
_WRAPPING = {"detail": 4, "last_error": 4, "url": 2, "actor": 1, "skills": 2, "queues": 1,
             "title": 2, "query": 3, "agents": 2}
_NUMERIC = frozenset({"id", "item_id", "attempts", "latency_ms", "count", "unread"})
_HEADERS = {"latency_ms": "LATENCY", "item_id": "ITEM", "next_attempt_at": "NEXT",
            "delivered_at": "DELIVERED", "last_error": "LAST ERROR", "aux_code": "AUX",
            "skill_timeout": "SKILL TIMEOUT"}
# Left out of the table on a terminal narrower than this (json and yaml keep everything).
_WIDE_ONLY = {"latency_ms": 110, "origin": 100}


def print_records(records: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str]) -> None:
    """Journal, outbox or user rows: json/yaml as they are, a table of `columns`, or ids.

    Long values (a detail, an error, a URL) wrap onto more lines between words, and a word
    longer than its column folds: nothing is cut off. On a narrow terminal the latency and
    origin columns give way to them."""
    if fmt == "quiet":
        for record in records:
            print(record["id"])
        return
    if fmt in ("json", "yaml"):
        _dump(list(records), fmt)
        return
    from rich.table import Table

    console = _console()
    shown = [c for c in columns if console.width >= _WIDE_ONLY.get(c, 0)]
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in shown:
        header = _HEADERS.get(column, column.upper())
        numeric = column in _NUMERIC and all(
            isinstance(r.get(column), (int, float, type(None))) for r in records)
        justify = "right" if numeric else "left"
        if column in _WRAPPING:
            table.add_column(header, overflow="fold", ratio=_WRAPPING[column], justify=justify)
        else:
            table.add_column(header, no_wrap=True, justify=justify)
    for record in records:
        cells = []
        for column in shown:
            text = _cell(column, record.get(column))
            if column == "actor" and "origin" in columns and "origin" not in shown:
                text = f"{text} ({record.get('origin')})" if record.get("origin") else text
            cells.append(_inert(text, keep_newlines=True))
        table.add_row(*cells)
    console.print(table)


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "latency_ms" and isinstance(value, (int, float)):
        return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"
    if isinstance(value, str) and value[:4].isdigit() and "T" in value:
        try:
            return ago(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


# -- reports ----------------------------------------------------------------------------------

def duration(seconds: float | None) -> str:
    """'42s', '4m 12s', '3h 05m', '2d 4h'; '—' for no value."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    if whole < 86400:
        return f"{whole // 3600}h {whole % 3600 // 60:02d}m"
    return f"{whole // 86400}d {whole % 86400 // 3600}h"


def _figure(report: str, name: str, value: Any) -> str:
    """One report figure with its unit: durations, percentages, a mean rating, counts."""
    if value is None:
        return "—"
    if report == "aux" or name.endswith("_s"):
        return duration(value)
    if name.endswith("pct"):
        return f"{value:.1f} %"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _sla_cell(figures: dict[str, Any], target: str) -> str:
    """'87.5 % 7/8': achieved, of the targets that were settled."""
    prefix = f"{target}_" if target else ""
    ok, bad = figures.get(f"{prefix}achieved") or 0, figures.get(f"{prefix}breached") or 0
    return _figure("sla", "pct", figures.get(f"{prefix}pct")) + f" {ok}/{ok + bad}"


def _table_columns(report: dict[str, Any]) -> list[tuple[str, Any]]:
    """(header, figures -> cell) for each column of a report's table; SLA shows each target
    as one cell, so its twelve figures fit a terminal."""
    if report["name"] == "sla":
        targets = ("first_response", "next_response", "resolution", "")
        return [((t or "all").replace("_", " ").upper(),
                 lambda f, t=t: _sla_cell(f, t)) for t in targets]
    if report["name"] == "aux":  # the statuses, then the time in each aux code as text
        statuses, codes = report["figures"][:4], report["figures"][4:]
        return [*((s.upper(), lambda f, s=s: duration(f.get(s))) for s in statuses),
                ("AUX CODES", lambda f: ", ".join(f"{c} {duration(f[c])}" for c in codes
                                                  if f.get(c)))]
    return [(name.removesuffix("_s").replace("_", " ").upper(),
             lambda f, name=name: _figure(report["name"], name, f.get(name)))
            for name in report["figures"]]


def _report_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows, then the total (the only row of a report not split by anything)."""
    total = {**report["total"], "label": "total"}
    return [*report["rows"], total] if report["rows"] else [total]


def print_report(report: dict[str, Any], fmt: str) -> None:
    """A report (GET /reports/NAME): json/yaml as served; csv one line per row with the
    figures as columns and the ticket ids; a table with units, its total last."""
    if fmt in ("json", "yaml"):
        _dump(report, fmt)
        return
    figures, first = report["figures"], report["by"] or "row"
    rows = _report_rows(report)
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([first, *figures, "ticket_ids"])
        for row in rows:
            writer.writerow([_neutralise(row["label"], keep_newlines=False),
                             *("" if row["figures"].get(f) is None else row["figures"][f]
                               for f in figures),
                             " ".join(str(i) for i in row["ticket_ids"])])
        return
    from rich.table import Table

    start, end = (str(report[k])[:16].replace("T", " ") for k in ("from", "to"))
    console = _console()
    console.print(f"{report['name']}  {start} → {end} UTC", style="bold", highlight=False)
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column(first.upper(), no_wrap=True)
    columns = _table_columns(report)
    for header, _cell_of in columns:
        if header == "AUX CODES":
            table.add_column(header, overflow="fold", ratio=1)
        else:
            table.add_column(header, justify="right", no_wrap=True)
    tickets = report["name"] != "aux"  # time in a status is about agents, not tickets
    if tickets:
        table.add_column("TICKETS", justify="right")
    for n, row in enumerate(rows):
        style = "bold" if n == len(rows) - 1 else None
        table.add_row(_inert(row["label"]), *(cell(row["figures"]) for _h, cell in columns),
                      *([str(len(row["ticket_ids"]))] if tickets else []), style=style)
    console.print(table)
