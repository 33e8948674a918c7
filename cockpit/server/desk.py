"""HTTP routes of the support desk (DESIGN.md, "Support desk (tickets)")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel

from cockpit.domain.roles import Principal
from cockpit.server.auth import current_user
from cockpit.server.errors import error_responses
from cockpit.server.inbox import Inbox

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


def _service(request: Request) -> Inbox:
    return request.app.state.inbox


@router.get("/inbox/{item_id}/timeline", response_model=list[TimelineEntry], tags=["desk"],
            responses=error_responses(404, 422))
def item_timeline(item_id: ItemId, user: User, request: Request) -> list[dict[str, Any]]:
    """Customer messages, public replies, internal notes and every change, oldest first.
    Internal notes are never shown to a service account (the customer channel)."""
    return _service(request).timeline(user, item_id)
