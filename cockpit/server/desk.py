"""HTTP routes of the support desk (DESIGN.md, "Support desk (tickets)")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from cockpit.domain.models import Priority
from cockpit.domain.roles import Principal
from cockpit.server.auth import current_user
from cockpit.server.errors import error_responses
from cockpit.server.desk_service import Desk

router = APIRouter(prefix="/api/v1", responses=error_responses(401))
User = Annotated[Principal, Depends(current_user)]
ItemId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class TimelineEntry(BaseModel):
    id: int
    type: str  # customer_message, reply, note, assign, transfer, status, priority, tag, csat, sla
    author: str
    body_md: str
    at: datetime
    internal: bool
    data: dict[str, Any]


def _service(request: Request) -> Desk:
    return request.app.state.inbox.desk


@router.get("/inbox/{item_id}/timeline", response_model=list[TimelineEntry], tags=["desk"],
            responses=error_responses(404, 422))
def item_timeline(item_id: ItemId, user: User, request: Request) -> list[dict[str, Any]]:
    """Customer messages, public replies, internal notes and every change, oldest first.
    Internal notes are never shown to a service account (the customer channel)."""
    return _service(request).timeline(user, item_id)


# -- saved views -------------------------------------------------------------------------------

class ViewOut(BaseModel):
    name: str
    title: str
    query: str
    scope: Literal["builtin", "personal", "role"]
    role: str | None
    count: int
    unread: int


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    title: str | None = Field(default=None, max_length=200)
    query: str = Field(max_length=1000)
    scope: Literal["personal", "role"] = "personal"
    role: str | None = Field(default=None, max_length=20)


@router.get("/views", response_model=list[ViewOut], tags=["views"])
def list_views(user: User, request: Request) -> list[dict[str, Any]]:
    """Built-in views, your own, and those shared with your role, with live counts."""
    return _service(request).views(user)


@router.post("/views", response_model=ViewOut, status_code=201, tags=["views"],
             responses=error_responses(400, 403, 409, 413, 422))
def add_view(body: ViewIn, user: User, request: Request) -> dict[str, Any]:
    """Save a query as a view: personal, or shared with a role (managers and above)."""
    return _service(request).add_view(user, name=body.name, title=body.title,
                                      query=body.query, scope=body.scope, role=body.role)


@router.delete("/views/{name}", status_code=204, tags=["views"],
               responses=error_responses(403, 404, 409, 422))
def remove_view(name: Annotated[str, Path(max_length=64)], user: User,
                request: Request) -> None:
    _service(request).remove_view(user, name)


# -- SLA policies ------------------------------------------------------------------------------

class SlaPolicy(BaseModel):
    """Minutes to each target for tickets of one priority."""

    model_config = ConfigDict(extra="forbid")

    priority: Priority
    first_response: int = Field(ge=1, le=525_600)
    next_response: int = Field(ge=1, le=525_600)
    resolution: int = Field(ge=1, le=525_600)


@router.get("/sla-policies", response_model=list[SlaPolicy], tags=["sla"])
def sla_policies(user: User, request: Request) -> list[dict[str, Any]]:
    """Targets per priority in minutes: first_response, next_response, resolution."""
    return _service(request).sla_policies()


@router.post("/sla-policies", response_model=list[SlaPolicy], tags=["sla"],
             responses=error_responses(403, 413, 422))
def set_sla_policy(body: SlaPolicy, user: User, request: Request) -> list[dict[str, Any]]:
    """Set one priority's targets (admins and owners); answers every policy."""
    minutes = body.model_dump(exclude={"priority"})
    return _service(request).set_sla_policy(user, body.priority, minutes)


# -- macros ------------------------------------------------------------------------------------

class MacroStep(BaseModel):
    model_config = ConfigDict(extra="allow")

    action: str = Field(max_length=32)


class MacroOut(BaseModel):
    name: str
    title: str
    scope: Literal["personal", "role"]
    role: str | None
    actions: list[MacroStep]


class MacroIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    title: str | None = Field(default=None, max_length=200)
    scope: Literal["personal", "role"] = "personal"
    role: str | None = Field(default=None, max_length=20)
    actions: list[MacroStep] = Field(min_length=1, max_length=20)


class MacroPreview(BaseModel):
    name: str
    title: str
    actions: list[MacroStep]


class PreviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)


@router.get("/macros", response_model=list[MacroOut], tags=["macros"])
def list_macros(user: User, request: Request) -> list[dict[str, Any]]:
    """Your macros and those shared with your role, each an ordered list of actions."""
    return _service(request).macros(user)


@router.post("/macros", response_model=MacroOut, status_code=201, tags=["macros"],
             responses=error_responses(400, 403, 409, 413, 422))
def add_macro(body: MacroIn, user: User, request: Request) -> dict[str, Any]:
    """Save a macro: steps among reply, note, priority, tag, untag, assign, transfer, close;
    reply and note bodies are templates (`{{ customer.first_name | default("there") }}`)."""
    return _service(request).add_macro(
        user, name=body.name, title=body.title, scope=body.scope, role=body.role,
        actions=[s.model_dump() for s in body.actions])


@router.delete("/macros/{name}", status_code=204, tags=["macros"],
               responses=error_responses(403, 404, 409, 422))
def remove_macro(name: Annotated[str, Path(max_length=64)], user: User,
                 request: Request) -> None:
    _service(request).remove_macro(user, name)


@router.post("/inbox/{item_id}/macros/{name}/preview", response_model=MacroPreview,
             tags=["macros"], responses=error_responses(400, 404, 409, 413, 422))
def preview_macro(item_id: ItemId, name: Annotated[str, Path(max_length=64)], user: User,
                  request: Request, body: PreviewBody | None = None) -> dict[str, Any]:
    """What the macro would do to this ticket, rendered; changes nothing. Run it with the
    `macro` action ({"name", "overrides"})."""
    return _service(request).preview_macro(user, item_id, name,
                                           body.overrides if body else None)


# -- customers ---------------------------------------------------------------------------------

class TicketBrief(BaseModel):
    id: int
    title: str
    state: str


class CustomerCard(BaseModel):
    id: str
    name: str
    vip: bool
    blocked: bool
    tickets_total: int
    tickets_closed: int
    csat_avg: float | None
    csat_count: int  # over the last 30 days
    first_response_median_s: int | None  # earliest human reply, per ticket
    last_tickets: list[TicketBrief]


@router.get("/customers/{customer_id}", response_model=CustomerCard, tags=["desk"],
            responses=error_responses(404, 422))
def customer_card(customer_id: Annotated[str, Path(min_length=1, max_length=200)], user: User,
                  request: Request) -> dict[str, Any]:
    """A customer's history, computed from their tickets that you may see."""
    return _service(request).customer(user, customer_id)
