"""`cockpit views|macros|customers`: the support desk from the shell, through the API."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cockpit.cli.errors import UsageError
from cockpit.cli.inbox import connect
from cockpit.config import Settings
from cockpit.output import duration, print_records, print_value

VIEW_COLUMNS = ("name", "title", "scope", "role", "count", "unread", "query")
MACRO_COLUMNS = ("name", "title", "scope", "role", "steps")


async def cmd_views(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        match args.views_command:
            case "list":
                views = await client.views()
                print_records([{**v, "id": v["name"]} for v in views], args.format,
                              VIEW_COLUMNS)
            case "add":
                made = await client.add_view(args.name, args.query, title=args.title,
                                             role=args.shared)
                print_value(made, args.format, ids=[made["name"]])
            case "rm":
                await client.remove_view(args.name)
    return 0


def _macro_from(args: argparse.Namespace) -> dict[str, Any]:
    """A macro from --file (JSON: {"title", "actions": [...]}) or from --step JSON objects."""
    if args.file:
        try:
            macro = json.loads(Path(args.file).read_text())
        except (OSError, ValueError) as exc:
            raise UsageError(f"--file: cannot read a macro from {args.file}: {exc}") from exc
        if not isinstance(macro, dict):
            raise UsageError("--file: a JSON object with \"actions\"")
    else:
        macro = {}
    steps = []
    for raw in args.step:
        try:
            steps.append(json.loads(raw))
        except ValueError as exc:
            raise UsageError(f"--step: not JSON: {raw!r}") from exc
    if steps:
        macro["actions"] = steps
    if not macro.get("actions"):
        raise UsageError("a macro needs steps: --step '{\"action\": \"close\"}' (repeatable) "
                         "or --file macro.json")
    macro.update(name=args.name, **({"title": args.title} if args.title else {}),
                 **({"scope": "role", "role": args.shared} if args.shared else {}))
    return macro


async def cmd_macros(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        match args.macros_command:
            case "list":
                found = await client.macros()
                rows = [{**m, "id": m["name"],
                         "steps": ", ".join(s["action"] for s in m["actions"])} for m in found]
                if args.format in ("json", "yaml"):
                    rows = found
                print_records(rows, args.format, MACRO_COLUMNS)
            case "add":
                made = await client.add_macro(_macro_from(args))
                print_value(made, args.format, ids=[made["name"]])
            case "rm":
                await client.remove_macro(args.name)
            case "preview":
                shown = await client.preview_macro(args.id, args.name)
                print_value(shown, args.format, ids=[shown["name"]])
    return 0


async def cmd_customers(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        card = await client.customer(args.id)
    if args.format != "table":
        print_value(card, args.format, ids=[card["id"]])
        return 0
    # the card's figures in words, then its last tickets as a table
    shown = {k: v for k, v in card.items() if k not in ("last_tickets",
                                                        "first_response_median_s")}
    shown.update({k: "yes" if v else "no" for k, v in shown.items() if isinstance(v, bool)},
                 first_response_median=duration(card.get("first_response_median_s")))
    print_value(shown, "table")
    if card.get("last_tickets"):
        print()
        print_records(card["last_tickets"], "table", ("id", "state", "title"))
    return 0
