"""Outbound webhooks from a durable outbox: signed, retried with backoff until a 2xx.

A decision writes its outbox row in the decision's own transaction, so a crash can lose
neither; a worker in every server process delivers due rows.

Claims and leases. A row is claimed by moving its next attempt into the future (compare-and-set
on `next_attempt_at`), so two processes never send it at once. The claim is a lease of `lease`
seconds which the worker renews (five times a lease) for as long as it holds the row: a delivery
that takes longer than the lease (a slow receiver, a hung one until the timeout) is never sent
again by another replica meanwhile, and the rows of a worker that died (nothing renews them) come
due again within `lease` seconds, not after a long fixed lease. Every attempt ends within
`timeout` seconds, and a worker only claims rows it can start at once, so a held row is a row
being delivered.

In parallel, per destination. Rows go out concurrently: at most `per_destination` at a time to
one host:port and `max_in_flight` in all, so a receiver that hangs holds up only its own rows.

Duplicates. A receiver may still see a row twice (its answer was lost, or a worker stalled past
its lease), so every delivery carries `X-Cockpit-Delivery`: the same on every attempt of a row,
different for every row, also inside the signed body as `delivery_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, insert, select, update

from cockpit.domain.actions import callback_url
from cockpit.store.tables import outbox

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("cockpit.outbox")
SIGNATURE_HEADER = "X-Cockpit-Signature"
DELIVERY_HEADER = "X-Cockpit-Delivery"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def enqueue(conn: Connection, row: dict[str, Any], action: str, actor: str,
            params: dict[str, Any], now: datetime) -> bool:
    """Queue the callback for a decision on `row`, when its producer asked for one."""
    values = message(row, action, actor, params, now)
    if values is None:
        return False
    conn.execute(insert(outbox).values(**values))
    return True


def message(row: dict[str, Any], action: str, actor: str, params: dict[str, Any],
            now: datetime) -> dict[str, Any] | None:
    """The outbox row of a callback for `action` on `row`; None when its producer asked for
    none. A bulk run inserts many of these at once."""
    url = callback_url(row.get("payload") or {})
    if url is None:
        return None
    body = json.dumps({
        "item_id": row["id"], "kind": row["kind"], "source_id": row["source_id"],
        "action": action, "actor": actor, "params": params, "time": now.isoformat(),
        "delivery_id": str(uuid.uuid4()),
    }, separators=(",", ":"), sort_keys=True)
    return {"item_id": row["id"], "url": url, "body": body, "attempts": 0,
            "next_attempt_at": now, "created_at": now}


def delivery_id(row: dict[str, Any]) -> str:
    """The id a receiver drops duplicates by: the one in the row's body, else (rows queued
    before bodies carried one) one derived from the row's id and body, which never change."""
    with contextlib.suppress(ValueError, AttributeError):
        found = json.loads(row["body"]).get("delivery_id")
        if isinstance(found, str) and found:
            return found
    digest = hashlib.sha256(f"cockpit-outbox:{row['id']}:{row['body']}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16]))


def destination(url: str) -> str:
    """`host:port` of a URL: what the per-destination limit counts."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # not a URL httpx can send to either: its attempts fail and back off
        return url.lower()
    return f"{(parts.hostname or '').lower()}:{port}"


@dataclass(eq=False)
class _Held:
    """A row this worker has claimed, and the lease it holds on it."""

    id: int
    destination: str
    url: str
    until: datetime


class OutboxWorker:
    def __init__(self, engine: Engine, secret: str | None, *, interval: float = 1.0,
                 base_delay: float = 2.0, max_delay: float = 300.0, timeout: float = 10.0,
                 lease: float = 5.0, per_destination: int = 4, max_in_flight: int = 32) -> None:
        self.engine = engine
        self.secret = secret
        self.interval = interval
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.timeout = timeout
        self.lease = lease
        self.per_destination = per_destination
        self.max_in_flight = max_in_flight
        self.scan = max(200, 4 * max_in_flight)  # due rows looked at per claim
        self._http: httpx.AsyncClient | None = None  # made for the first delivery: _client
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._held: dict[int, _Held] = {}
        self._busy: Counter[str] = Counter()  # destination -> rows being delivered there
        self._deliveries: set[asyncio.Task[None]] = set()
        self._db = asyncio.Lock()  # claims, renewals and settles of held rows, one at a time

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name="cockpit-outbox")

    async def stop(self) -> None:
        """Stop, and hand the rows still held back at once, for another replica to send."""
        held = [(h.id, h.until) for h in self._held.values()]
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if held:
            try:
                await asyncio.to_thread(self._release, held)
            except Exception:  # they come due when their lease ends anyway
                log.exception("releasing outbox leases failed")
        if self._http is not None:
            await self._http.aclose()

    def _client(self) -> httpx.AsyncClient:
        """The HTTP client, made at the first delivery: a server that sends no webhook never
        loads httpx (~50 ms of every start)."""
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(timeout=self.timeout, limits=httpx.Limits(
                max_connections=self.max_in_flight,
                max_keepalive_connections=self.max_in_flight))
        return self._http

    def wake(self) -> None:
        """Called from any thread after a commit that may have queued a webhook."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        renewer = asyncio.create_task(self._renew_leases(), name="cockpit-outbox-leases")
        try:
            while True:
                self._wake.clear()
                try:
                    await self._fill()
                except Exception:  # keep delivering after a database hiccup
                    log.exception("outbox pass failed")
                # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that lands
                # as the event is set (a delivery ending), and stop() would wait for ever
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.interval):
                        await self._wake.wait()
        finally:
            renewer.cancel()
            for task in self._deliveries:
                task.cancel()
            await asyncio.gather(renewer, *self._deliveries, return_exceptions=True)

    # -- claiming ---------------------------------------------------------------------------

    async def _fill(self) -> None:
        """Claim as many due rows as can start now, and start them."""
        room = self.max_in_flight - len(self._held)
        if room <= 0:
            return
        busy = dict(self._busy)
        full = {h.url for h in self._held.values() if busy[h.destination] >= self.per_destination}
        async with self._db:
            claimed = await asyncio.to_thread(self._claim, datetime.now(UTC), room, busy, full)
            for row, until in claimed:
                held = _Held(row["id"], destination(row["url"]), row["url"], until)
                self._held[held.id] = held
                self._busy[held.destination] += 1
        for row, _ in claimed:
            task = asyncio.create_task(self._deliver(row), name=f"cockpit-outbox-{row['id']}")
            self._deliveries.add(task)
            task.add_done_callback(self._deliveries.discard)

    def _claim(self, now: datetime, room: int, busy: dict[str, int],
               skip_urls: set[str]) -> list[tuple[dict[str, Any], datetime]]:
        """Take up to `room` due rows, none to a destination already at its limit."""
        query = (select(outbox)
                 .where(outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at <= now)
                 .order_by(outbox.c.next_attempt_at, outbox.c.id).limit(self.scan))
        if skip_urls:
            query = query.where(outbox.c.url.not_in(sorted(skip_urls)))
        with self.engine.connect() as conn:
            due = conn.execute(query).all()
        if not due:
            return []
        until = now + timedelta(seconds=self.lease)
        counts = Counter(busy)
        claimed: list[tuple[dict[str, Any], datetime]] = []
        with self.engine.begin() as conn:
            for row in due:
                place = destination(row.url)
                if counts[place] >= self.per_destination:
                    continue
                taken = conn.execute(update(outbox).where(
                    outbox.c.id == row.id, outbox.c.next_attempt_at == row.next_attempt_at,
                    outbox.c.delivered_at.is_(None),
                ).values(next_attempt_at=until)).rowcount
                if taken:
                    claimed.append((dict(row._mapping), until))
                    counts[place] += 1
                    if len(claimed) >= room:
                        break
        return claimed

    # -- leases -----------------------------------------------------------------------------

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self.lease / 5)
            if not self._held:
                continue
            try:
                async with self._db:
                    held = list(self._held.values())
                    until = datetime.now(UTC) + timedelta(seconds=self.lease)
                    await asyncio.to_thread(self._renew, [(h.id, h.until) for h in held], until)
                    for h in held:
                        h.until = until
            except Exception:  # the next round tries again, well within the lease
                log.exception("renewing outbox leases failed")

    def _renew(self, held: list[tuple[int, datetime]], until: datetime) -> None:
        """Extend our leases; a row whose lease is no longer ours is left alone."""
        by_lease: dict[datetime, list[int]] = defaultdict(list)
        for row_id, lease in held:
            by_lease[lease].append(row_id)
        with self.engine.begin() as conn:
            for lease, ids in by_lease.items():
                conn.execute(update(outbox).where(
                    outbox.c.id.in_(ids), outbox.c.next_attempt_at == lease,
                    outbox.c.delivered_at.is_(None),
                ).values(next_attempt_at=until))

    def _release(self, held: list[tuple[int, datetime]]) -> None:
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            for row_id, lease in held:
                conn.execute(update(outbox).where(
                    outbox.c.id == row_id, outbox.c.next_attempt_at == lease,
                    outbox.c.delivered_at.is_(None),
                ).values(next_attempt_at=now))

    # -- delivering -------------------------------------------------------------------------

    async def _deliver(self, row: dict[str, Any]) -> None:
        try:
            error = await self._attempt(row)
            async with self._db:
                held = self._held[row["id"]]
                await asyncio.to_thread(self._settle, row, held.until, error)
        except Exception:  # the row comes due again when its lease ends
            log.exception("settling outbox row %s failed", row["id"])
        finally:
            held = self._held.pop(row["id"], None)
            if held is not None:
                self._busy[held.destination] -= 1
                if self._busy[held.destination] <= 0:
                    del self._busy[held.destination]
            self._wake.set()  # a slot is free

    async def _attempt(self, row: dict[str, Any]) -> str | None:
        """POST the row once; None when the receiver answered 2xx, else what went wrong."""
        body = row["body"].encode()
        headers = {"content-type": "application/json", DELIVERY_HEADER: delivery_id(row)}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._client().post(row["url"], content=body, headers=headers)
        except TimeoutError:
            return f"no answer within {self.timeout:g}s"
        except Exception as exc:  # noqa: BLE001 - refused, a bad URL, ...: retried like any failure
            return f"{exc.__class__.__name__}: {exc}"
        return None if response.is_success else f"HTTP {response.status_code}"

    def _settle(self, row: dict[str, Any], lease: datetime, error: str | None) -> None:
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            if error is None:  # delivered: record it whoever holds the row now
                conn.execute(update(outbox).where(
                    outbox.c.id == row["id"], outbox.c.delivered_at.is_(None),
                ).values(attempts=outbox.c.attempts + 1, delivered_at=now, last_error=None))
                return
            attempts = row["attempts"] + 1
            delay = min(self.max_delay, self.base_delay * 2 ** (attempts - 1))
            conn.execute(update(outbox).where(
                outbox.c.id == row["id"], outbox.c.next_attempt_at == lease,
                outbox.c.delivered_at.is_(None),
            ).values(attempts=attempts, last_error=error[:500],
                     next_attempt_at=now + timedelta(seconds=delay * random.uniform(0.5, 1))))
