"""The Feed: a view's folders with the server's counts, and the pages loaded so far."""

from __future__ import annotations

from cockpit.domain.grouping import ALL_KEY, FolderRow, ItemRow, flatten, group_items
from cockpit.tui.feed import READ_AHEAD, Feed, FeedCache, KnownItems, PendingRow, ViewKey
from tests.tui.feeds import CUSTOMER, feed_of, folder_rows, make


def two_kinds() -> list:
    return [make(5), make(4, "ticket", sender=CUSTOMER), make(3),
            make(2, "ticket", sender=CUSTOMER), make(1, state="read")]


def all_rows(feed: Feed) -> list:
    return [feed.row_at(i) for i in range(feed.row_count)]


def test_rows_of_a_fully_loaded_feed_match_flatten() -> None:
    items = two_kinds()
    for group_by in ("kind", "smart", "sender", "none"):
        feed = feed_of(items, group_by)
        expected = flatten(group_items(items, group_by), set(), group_by != "none")
        assert all_rows(feed) == expected, group_by
        assert feed.total == 5
        assert feed.row_at(-1) is None and feed.row_at(feed.row_count) is None
    feed = feed_of(items, "kind")
    assert feed.row_at(0) == FolderRow("ticket", "Tickets", 2, 2)
    assert feed.row_at(3) == FolderRow("message", "Messages", 3, 2)


def test_rows_past_what_is_loaded_are_pending() -> None:
    feed = feed_of(two_kinds(), "kind", unloaded={"ticket": 3})
    # Tickets (5), 4, 2, pending x3, Messages (3), 5, 3, 1
    assert feed.row_count == 1 + 5 + 1 + 3
    assert feed.row_at(0) == FolderRow("ticket", "Tickets", 5, 2)
    assert isinstance(feed.row_at(2), ItemRow)
    assert [feed.row_at(i) for i in (3, 4, 5)] == [PendingRow("ticket", i) for i in (2, 3, 4)]
    assert feed.row_at(6) == FolderRow("message", "Messages", 3, 2)
    assert not feed.by_key["ticket"].complete and feed.by_key["message"].complete
    assert feed.loaded_ids() == {1, 2, 3, 4, 5}
    assert [i.id for i in feed.items()] == [4, 2, 5, 3, 1]


def test_collapsed_folders_and_lookups() -> None:
    feed = feed_of(two_kinds(), "kind")
    assert feed.row_of(2) == 2 and feed.row_of(1) == 6 and feed.row_of(99) is None
    assert feed.folder_row("message") == 3 and feed.folder_row("nope") is None
    feed.collapsed.add("ticket")
    feed.layout()
    assert feed.row_count == 5
    assert feed.row_of(2) is None  # hidden, but still known
    assert feed.folder_of(2).key == "ticket" and feed.item(2).id == 2
    assert feed.row_of(1) == 4 and feed.folder_row("message") == 1
    # without folder rows, nothing collapses and a folder's "row" is its first item
    flat = feed_of(two_kinds(), "none")
    assert not flat.show_folders and flat.folder_row(ALL_KEY) == 0 and flat.row_of(1) == 4


def test_wanted_follows_the_screen_with_read_ahead() -> None:
    items = [make(i) for i in range(300, 0, -1)]
    feed = feed_of(items, "kind", unloaded={"message": 700})
    loaded_end = 1 + 300  # the folder row, then 300 loaded items
    assert feed.wanted(0, 30) == []  # far from the loaded end
    near = loaded_end - READ_AHEAD
    assert feed.wanted(near - 30, near) == []
    assert [f.key for f in feed.wanted(near - 29, near + 1)] == ["message"]  # within read-ahead
    assert [f.key for f in feed.wanted(900, 930)] == ["message"]  # deep in the placeholders
    assert feed.wanted(2000, 2030) == []  # past the folder
    folder = feed.by_key["message"]
    folder.loading = True  # a page is on its way: not asked twice
    assert feed.wanted(900, 930) == []
    folder.loading = False
    feed.collapsed.add("message")
    feed.layout()
    assert feed.wanted(0, 30) == []  # a collapsed folder draws no rows


def test_wanted_skips_folders_far_below_the_screen() -> None:
    first = [make(i, "ticket", sender=CUSTOMER) for i in range(500, 0, -1)]
    feed = Feed(ViewKey("active", group_by="kind"))
    feed.set_groups([*folder_rows(first, "kind"), FolderRow("message", "Messages", 400, 0)])
    feed.add_page("ticket", 0, first, None)
    assert feed.by_key["message"].items == []
    assert feed.wanted(0, 60) == []
    assert [f.key for f in feed.wanted(480, 540)] == ["message"]


def test_set_groups_keeps_pages_and_says_which_folders_changed() -> None:
    feed = feed_of(two_kinds(), "kind")
    feed.collapsed.add("ticket")
    ticket = feed.by_key["ticket"]
    # same counts: nothing changed; the loaded items stay
    assert feed.set_groups(folder_rows(two_kinds(), "kind")) == []
    assert feed.by_key["ticket"] is ticket and len(ticket.items) == 2
    # the server now counts one more ticket, and the messages folder is gone
    changed = feed.set_groups([FolderRow("ticket", "Tickets", 3, 3)])
    assert changed == [ticket]
    assert [f.key for f in feed.folders] == ["ticket"] and "message" not in feed.by_key
    # loaded to its end, it shows what it holds until the app fetches it again
    assert ticket.complete and ticket.size == 2
    feed.replace_loaded("ticket", [make(6, "ticket"), *ticket.items], None)
    assert ticket.size == 3
    assert feed.row_count == 1  # still collapsed
    feed.set_groups([FolderRow("message", "Messages", 1, 0)])
    assert feed.collapsed == set()  # a folder that went takes its collapsed state along


def test_an_empty_view_without_folders_has_one_empty_folder() -> None:
    feed = Feed(ViewKey("active", group_by="none"))
    assert not feed.known
    feed.set_groups([])
    assert feed.known and feed.row_count == 0 and list(feed.by_key) == [ALL_KEY]
    grouped = Feed(ViewKey("active", group_by="kind"))
    grouped.set_groups([])
    assert grouped.folders == [] and grouped.row_count == 0


def test_add_page_appends_once_and_drops_late_pages() -> None:
    items = [make(i) for i in range(10, 0, -1)]
    feed = Feed(ViewKey("active", group_by="none"))
    feed.set_groups([FolderRow(ALL_KEY, "All", 10, 10)])
    folder = feed.by_key[ALL_KEY]
    assert feed.add_page(ALL_KEY, folder.version, items[:4], "c4") is True
    assert folder.cursor == "c4" and not folder.complete and feed.row_count == 10
    assert isinstance(feed.row_at(4), PendingRow)
    # a page repeating an item (it moved between requests) lists it once
    assert feed.add_page(ALL_KEY, folder.version, items[3:10], None) is True
    assert [i.id for i in feed.items()] == list(range(10, 0, -1)) and folder.complete
    assert feed.add_page("gone", 0, items, None) is False
    # the folder's items were fetched again (a live change): a page asked before is late
    asked_with = folder.version
    feed.replace_loaded(ALL_KEY, items[:3], "c3")
    assert folder.version == asked_with + 1
    assert feed.add_page(ALL_KEY, asked_with, [make(99)], None) is False
    assert [i.id for i in feed.items()] == [10, 9, 8] and folder.cursor == "c3"
    assert feed.row_count == 10  # the count is the server's: the rest are placeholders again


def test_replace_loaded_keeps_the_held_item_in_place() -> None:
    items = [make(i) for i in range(5, 0, -1)]
    feed = feed_of(items, "none")
    held = feed.item(3)
    feed.replace_loaded(ALL_KEY, [items[0], items[1], items[3], items[4]], None, keep=held)
    assert [i.id for i in feed.items()] == [5, 4, 3, 2, 1]
    feed.replace_loaded(ALL_KEY, [items[0]], None, keep=make(77))  # not loaded: not kept
    assert [i.id for i in feed.items()] == [5]
    feed.replace_loaded("gone", items, None)  # no such folder: nothing happens
    assert feed.row_count == 1


def test_update_in_place_and_remove_recounts() -> None:
    feed = feed_of(two_kinds(), "kind", unloaded={"message": 10})
    assert feed.update([make(3, title="Edited", state="read")]) is True
    assert feed.item(3).title == "Edited" and feed.row_of(3) == 5
    assert feed.update([make(42)]) is False
    message = feed.by_key["message"]
    assert (message.count, message.unread) == (13, 2)  # 5 unread, 3 now read in place
    assert feed.remove([5, 3, 42]) is True
    assert (message.count, message.unread) == (11, 1)
    assert [i.id for i in message.items] == [1] and message.index == {1: 0}
    assert feed.row_at(3) == FolderRow("message", "Messages", 11, 1)
    assert feed.remove([42]) is False


def test_feed_cache_keeps_the_last_views() -> None:
    cache = FeedCache(size=2)
    keys = [ViewKey("active"), ViewKey("unread"), ViewKey("active", q="x")]
    first = cache.open(keys[0])
    assert cache.open(keys[0]) is first
    cache.open(keys[1])
    assert cache.get(keys[0]) is first  # seen last now
    cache.open(keys[2])
    assert cache.get(keys[1]) is None and cache.get(keys[0]) is first
    first.set_groups(folder_rows([make(1, title="old")], "smart"))
    first.add_page(first.folders[0].key, 0, [make(1, title="old")], None)
    newer = cache.get(keys[2])
    newer.set_groups(folder_rows([make(1, title="new")], "smart"))
    newer.add_page(newer.folders[0].key, 0, [make(1, title="new")], None)
    assert cache.find(1).title == "new"  # the view seen last
    cache.get(keys[0])
    assert cache.find(1).title == "old"
    assert cache.find(2) is None


def test_known_items_are_the_loaded_ones_plus_a_bounded_few() -> None:
    cache = FeedCache()
    feed = cache.open(ViewKey("active", group_by="none"))
    feed.set_groups([FolderRow(ALL_KEY, "All", 2, 2)])
    feed.add_page(ALL_KEY, 0, [make(2), make(1)], None)
    known = KnownItems(cache, keep=2)
    assert set(known) == {1, 2} and len(known) == 2 and known[1].id == 1
    for i in (10, 11, 12):
        known[i] = make(i)
    assert set(known) == {1, 2, 11, 12}  # the oldest kept-aside item went
    assert 10 not in known and known.get(10) is None
    assert known.pop(11).id == 11 and known.pop(11) is None


def test_row_in_folder_is_clamped_to_what_the_folder_shows() -> None:
    feed = feed_of(two_kinds(), "kind", unloaded={"ticket": 3})
    assert feed.row_in_folder("ticket", 3) == 4  # a placeholder row
    assert feed.row_in_folder("ticket", 99) == 5  # past the folder: its last row
    assert feed.row_in_folder("message", 0) == 7
    feed.collapsed.add("ticket")
    feed.layout()
    assert feed.row_in_folder("ticket", 3) == 0  # collapsed: its folder row
    assert feed.row_in_folder("gone", 0) is None
