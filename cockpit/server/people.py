"""`GET /api/v1/users`: who exists, for pickers (assign to a person) and scripts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from cockpit.domain.roles import Principal, Role
from cockpit.server.auth import current_user
from cockpit.server.errors import Forbidden, error_responses
from cockpit.store.users import list_users

router = APIRouter(prefix="/api/v1", responses=error_responses(401))


class Person(BaseModel):
    id: str
    role: str
    status: str


@router.get("/users", response_model=list[Person], tags=["users"],
            responses=error_responses(403))
def users(request: Request, user: Annotated[Principal, Depends(current_user)]) -> list[Person]:
    """Every user with their role and status; members and above (viewers decide nothing, so
    they pick nobody)."""
    if not user.ranks_at_least(Role.MEMBER):
        raise Forbidden("viewers do not list users")
    with request.app.state.engine.connect() as conn:
        return [Person(**u) for u in list_users(conn)]
