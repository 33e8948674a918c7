"""A rolling restart of two replicas on PostgreSQL behind one address, with the app's event
stream connected: it reconnects (at once, told by close code 1012) to the other replica,
resumes with `since`, and gets every event written meanwhile exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading

import httpx
import pytest

from cockpit.client.stream import Event, EventStream, LinkStatus
from cockpit.store.users import add_user, issue_token
from tests.conftest import empty_postgres
from tests.server.served import Served, wait_for

pytestmark = pytest.mark.postgres
METRICS_TOKEN = "rolling-metrics"


class FirstThatAnswers:
    """One address for several replicas: each connection goes to the first replica that
    accepts it (as a load balancer skips a backend that refuses connections)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            for port in self.ports:
                try:
                    upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
                except OSError:
                    continue
                upstream.settimeout(None)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=_pipe, args=(a, b), daemon=True).start()
                break
            else:
                client.close()

    def close(self) -> None:
        self.sock.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for sock in (source, sink):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def websocket_clients(replica: Served) -> float:
    text = httpx.get(replica.url + "/metrics", timeout=10,
                     headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    [line] = [ln for ln in text.splitlines() if ln.startswith("cockpit_websocket_clients ")]
    return float(line.split()[1])


class Writer(threading.Thread):
    """Ingests numbered items through one replica until stopped."""

    def __init__(self, url: str, token: str, prefix: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.prefix = url, token, prefix
        self.written: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30,
                          headers={"Authorization": f"Bearer {self.token}"}) as http:
            while not self.stop.is_set():
                answer = http.post("/api/v1/inbox/items", json={
                    "kind": "message", "source_id": f"{self.prefix}-{len(self.written)}",
                    "title": "during the restart",
                    "sender": {"type": "system", "id": "s", "name": "S"}})
                assert answer.status_code == 201, answer.text
                self.written.append(answer.json()["id"])
                self.stop.wait(0.02)


async def test_rolling_restart_loses_and_repeats_nothing(tmp_path, postgres_url):
    engine = empty_postgres(postgres_url)
    with engine.begin() as conn:
        add_user(conn, "olivia", "owner")
        add_user(conn, "svc", "service")
        owner, svc = issue_token(conn, "olivia"), issue_token(conn, "svc")
    engine.dispose()
    env = {"COCKPIT_METRICS_TOKEN": METRICS_TOKEN}
    a = Served(postgres_url, tmp_path / "a.log", **env)
    b = Served(postgres_url, tmp_path / "b.log", **env)
    front = FirstThatAnswers([a.port, b.port])
    writer = Writer(b.url, svc, "roll")
    seen: list[Event] = []
    statuses: list[LinkStatus] = []

    async def follow() -> None:
        async for got in EventStream(front.url, owner, since=0, base_delay=30):
            (statuses if isinstance(got, LinkStatus) else seen).append(got)

    follower = asyncio.create_task(follow())

    async def until(predicate, what: str) -> None:
        await asyncio.to_thread(wait_for, predicate, 60, what)

    try:
        await until(lambda: websocket_clients(a) == 1, "the client on replica A")
        writer.start()
        await until(lambda: len(seen) >= 5, "events before the restart")
        await asyncio.sleep(1.0)  # at least a second live: 1012 then means "reconnect at once"
        a.terminate()
        await until(lambda: a.process.poll() is not None, "replica A to stop")
        await until(lambda: websocket_clients(b) == 1, "the client on replica B")
        count = len(writer.written)
        await until(lambda: len(writer.written) >= count + 5, "writes after the restart")
        writer.stop.set()
        await asyncio.to_thread(writer.join, 30)
        wanted = set(writer.written)
        await until(lambda: wanted <= created_ids(seen), "every write to reach the client")
    finally:
        writer.stop.set()
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower
        front.close()
        a.close()
        b.close()
    ids = [i for event in seen if event.type == "item.created"
           for i in (entry["id"] for entry in event.data["items"])]
    assert sorted(ids) == sorted(set(ids)) == sorted(writer.written)  # each once, none lost
    seqs = [event.seq for event in seen if event.type.startswith("item.")]
    assert seqs == sorted(set(seqs))  # in order, none repeated across the reconnect
    assert "reset" not in {event.type for event in seen}
    assert [s.detail for s in statuses if s.state == "offline"] == ["server restarting"]
    # a base delay of 30 s: had the client backed off, it would not be back within the test
    assert [s.state for s in statuses].count("live") == 2


def created_ids(events: list[Event]) -> set[int]:
    return {entry["id"] for event in list(events) if event.type == "item.created"
            for entry in event.data["items"]}
