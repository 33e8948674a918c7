"""Reply and note templates for macros: a fixed set of named variables, fallbacks, and no
way to send raw braces (DESIGN.md, "Support desk"). Pure.

    Hi {{ customer.first_name | default("there") }}, about ticket #{{ ticket.id }} ...

Rendered by Jinja2's sandbox with strict undefined: a variable that is unknown, or empty,
without a `| default(...)` fallback refuses the render (TemplateRefused), so a customer
never receives `{{ customer.name }}`. Values are inserted as text: a customer's name
containing `{{ ... }}` is printed as written, never evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                            keep_trailing_newline=False)
MAX_TEMPLATE = 20_000

# The variables a template may name, as documented for agents.
VARIABLES = ("customer.name", "customer.first_name", "customer.email", "ticket.id",
             "ticket.title", "ticket.priority", "agent.name", "agent.id")


class TemplateRefused(ValueError):
    """The template cannot be sent as it stands: the message says why."""


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    """Only non-empty values: an empty one is as missing as an unknown one."""
    return {k: v for k, v in values.items()
            if v is not None and not (isinstance(v, str) and not v.strip())}


def variables(*, customer: Mapping[str, Any] | None, ticket: Mapping[str, Any],
              agent: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The template context for one ticket and agent."""
    customer = dict(customer or {})
    name = str(customer.get("name") or "").strip()
    return {
        "customer": _present({"name": name, "first_name": name.split()[0] if name else "",
                              "email": customer.get("email")}),
        "ticket": _present({"id": ticket.get("id"), "title": ticket.get("title"),
                            "priority": ticket.get("priority")}),
        "agent": _present({"name": agent.get("name"), "id": agent.get("id")}),
    }


# A template prints variables, with fallbacks: no loops, calls, tests or arithmetic, so a
# macro can neither run code nor spin.
_ALLOWED = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Getattr,
            nodes.Const)


def _check(tree: nodes.Template) -> None:
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Filter) and node.name == "default":
            continue
        if not isinstance(node, _ALLOWED):
            raise TemplateRefused("a template holds text and {{ variables }}, optionally "
                                  "with | default(\"...\"), nothing else")


@lru_cache(maxsize=256)
def _compiled(template: str) -> Template:
    """Parsed, checked and compiled once: a macro over many tickets renders one template
    for each, and compiling it takes far longer than rendering it."""
    tree = _ENV.parse(template)
    _check(tree)
    return _ENV.from_string(tree)


def render(template: str, context: Mapping[str, Any]) -> str:
    """The text to send; raises TemplateRefused naming what is missing or malformed."""
    if len(template) > MAX_TEMPLATE:
        raise TemplateRefused(f"a template is at most {MAX_TEMPLATE} characters")
    try:
        return _compiled(template).render(**context).strip()
    except TemplateError as exc:
        message = str(exc).replace("'dict object'", "the variables")
        raise TemplateRefused(f"cannot render: {message} (variables: "
                              f"{', '.join(VARIABLES)}; fall back with "
                              "| default(\"...\"))") from None
