"""The typed messages workers post to the app: one message per result, one for every failure.

Workers never touch widgets. They call the client and post exactly one of these; the app routes
each to the widgets that care. Messages that only carry "the latest state" coalesce
(`can_replace`): when a newer one is already queued, the older one is dropped unhandled.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message

from cockpit.domain.models import BulkResult, Item


class PageLoaded(Message):
    """One page of the current tab (`first`: replaces the list; later pages add to it)."""

    def __init__(self, generation: int, items: list[Item], counts: dict[str, int], *,
                 first: bool, done: bool) -> None:
        super().__init__()
        self.generation = generation
        self.items = items
        self.counts = counts
        self.first = first
        self.done = done


class Resynced(Message):
    """Every item of the current tab, fetched again after a reset or a large burst."""

    def __init__(self, generation: int, items: list[Item], counts: dict[str, int]) -> None:
        super().__init__()
        self.generation = generation
        self.items = items
        self.counts = counts

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Resynced)


class ResyncNeeded(Message):
    """Too much changed at once (or the stream was reset): fetch the tab again."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ResyncNeeded)


class LiveChanged(Message):
    """A coalesced burst of live changes: fresh copies of changed items, ids that are gone."""

    def __init__(self, items: list[Item], gone: Sequence[int], created: Sequence[int],
                 counts: dict[str, int] | None) -> None:
        super().__init__()
        self.items = items
        self.gone = list(gone)
        self.created = list(created)
        self.counts = counts


class LinkChanged(Message):
    """The live connection's state: connecting, live, offline or unauthorized."""

    def __init__(self, state: str, detail: str = "") -> None:
        super().__init__()
        self.state = state
        self.detail = detail

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LinkChanged)


class CountsChanged(Message):
    def __init__(self, counts: dict[str, int]) -> None:
        super().__init__()
        self.counts = counts

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CountsChanged)


class ItemChanged(Message):
    """One item after an action of ours (`verb` says what happened, e.g. "archived")."""

    def __init__(self, item: Item, verb: str, *, undoable: bool = False,
                 quiet: bool = False) -> None:
        super().__init__()
        self.item = item
        self.verb = verb
        self.undoable = undoable
        self.quiet = quiet


class BulkDone(Message):
    """The combined answer to a bulk run (one or more requests of at most 10,000 ids).

    `unfinished` ids were never acted on because a request failed part way (`reason` says why);
    what `result` names was done.
    """

    def __init__(self, op: str, ids: list[int], result: BulkResult, *,
                 unfinished: int = 0, reason: str = "") -> None:
        super().__init__()
        self.op = op
        self.ids = ids
        self.result = result
        self.unfinished = unfinished
        self.reason = reason


class Restored(Message):
    """An undo: the items that came back (`count` of them; `items` holds their fresh copies
    when there were few enough to fetch one by one), and those that could not."""

    def __init__(self, items: list[Item], failed: list[tuple[int, str]], *,
                 count: int | None = None) -> None:
        super().__init__()
        self.items = items
        self.failed = failed
        self.count = len(items) if count is None else count


class Revealed(Message):
    """An item fetched with its credentials unmasked."""

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item


class UsersLoaded(Message):
    """The people an item can be assigned to (`GET /users`), for the assign picker."""

    def __init__(self, item: Item, users: list[dict[str, str]]) -> None:
        super().__init__()
        self.item = item
        self.users = users


class TimelineLoaded(Message):
    """A ticket's timeline (conversation, internal notes, changes), for the detail pane."""

    def __init__(self, item_id: int, entries: list[dict]) -> None:
        super().__init__()
        self.item_id = item_id
        self.entries = entries

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TimelineLoaded) and message.item_id == self.item_id


class Identified(Message):
    """Who the server says we are."""

    def __init__(self, user: str) -> None:
        super().__init__()
        self.user = user


class OperationFailed(Message):
    """Any IO that failed: routed to one handler that shows the server's reason."""

    def __init__(self, what: str, reason: str, status: int = 0,
                 item_ids: Sequence[int] = ()) -> None:
        super().__init__()
        self.what = what
        self.reason = reason
        self.status = status
        self.item_ids = list(item_ids)
