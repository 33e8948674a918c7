"""`cockpit agents|aux-codes|queues`: the support floor from the shell, through the API (or the
in-process server on the local database when no server is configured)."""

from __future__ import annotations

import argparse
from typing import Any

from cockpit.cli.errors import UsageError
from cockpit.cli.inbox import connect
from cockpit.config import Settings
from cockpit.output import print_records, print_report

AGENT_COLUMNS = ("id", "status", "since", "aux_code", "load", "skills", "queues")
QUEUE_COLUMNS = ("name", "skills", "skill_timeout", "agents")


def _agent_row(agent: dict[str, Any]) -> dict[str, Any]:
    """An agent as the table shows them: load against capacity, skills with their levels."""
    skills = sorted(agent["skills"].items(), key=lambda kv: (-kv[1], kv[0]))
    status = agent["status"]
    if agent.get("stated_status") not in (None, status):
        status = f"{status} (full)"
    return {"id": agent["id"], "status": status, "since": agent["status_since"],
            "aux_code": agent["aux_code"], "load": f"{agent['active']}/{agent['capacity']}",
            "skills": ", ".join(f"{name} {level}" for name, level in skills),
            "queues": ", ".join(agent["queues"])}


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if args.status is not None:
        fields["status"] = args.status
    if args.aux_code is not None:
        fields["aux_code"] = args.aux_code
    if args.capacity is not None:
        fields["capacity"] = args.capacity
    if args.skill is not None:
        fields["skills"] = dict(args.skill)
    if args.queue is not None:
        fields["queues"] = list(dict.fromkeys(args.queue))
    if not fields:
        raise UsageError("agents set: nothing to set; give --status, --aux-code, --capacity, "
                         "--skill or --queue")
    return fields


def _print_agents(agents: list[dict[str, Any]], fmt: str) -> None:
    rows = agents if fmt in ("json", "yaml") else [_agent_row(a) for a in agents]
    print_records(rows, fmt, AGENT_COLUMNS)


async def cmd_agents(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        match args.agents_command:
            case "list":
                _print_agents(await client.agents(status=args.status, queue=args.queue),
                              args.format)
            case "set":
                _print_agents([await client.patch_agent(args.id, **_changes(args))],
                              args.format)
    return 0


async def cmd_aux_codes(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        codes = await client.aux_codes()
    rows = [{"id": c["code"]} for c in codes] if args.format == "quiet" else codes
    print_records(rows, args.format, ("code", "status"))
    return 0


def _queue_row(queue: dict[str, Any]) -> dict[str, Any]:
    return {"id": queue["name"], "name": queue["name"], "skills": ", ".join(queue["skills"]),
            "skill_timeout": f"{queue['skill_timeout_s']} s",
            "agents": ", ".join(queue["agents"])}


async def cmd_queues(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        match args.queues_command:
            case "list":
                found = await client.queues()
            case "add":
                found = [await client.put_queue(args.name, skills=args.skill,
                                                skill_timeout_s=args.skill_timeout)]
    rows = found if args.format in ("json", "yaml") else [_queue_row(q) for q in found]
    if args.format == "quiet":
        rows = [{"id": q["name"]} for q in found]
    print_records(rows, args.format, QUEUE_COLUMNS)
    return 0


async def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    async with connect(settings) as client:
        found = await client.report(args.name, start=args.start, end=args.end, by=args.by)
    print_report(found, args.format)
    return 0
