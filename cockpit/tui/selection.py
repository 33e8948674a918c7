"""The multi-selection of inbox items (pure Python, no Textual).

A `Selection` is a set of item ids. It survives tab, view, search and paging changes: it is
never cleared because the visible list changed. Only an explicit `clear()`,
`discard_missing()` (items resolved elsewhere) or the user unticking rows removes ids.

Listeners (`subscribe`) are called after every change that altered the set, so a widget
showing checkboxes can refresh itself whoever changed the selection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

FolderState = Literal["on", "off", "partial"]
Listener = Callable[["Selection"], None]


class Selection:
    """A set of selected item ids with folder (tri-state) helpers."""

    __slots__ = ("_ids", "_listeners")

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self._ids: set[int] = set(ids)
        self._listeners: list[Listener] = []

    # -- reading -----------------------------------------------------------------

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __bool__(self) -> bool:
        return bool(self._ids)

    def __iter__(self):
        return iter(self._ids)

    def __repr__(self) -> str:
        return f"Selection({sorted(self._ids)!r})"

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(self._ids)

    def folder_state(self, item_ids: Iterable[int]) -> FolderState:
        """"on" when every id is selected, "off" when none (or no ids), else "partial"."""
        selected = self._ids
        seen_on = seen_off = False
        for item_id in item_ids:
            if item_id in selected:
                seen_on = True
            else:
                seen_off = True
            if seen_on and seen_off:
                return "partial"
        return "on" if seen_on else "off"

    def hidden_count(self, visible_ids: Iterable[int]) -> int:
        """How many selected ids the current view does not show."""
        visible = visible_ids if isinstance(visible_ids, (set, frozenset)) else set(visible_ids)
        return sum(1 for item_id in self._ids if item_id not in visible)

    # -- changing ----------------------------------------------------------------

    def toggle(self, item_id: int) -> bool:
        """Flip one id; returns whether it is selected now."""
        if item_id in self._ids:
            self._ids.discard(item_id)
            now = False
        else:
            self._ids.add(item_id)
            now = True
        self._changed()
        return now

    def set_many(self, item_ids: Iterable[int], on: bool) -> None:
        before = len(self._ids)
        if on:
            self._ids.update(item_ids)
        else:
            self._ids.difference_update(item_ids)
        if len(self._ids) != before:
            self._changed()

    def toggle_folder(self, item_ids: Iterable[int]) -> FolderState:
        """Partial or off -> every id on; on -> every id off. Returns the new state."""
        ids = list(item_ids)
        if not ids:
            return "off"
        if self.folder_state(ids) == "on":
            self.set_many(ids, False)
            return "off"
        self.set_many(ids, True)
        return "on"

    def clear(self) -> None:
        if self._ids:
            self._ids.clear()
            self._changed()

    def discard(self, item_id: int) -> None:
        if item_id in self._ids:
            self._ids.discard(item_id)
            self._changed()

    def discard_missing(self, missing_ids: Iterable[int]) -> int:
        """Drop the given ids (items resolved, archived or deleted elsewhere).

        Returns how many selected ids were dropped.
        """
        before = len(self._ids)
        self._ids.difference_update(missing_ids)
        dropped = before - len(self._ids)
        if dropped:
            self._changed()
        return dropped

    def retain_only(self, existing_ids: Iterable[int]) -> int:
        """Keep only ids that are in `existing_ids` (the complement of `discard_missing`).

        Returns how many selected ids were dropped.
        """
        existing = existing_ids if isinstance(existing_ids, (set, frozenset)) else set(existing_ids)
        before = len(self._ids)
        self._ids.intersection_update(existing)
        dropped = before - len(self._ids)
        if dropped:
            self._changed()
        return dropped

    # -- listeners ---------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        try:
            self._listeners.remove(listener)
        except ValueError:
            pass

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)
