"""HTTP routes under /api/v1 (DESIGN.md, "HTTP API")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cockpit.domain.grouping import GROUP_BY
from cockpit.domain.models import (
    MAX_BULK_IDS,
    BulkOp,
    BulkResult,
    Item,
    ItemIn,
    Page,
    Receipt,
    SortOrder,
    State,
    StateFilter,
)
from cockpit.domain.roles import Principal
from cockpit.server.auth import current_user, request_origin
from cockpit.server.encoding import json_response
from cockpit.server.errors import error_responses
from cockpit.server.inbox import Inbox

# Every route needs a bearer token (the security scheme comes with `current_user`), so every
# route can answer 401; each also declares the other 4xx it can answer, with their bodies.
router = APIRouter(prefix="/api/v1", responses=error_responses(401))
GroupBy = Literal[GROUP_BY]  # type: ignore[valid-type]

MAX_ID = 2**63 - 1  # ids are 64-bit on every engine
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
BulkId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _text(max_length: int) -> Any:
    return Query(max_length=max_length, pattern=NO_NUL)
User = Annotated[Principal, Depends(current_user)]


async def inbox_of(request: Request) -> Inbox:
    # async: no IO here, and a plain def would cost every request a hop to a worker thread
    return request.app.state.inbox


Service = Annotated[Inbox, Depends(inbox_of)]


class PatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: State
    resolved_action: str | None = Field(default=None, min_length=1, max_length=64,
                                        pattern=NO_NUL)


class BulkQuery(BaseModel):
    """Everything a view matches (or one folder of it)."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(default=None, max_length=1000, pattern=NO_NUL)
    view: str | None = Field(default=None, max_length=64, pattern=NO_NUL)
    state: StateFilter = StateFilter.ACTIVE
    group_by: GroupBy | None = None
    group: str | None = Field(default=None, max_length=256, pattern=NO_NUL)


class BulkBody(BaseModel):
    """`ids` (at most 10,000), or a `query` and the ids `except` it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    ids: list[BulkId] | None = Field(default=None, min_length=1, max_length=MAX_BULK_IDS)
    query: BulkQuery | None = None
    except_: list[BulkId] = Field(default_factory=list, alias="except", max_length=100_000)
    op: BulkOp
    # what a ticket op needs: {"assignee_id"}, {"priority"}, {"tags"}, {"name"} (macro), ...
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ids_or_query(self) -> BulkBody:
        if (self.ids is None) == (self.query is None):
            raise ValueError("give either ids or a query")
        return self


class BulkCounts(BaseModel):
    """What a bulk by query did: how many changed, and how many were skipped, by reason."""

    updated: int
    skipped: dict[str, int]


class Folder(BaseModel):
    key: str
    label: str
    count: int
    unread: int


class Folders(BaseModel):
    groups: list[Folder]
    total: int


class Dropped(BaseModel):
    dropped: Literal[True] = True
    reason: str


class Me(BaseModel):
    id: str
    role: str


class Counts(BaseModel):
    unread: int
    active: int


class ActionResult(BaseModel):
    ok: Literal[True] = True
    item: Item


class AuditRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    at: datetime
    actor: str
    origin: str
    action: str
    item_id: int | None
    params: dict[str, Any]
    result: str
    detail: str | None
    latency_ms: float | None


class AuditPage(BaseModel):
    records: list[AuditRecord]


class Delivery(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    item_id: int | None
    url: str
    body: Any = Field(description="The JSON document sent (and signed), as sent")
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    created_at: datetime


class Deliveries(BaseModel):
    deliveries: list[Delivery]


class Pipeline(BaseModel):
    slug: str
    name: str


@router.get("/inbox", response_model=Page, tags=["inbox"],
            responses=error_responses(400, 422))
def list_inbox(
    user: User,
    service: Service,
    state: StateFilter = StateFilter.ACTIVE,
    kind: Annotated[str | None, _text(64)] = None,
    view: Annotated[str | None, _text(64)] = None,
    q: Annotated[str | None, _text(1000)] = None,
    sort: SortOrder = SortOrder.NEWEST,
    group_by: GroupBy | None = None,
    group: Annotated[str | None, _text(256)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """One keyset page of a view (`q` in the query language, a saved `view`, or both), in
    `sort` order, with the per-tab counts; with `group_by` and `group`, of one folder."""
    return json_response(service.window(user, state=state, kind=kind, q=q, view=view,
                                        sort=sort, group_by=group_by, group=group,
                                        limit=limit, cursor=cursor))


@router.get("/inbox/groups", response_model=Folders, tags=["inbox"],
            responses=error_responses(400, 422))
def inbox_groups(
    user: User,
    service: Service,
    state: StateFilter = StateFilter.ACTIVE,
    view: Annotated[str | None, _text(64)] = None,
    q: Annotated[str | None, _text(1000)] = None,
    group_by: GroupBy = "smart",
) -> Response:
    """The folders of a view with exact counts and unread counts, computed by the server."""
    return json_response(service.groups(user, state=state, view=view, q=q, group_by=group_by))


@router.get("/me", response_model=Me, tags=["users"])
async def who_am_i(user: User) -> Response:
    # async: it reads nothing but the caller, so it needs no worker thread
    return json_response({"id": user.id, "role": user.role})


@router.get("/inbox/count", response_model=Counts, tags=["inbox"],
            responses=error_responses(400, 422))
def count_inbox(user: User, service: Service,
                q: Annotated[str | None, _text(1000)] = None) -> Response:
    return json_response(service.count(user, q=q))


@router.get("/inbox/{item_id}", response_model=Item, tags=["inbox"],
            responses=error_responses(403, 404, 422))
def get_item(item_id: ItemId, user: User, service: Service, request: Request,
             reveal: bool = False) -> Response:
    """One item. Payload values under credential-looking keys are masked unless `reveal`
    (managers and above; each reveal is journalled)."""
    return json_response(service.get_json(user, item_id, reveal=reveal,
                                          origin=request_origin(request)))


@router.patch("/inbox/{item_id}", response_model=Item, tags=["inbox"],
              responses=error_responses(400, 403, 404, 409, 413, 422))
def patch_item(item_id: ItemId, body: PatchBody, user: User, service: Service,
               request: Request) -> Item:
    return service.patch(user, item_id, body.state, body.resolved_action,
                         origin=request_origin(request))


@router.post("/inbox/bulk", response_model=BulkResult | BulkCounts, tags=["inbox"],
             responses=error_responses(400, 403, 413, 422))
def bulk(body: BulkBody, user: User, service: Service, request: Request) -> Any:
    """One op over `ids` (answering them by outcome), or over everything a `query` matches
    but `except` (any number; answering counts). One transaction, one event either way."""
    if body.ids is not None:
        return service.bulk(user, body.ids, body.op, origin=request_origin(request),
                            params=body.params)
    query = body.query
    assert query is not None
    return service.bulk_query(user, body.op, q=query.q, view=query.view, state=query.state,
                              group_by=query.group_by, group=query.group,
                              except_ids=body.except_, origin=request_origin(request),
                              params=body.params)


@router.post("/inbox/items", response_model=Item | Receipt, status_code=201, tags=["inbox"],
             response_description="Stored as a new item",
             responses={200: {"model": Item | Receipt,
                              "description": "Deduplicated (first write wins) or upserted"},
                        202: {"model": Dropped, "description": "Not worth storing; dropped"},
                        **error_responses(400, 403, 413, 422)})
def ingest(body: ItemIn, user: User, service: Service, response: Response) -> Any:
    """Store one item. 201 when new, 200 when deduplicated or upserted, 202 when dropped.

    The answer is the stored item when the caller may see it, else only a receipt."""
    item, outcome = service.ingest(user, body)
    if item is None:
        dropped = Dropped(reason="an outage advisory with nothing else in it is not stored")
        return JSONResponse(dropped.model_dump(), status_code=status.HTTP_202_ACCEPTED)
    if outcome != "created":
        response.status_code = status.HTTP_200_OK
    return item


@router.post("/inbox/{item_id}/actions/{name}", response_model=ActionResult, tags=["actions"],
             responses=error_responses(400, 403, 404, 409, 413, 422))
def run_action(item_id: ItemId, name: Annotated[str, Path(max_length=64, pattern=NO_NUL)],
               user: User, service: Service, request: Request,
               params: Annotated[dict[str, Any] | None, Body()] = None) -> ActionResult:
    item = service.act(user, item_id, name, params or {}, origin=request_origin(request))
    return ActionResult(item=item)


class PipelineBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    name: str | None = Field(default=None, max_length=200)


@router.get("/audit", response_model=AuditPage, tags=["audit"],
            responses=error_responses(403, 422))
def audit_journal(
    user: User,
    service: Service,
    item_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    actor: Annotated[str | None, _text(200)] = None,
    origin: Annotated[str | None, _text(16)] = None,
    action: Annotated[str | None, _text(64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> AuditPage:
    """Who did what, from where: newest first, only about items this caller may see."""
    return AuditPage(records=service.audit(user, item_id=item_id, actor=actor, origin=origin,
                                           action=action, limit=limit))


@router.get("/outbox", response_model=Deliveries, tags=["outbox"],
            responses=error_responses(403, 422))
def outbox_rows(user: User, service: Service, all: bool = False) -> Deliveries:
    """Outbound webhooks waiting for delivery (or every one with `all=true`); admins only."""
    return Deliveries(deliveries=service.outbox(user, include_delivered=all))


@router.post("/pipelines", response_model=Pipeline, status_code=201, tags=["pipelines"],
             responses=error_responses(403, 413, 422))
def register_pipeline(body: PipelineBody, user: User, service: Service) -> Pipeline:
    """Make a pipeline known, so failed runs of it can be retried."""
    return Pipeline(**service.register_pipeline(user, body.slug, body.name or body.slug))
