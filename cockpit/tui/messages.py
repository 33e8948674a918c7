"""The typed messages workers post to the app: one message per result, one for every failure.

Workers never touch widgets. They call the client and post exactly one of these; the app routes
each to the widgets that care. Messages that only carry "the latest state" coalesce
(`can_replace`): when a newer one is already queued, the older one is dropped unhandled.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message

from cockpit.domain.grouping import FolderRow
from cockpit.domain.models import BulkResult, Item
from cockpit.tui.feed import Feed


class GroupsLoaded(Message):
    """A view's folders counted by the server; `changed` are the ids a live burst named
    (their folders' loaded items are fetched again), `force` reloads every loaded folder."""

    def __init__(self, feed: Feed, groups: list[FolderRow], *, changed: Sequence[int] = (),
                 fresh: Sequence[Item] = (), force: bool = False) -> None:
        super().__init__()
        self.feed = feed
        self.groups = groups
        self.changed = list(changed)
        self.fresh = list(fresh)
        self.force = force


class WindowLoaded(Message):
    """A page of one folder (`replace`: the folder's loaded items fetched again)."""

    def __init__(self, feed: Feed, key: str, version: int, items: list[Item],
                 next_cursor: str | None, counts: dict[str, int], *,
                 replace: bool = False) -> None:
        super().__init__()
        self.feed = feed
        self.key = key
        self.version = version
        self.items = items
        self.next_cursor = next_cursor
        self.counts = counts
        self.replace = replace


class ViewsLoaded(Message):
    """The saved views this user sees, with their counts (for the chips and `:`)."""

    def __init__(self, views: list[dict]) -> None:
        super().__init__()
        self.views = views

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ViewsLoaded)


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
        # Runs by query (a folder's checkbox, `*`) answer counts, not ids.
        self.query_updated = 0
        self.query_skipped: dict[str, int] = {}


class BulkChoicesLoaded(Message):
    """For a ticket run over the selection: the people (`assign`) or macros (`macro`)."""

    def __init__(self, op: str, choices: list) -> None:
        super().__init__()
        self.op = op
        self.choices = choices


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


# -- the floor: the Agents and Reports screens ------------------------------------------------
# Posted to the screen that asked (workers of the screen), never bubbling to the app: the app
# hands MetricsChanged on to the Agents screen, and it must not come back up.

class MetricsChanged(Message, bubble=False):
    """The floor now (`GET /metrics/live`'s body), pushed as a `metrics` event or fetched.
    The app hands it on to the Agents screen."""

    def __init__(self, data: dict) -> None:
        super().__init__()
        self.data = data

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MetricsChanged)


class RosterLoaded(Message, bubble=False):
    """Every agent (`GET /agents`), with who we are and the aux codes we may pick."""

    def __init__(self, agents: list[dict], me: dict[str, str],
                 aux_codes: list[dict[str, str]]) -> None:
        super().__init__()
        self.agents = agents
        self.me = me
        self.aux_codes = aux_codes

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RosterLoaded)


class AgentSaved(Message, bubble=False):
    """An agent after a change of ours (`what` says which, e.g. "capacity")."""

    def __init__(self, agent: dict, what: str) -> None:
        super().__init__()
        self.agent = agent
        self.what = what


class ReportLoaded(Message, bubble=False):
    """A report's body, for the request it answers (`key`: name, from, to, by)."""

    def __init__(self, key: tuple[str, str, str, str], report: dict) -> None:
        super().__init__()
        self.key = key
        self.report = report

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ReportLoaded)


class TicketsLoaded(Message, bubble=False):
    """The tickets behind a report's figure, as this user may see them (`missing`: ids that
    answered 404, i.e. gone or not visible)."""

    def __init__(self, items: list[Item], missing: list[int]) -> None:
        super().__init__()
        self.items = items
        self.missing = missing


# -- the support desk ------------------------------------------------------------------------

class CustomerLoaded(Message):
    """A ticket's customer card (`GET /customers/{id}`), for the top of the detail pane."""

    def __init__(self, item_id: int, card: dict) -> None:
        super().__init__()
        self.item_id = item_id
        self.card = card

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CustomerLoaded) and message.item_id == self.item_id


class PresenceChanged(Message):
    """Who views ticket `item_id` now (a `presence` event, or the answer to our own POST)."""

    def __init__(self, item_id: int, viewers: list[str]) -> None:
        super().__init__()
        self.item_id = item_id
        self.viewers = viewers


class MacrosLoaded(Message):
    """The macros the user may run (`GET /macros`), for the picker on `item`."""

    def __init__(self, item: Item, macros: list[dict]) -> None:
        super().__init__()
        self.item = item
        self.macros = macros


class TransferTargetsLoaded(Message):
    """Agents (status, load, capacity) and queues a ticket can be transferred to."""

    def __init__(self, item: Item, agents: list[dict], queues: list[dict]) -> None:
        super().__init__()
        self.item = item
        self.agents = agents
        self.queues = queues


class ForceNeeded(Message):
    """An assign or transfer was refused because the agent is at capacity (409): ask the user,
    then send the same action again with `force: true`."""

    def __init__(self, item: Item, name: str, verb: str, params: dict, reason: str) -> None:
        super().__init__()
        self.item = item
        self.name = name
        self.verb = verb
        self.params = params
        self.reason = reason
