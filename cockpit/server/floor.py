"""HTTP routes of the floor (DESIGN.md, "Agents, queues, routing, reports"): agents, aux codes,
queues, live metrics and reports.

The router brings its own lifespan step: the floor service, and a presence loop that marks
the agents whose app holds a websocket to this process as seen, so an agent whose app has been
disconnected for a while goes offline (the sweep does that, COCKPIT_AGENT_OFFLINE_AFTER).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from cockpit.domain.agents import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    LEVEL_MAX,
    LEVEL_MIN,
    MAX_QUEUES,
    MAX_SKILLS,
    NAME_MAX,
)
from cockpit.domain.roles import Principal
from cockpit.domain.routing import DEFAULT_SKILL_TIMEOUT_S, SKILL_TIMEOUT_MAX_S
from cockpit.server.agents import Floor
from cockpit.server.auth import current_user, request_origin
from cockpit.server.errors import error_responses

log = logging.getLogger("cockpit.floor")
PRESENCE_INTERVAL = 5.0  # seconds between marks of who is connected

Status = Literal["available", "busy", "away", "offline"]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    floor = Floor(app.state.engine, notify=app.state.inbox.notify, clock=app.state.inbox.clock)
    app.state.floor = floor
    presence = asyncio.create_task(_presence(app, floor), name="cockpit-presence")
    try:
        yield
    finally:
        presence.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await presence


async def _presence(app: FastAPI, floor: Floor) -> None:
    while True:
        await asyncio.sleep(PRESENCE_INTERVAL)
        try:
            hub = getattr(app.state, "hub", None)
            ids = {s.user.id for s in list(getattr(hub, "subscribers", ()) or ())}
            if ids:
                await asyncio.to_thread(floor.seen, ids)
        except Exception:  # presence is retried on the next tick
            log.exception("marking connected agents failed")


router = APIRouter(prefix="/api/v1", responses=error_responses(401), lifespan=_lifespan)
User = Annotated[Principal, Depends(current_user)]


def _floor(request: Request) -> Floor:
    floor = getattr(request.app.state, "floor", None)
    if floor is None:  # an app that did not run this router's lifespan step
        inbox = request.app.state.inbox
        floor = request.app.state.floor = Floor(request.app.state.engine, notify=inbox.notify,
                                                clock=inbox.clock)
    return floor


# -- agents ------------------------------------------------------------------------------------

class AgentOut(BaseModel):
    id: str
    name: str
    role: str
    status: Status = Field(description="As the roster shows it: busy for an available agent "
                                       "at capacity")
    stated_status: Status = Field(description="What the agent (or a manager) set")
    aux_code: str | None
    status_since: datetime
    active: int = Field(description="Open tickets assigned to the agent")
    capacity: int
    skills: dict[str, int]
    queues: list[str]
    bot: bool = Field(description="Replies by a bot do not count as responses in reports")
    last_assigned_at: datetime | None


class AgentPatch(BaseModel):
    """Self: status, aux_code. Managers and above: anyone's, and capacity, skills, queues,
    bot."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    aux_code: str | None = Field(default=None, max_length=NAME_MAX)
    capacity: int | None = Field(default=None, ge=CAPACITY_MIN, le=CAPACITY_MAX)
    skills: dict[Name, Annotated[int, Field(ge=LEVEL_MIN, le=LEVEL_MAX)]] | None = \
        Field(default=None, max_length=MAX_SKILLS)
    queues: list[Name] | None = Field(default=None, max_length=MAX_QUEUES)
    bot: bool | None = None


@router.get("/agents", response_model=list[AgentOut], tags=["floor"],
            responses=error_responses(403, 422))
def list_agents(user: User, request: Request, status: Status | None = None,
                queue: Annotated[str | None, Query(max_length=NAME_MAX)] = None
                ) -> list[dict[str, Any]]:
    """Every person as an agent: status and since when, aux code, open tickets against
    capacity, skills and queues."""
    return _floor(request).agents(user, status=status, queue=queue)


@router.get("/agents/{agent_id}", response_model=AgentOut, tags=["floor"],
            responses=error_responses(403, 404, 422))
def get_agent(agent_id: Annotated[str, Path(max_length=200)], user: User,
              request: Request) -> dict[str, Any]:
    return _floor(request).agent(user, agent_id)


@router.patch("/agents/{agent_id}", response_model=AgentOut, tags=["floor"],
              responses=error_responses(400, 403, 404, 413, 422))
def patch_agent(agent_id: Annotated[str, Path(max_length=200)], body: AgentPatch, user: User,
                request: Request) -> dict[str, Any]:
    """Set your status and aux code (an aux code alone sets its status); managers and above
    set anyone's, and capacity (1-20), skills ({name: 1-5}) and queues. Becoming available,
    more capacity, a new skill or queue routes waiting tickets at once."""
    fields = body.model_dump(exclude_unset=True)
    return _floor(request).patch_agent(user, agent_id, fields, request_origin(request))


# -- aux codes ---------------------------------------------------------------------------------

class AuxCode(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Name
    status: Literal["away", "busy"]


@router.get("/aux-codes", response_model=list[AuxCode], tags=["floor"],
            responses=error_responses(403))
def aux_codes(user: User, request: Request) -> list[dict[str, str]]:
    """Why an agent is away or busy: Break, Lunch, Training, Meeting, Technical Issue (away),
    Wrap-up (busy), unless configured otherwise."""
    return _floor(request).aux_codes(user)


@router.post("/aux-codes", response_model=list[AuxCode], tags=["floor"],
             responses=error_responses(400, 403, 413, 422))
def put_aux_code(body: AuxCode, user: User, request: Request) -> list[dict[str, str]]:
    """Add an aux code or change its status (managers and above); answers them all."""
    return _floor(request).put_aux_code(user, body.code, body.status, request_origin(request))


@router.delete("/aux-codes/{code}", status_code=204, tags=["floor"],
               responses=error_responses(403, 404, 422))
def remove_aux_code(code: Annotated[str, Path(max_length=NAME_MAX)], user: User,
                    request: Request) -> None:
    _floor(request).remove_aux_code(user, code, request_origin(request))


# -- queues ------------------------------------------------------------------------------------

class QueueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    skills: list[Name] = Field(default_factory=list, max_length=MAX_QUEUES)
    skill_timeout_s: int = Field(default=DEFAULT_SKILL_TIMEOUT_S, ge=0, le=SKILL_TIMEOUT_MAX_S)


class QueueOut(BaseModel):
    name: str
    skills: list[str]
    skill_timeout_s: int
    agents: list[str]


@router.get("/queues", response_model=list[QueueOut], tags=["floor"],
            responses=error_responses(403))
def list_queues(user: User, request: Request) -> list[dict[str, Any]]:
    """Queues with the skills their tickets need, how long before that need drops, and their
    agents."""
    return _floor(request).queues(user)


@router.post("/queues", response_model=QueueOut, status_code=201, tags=["floor"],
             responses={200: {"description": "An existing queue, changed",
                              "model": QueueOut}, **error_responses(400, 403, 413, 422)})
def put_queue(body: QueueIn, user: User, request: Request, response: Response) -> dict:
    """Create a queue (201) or change one (200), managers and above."""
    queue, created = _floor(request).put_queue(user, body.name, body.skills,
                                               body.skill_timeout_s, request_origin(request))
    if not created:
        response.status_code = 200
    return queue


# -- live metrics ------------------------------------------------------------------------------

class QueueNow(BaseModel):
    name: str
    waiting: int
    oldest_wait_s: int | None
    agents: int
    available: int


class AgentNow(BaseModel):
    id: str
    status: Status
    aux_code: str | None
    status_since: datetime
    active: int
    capacity: int


class Csat(BaseModel):
    count: int
    mean: float | None
    positive: int
    positive_pct: float | None


class LiveMetrics(BaseModel):
    at: datetime
    waiting: int
    oldest_wait_s: int | None
    queues: list[QueueNow]
    agents_by_status: dict[str, int]
    agents: list[AgentNow]
    handled_today: int
    first_response_median_s: float | None
    csat_today: Csat


@router.get("/metrics/live", response_model=LiveMetrics, tags=["floor"],
            responses=error_responses(403))
def live_metrics(user: User, request: Request) -> dict[str, Any]:
    """The floor now: waiting tickets and the oldest wait per queue, agents by status, load
    and capacity per agent, and today's (UTC) handled tickets, median first response and
    CSAT, over the tickets you may see."""
    return _floor(request).live(user)


# -- reports -----------------------------------------------------------------------------------

class ReportRow(BaseModel):
    key: str | None
    label: str
    figures: dict[str, Any]
    ticket_ids: list[int]
    drill: dict[str, list[int]] = Field(description="The ticket ids behind a figure that "
                                                    "counts some of the row's tickets")


class Report(BaseModel):
    name: str
    from_: datetime = Field(alias="from")
    to: datetime
    by: str | None
    figures: list[str]
    rows: list[ReportRow]
    total: ReportRow

    model_config = ConfigDict(populate_by_name=True)




@router.get("/reports/{name}", response_model=Report, response_model_by_alias=True,
            tags=["floor"], responses=error_responses(400, 403, 404, 422))
def report(name: Annotated[str, Path(max_length=32)], user: User, request: Request,
           from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
           to: Annotated[str | None, Query(max_length=40)] = None,
           by: Literal["agent", "queue", "tag", "day"] | None = None) -> dict[str, Any]:
    """`volume`, `first_response`, `response`, `resolution`, `sla`, `csat` or `aux` for the
    period [from, to) (dates or ISO times; a date `to` includes that day; default: the last
    7 days), by agent, queue, tag or day: rows of figures, each with the ticket ids behind
    it."""
    return _floor(request).report(user, name, from_, to, by)
