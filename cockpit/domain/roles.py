"""Roles, their ranks, and who may see an item (DESIGN.md, "Users and visibility")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SERVICE = "service"
    VIEWER = "viewer"
    MEMBER = "member"
    MANAGER = "manager"
    ADMIN = "admin"
    OWNER = "owner"


# `service` is a producer account: it ranks below every person and so only sees untargeted items.
ROLE_RANK: dict[str, int] = {
    Role.SERVICE: 0,
    Role.VIEWER: 1,
    Role.MEMBER: 2,
    Role.MANAGER: 3,
    Role.ADMIN: 4,
    Role.OWNER: 5,
}

INGEST_ROLES = frozenset({Role.SERVICE, Role.ADMIN, Role.OWNER})

# The ladder an item may target: people's roles. `service` is no rung of it, so an item aimed
# at it would otherwise rank at the bottom and be shown to everyone.
TARGET_ROLES = tuple(r.value for r in Role if r != Role.SERVICE)


def rank(role: str | None) -> int | None:
    """The rank of a role, or None for a role nobody knows (which then matches nothing)."""
    return ROLE_RANK.get(role) if role is not None else None


def roles_at_or_below(role: str) -> list[str]:
    """Every target_role a user of `role` may see items for."""
    mine = rank(role)
    if mine is None:
        return []
    return [r for r in TARGET_ROLES if ROLE_RANK[r] <= mine]


def can_see(target_user_id: str | None, target_role: str | None, user_id: str, role: str) -> bool:
    """A personal item is its target's alone; a role-targeted one is for that rank and above."""
    if target_user_id is not None:
        return target_user_id == user_id
    if target_role is not None:
        return target_role in roles_at_or_below(role)
    return True



@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a user's id and role."""

    id: str
    role: str

    def can_see(self, target_user_id: str | None, target_role: str | None) -> bool:
        return can_see(target_user_id, target_role, self.id, self.role)

    def ranks_at_least(self, role: Role) -> bool:
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]
