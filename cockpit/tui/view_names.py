"""The names a view of the inbox is made of (its tab, sort and page size), in a module that
imports nothing: the first screen's requests are sent from these before the app loads."""

from __future__ import annotations

# tab id -> (label, `state` of GET /inbox, key of `counts`)
TABS: dict[str, tuple[str, str, str]] = {
    "inbox": ("Inbox", "active", "active"),
    "unread": ("Unread", "unread", "unread"),
    "archived": ("Archived", "resolved", "resolved"),
}
PAGE = 200  # items per request inside a folder
SORTS: tuple[str, ...] = ("newest", "oldest", "priority", "due")
