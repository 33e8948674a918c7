"""Every request the app makes, each in a worker that posts one typed message with its result.

Nothing here touches a widget. A failure becomes one `OperationFailed` carrying the server's
reason; the app shows it and leaves the item as it was.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence

from textual.app import App
from textual.message import Message
from textual.worker import Worker

from cockpit.client import ApiError, CockpitClient
from cockpit.domain.grouping import FolderRow
from cockpit.domain.models import MAX_BULK_IDS, BulkResult, Item
from cockpit.tui.feed import Feed, Folder, ViewKey
from cockpit.tui.messages import (
    BulkChoicesLoaded,
    BulkDone,
    CountsChanged,
    CustomerLoaded,
    ForceNeeded,
    GroupsLoaded,
    Identified,
    ItemChanged,
    LiveChanged,
    MacrosLoaded,
    OperationFailed,
    PresenceChanged,
    Restored,
    Revealed,
    TimelineLoaded,
    TransferTargetsLoaded,
    UsersLoaded,
    ViewsLoaded,
    WindowLoaded,
)
from cockpit.tui.selection import Scope
from cockpit.tui.view_names import PAGE

RELOAD_PAGE = 500  # the most the server gives at once
BULK_CHUNK = MAX_BULK_IDS  # ids per POST /inbox/bulk: the server refuses more
FETCH_AFTER_UNDO = 50  # an undo of more items leaves their fresh copies to the live update

Job = Callable[[], Awaitable[Message | None]]


class Effects:
    """The app's side effects. Each method starts one worker and returns it."""

    def __init__(self, app: App, client: CockpitClient) -> None:
        self.app = app
        self.client = client

    def _run(self, what: str, job: Job, *, ids: Sequence[int] = (), group: str = "io",
             exclusive: bool = False) -> Worker[None]:
        async def run() -> None:
            try:
                message = await job()
            except ApiError as exc:
                self.app.post_message(OperationFailed(what, exc.message, exc.status, ids))
                return
            except Exception as exc:  # noqa: BLE001 - a bug must not take the app down
                self.app.post_message(OperationFailed(what, f"{exc.__class__.__name__}: {exc}",
                                                      0, ids))
                return
            if message is not None:
                self.app.post_message(message)

        return self.app.run_worker(run(), name=what, group=group, exclusive=exclusive,
                                   exit_on_error=False)

    # -- reading ---------------------------------------------------------------------------

    def groups(self, feed: Feed, *, changed: Sequence[int] = (), fresh: Sequence[Item] = (),
               force: bool = False) -> Worker[None]:
        """Count a view's folders (the newest request for the shown view wins)."""
        key = feed.key

        async def job() -> GroupsLoaded:
            data = await self.client.groups(state=key.state, q=key.q or None,
                                            view=key.view or None, group_by=key.group_by)
            rows = [FolderRow(g["key"], g["label"], g["count"], g["unread"])
                    for g in data["groups"]]
            return GroupsLoaded(feed, rows, changed=changed, fresh=fresh, force=force)

        return self._run(_what(key), job, group="groups", exclusive=True)

    def window(self, feed: Feed, folder: Folder) -> Worker[None]:
        """The next page of one folder."""
        key, version, cursor = feed.key, folder.version, folder.cursor
        folder.loading = True

        async def job() -> WindowLoaded:
            try:
                page = await self.client.list_inbox(
                    state=key.state, q=key.q or None, view=key.view or None, sort=key.sort,
                    group_by=key.group_by, group=folder.key, limit=PAGE, cursor=cursor)
            except BaseException:
                folder.loading = False  # asked again when the rows come back on screen
                raise
            return WindowLoaded(feed, folder.key, version, page.items, page.next_cursor,
                                page.counts)

        return self._run(_what(key), job, group=f"window-{folder.key}")

    def reload_folder(self, feed: Feed, folder: Folder) -> Worker[None]:
        """A folder's loaded items fetched again, as many as it had (after a live change)."""
        key, version = feed.key, folder.version
        wanted = max(len(folder.items), PAGE)
        folder.loading = True

        async def job() -> WindowLoaded:
            items: list[Item] = []
            cursor: str | None = None
            counts: dict[str, int] = {}
            try:
                while True:
                    page = await self.client.list_inbox(
                        state=key.state, q=key.q or None, view=key.view or None,
                        sort=key.sort, group_by=key.group_by, group=folder.key,
                        limit=min(RELOAD_PAGE, wanted - len(items)), cursor=cursor)
                    items += page.items
                    cursor, counts = page.next_cursor, page.counts
                    if cursor is None or len(items) >= wanted:
                        break
            except BaseException:
                folder.loading = False
                raise
            return WindowLoaded(feed, folder.key, version, items, cursor, counts,
                                replace=True)

        return self._run("refresh the inbox", job, group=f"reload-{folder.key}",
                         exclusive=True)

    def views(self) -> Worker[None]:
        """The saved views and their counts (the newest request wins)."""
        async def job() -> ViewsLoaded:
            return ViewsLoaded(await self.client.views())

        return self._run("list the saved views", job, group="views", exclusive=True)

    def counts(self, key: ViewKey) -> Worker[None]:
        async def job() -> CountsChanged:
            page = await self.client.list_inbox(state=key.state, q=key.q or None,
                                                view=key.view or None, limit=1)
            return CountsChanged(page.counts)

        return self._run("count the inbox", job, group="counts", exclusive=True)

    def identify(self) -> Worker[None]:
        """Ask the server who we are, for the header."""
        async def job() -> Identified:
            return Identified((await self.client.me())["id"])

        return self._run("identify", job, group="identify")

    # -- one item --------------------------------------------------------------------------

    def patch(self, item: Item, state: str, verb: str, *, quiet: bool = False) -> Worker[None]:
        async def job() -> ItemChanged:
            fresh = await self.client.patch(item.id, state)
            return ItemChanged(fresh, verb, quiet=quiet)

        return self._run(f"mark item {item.id} {state}", job, ids=[item.id])

    def act(self, item: Item, name: str, verb: str, params: dict | None = None, *,
            undoable: bool = False) -> Worker[None]:
        async def job() -> ItemChanged:
            fresh = await self.client.act(item.id, name, params)
            return ItemChanged(fresh, verb, undoable=undoable)

        return self._run(f"{name} item {item.id}", job, ids=[item.id])

    def refresh(self, ids: Sequence[int]) -> Worker[None]:
        """Fetch items again (after a conflict): fresh copies, and those that are gone."""
        async def job() -> LiveChanged:
            fresh, gone = [], []
            for item_id in list(ids)[:50]:
                try:
                    fresh.append(await self.client.get(item_id))
                except ApiError as exc:
                    if exc.status != 404:
                        raise
                    gone.append(item_id)
            return LiveChanged(fresh, gone, [], None)

        return self._run("refresh the items", job, group="refresh")

    def reveal(self, item: Item) -> Worker[None]:
        async def job() -> Revealed:
            return Revealed(await self.client.get(item.id, reveal=True))

        return self._run(f"reveal item {item.id}", job, ids=[item.id])

    # -- many items ------------------------------------------------------------------------

    def bulk(self, ids: list[int], op: str, params: dict | None = None) -> Worker[None]:
        """Any number of ids: requests of at most BULK_CHUNK, answered by one BulkDone."""
        async def job() -> BulkDone:
            done = BulkResult()
            for start in range(0, len(ids), BULK_CHUNK):
                try:
                    result = await self.client.bulk(ids[start:start + BULK_CHUNK], op, params)
                except ApiError as exc:
                    if start == 0:
                        raise  # nothing was done: an ordinary failure
                    return BulkDone(op, ids, done, unfinished=len(ids) - start,
                                    reason=exc.message)
                done = merge_results(done, result)
            return BulkDone(op, ids, done)

        return self._run(f"{op} {len(ids)} items", job, ids=ids[:50])

    def bulk_selection(self, scopes: Sequence[Scope], excluded: Sequence[int],
                       ids: list[int], op: str, params: dict | None = None) -> Worker[None]:
        """A selection held as queries (a folder's checkbox, `*`): one bulk-by-query request
        per scope, each one transaction on the server, then the ids ticked one by one."""
        async def job() -> BulkDone:
            updated, skipped = 0, Counter[str]()
            for scope in scopes:
                answer = await self.client.bulk_query(scope.query(), op,
                                                      except_ids=sorted(excluded),
                                                      params=params)
                updated += int(answer.get("updated", 0))
                skipped.update({str(k): int(v) for k, v in (answer.get("skipped") or {}).items()})
            result = await self._bulk_all(ids, op, params) if ids else BulkResult()
            done = BulkDone(op, ids, result)
            done.query_updated, done.query_skipped = updated, dict(skipped)
            return done

        return self._run(f"{op} the selection", job, ids=ids[:50])

    async def _bulk_all(self, ids: Sequence[int], op: str,
                        params: dict | None = None) -> BulkResult:
        done = BulkResult()
        ids = list(ids)
        for start in range(0, len(ids), BULK_CHUNK):
            done = merge_results(done, await self.client.bulk(ids[start:start + BULK_CHUNK], op,
                                                              params))
        return done

    def restore(self, ids: Sequence[int], read_ids: Sequence[int] = ()) -> Worker[None]:
        """Undo: bring archived/resolved items back (restore means unread), mark read again
        those that were read, then fetch them (a few; the live update brings many)."""
        async def job() -> Restored:
            result = await self._bulk_all(ids, "restore")
            back = set(result.updated)
            if reread := [i for i in read_ids if i in back]:
                await self._bulk_all(reread, "read")
            failed = [(s.id, s.reason) for s in result.skipped]
            failed += [(i, "not found") for i in result.not_found]
            if len(result.updated) > FETCH_AFTER_UNDO:
                return Restored([], failed, count=len(result.updated))
            items = await asyncio.gather(*(self.client.get(i) for i in result.updated))
            return Restored(list(items), failed)

        return self._run("undo", job, ids=list(ids)[:50], group="undo")

    def timeline(self, item: Item) -> Worker[None]:
        """A ticket's timeline, for its notes in the detail pane (the newest request wins)."""
        async def job() -> TimelineLoaded:
            return TimelineLoaded(item.id, await self.client.timeline(item.id))

        return self._run(f"load the notes of item {item.id}", job, ids=[item.id],
                         group="timeline", exclusive=True)

    # -- people ----------------------------------------------------------------------------

    def users(self, item: Item) -> Worker[None]:
        """Who `item` can be assigned to, for the picker."""
        async def job() -> UsersLoaded:
            return UsersLoaded(item, await self.client.users())

        return self._run("list the users", job, ids=[item.id], group="users", exclusive=True)


    # -- the support desk ------------------------------------------------------------------

    def bulk_choices(self, op: str) -> Worker[None]:
        """What a ticket run over the selection picks from: people (assign) or macros."""
        async def job() -> BulkChoicesLoaded:
            if op == "assign":
                people = await self.client.users()
                return BulkChoicesLoaded(op, [u["id"] for u in people
                                              if u.get("status", "active") == "active"
                                              and u.get("role") != "service"])
            return BulkChoicesLoaded(op, await self.client.macros())

        return self._run(f"list the choices for {op}", job, group="bulk-choices",
                         exclusive=True)

    def customer(self, item: Item, customer_id: str) -> Worker[None]:
        """A ticket's customer card (the newest request wins)."""
        async def job() -> CustomerLoaded:
            return CustomerLoaded(item.id, await self.client.customer(customer_id))

        return self._run(f"load the customer of item {item.id}", job, ids=[item.id],
                         group="customer", exclusive=True)

    def viewing(self, item_id: int, viewing: bool) -> Worker[None]:
        """Tell the server we view (or left) a ticket. Quiet: presence is a courtesy, and a
        failure (an older server, a blip) must not toast every 20 seconds."""
        async def run() -> None:
            try:
                answer = await self.client.viewing(item_id, viewing)
            except ApiError:
                return
            if viewing:
                self.app.post_message(PresenceChanged(item_id, list(answer.get("viewers") or [])))

        return self.app.run_worker(run(), name="viewing", group="presence", exit_on_error=False)

    def macros(self, item: Item) -> Worker[None]:
        async def job() -> MacrosLoaded:
            return MacrosLoaded(item, await self.client.macros())

        return self._run("list the macros", job, ids=[item.id], group="macros", exclusive=True)

    def transfer_targets(self, item: Item) -> Worker[None]:
        """The agents (with status and load) and queues, for the transfer picker."""
        async def job() -> TransferTargetsLoaded:
            agents, queues = await asyncio.gather(self.client.agents(), self.client.queues())
            return TransferTargetsLoaded(item, agents, queues)

        return self._run("list the agents and queues", job, ids=[item.id], group="transfer",
                         exclusive=True)

    def act_or_ask(self, item: Item, name: str, verb: str, params: dict) -> Worker[None]:
        """`act`, but an agent at capacity (409 naming `force`) asks the user (ForceNeeded)
        instead of failing."""
        async def job() -> Message:
            try:
                fresh = await self.client.act(item.id, name, params)
            except ApiError as exc:
                if exc.status == 409 and "force" in exc.message and not params.get("force"):
                    return ForceNeeded(item, name, verb, params, exc.message)
                raise
            return ItemChanged(fresh, verb)

        return self._run(f"{name} item {item.id}", job, ids=[item.id])


def merge_results(a: BulkResult, b: BulkResult) -> BulkResult:
    return BulkResult(updated=[*a.updated, *b.updated], skipped=[*a.skipped, *b.skipped],
                      not_found=[*a.not_found, *b.not_found])


def _what(key: ViewKey) -> str:
    """What a failed read was doing, in the user's words (a search names itself: its error
    is shown under the search box)."""
    return "search" if key.q else "load the inbox"
