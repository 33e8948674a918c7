"""The selection model: a set of ids that outlives the visible list."""

from __future__ import annotations

from cockpit.tui.selection import Selection


def test_toggle_contains_len_ids() -> None:
    sel = Selection()
    assert len(sel) == 0 and not sel
    assert sel.toggle(3) is True
    assert 3 in sel and len(sel) == 1
    assert sel.toggle(3) is False
    assert 3 not in sel
    sel.set_many([1, 2, 3], True)
    assert sel.ids == frozenset({1, 2, 3})
    assert isinstance(sel.ids, frozenset)
    sel.set_many([2, 9], False)
    assert sel.ids == {1, 3}
    sel.clear()
    assert len(sel) == 0


def test_folder_state_tri_state() -> None:
    sel = Selection([1, 2])
    assert sel.folder_state([1, 2]) == "on"
    assert sel.folder_state([1, 2, 3]) == "partial"
    assert sel.folder_state([3, 4]) == "off"
    assert sel.folder_state([]) == "off"
    assert sel.folder_state(iter([2, 5])) == "partial"


def test_toggle_folder() -> None:
    sel = Selection([1])
    # partial -> all on
    assert sel.toggle_folder([1, 2, 3]) == "on"
    assert sel.ids == {1, 2, 3}
    # on -> all off, other ids untouched
    sel.toggle(99)
    assert sel.toggle_folder([1, 2, 3]) == "off"
    assert sel.ids == {99}
    # off -> all on
    assert sel.toggle_folder([4, 5]) == "on"
    assert sel.folder_state([4, 5]) == "on"
    # an empty folder stays off and changes nothing
    assert sel.toggle_folder([]) == "off"
    assert sel.ids == {99, 4, 5}


def test_survives_a_different_visible_list_and_counts_hidden() -> None:
    sel = Selection()
    sel.set_many([1, 2, 3], True)
    # the list now shows other items (tab switch, search): nothing is dropped
    visible = {3, 4, 5}
    assert len(sel) == 3
    assert sel.hidden_count(visible) == 2
    assert sel.hidden_count([1, 2, 3]) == 0
    assert sel.hidden_count(set()) == 3


def test_discard_missing_and_retain_only() -> None:
    sel = Selection([1, 2, 3, 4])
    assert sel.discard_missing([2, 3, 77]) == 2
    assert sel.ids == {1, 4}
    assert sel.discard_missing([77]) == 0
    assert sel.retain_only({4, 5}) == 1
    assert sel.ids == {4}


def test_listeners_called_only_on_real_changes() -> None:
    sel = Selection()
    calls: list[int] = []

    def listener(s: Selection) -> None:
        calls.append(len(s))

    sel.subscribe(listener)
    sel.toggle(1)
    sel.set_many([1], True)  # no change
    sel.set_many([2, 3], True)
    sel.discard_missing([42])  # no change
    sel.clear()
    sel.clear()  # no change
    assert calls == [1, 3, 0]
    sel.unsubscribe(listener)
    sel.toggle(5)
    assert calls == [1, 3, 0]
