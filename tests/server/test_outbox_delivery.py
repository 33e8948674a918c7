"""The outbox worker: parallel per destination, leases renewed while delivering (so no replica
sends a row twice, and a dead worker's rows come back within seconds), stable delivery ids.

Each receiver is a real HTTP server on a loopback port. Waits are conditions with generous
deadlines; where a bound is asserted it is well below what the old behaviour needed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from cockpit.server import outbox as outbox_module
from cockpit.server.outbox import OutboxWorker
from cockpit.store.tables import outbox

SECRET = "outbox-test-secret"
DELIVERY = "X-Cockpit-Delivery"


class Hook:
    """A webhook receiver on a loopback port.

    `hang`: calls hang (until the receiver closes) while this is > 0, counting down per call;
    `delay`: seconds each answered call takes; `failures`: the first calls answered 500.
    """

    def __init__(self, *, hang: int = 0, delay: float = 0.0, failures: int = 0) -> None:
        self.hang, self.delay, self.failures = hang, delay, failures
        self.calls: list[dict] = []  # {"headers", "body", "status", "at"} of answered calls
        self.received = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self._closing = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                with hook._lock:
                    hook.received += 1
                    hook.in_flight += 1
                    hook.most_in_flight = max(hook.most_in_flight, hook.in_flight)
                    hang = hook.hang > 0
                    hook.hang -= hang
                    status = 500 if hook.received <= hook.failures else 200
                try:
                    if hang:
                        hook._closing.wait(60)
                        return
                    if hook.delay:
                        time.sleep(hook.delay)
                    with hook._lock:
                        hook.calls.append({"headers": dict(self.headers), "body": body,
                                           "status": status, "at": time.monotonic()})
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                finally:
                    with hook._lock:
                        hook.in_flight -= 1

            def log_message(self, *args) -> None:
                pass

        class Server(ThreadingHTTPServer):
            block_on_close = False

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def accepted(self) -> list[dict]:
        with self._lock:
            return [c for c in self.calls if c["status"] == 200]

    def close(self) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hooks():
    made: list[Hook] = []

    def make(**kw) -> Hook:
        made.append(Hook(**kw))
        return made[-1]

    yield make
    for hook in made:
        hook.close()


@pytest.fixture
async def workers():
    """Workers started for a test, stopped after it (unless the test crashed them)."""
    made: list[OutboxWorker] = []

    async def make(engine, **kw) -> OutboxWorker:
        worker = OutboxWorker(engine, SECRET, interval=kw.pop("interval", 0.05), **kw)
        await worker.start()
        made.append(worker)
        return worker

    yield make
    for worker in made:
        await worker.stop()


def queue(engine, url: str, count: int = 1, *, first: int = 1) -> None:
    """`count` decisions whose callbacks go to `url`."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for n in range(first, first + count):
            row = {"id": n, "kind": "waitpoint", "source_id": f"wp-{n}",
                   "payload": {"callback_url": url}}
            assert outbox_module.enqueue(conn, row, "approve", "mel", {}, now)


def rows(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(outbox).order_by(outbox.c.id))]


async def until(predicate, timeout: float, what: str) -> float:
    """Wait (without blocking the loop) until `predicate` holds; answers the seconds it took."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


def crash(worker: OutboxWorker) -> asyncio.Task:
    """Stop `worker` as kill -9 would: nothing settled, nothing released."""
    worker._task.cancel()
    return worker._task


async def test_a_hung_receiver_does_not_hold_up_a_healthy_one(engine, hooks, workers):
    hung, healthy = hooks(hang=1000), hooks()
    queue(engine, hung.url, 8)  # older: first in line
    queue(engine, healthy.url, 6, first=100)
    await workers(engine, timeout=5.0)
    took = await until(lambda: len(healthy.accepted()) == 6, 30, "the healthy receiver")
    print(f"\nhealthy receiver had all 6 after {took:.2f}s; the hung one held "
          f"{hung.most_in_flight} at once")
    assert took < 4.0  # less than one timeout of the hung receiver
    assert 1 <= hung.most_in_flight <= 4  # the per-destination limit
    assert len({c["headers"][DELIVERY] for c in healthy.accepted()}) == 6


async def test_no_replica_resends_a_row_another_is_still_delivering(engine, hooks, workers):
    slow = hooks(delay=3.0)  # twice the lease
    queue(engine, slow.url, 3)
    for _ in range(2):  # two replicas on one database
        await workers(engine, lease=1.5, timeout=8.0)
    await until(lambda: all(r["delivered_at"] for r in rows(engine)), 30, "the deliveries")
    await asyncio.sleep(0.5)  # a late duplicate would be on its way by now
    print(f"\nslow receiver: {slow.received} calls for 3 rows")
    assert slow.received == 3
    assert [r["attempts"] for r in rows(engine)] == [1, 1, 1]
    assert len({c["headers"][DELIVERY] for c in slow.calls}) == 3


async def test_every_attempt_of_a_row_carries_the_same_delivery_id(engine, hooks, workers):
    flaky, other = hooks(failures=2), hooks()
    queue(engine, flaky.url, 1)
    queue(engine, other.url, 1, first=2)
    await workers(engine, base_delay=0.05)
    await until(lambda: len(flaky.accepted()) == 1 and len(other.accepted()) == 1, 30,
                "both deliveries")
    retried = {c["headers"][DELIVERY] for c in flaky.calls}
    assert len(flaky.calls) == 3 and len(retried) == 1
    [first_id] = retried
    [other_id] = {c["headers"][DELIVERY] for c in other.calls}
    assert other_id != first_id
    for call in flaky.calls + other.calls:  # the id is in the signed body too
        expected = "sha256=" + hmac.new(SECRET.encode(), call["body"], hashlib.sha256).hexdigest()
        assert call["headers"]["X-Cockpit-Signature"] == expected
        assert json.loads(call["body"])["delivery_id"] == call["headers"][DELIVERY]
    with engine.connect() as conn:
        listed = {r.id: outbox_module.delivery_id(dict(r._mapping))
                  for r in conn.execute(select(outbox))}
    assert sorted(listed.values()) == sorted([first_id, other_id])


def test_rows_queued_without_an_id_get_a_stable_derived_one():
    old = {"id": 7, "body": '{"action":"approve","item_id":1}'}
    assert outbox_module.delivery_id(old) == outbox_module.delivery_id(dict(old))
    assert outbox_module.delivery_id(old) != outbox_module.delivery_id({**old, "id": 8})


async def test_a_dead_workers_rows_are_delivered_within_seconds(engine, hooks, workers):
    hook = hooks(hang=1)  # the first call never answers: the worker dies while it waits
    queue(engine, hook.url, 1)
    doomed = await workers(engine)
    await until(lambda: hook.received == 1, 30, "the first attempt")
    with pytest.raises(asyncio.CancelledError):
        await crash(doomed)
    started = time.monotonic()
    await workers(engine)  # a replica that is still alive, or the restarted process
    await until(lambda: rows(engine)[0]["delivered_at"] is not None, 30,
                "the delivery after the crash")
    took = time.monotonic() - started
    print(f"\ndelivered {took:.2f}s after the worker holding the row died")
    assert took < 10  # the lease (5 s by default), not a minute
    assert len(hook.accepted()) == 1


async def test_a_stopping_worker_hands_its_rows_back_at_once(engine, hooks, workers):
    hook = hooks(hang=1)
    queue(engine, hook.url, 1)
    leaving = OutboxWorker(engine, SECRET, interval=0.05)
    await leaving.start()
    await until(lambda: hook.received == 1, 30, "the first attempt")
    await leaving.stop()
    started = time.monotonic()
    await workers(engine)
    await until(lambda: len(hook.accepted()) == 1, 30, "the delivery after the stop")
    assert time.monotonic() - started < 3  # released, not left to its lease


async def test_a_malformed_callback_url_fails_alone(engine, hooks, workers):
    healthy = hooks()
    queue(engine, "http://[not-an-address/hook", 1)
    queue(engine, healthy.url, 1, first=2)
    await workers(engine)
    await until(lambda: rows(engine)[1]["delivered_at"] and rows(engine)[0]["last_error"], 30,
                "the delivery and the failure")
    assert rows(engine)[0]["delivered_at"] is None and len(healthy.accepted()) == 1


def test_destination_is_host_and_port():
    d = outbox_module.destination
    assert d("http://Example.com/a") == d("http://example.com:80/b") == "example.com:80"
    assert d("https://example.com/x") == "example.com:443"
    assert d("http://127.0.0.1:9000/hook") != d("http://127.0.0.1:9001/hook")
    assert d("http://[not-an-address/hook") and d("http://example.com:99999/")  # never raise


def test_a_server_that_sends_no_webhook_never_loads_httpx(tmp_path) -> None:
    """The outbox's HTTP client is made for its first delivery: httpx is ~50 ms of each start
    (the app's own server, `cockpit serve`)."""
    import subprocess
    import sys

    code = ("import sys; from cockpit.server.app import create_app; "
            f"create_app(engine=__import__('cockpit.store').store.open_engine("
            f"'sqlite:///{tmp_path / 'c.db'}')); print('httpx' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "False"
