"""The item model shared by every layer (DESIGN.md, "Items")."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cockpit.domain.roles import TARGET_ROLES


class Kind(StrEnum):
    WAITPOINT = "waitpoint"
    ESCALATION = "escalation"
    FAILED_RUN = "failed_run"
    MESSAGE = "message"
    TICKET = "ticket"


KNOWN_KINDS = frozenset(k.value for k in Kind)


class State(StrEnum):
    UNREAD = "unread"
    READ = "read"
    RESOLVED = "resolved"


class StateFilter(StrEnum):
    """What `GET /inbox?state=` accepts: the states plus the tab groupings."""

    ACTIVE = "active"
    UNREAD = "unread"
    READ = "read"
    RESOLVED = "resolved"
    ARCHIVED = "archived"  # resolved as archived
    ALL = "all"


class SortOrder(StrEnum):
    """What `GET /inbox?sort=` accepts."""

    NEWEST = "newest"
    OLDEST = "oldest"
    PRIORITY = "priority"  # most urgent first, then newest
    DUE = "due"  # expiring first, then the rest newest first


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class SenderType(StrEnum):
    AGENT = "agent"
    CREW = "crew"
    PIPELINE = "pipeline"
    SYSTEM = "system"
    CUSTOMER = "customer"


class BulkOp(StrEnum):
    READ = "read"
    UNREAD = "unread"
    RESOLVE = "resolve"
    ARCHIVE = "archive"
    RESTORE = "restore"  # beyond DESIGN.md: undo of a bulk archive/resolve in one request
    # tickets only: each runs the ticket action of that name on every ticket, with `params`
    CLOSE = "close"
    ASSIGN = "assign"
    PRIORITY = "priority"
    TAG = "tag"
    UNTAG = "untag"
    MACRO = "macro"


# Bulk ops that run a ticket action on each ticket (DESIGN.md, "POST /inbox/bulk").
NOT_A_TICKET = "not a ticket"  # why a ticket op in bulk skips an item that is not one
TICKET_BULK_OPS = frozenset({BulkOp.CLOSE, BulkOp.ASSIGN, BulkOp.PRIORITY, BulkOp.TAG,
                             BulkOp.UNTAG, BulkOp.MACRO})


ARCHIVED = "archived"  # the resolved_action that marks an archived item
MAX_BULK_IDS = 10_000
TITLE_MAX = 80
MAX_JSON_DEPTH = 32  # payloads and action parameters nest at most this deep
MAX_FUTURE = timedelta(days=1)  # a producer's created_at may run ahead of ours by clock skew only


def check_json(value: Any, *, limit: int = MAX_JSON_DEPTH) -> Any:
    """`value` itself; raises ValueError when it nests deeper than `limit` levels or holds a
    number JSON cannot carry (NaN, Infinity). Iterative, so no depth can exhaust the stack."""
    stack = [(value, 1)]
    while stack:
        obj, depth = stack.pop()
        if isinstance(obj, float) and not math.isfinite(obj):
            raise ValueError("NaN and Infinity are not JSON numbers")
        children = obj.values() if isinstance(obj, dict) else obj \
            if isinstance(obj, (list, tuple)) else None
        if children is None:
            continue
        if depth > limit:
            raise ValueError(f"nested deeper than {limit} levels")
        stack.extend((child, depth + 1) for child in children)
    return value


def _not_blank(value: str) -> str:
    # str.strip() also takes U+2028/U+2029, NEL and the other Unicode spaces
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class Sender(BaseModel):
    """Who sent an item, as stored. Reading never rejects a row, so no constraints here."""

    type: SenderType
    id: str
    name: str


class SenderIn(BaseModel):
    """Who sent an item, as a producer writes it."""

    model_config = ConfigDict(extra="forbid")

    type: SenderType
    id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)

    _ids_not_blank = field_validator("id", "name")(_not_blank)


class Item(BaseModel):
    """An inbox row as every reader sees it, with the actions this caller may run now."""

    id: int
    kind: str
    source_id: str
    state: State
    resolved_action: str | None = None
    title: str
    body_md: str = ""
    sender: Sender
    target_user_id: str | None = None
    target_role: str | None = None
    priority: Priority = Priority.NORMAL
    blocking: bool = False
    payload: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    assignee_id: str | None = None
    created_at: datetime
    updated_at: datetime
    read_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    actions: list[str] = Field(default_factory=list)

    @property
    def is_archived(self) -> bool:
        return self.state == State.RESOLVED and self.resolved_action == ARCHIVED


class ItemIn(BaseModel):
    """What a producer sends to `POST /inbox/items`."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.-]*$")
    source_id: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=10_000)
    body_md: str = Field(default="", max_length=200_000)
    sender: SenderIn
    target_user_id: str | None = Field(default=None, min_length=1, max_length=200)
    target_role: str | None = None
    priority: Priority = Priority.NORMAL
    blocking: bool = False
    payload: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list, max_length=50)
    assignee_id: str | None = Field(default=None, max_length=200)
    created_at: datetime | None = None
    upsert: bool = False

    @field_validator("target_role")
    @classmethod
    def _known_role(cls, value: str | None) -> str | None:
        if value is not None and value not in TARGET_ROLES:
            raise ValueError(f"not a role an item can target: {value!r}; "
                             f"one of {', '.join(TARGET_ROLES)}")
        return value

    _source_not_blank = field_validator("source_id")(_not_blank)
    _payload_is_json = field_validator("payload")(check_json)

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # A producer that sends a naive time means UTC: that is what the API speaks.
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("out of range once converted to UTC") from exc

    @field_validator("tags")
    @classmethod
    def _short_tags(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not tag or len(tag) > 64:
                raise ValueError("each tag is 1 to 64 characters")
        return tags


class Receipt(BaseModel):
    """What a producer hears of a stored item it may not see: that it is there, nothing of it."""

    id: int
    kind: str
    source_id: str
    outcome: str  # created, duplicate, upserted


class Page(BaseModel):
    items: list[Item]
    next_cursor: str | None
    counts: dict[str, int]


class BulkSkip(BaseModel):
    id: int
    reason: str


class BulkResult(BaseModel):
    updated: list[int] = Field(default_factory=list)
    skipped: list[BulkSkip] = Field(default_factory=list)
    not_found: list[int] = Field(default_factory=list)
