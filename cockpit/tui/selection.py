"""The multi-selection of inbox items (pure Python, no Textual), at any size.

A selection is ticked ids plus, for what is too big to list, query scopes: "everything view V
matches" (`*`) or "everything in folder F of view V" (a folder checkbox over a folder not fully
loaded), minus the ids unticked inside them. Its size is exact (scopes carry the server's
count); acting on it is one bulk request per scope (by query, with `except`) plus one for the
ticked ids.

It survives tab, view, search and paging changes; only `clear()`, the user, or items leaving
(`discard`) change it. Listeners (`subscribe`) are called after every change, so the list's
checkboxes and the bulk bar follow whoever changed it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from cockpit.tui.feed import ViewKey

FolderState = Literal["on", "off", "partial"]
Listener = Callable[["Selection"], None]


class FolderLike(Protocol):
    key: str
    index: dict[int, int]
    complete: bool

    @property
    def size(self) -> int: ...


@dataclass(frozen=True)
class Scope:
    """Everything `view` matches (`group` None), or one of its folders; `count` is how many
    items that was when it was ticked (the server's exact count)."""

    state: str
    q: str
    view: str
    group_by: str
    group: str | None
    count: int

    @classmethod
    def of(cls, view: ViewKey, group: str | None, count: int) -> Scope:
        return cls(view.state, view.q, view.view, view.group_by, group, count)

    def covers(self, view: ViewKey, group_key: str | None) -> bool:
        """Whether this scope holds the rows of `view`'s folder `group_key` (None: all)."""
        if (self.state, self.q, self.view) != (view.state, view.q, view.view):
            return False
        if self.group is None:
            return True
        return self.group_by == view.group_by and self.group == group_key

    def query(self) -> dict[str, Any]:
        """The `query` of a bulk-by-query request."""
        body: dict[str, Any] = {"state": self.state}
        if self.q:
            body["q"] = self.q
        if self.view:
            body["view"] = self.view
        if self.group is not None:
            body["group_by"], body["group"] = self.group_by, self.group
        return body


class Selection:
    """Ticked ids, query scopes, and the ids unticked inside those scopes."""

    __slots__ = ("_except", "_ids", "_listeners", "_scopes")

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self._ids: set[int] = set(ids)
        self._scopes: list[Scope] = []
        self._except: set[int] = set()
        self._listeners: list[Listener] = []

    # -- reading -----------------------------------------------------------------

    def __len__(self) -> int:
        """How many items are selected (exact while the scopes' counts are)."""
        return len(self._ids) + sum(s.count for s in self._scopes) - len(self._except)

    def __bool__(self) -> bool:
        return bool(self._ids) or bool(self._scopes)

    def __contains__(self, item_id: object) -> bool:
        """Whether an id is ticked by itself (scopes need a view to answer: see `has`)."""
        return item_id in self._ids

    def __repr__(self) -> str:
        return f"Selection({sorted(self._ids)!r}, scopes={self._scopes!r})"

    @property
    def ids(self) -> frozenset[int]:
        """The ids ticked one by one."""
        return frozenset(self._ids)

    @property
    def scopes(self) -> tuple[Scope, ...]:
        return tuple(self._scopes)

    @property
    def excluded(self) -> frozenset[int]:
        return frozenset(self._except)

    def has(self, item_id: int, view: ViewKey, group_key: str | None) -> bool:
        """Whether the item shown in `view`'s folder `group_key` is selected."""
        if item_id in self._ids:
            return True
        return item_id not in self._except and self._covered(view, group_key)

    def _covered(self, view: ViewKey, group_key: str | None) -> bool:
        return any(s.covers(view, group_key) for s in self._scopes)

    def folder_state(self, view: ViewKey, folder: FolderLike) -> FolderState:
        """"on" when the whole folder is selected, "off" when none of it, else "partial"."""
        if self._covered(view, folder.key):
            return "partial" if self._except.intersection(folder.index) else "on"
        ticked = sum(1 for i in folder.index if i in self._ids)
        if not ticked:
            return "off"
        return "on" if ticked == folder.size and folder.complete else "partial"

    def hidden_count(self, view: ViewKey, shown: Iterable[int]) -> int:
        """How many selected items `view` does not show: ids ticked elsewhere, and scopes of
        another view or grouping."""
        visible = shown if isinstance(shown, (set, frozenset)) else set(shown)
        hidden = sum(1 for i in self._ids if i not in visible)
        for scope in self._scopes:
            same = (scope.state, scope.q, scope.view) == (view.state, view.q, view.view)
            if not same or (scope.group is not None and scope.group_by != view.group_by):
                hidden += scope.count
        return hidden

    # -- changing ----------------------------------------------------------------

    def toggle(self, item_id: int, view: ViewKey | None = None,
               group_key: str | None = None) -> bool:
        """Flip one item; returns whether it is selected now."""
        if view is not None and item_id not in self._ids and self._covered(view, group_key):
            now = item_id in self._except
            (self._except.discard if now else self._except.add)(item_id)
        elif item_id in self._ids:
            self._ids.discard(item_id)
            now = False
        else:
            self._ids.add(item_id)
            now = True
        self._changed()
        return now

    def set_many(self, item_ids: Iterable[int], on: bool) -> None:
        ids = set(item_ids)
        before = (len(self._ids), len(self._except))
        if on:
            self._ids |= ids
            self._except -= ids
        else:
            # Only ids not ticked by themselves can be a scope's; excepting any other would
            # count it off a scope that never held it.
            if self._scopes:
                self._except |= ids - self._ids
            self._ids -= ids
        if (len(self._ids), len(self._except)) != before:
            self._changed()

    def select_rows(self, view: ViewKey, rows: Iterable[tuple[int, str | None]]) -> None:
        """Tick items shown in `view`'s folders, as (id, folder key) (`V`). One a scope
        holds is only taken out of the exceptions: listed too, it would count twice."""
        before = (len(self._ids), len(self._except))
        for item_id, group_key in rows:
            if self._covered(view, group_key):
                self._except.discard(item_id)
            else:
                self._ids.add(item_id)
        if (len(self._ids), len(self._except)) != before:
            self._changed()

    def toggle_folder(self, view: ViewKey, folder: FolderLike) -> FolderState:
        """Partial or off -> all of it on; on -> all of it off. Returns the new state.

        A folder loaded to its end is ticked id by id (so an archive of it can be undone);
        a bigger one becomes a scope: "this folder of this view"."""
        ids = list(folder.index)
        if self.folder_state(view, folder) == "on":
            self._scopes = [s for s in self._scopes
                            if not (s.group is not None and s.covers(view, folder.key))]
            self._ids.difference_update(ids)
            if self._covered(view, folder.key):  # an all-scope holds it: untick its ids
                self._except.update(ids)
            self._changed()
            return "off"
        self._except.difference_update(ids)
        if folder.complete or self._covered(view, folder.key):
            self._ids.update(i for i in ids if not self._covered(view, folder.key))
        else:
            self._ids.difference_update(ids)
            self._scopes.append(Scope.of(view, folder.key, folder.size))
        self._changed()
        return "on"

    def select_all(self, view: ViewKey, count: int, loaded: Iterable[int] = ()) -> None:
        """Everything `view` matches, loaded or not (`*`); `loaded` are the view's ids at
        hand, which the new scope now holds."""
        same = (view.state, view.q, view.view)
        self._scopes = [s for s in self._scopes if (s.state, s.q, s.view) != same]
        self._scopes.append(Scope.of(view, None, count))
        self._ids.difference_update(loaded)
        self._except.clear()
        self._changed()

    def recount(self, view: ViewKey, counts: dict[str | None, int]) -> None:
        """The server counted again: scopes of `view` take the new counts (folder key, or
        None for the whole view)."""
        fresh = []
        for scope in self._scopes:
            key = scope.group
            if scope.covers(view, key) and key in counts and counts[key] != scope.count:
                scope = Scope(scope.state, scope.q, scope.view, scope.group_by, key, counts[key])
            fresh.append(scope)
        if fresh != self._scopes:
            self._scopes = fresh
            self._changed()

    def clear(self) -> None:
        if self:
            self._ids.clear()
            self._scopes.clear()
            self._except.clear()
            self._changed()

    def discard(self, item_ids: Iterable[int]) -> int:
        """Items that left (resolved or deleted elsewhere) are no longer ticked; answers how
        many were."""
        before = len(self._ids)
        self._ids.difference_update(item_ids)
        dropped = before - len(self._ids)
        if dropped:
            self._changed()
        return dropped

    # -- listeners ---------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)
