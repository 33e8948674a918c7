"""The hand-written inbox: about fifty items of every kind, as a team would have left them."""

from __future__ import annotations

from datetime import datetime

from cockpit.domain.demo.common import DemoItem
from cockpit.domain.demo.inbox import decisions, messages, runs, tickets
from cockpit.domain.demo.inbox.builder import Builder

# In the order they were written: the welcome note first.
SECTIONS = (messages.welcome, decisions.waitpoints, decisions.escalations, runs.failed_runs,
            messages.messages, tickets.tickets, runs.unknown_kinds)


def demo_items(now: datetime, user_id: str) -> list[DemoItem]:
    """A realistic inbox for a small platform/support team, as `user_id` would find it.

    About fifty items across every kind; created over the last ten days (mostly the last two);
    some personal to `user_id`, some for a role, most for everyone. Roughly 60% unread, 25% read
    and 15% resolved. Source ids are stable, so seeding twice inserts nothing new (personal items
    carry the user's id in their source id, so a second demo user gets their own).
    """
    book = Builder(now, user_id)
    for section in SECTIONS:
        section(book)
    return book.items
