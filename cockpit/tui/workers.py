"""Every request the app makes, each in a worker that posts one typed message with its result.

Nothing here touches a widget. A failure becomes one `OperationFailed` carrying the server's
reason; the app shows it and leaves the item as it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from textual.app import App
from textual.message import Message
from textual.worker import Worker

from cockpit.client import ApiError, CockpitClient
from cockpit.domain.models import MAX_BULK_IDS, BulkResult, Item
from cockpit.tui.messages import (
    BulkDone,
    CountsChanged,
    Identified,
    ItemChanged,
    LiveChanged,
    OperationFailed,
    PageLoaded,
    Restored,
    Resynced,
    Revealed,
    TimelineLoaded,
    UsersLoaded,
)
from cockpit.tui.triage import TABS

PAGE_SIZE = 500
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

    def load(self, generation: int, tab: str, query: str | None) -> Worker[None]:
        """The tab's first page at once, then the rest in the background, page by page."""
        state = TABS[tab][1]

        async def job() -> None:
            cursor: str | None = None
            first = True
            while True:
                page = await self.client.list_inbox(state=state, q=query or None,
                                                    limit=PAGE_SIZE, cursor=cursor)
                cursor = page.next_cursor
                self.app.post_message(PageLoaded(generation, page.items, page.counts,
                                                 first=first, done=cursor is None))
                first = False
                if cursor is None:
                    return None

        return self._run("load the inbox", job, group="load", exclusive=True)

    def resync(self, generation: int, tab: str, query: str | None) -> Worker[None]:
        """Every item of the tab again, delivered in one message (the list diffs it in place)."""
        state = TABS[tab][1]

        async def job() -> Resynced:
            items: list[Item] = []
            cursor: str | None = None
            counts: dict[str, int] = {}
            while True:
                page = await self.client.list_inbox(state=state, q=query or None,
                                                    limit=PAGE_SIZE, cursor=cursor)
                items.extend(page.items)
                counts = page.counts
                cursor = page.next_cursor
                if cursor is None:
                    return Resynced(generation, items, counts)

        return self._run("refresh the inbox", job, group="resync", exclusive=True)

    def counts(self, tab: str, query: str | None) -> Worker[None]:
        async def job() -> CountsChanged:
            page = await self.client.list_inbox(state=TABS[tab][1], q=query or None, limit=1)
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

    def bulk(self, ids: list[int], op: str) -> Worker[None]:
        """Any number of ids: requests of at most BULK_CHUNK, answered by one BulkDone."""
        async def job() -> BulkDone:
            done = BulkResult()
            for start in range(0, len(ids), BULK_CHUNK):
                try:
                    result = await self.client.bulk(ids[start:start + BULK_CHUNK], op)
                except ApiError as exc:
                    if start == 0:
                        raise  # nothing was done: an ordinary failure
                    return BulkDone(op, ids, done, unfinished=len(ids) - start,
                                    reason=exc.message)
                done = merge_results(done, result)
            return BulkDone(op, ids, done)

        return self._run(f"{op} {len(ids)} items", job, ids=ids[:50])

    async def _bulk_all(self, ids: Sequence[int], op: str) -> BulkResult:
        done = BulkResult()
        ids = list(ids)
        for start in range(0, len(ids), BULK_CHUNK):
            done = merge_results(done, await self.client.bulk(ids[start:start + BULK_CHUNK], op))
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


def merge_results(a: BulkResult, b: BulkResult) -> BulkResult:
    return BulkResult(updated=[*a.updated, *b.updated], skipped=[*a.skipped, *b.skipped],
                      not_found=[*a.not_found, *b.not_found])
