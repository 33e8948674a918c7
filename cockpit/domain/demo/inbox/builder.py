"""How the hand-written inbox is written down: `Builder.add` takes an item as a producer would
send it, and the state the seeder should leave it in."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cockpit.domain.demo.common import DemoItem
from cockpit.domain.models import ItemIn, Kind, Priority, SenderIn, State

WP, ESC, RUN, MSG, TKT = (Kind.WAITPOINT.value, Kind.ESCALATION.value, Kind.FAILED_RUN.value,
                          Kind.MESSAGE.value, Kind.TICKET.value)
READ, RESOLVED = State.READ, State.RESOLVED
LOW, HIGH, URGENT = Priority.LOW, Priority.HIGH, Priority.URGENT


class Builder:
    """The items written so far, for `me` at `now`."""

    def __init__(self, now: datetime, user_id: str) -> None:
        self.now, self.me = now, user_id
        self.items: list[DemoItem] = []

    def ago(self, **delta: float) -> datetime:
        return self.now - timedelta(**delta)

    @staticmethod
    def iso(when: datetime) -> str:
        return when.isoformat()

    def add(self, kind: str, source_id: str, title: str, sender: SenderIn, created_at: datetime,
            body_md: str = "", *, payload: dict[str, Any] | None = None,
            priority: Priority = Priority.NORMAL, blocking: bool = False,
            target_user_id: str | None = None, target_role: str | None = None,
            tags: list[str] | None = None, assignee_id: str | None = None,
            state: State = State.UNREAD, resolved_action: str | None = None,
            resolved_by: str | None = None) -> None:
        if target_user_id is not None:
            source_id = f"{source_id}-{target_user_id}"
        item = ItemIn(
            kind=kind, source_id=source_id, title=title, body_md=body_md.strip() + "\n",
            sender=sender, target_user_id=target_user_id, target_role=target_role,
            priority=priority, blocking=blocking, payload=payload or {}, tags=tags or [],
            assignee_id=assignee_id, created_at=created_at,
        )
        if state == State.RESOLVED:
            resolved_by = resolved_by or self.me
        self.items.append(DemoItem(item, state.value, resolved_action, resolved_by))
