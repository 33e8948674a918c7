"""The selection model: ticked ids plus query scopes, outliving the visible list."""

from __future__ import annotations

from cockpit.tui.feed import Feed, ViewKey
from cockpit.tui.selection import Scope, Selection
from tests.tui.feeds import CUSTOMER, feed_of, make

ACTIVE = ViewKey("active", group_by="kind")
UNREAD = ViewKey("unread", group_by="kind")


def kinds_feed(unloaded: dict[str, int] | None = None, view: ViewKey = ACTIVE) -> Feed:
    """Tickets 4, 2 (plus `unloaded`); Messages 5, 3, 1."""
    items = [make(5), make(4, "ticket", sender=CUSTOMER), make(3),
             make(2, "ticket", sender=CUSTOMER), make(1)]
    return feed_of(items, view.group_by, state=view.state, unloaded=unloaded)


def test_toggle_contains_len_ids() -> None:
    sel = Selection()
    assert len(sel) == 0 and not sel
    assert sel.toggle(3) is True
    assert 3 in sel and len(sel) == 1 and sel
    assert sel.toggle(3) is False
    assert 3 not in sel
    sel.set_many([1, 2, 3], True)
    assert sel.ids == frozenset({1, 2, 3}) and isinstance(sel.ids, frozenset)
    sel.set_many([2, 9], False)
    assert sel.ids == {1, 3} and sel.excluded == frozenset()  # no scope: nothing to except
    sel.clear()
    assert len(sel) == 0 and sel.scopes == ()


def test_a_complete_folder_is_ticked_id_by_id() -> None:
    feed = kinds_feed()
    tickets = feed.by_key["ticket"]
    sel = Selection()
    assert sel.folder_state(ACTIVE, tickets) == "off"
    sel.toggle(4, ACTIVE, "ticket")
    assert sel.folder_state(ACTIVE, tickets) == "partial"
    assert sel.toggle_folder(ACTIVE, tickets) == "on"  # partial -> all of it
    assert sel.ids == {4, 2} and sel.scopes == ()
    assert sel.folder_state(ACTIVE, tickets) == "on"
    assert sel.has(2, ACTIVE, "ticket") and not sel.has(5, ACTIVE, "message")
    sel.toggle(99)
    assert sel.toggle_folder(ACTIVE, tickets) == "off"  # on -> none of it, others stay
    assert sel.ids == {99}
    assert sel.toggle_folder(ACTIVE, tickets) == "on"  # off -> all of it
    assert len(sel) == 3


def test_a_folder_not_fully_loaded_becomes_a_scope() -> None:
    feed = kinds_feed(unloaded={"ticket": 98})  # 100 tickets, 2 of them loaded
    tickets = feed.by_key["ticket"]
    sel = Selection([4])
    assert sel.folder_state(ACTIVE, tickets) == "partial"
    assert sel.toggle_folder(ACTIVE, tickets) == "on"
    assert sel.scopes == (Scope("active", "", "", "kind", "ticket", 100),)
    assert sel.ids == set() and len(sel) == 100  # the loaded id is held by the scope only
    assert sel.folder_state(ACTIVE, tickets) == "on"
    assert sel.has(4, ACTIVE, "ticket") and sel.has(123456, ACTIVE, "ticket")  # unloaded too
    assert not sel.has(5, ACTIVE, "message") and not sel.has(4, UNREAD, "ticket")
    assert 4 not in sel  # `in` answers for ids ticked one by one
    # unticking a loaded item inside the scope excepts it
    assert sel.toggle(2, ACTIVE, "ticket") is False
    assert sel.excluded == {2} and len(sel) == 99
    assert sel.folder_state(ACTIVE, tickets) == "partial"
    assert sel.toggle(2, ACTIVE, "ticket") is True
    assert sel.excluded == frozenset() and len(sel) == 100
    sel.toggle(2, ACTIVE, "ticket")
    assert sel.toggle_folder(ACTIVE, tickets) == "on"  # partial -> whole again
    assert sel.excluded == frozenset() and len(sel) == 100
    assert sel.toggle_folder(ACTIVE, tickets) == "off"
    assert sel.scopes == () and len(sel) == 0 and not sel


def test_a_scope_answers_for_its_view_and_grouping_only() -> None:
    scope = Scope.of(ViewKey("active", q="refund", group_by="kind"), "ticket", 7)
    assert scope.covers(ViewKey("active", q="refund", group_by="kind"), "ticket")
    assert not scope.covers(ViewKey("active", q="refund", group_by="kind"), "message")
    assert not scope.covers(ViewKey("active", q="refund", group_by="smart"), "ticket")
    assert not scope.covers(ViewKey("active", group_by="kind"), "ticket")  # another search
    # the sort is not part of what is selected
    assert scope.covers(ViewKey("active", q="refund", group_by="kind", sort="due"), "ticket")
    assert scope.query() == {"state": "active", "q": "refund", "group_by": "kind",
                             "group": "ticket"}
    everything = Scope.of(ViewKey("active", view="mine", group_by="smart"), None, 40)
    assert everything.covers(ViewKey("active", view="mine", group_by="kind"), "message")
    assert everything.query() == {"state": "active", "view": "mine"}


def test_select_all_holds_the_whole_view_and_counts_what_is_hidden() -> None:
    feed = kinds_feed(unloaded={"message": 45})
    sel = Selection([4, 77])  # 77: ticked in another view
    sel.toggle_folder(ACTIVE, feed.by_key["message"])  # a folder scope, replaced below
    sel.select_all(ACTIVE, feed.total, feed.loaded_ids())
    assert sel.scopes == (Scope("active", "", "", "kind", None, 50),)
    assert sel.ids == {77} and len(sel) == 51
    for item_id, key in ((4, "ticket"), (5, "message"), (10**6, "message")):
        assert sel.has(item_id, ACTIVE, key)
    assert sel.folder_state(ACTIVE, feed.by_key["ticket"]) == "on"
    # another grouping of the same view still shows the scope's items
    assert sel.hidden_count(ViewKey("active", group_by="none"), feed.loaded_ids()) == 1
    assert sel.hidden_count(ACTIVE, feed.loaded_ids()) == 1  # 77
    assert sel.hidden_count(UNREAD, set()) == 51
    # unticking a folder inside "everything" excepts its loaded items
    assert sel.toggle_folder(ACTIVE, feed.by_key["ticket"]) == "off"
    assert sel.excluded == {4, 2} and len(sel) == 49
    assert sel.folder_state(ACTIVE, feed.by_key["ticket"]) == "partial"
    assert sel.toggle_folder(ACTIVE, feed.by_key["ticket"]) == "on"
    assert sel.excluded == frozenset() and sel.ids == {77} and len(sel) == 51


def test_a_folder_scope_of_another_grouping_is_hidden() -> None:
    feed = kinds_feed(unloaded={"ticket": 8})
    sel = Selection()
    sel.toggle_folder(ACTIVE, feed.by_key["ticket"])
    assert sel.hidden_count(ACTIVE, feed.loaded_ids()) == 0
    assert sel.hidden_count(ViewKey("active", group_by="smart"), set()) == 10
    assert not sel.has(4, ViewKey("active", group_by="smart"), "tickets")


def test_recount_follows_the_servers_counts() -> None:
    feed = kinds_feed(unloaded={"ticket": 8})
    sel = Selection()
    sel.toggle_folder(ACTIVE, feed.by_key["ticket"])
    sel.select_all(UNREAD, 30)
    calls: list[int] = []
    sel.subscribe(lambda s: calls.append(len(s)))
    sel.recount(ACTIVE, {None: 14, "ticket": 9, "message": 5})
    assert len(sel) == 9 + 30 and calls == [39]
    sel.recount(ACTIVE, {None: 14, "ticket": 9})  # nothing new: no call
    sel.recount(UNREAD, {None: 3, "ticket": 1})
    assert len(sel) == 9 + 3 and calls == [39, 12]
    assert {s.group: s.count for s in sel.scopes} == {"ticket": 9, None: 3}


def test_survives_another_visible_list_and_counts_hidden() -> None:
    sel = Selection()
    sel.set_many([1, 2, 3], True)
    assert len(sel) == 3
    assert sel.hidden_count(ACTIVE, {3, 4, 5}) == 2
    assert sel.hidden_count(ACTIVE, [1, 2, 3]) == 0
    assert sel.hidden_count(ACTIVE, set()) == 3


def test_discard_drops_items_that_left() -> None:
    sel = Selection([1, 2, 3, 4])
    assert sel.discard([2, 3, 77]) == 2
    assert sel.ids == {1, 4}
    assert sel.discard([77]) == 0


def test_unticking_ids_under_a_scope_excepts_only_what_it_holds() -> None:
    feed = kinds_feed(unloaded={"ticket": 8})
    sel = Selection([5])
    sel.toggle_folder(ACTIVE, feed.by_key["ticket"])
    assert len(sel) == 11
    sel.set_many([5], False)  # 5 is a message, ticked by itself: no scope holds it
    assert sel.ids == set() and len(sel) == 10


def test_listeners_called_only_on_real_changes() -> None:
    sel = Selection()
    calls: list[int] = []

    def listener(s: Selection) -> None:
        calls.append(len(s))

    sel.subscribe(listener)
    sel.subscribe(listener)  # once is enough
    sel.toggle(1)
    sel.set_many([1], True)  # no change
    sel.set_many([2, 3], True)
    sel.discard([42])  # no change
    sel.clear()
    sel.clear()  # no change
    assert calls == [1, 3, 0]
    sel.select_all(ViewKey("active", group_by="none"), 12, [1])
    assert calls == [1, 3, 0, 12]
    sel.unsubscribe(listener)
    sel.toggle(5)
    assert calls == [1, 3, 0, 12]
