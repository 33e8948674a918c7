"""Feeds built from items, and a tiny app that shows one in an ItemList.

A feed here is what the app would hold after the server answered: the folders of
`group_items` with their counts (more than what is loaded when `unloaded` says so), and each
folder's items added as one page through `Feed.add_page`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import App, ComposeResult

from cockpit.domain.grouping import FolderRow, group_items
from cockpit.domain.models import Item, Sender, State
from cockpit.tui.feed import Feed, ViewKey
from cockpit.tui.widgets import ItemList

NOW = datetime.now(UTC)

AGENT = ("agent", "agent-7", "Triage Bot")
CUSTOMER = ("customer", "acct-9", "Acme Inc")
PIPELINE = ("pipeline", "deploy", "Deploy pipeline")


def make(
    item_id: int,
    kind: str = "message",
    *,
    state: str = "unread",
    title: str | None = None,
    sender: tuple[str, str, str] = AGENT,
    priority: str = "normal",
    payload: dict[str, Any] | None = None,
    age_minutes: float | None = None,
    now: datetime = NOW,
) -> Item:
    """Higher ids are newer unless `age_minutes` says otherwise."""
    age = age_minutes if age_minutes is not None else 1_000_000 - item_id
    created = now - timedelta(minutes=age)
    return Item(
        id=item_id,
        kind=kind,
        source_id=f"src-{item_id}",
        state=state,
        title=title if title is not None else f"Item {item_id}",
        sender=Sender(type=sender[0], id=sender[1], name=sender[2]),
        priority=priority,
        payload=payload or {},
        created_at=created,
        updated_at=created,
    )


def folder_rows(items: Sequence[Item], group_by: str,
                unloaded: Mapping[str, int] | None = None) -> list[FolderRow]:
    """The server's answer to `GET /inbox/groups` for these items, plus `unloaded[key]` items
    the server counts in a folder but the app has not loaded."""
    extra = unloaded or {}
    return [FolderRow(g.key, g.label, len(g.items) + extra.get(g.key, 0),
                      sum(1 for i in g.items if i.state == State.UNREAD))
            for g in group_items(items, group_by)]


def feed_of(items: Sequence[Item], group_by: str = "kind", *, state: str = "active",
            unloaded: Mapping[str, int] | None = None) -> Feed:
    """A feed whose folders hold `items` as one loaded page each; a folder named in
    `unloaded` has that many more items on the server (its page has a next cursor)."""
    feed = Feed(ViewKey(state, group_by=group_by))
    feed.set_groups(folder_rows(items, group_by, unloaded))
    for group in group_items(items, group_by):
        more = (unloaded or {}).get(group.key, 0)
        folder = feed.by_key[group.key]
        feed.add_page(group.key, folder.version, group.items, "next" if more else None)
    return feed


class ListApp(App[None]):
    """An ItemList showing one feed; records what the list tells its app."""

    def __init__(self, feed: Feed, **list_kwargs: Any) -> None:
        super().__init__()
        self.feed = feed
        self.list_kwargs = list_kwargs
        self.log_: list[tuple[str, Any]] = []
        self.wanted: list[list[str]] = []

    def compose(self) -> ComposeResult:
        yield ItemList(id="list", **self.list_kwargs)

    def on_mount(self) -> None:
        item_list = self.query_one(ItemList)
        item_list.show_feed(self.feed)
        item_list.focus()

    @property
    def item_list(self) -> ItemList:
        return self.query_one(ItemList)

    def highlighted(self) -> list[int | None]:
        return [value for name, value in self.log_ if name == "highlighted"]

    def on_item_list_highlighted(self, message: ItemList.Highlighted) -> None:
        assert message.control is self.item_list
        self.log_.append(("highlighted", message.item.id if message.item else None))

    def on_item_list_opened(self, message: ItemList.Opened) -> None:
        self.log_.append(("opened", message.item.id))

    def on_item_list_selection_changed(self, message: ItemList.SelectionChanged) -> None:
        self.log_.append(("selection", message.count))

    def on_item_list_window_wanted(self, message: ItemList.WindowWanted) -> None:
        assert message.feed is self.item_list.feed
        self.wanted.append(list(message.keys))


def lines(item_list: ItemList, count: int | None = None) -> list[str]:
    """The text of the list's screen lines (all of them unless `count`)."""
    height = count if count is not None else item_list.scrollable_content_region.height
    return [item_list.render_line(y).text for y in range(height)]
