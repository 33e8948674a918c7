"""Outbound webhooks from a durable outbox: signed, retried with backoff until a 2xx.

A decision writes its outbox row in the decision's own transaction, so a crash can lose
neither; a worker in every server process delivers due rows. A row is claimed by moving its
next attempt into the future (compare-and-set), so two processes never send it at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, insert, select, update

from cockpit.store.tables import outbox

log = logging.getLogger("cockpit.outbox")
SIGNATURE_HEADER = "X-Cockpit-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def enqueue(conn: Connection, row: dict[str, Any], action: str, actor: str,
            params: dict[str, Any], now: datetime) -> bool:
    """Queue the callback for a decision on `row`, when its producer asked for one."""
    url = (row.get("payload") or {}).get("callback_url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return False
    body = json.dumps({
        "item_id": row["id"], "kind": row["kind"], "source_id": row["source_id"],
        "action": action, "actor": actor, "params": params, "time": now.isoformat(),
    }, separators=(",", ":"), sort_keys=True)
    conn.execute(insert(outbox).values(item_id=row["id"], url=url, body=body, attempts=0,
                                       next_attempt_at=now, created_at=now))
    return True


def pending(conn: Connection, *, include_delivered: bool = False, limit: int = 200) -> list[dict]:
    stmt = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
    if not include_delivered:
        stmt = stmt.where(outbox.c.delivered_at.is_(None))
    return [dict(r._mapping) for r in conn.execute(stmt)]


class OutboxWorker:
    def __init__(self, engine: Engine, secret: str | None, *, interval: float = 1.0,
                 base_delay: float = 2.0, max_delay: float = 300.0, timeout: float = 10.0,
                 lease: float = 60.0) -> None:
        self.engine = engine
        self.secret = secret
        self.interval = interval
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.lease = lease
        self._http = httpx.AsyncClient(timeout=timeout)
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name="cockpit-outbox")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await self._http.aclose()

    def wake(self) -> None:
        """Called from any thread after a commit that may have queued a webhook."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while True:
            try:
                await self.deliver_due()
            except Exception:  # keep delivering after a database hiccup
                log.exception("outbox pass failed")
            try:
                await asyncio.wait_for(self._wake.wait(), self.interval)
            except TimeoutError:
                pass
            self._wake.clear()

    def _claim(self, now: datetime) -> list[dict[str, Any]]:
        claimed = []
        with self.engine.begin() as conn:
            due = conn.execute(select(outbox).where(outbox.c.delivered_at.is_(None),
                                                    outbox.c.next_attempt_at <= now)
                               .order_by(outbox.c.next_attempt_at).limit(20)).all()
            for row in due:
                taken = conn.execute(update(outbox).where(
                    outbox.c.id == row.id, outbox.c.next_attempt_at == row.next_attempt_at,
                    outbox.c.delivered_at.is_(None),
                ).values(next_attempt_at=now + timedelta(seconds=self.lease))).rowcount
                if taken:
                    claimed.append(dict(row._mapping))
        return claimed

    def _settle(self, row: dict[str, Any], error: str | None) -> None:
        now = datetime.now(UTC)
        attempts = row["attempts"] + 1
        if error is None:
            values = {"attempts": attempts, "delivered_at": now, "last_error": None}
        else:
            delay = min(self.max_delay, self.base_delay * 2 ** (attempts - 1))
            values = {"attempts": attempts, "last_error": error[:500],
                      "next_attempt_at": now + timedelta(seconds=delay * random.uniform(0.5, 1))}
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id == row["id"]).values(**values))

    async def deliver_due(self) -> int:
        """Send every due row once; answers how many were delivered."""
        rows = await asyncio.to_thread(self._claim, datetime.now(UTC))
        delivered = 0
        for row in rows:
            body = row["body"].encode()
            headers = {"content-type": "application/json"}
            if self.secret:
                headers[SIGNATURE_HEADER] = sign(self.secret, body)
            try:
                response = await self._http.post(row["url"], content=body, headers=headers)
                error = None if response.is_success else f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                error = f"{exc.__class__.__name__}: {exc}"
            await asyncio.to_thread(self._settle, row, error)
            delivered += error is None
        return delivered
