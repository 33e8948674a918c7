"""Macros: an ordered list of ticket actions, run in one transaction (DESIGN.md, "Support
desk"). Reply and note bodies are templates (cockpit.domain.templates), rendered per ticket
at run time; a preview renders them and changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from cockpit.domain.roles import Principal
from cockpit.domain.templates import TemplateRefused, render, variables
from cockpit.server.errors import BadRequest, NotFound
from cockpit.server.saved import Saved
from cockpit.store.tables import macros as macros_table

MACROS = Saved(macros_table, "macro")
STEP_ACTIONS = ("reply", "note", "priority", "tag", "untag", "assign", "transfer", "close")
TEMPLATED = ("reply", "note")
MAX_STEPS = 20


def check_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps as stored; a step that could never run is a 400 naming it."""
    if not steps or len(steps) > MAX_STEPS:
        raise BadRequest(f"actions: 1 to {MAX_STEPS} steps")
    for n, step in enumerate(steps):
        if step.get("action") not in STEP_ACTIONS:
            raise BadRequest(f"actions[{n}].action: one of {', '.join(STEP_ACTIONS)}")
        if step["action"] in TEMPLATED:
            body = step.get("body_md")
            if not isinstance(body, str) or not body.strip():
                raise BadRequest(f"actions[{n}].body_md: a {step['action']} needs a template")
            try:  # syntax only: variables are known per ticket, at run time
                render(body, _EVERYTHING)
            except TemplateRefused as exc:
                if "undefined" not in str(exc) and "has no attribute" not in str(exc):
                    raise BadRequest(f"actions[{n}].body_md: {exc}") from exc
    return steps


# Every variable with a value: to check a template's syntax and variable names.
_EVERYTHING = variables(customer={"name": "A B", "email": "a@b"},
                        ticket={"id": 1, "title": "t", "priority": "normal"},
                        agent={"name": "a", "id": "a"})


def find(conn: Connection, user: Principal, name: str) -> dict[str, Any]:
    found = MACROS.find(conn, user, name)
    if found is None:
        raise NotFound(f"no macro named {name!r}")
    return found


def rendered_steps(macro: dict[str, Any], row: dict[str, Any], user: Principal,
                   overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The macro's steps for this ticket: templates rendered, then the agent's edits
    (`overrides`: step index -> parameters, taken as written) laid over them."""
    payload = row.get("payload") or {}
    context = variables(customer=payload.get("customer") if isinstance(
        payload.get("customer"), dict) else None, ticket=row,
        agent={"id": user.id, "name": user.id})
    steps = []
    for n, step in enumerate(macro["actions"]):
        params = {k: v for k, v in step.items() if k != "action"}
        edited = (overrides or {}).get(str(n))
        if isinstance(edited, dict):
            params.update(edited)
        elif step["action"] in TEMPLATED:
            try:
                params["body_md"] = render(params["body_md"], context)
            except TemplateRefused as exc:
                raise BadRequest(f"macro {macro['name']!r}, step {n + 1} "
                                 f"({step['action']}): {exc}") from exc
        steps.append({"action": step["action"], **params})
    return steps
