"""One view of the inbox as the app holds it: the server's folders, and a window of items.

The server counts every folder (`GET /inbox/groups`); the app loads a folder's items only as
far as someone scrolls (pages of `GET /inbox?group_by=&group=`, keyset cursors), so what it
holds follows the screen, not the inbox. Rows past what is loaded are `PendingRow`s: the list
draws them as placeholders and asks for the next page when one comes near the screen.

No Textual here: the list widget reads rows from a `Feed`, the app feeds it pages.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from cockpit.domain.grouping import ALL_KEY, FolderRow, ItemRow
from cockpit.domain.models import Item

READ_AHEAD = 100  # rows: a folder's next page is asked for this far before its loaded end
SORT_LABELS = {"newest": "newest first", "oldest": "oldest first",
               "priority": "priority, then newest", "due": "expiring first"}
CACHED_VIEWS = 6  # views kept in memory for instant tab switches and searches


class PendingRow(NamedTuple):
    """A row whose item is not loaded yet: `index` within folder `group_key`."""

    group_key: str
    index: int


Row = FolderRow | ItemRow | PendingRow


@dataclass(frozen=True)
class ViewKey:
    """What the server is asked: the tab's state, the search, a saved view, folders, order."""

    state: str
    q: str = ""
    view: str = ""
    group_by: str = "smart"
    sort: str = "newest"


class Folder:
    """One folder: exact counts from the server, and its first `len(items)` items."""

    __slots__ = ("complete", "count", "cursor", "index", "items", "key", "label", "loading",
                 "unread", "version")

    def __init__(self, key: str, label: str, count: int, unread: int) -> None:
        self.key = key
        self.label = label
        self.count = count
        self.unread = unread
        self.items: list[Item] = []
        self.index: dict[int, int] = {}  # item id -> position in items
        self.cursor: str | None = None  # where the next page starts
        self.complete = False  # every item is loaded
        self.loading = False  # a page is on its way
        self.version = 0  # bumped when the loaded items are replaced: late pages are dropped

    @property
    def size(self) -> int:
        """How many item rows the folder has (the server's count until all are loaded)."""
        return len(self.items) if self.complete else max(self.count, len(self.items))

    def wants_more(self) -> bool:
        return not self.complete and not self.loading

    def _reindex(self) -> None:
        self.index = {item.id: i for i, item in enumerate(self.items)}


class Feed:
    """A view's folders in order, their loaded items, and the rows they make."""

    def __init__(self, key: ViewKey) -> None:
        self.key = key
        self.folders: list[Folder] = []
        self.by_key: dict[str, Folder] = {}
        self.collapsed: set[str] = set()
        self.known = False  # the folders have been counted at least once
        self.counts: dict[str, int] = {}  # the tabs' counts, from the newest page
        self.stale: set[str] = set()  # folders whose loaded items changed since their fetch
        self.outdated = False  # anything may have changed (events were missed): fetch it all
        self.cursor_row = 0  # where the list's cursor and scroll were, to come back to
        self.scroll_row = 0
        self._starts: list[int] = []
        self._rows = 0

    # -- shape ----------------------------------------------------------------------------

    @property
    def show_folders(self) -> bool:
        return self.key.group_by != "none"

    @property
    def row_count(self) -> int:
        return self._rows

    @property
    def total(self) -> int:
        return sum(f.size for f in self.folders)

    def layout(self) -> None:
        """Lay rows out again after counts, pages or collapsed folders changed."""
        starts, row = [], 0
        for folder in self.folders:
            starts.append(row)
            if self.show_folders:
                row += 1
                if folder.key in self.collapsed:
                    continue
            row += folder.size
        self._starts, self._rows = starts, row

    def row_at(self, index: int) -> Row | None:
        if not 0 <= index < self._rows:
            return None
        at = bisect.bisect_right(self._starts, index) - 1
        folder = self.folders[at]
        offset = index - self._starts[at]
        if self.show_folders:
            if offset == 0:
                return FolderRow(folder.key, folder.label, folder.size, folder.unread)
            offset -= 1
        if offset < len(folder.items):
            return ItemRow(folder.items[offset], folder.key)
        return PendingRow(folder.key, offset)

    def folder_row(self, key: str) -> int | None:
        """The row of a folder (its folder row; its first item when folders are hidden)."""
        folder = self.by_key.get(key)
        if folder is None:
            return None
        return self._starts[self.folders.index(folder)]

    def row_in_folder(self, key: str, index: int) -> int | None:
        """The row of the `index`-th item of a folder (clamped to the folder), if shown."""
        start = self.folder_row(key)
        folder = self.by_key.get(key)
        if start is None or folder is None or not folder.size or \
                (self.show_folders and key in self.collapsed):
            return start
        return start + (1 if self.show_folders else 0) + min(index, folder.size - 1)

    def row_of(self, item_id: int) -> int | None:
        """The row showing an item, None when it is not loaded or its folder is collapsed."""
        for at, folder in enumerate(self.folders):
            pos = folder.index.get(item_id)
            if pos is not None:
                if self.show_folders and folder.key in self.collapsed:
                    return None
                return self._starts[at] + (1 if self.show_folders else 0) + pos
        return None

    def folder_of(self, item_id: int) -> Folder | None:
        for folder in self.folders:
            if item_id in folder.index:
                return folder
        return None

    def item(self, item_id: int) -> Item | None:
        folder = self.folder_of(item_id)
        return folder.items[folder.index[item_id]] if folder else None

    def items(self) -> Iterable[Item]:
        """Every loaded item, in row order."""
        for folder in self.folders:
            yield from folder.items

    def loaded_ids(self) -> set[int]:
        return {i for folder in self.folders for i in folder.index}

    def wanted(self, start: int, end: int) -> list[Folder]:
        """Folders whose next page is needed to draw rows [start, end) (plus read-ahead)."""
        found: list[Folder] = []
        for at, folder in enumerate(self.folders):
            first = self._starts[at] + (1 if self.show_folders else 0)
            if self.show_folders and folder.key in self.collapsed:
                continue
            if first + len(folder.items) - READ_AHEAD < end and first + folder.size > start \
                    and folder.wants_more():
                found.append(folder)
        return found

    # -- what the server said -------------------------------------------------------------

    def set_groups(self, groups: Sequence[FolderRow]) -> list[Folder]:
        """The server's folders and counts; loaded items of folders that stay are kept.
        Answers the folders whose count or unread count changed (their loaded items may be
        stale)."""
        changed: list[Folder] = []
        folders: list[Folder] = []
        by_key: dict[str, Folder] = {}
        for group in groups:
            folder = self.by_key.get(group.key)
            if folder is None:
                folder = Folder(group.key, group.label, group.count, group.unread)
            else:
                if (folder.count, folder.unread) != (group.count, group.unread) or \
                        (folder.complete and len(folder.items) != group.count):
                    changed.append(folder)
                folder.label, folder.count, folder.unread = group.label, group.count, group.unread
            folders.append(folder)
            by_key[folder.key] = folder
        if not self.show_folders and not folders:
            folders = [Folder(ALL_KEY, "All", 0, 0)]
            by_key = {ALL_KEY: folders[0]}
        self.folders, self.by_key = folders, by_key
        self.collapsed &= by_key.keys()
        self.known = True
        self.layout()
        return changed

    def add_page(self, key: str, version: int, items: Sequence[Item],
                 next_cursor: str | None) -> bool:
        """The next page of folder `key`; False when it came too late (the folder went or
        its items were replaced since it was asked for)."""
        folder = self.by_key.get(key)
        if folder is None or folder.version != version:
            return False
        folder.loading = False
        for item in items:
            if item.id not in folder.index:
                folder.index[item.id] = len(folder.items)
                folder.items.append(item)
        folder.cursor = next_cursor
        folder.complete = next_cursor is None
        self.layout()
        return True

    def replace_loaded(self, key: str, items: Sequence[Item], next_cursor: str | None,
                       *, keep: Item | None = None) -> None:
        """The folder's loaded items fetched again (after a live change). `keep` stays at its
        place even when the server no longer lists it (an item opened in Unread)."""
        folder = self.by_key.get(key)
        if folder is None:
            return
        fresh = list(items)
        if keep is not None and keep.id in folder.index and all(i.id != keep.id for i in fresh):
            fresh.insert(min(folder.index[keep.id], len(fresh)), keep)
        folder.items = fresh
        folder._reindex()
        folder.cursor = next_cursor
        folder.complete = next_cursor is None
        folder.loading = False
        folder.version += 1
        self.layout()

    def update(self, items: Iterable[Item]) -> bool:
        """Fresh copies of loaded items, in place. True when one was loaded here."""
        hit = False
        for item in items:
            folder = self.folder_of(item.id)
            if folder is not None:
                folder.items[folder.index[item.id]] = item
                self.stale.add(folder.key)  # (its order may have changed: fetched again)
                hit = True
        return hit

    def remove(self, ids: Iterable[int]) -> bool:
        """Drop loaded items (they left the view); their folders count one less each."""
        drop = set(ids)
        hit = False
        for folder in self.folders:
            gone = drop.intersection(folder.index)
            if not gone:
                continue
            hit = True
            self.stale.add(folder.key)
            unread = sum(1 for i in gone if folder.items[folder.index[i]].state == "unread")
            folder.items = [i for i in folder.items if i.id not in gone]
            folder._reindex()
            folder.count = max(0, folder.count - len(gone))
            folder.unread = max(0, folder.unread - unread)
        if hit:
            self.layout()
        return hit


class FeedCache:
    """The few views seen last, so switching back paints at once (then revalidates)."""

    def __init__(self, size: int = CACHED_VIEWS) -> None:
        self.size = size
        self._feeds: OrderedDict[ViewKey, Feed] = OrderedDict()

    def get(self, key: ViewKey) -> Feed | None:
        feed = self._feeds.get(key)
        if feed is not None:
            self._feeds.move_to_end(key)
        return feed

    def open(self, key: ViewKey) -> Feed:
        feed = self.get(key)
        if feed is None:
            feed = self._feeds[key] = Feed(key)
            while len(self._feeds) > self.size:
                self._feeds.popitem(last=False)
        return feed

    def feeds(self) -> list[Feed]:
        return list(self._feeds.values())

    def find(self, item_id: int) -> Item | None:
        """The freshest loaded copy of an item in any cached view (the newest view first)."""
        for feed in reversed(self._feeds.values()):
            if (item := feed.item(item_id)) is not None:
                return item
        return None


class KnownItems(Mapping[int, Item]):
    """Every item the app holds a copy of: those loaded in cached views, plus a bounded few
    kept aside (ticked items of other views, an item being acted on)."""

    def __init__(self, feeds: FeedCache, keep: int = 2000) -> None:
        self.feeds = feeds
        self.keep = keep
        self._extra: OrderedDict[int, Item] = OrderedDict()

    def __getitem__(self, item_id: int) -> Item:
        item = self.feeds.find(item_id)
        if item is None:
            item = self._extra[item_id]
        return item

    def __iter__(self) -> Iterator[int]:
        seen = {i for feed in self.feeds.feeds() for i in feed.loaded_ids()}
        return iter(seen | self._extra.keys())

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __setitem__(self, item_id: int, item: Item) -> None:
        self._extra[item_id] = item
        self._extra.move_to_end(item_id)
        while len(self._extra) > self.keep:
            self._extra.popitem(last=False)

    def pop(self, item_id: int, default: Item | None = None) -> Item | None:
        return self._extra.pop(item_id, default)
