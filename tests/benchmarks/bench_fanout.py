"""One change fanned out to many websocket clients, against a raw `websockets` broadcast.

    .venv/bin/python tests/benchmarks/bench_fanout.py [--clients 1000] [--hold 5000]
                                                      [--changes 30] [--hold-changes 10]
                                                      [--metric-changes 10] [--postgres URL]

The server runs in its own process as `cockpit serve` runs it (uvicorn, its defaults, the same
websocket options) over a throwaway SQLite database (or a fresh database on the PostgreSQL
server of URL). The clients are `websockets` connections in this process, of five roles (so
there are several audiences), all reading everything.

- one change -> N clients: a service account ingests an untargeted item (`POST /inbox/items`);
  the figure is the time from the event's write (its `created_at` in the log) to the last
  client's receipt of it, p50/p99 over the changes; also from the request being sent.
- the raw baseline, same run, same clients: a bare `websockets` server that on a trigger
  stamps the time and calls `websockets.broadcast` with a message of the same size.
- hold: as many clients connected at once, one change to all of them, and the server's RSS.
- live metrics -> N clients: an agent changes status (`PATCH /agents/{id}`); the time from the
  request to the last client's receipt of the `metrics` event that follows (against a raw
  broadcast of a message of the metrics' size).
- with --postgres, a second replica: the same changes written through it reach the first's
  clients through LISTEN/NOTIFY (the first polls only every 5 s).

Asserts nothing: the goals (p99 <= 150 ms, <= 5x raw, 5,000 clients held) are in issue 9.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC

from bench_routing import drop_database
from timing import fresh_database, p  # tests/benchmarks/timing.py
from websockets.exceptions import ConnectionClosed

ROLES = ("viewer", "member", "manager", "admin", "owner")
USERS_PER_ROLE = 4
CONNECT_AT_ONCE = 100


# -- the servers, each in a process of its own ----------------------------------------------

def serve_cockpit(db_url: str, port: int) -> None:
    import uvicorn

    from cockpit.runtime import CONNECTIONS
    from cockpit.server.app import ServerOptions, create_app
    from cockpit.server.serving import DrainingServer

    app = create_app(ServerOptions(db_url=db_url))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            backlog=4096, **CONNECTIONS)
    DrainingServer(config, app.state.readiness).run()


def serve_raw(port: int) -> None:
    """A bare websockets server: a text `go <n> <size>` from any client broadcasts a message
    of about `size` bytes, stamped with the time it went out, to every other client."""
    import websockets
    from websockets.asyncio.server import serve

    clients: set = set()

    async def handler(ws) -> None:
        clients.add(ws)
        try:
            async for message in ws:
                _, n, size = message.split()
                body = {"seq": int(n), "type": "raw", "data": {"pad": "x" * int(size),
                                                               "written_at": time.time()}}
                websockets.broadcast(clients - {ws}, json.dumps(body))
        finally:
            clients.discard(ws)

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, backlog=4096, max_size=None):
            await asyncio.Future()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(*args: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, *args, str(port)])
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{args[0]} did not start") from None
            time.sleep(0.1)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- the clients ------------------------------------------------------------------------------

class Fleet:
    """N websocket clients reading everything; notes when each message of interest arrived."""

    def __init__(self) -> None:
        self.connections: list = []
        self.readers: list[asyncio.Task] = []
        self.arrivals: dict[tuple[str, int], list[float]] = defaultdict(list)
        self.stamps: dict[tuple[str, int], float] = {}  # the raw server's send time
        self.sizes: dict[str, int] = {}
        self.changed = asyncio.Event()

    async def open(self, url: str, tokens: list[str | None], count: int) -> None:
        from websockets.asyncio.client import connect

        gate = asyncio.Semaphore(CONNECT_AT_ONCE)

        async def one(n: int) -> None:
            token = tokens[n % len(tokens)]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with gate:
                ws = await connect(url, additional_headers=headers, max_size=None,
                                   open_timeout=120, ping_interval=None)
            self.connections.append(ws)
            self.readers.append(asyncio.create_task(self._read(ws)))

        await asyncio.gather(*(one(n) for n in range(len(self.connections),
                                                     len(self.connections) + count)))

    async def _read(self, ws) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                now = time.time()
                message = json.loads(raw)
                kind = message["type"]
                if kind == "heartbeat":
                    continue
                key = (kind, message["seq"] if kind != "metrics" else 0)
                self.arrivals[key].append(now)
                if kind == "raw":
                    self.stamps[key] = message["data"]["written_at"]
                self.sizes[kind] = len(raw)
                self.changed.set()

    async def all_got(self, key: tuple[str, int], timeout: float = 120) -> list[float]:
        deadline = time.monotonic() + timeout
        while len(self.arrivals[key]) < len(self.connections):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.arrivals[key])}/{len(self.connections)} got {key}")
            self.changed.clear()
            try:
                async with asyncio.timeout(1):
                    await self.changed.wait()
            except TimeoutError:
                pass
        return self.arrivals.pop(key)

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(ws.close() for ws in self.connections), return_exceptions=True)
        await asyncio.gather(*self.readers, return_exceptions=True)
        self.connections, self.readers = [], []


# -- the runs ---------------------------------------------------------------------------------

def seed(db_url: str) -> tuple[dict[str, list[str]], str]:
    """Users of every role with tokens, and a service account's token."""
    from cockpit.store import open_engine
    from cockpit.store.users import add_user, issue_token

    engine = open_engine(db_url)
    tokens: dict[str, list[str]] = defaultdict(list)
    with engine.begin() as conn:
        add_user(conn, "svc", "service")
        service = issue_token(conn, "svc")
        for role in ROLES:
            for n in range(USERS_PER_ROLE):
                add_user(conn, f"{role}{n}", role)
                tokens[role].append(issue_token(conn, f"{role}{n}"))
    engine.dispose()
    return tokens, service


def written_at(db_url: str, seqs: list[int]) -> dict[int, float]:
    from sqlalchemy import select

    from cockpit.store import open_engine
    from cockpit.store.tables import events

    engine = open_engine(db_url, migrate=False)
    with engine.connect() as conn:
        rows = conn.execute(select(events.c.seq, events.c.created_at)
                            .where(events.c.seq.in_(seqs))).all()
    engine.dispose()
    return {r.seq: (r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC))
            .timestamp() for r in rows}


async def cockpit_changes(fleet: Fleet, http, service: str, changes: int, db_url: str
                          ) -> tuple[list[float], list[float], list[float]]:
    """(last receipt after the write, after the request, every client's receipt) in ms."""
    headers = {"Authorization": f"Bearer {service}"}
    seqs: dict[int, tuple[float, list[float]]] = {}
    for n in range(changes):
        sent = time.time()
        answer = await http.post("/inbox/items", headers=headers, json={
            "kind": "message", "source_id": f"fanout-{time.monotonic_ns()}-{n}",
            "title": "Nightly report is ready", "body_md": "All **green**.",
            "sender": {"type": "system", "id": "system", "name": "System"}})
        answer.raise_for_status()
        seq = await newest_seq(fleet, sent)
        seqs[seq] = (sent, await fleet.all_got(("item.created", seq)))
        await asyncio.sleep(0.2)
    written = written_at(db_url, list(seqs))
    last_write = [(max(got) - written[s]) * 1000 for s, (_, got) in seqs.items()]
    last_request = [(max(got) - sent) * 1000 for sent, got in seqs.values()]
    every = [(t - written[s]) * 1000 for s, (_, got) in seqs.items() for t in got]
    return last_write, last_request, every


async def newest_seq(fleet: Fleet, after: float, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while True:
        found = [k[1] for k, times in fleet.arrivals.items()
                 if k[0] == "item.created" and times and min(times) >= after]
        if found:
            return max(found)
        if time.monotonic() > deadline:
            raise TimeoutError("no item.created event reached any client")
        await asyncio.sleep(0.005)


async def raw_run(clients: int, changes: int, size: int) -> tuple[list[float], float]:
    """Ms from the raw server's broadcast of each change to the last client's receipt, and
    the raw server's RSS in MB."""
    from websockets.asyncio.client import connect

    proc, port = start("--serve-raw")
    fleet = Fleet()
    last = []
    try:
        url = f"ws://127.0.0.1:{port}/"
        await fleet.open(url, [None], clients)
        async with connect(url) as trigger:
            for n in range(1, changes + 1):
                await trigger.send(f"go {n} {size}")
                got = await fleet.all_got(("raw", n))
                last.append((max(got) - fleet.stamps.pop(("raw", n))) * 1000)
                await asyncio.sleep(0.2)
        rss = rss_mb(proc.pid)
    finally:
        await fleet.close()
        proc.terminate()
        proc.wait()
    return last, rss


async def metrics_changes(fleet: Fleet, http, token: str, agent: str, changes: int
                          ) -> list[float]:
    """Ms from an agent's status change to the last client's receipt of the metrics."""
    headers = {"Authorization": f"Bearer {token}"}
    statuses = ({"status": "away", "aux_code": "Break"}, {"status": "available"})
    last = []
    fleet.arrivals.pop(("metrics", 0), None)
    for n in range(changes):
        await asyncio.sleep(1.2)  # past the coalescing window: each change is pushed alone
        fleet.arrivals.pop(("metrics", 0), None)
        sent = time.time()
        answer = await http.patch(f"/agents/{agent}", headers=headers, json=statuses[n % 2])
        answer.raise_for_status()
        got = await fleet.all_got(("metrics", 0))
        last.append((max(got) - sent) * 1000)
    return last


def line(label: str, values: list[float], raw: list[float] | None = None) -> None:
    text = f"{label:<44} p50 {p(values, 0.5):7.1f}  p99 {p(values, 0.99):7.1f} ms"
    if raw:
        text += (f"  | raw p50 {p(raw, 0.5):6.1f}  p99 {p(raw, 0.99):6.1f} ms"
                 f"  x{p(values, 0.99) / max(p(raw, 0.99), 1e-6):4.1f} (p99)")
    print(text, flush=True)


async def run(args) -> None:
    import httpx

    db_url = fresh_database(args.postgres)
    tokens, service = seed(db_url)
    every_role = [t for role in ROLES for t in tokens[role]]
    servers = [start("--serve-cockpit", db_url) for _ in range(2 if args.postgres else 1)]
    (proc, port), (_, writer_port) = servers[0], servers[-1]
    ws_url = f"ws://127.0.0.1:{port}/api/v1/ws"
    fleet = Fleet()
    replica: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/api/v1",
                                     timeout=120) as http, \
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{writer_port}/api/v1",
                                  timeout=120) as other:
            await fleet.open(ws_url, every_role, args.clients)
            ours, from_request, every = await cockpit_changes(fleet, http, service, args.changes,
                                                             db_url)
            if args.postgres:  # written through the other replica: B's hub wakes on NOTIFY
                replica, _, _ = await cockpit_changes(fleet, other, service, args.changes,
                                                      db_url)
            size = fleet.sizes["item.created"]
            member = tokens["member"][0]
            metrics = await metrics_changes(fleet, http, member, "member0", args.metric_changes)
            metrics_size = fleet.sizes.get("metrics", 0)
            await fleet.open(ws_url, every_role, args.hold - args.clients)
            held, _, _ = await cockpit_changes(fleet, http, service, args.hold_changes, db_url)
            held_rss = rss_mb(proc.pid)
    finally:
        await fleet.close()
        for server, _ in servers:
            server.terminate()
            server.wait()
        drop_database(db_url, args.postgres)

    raw, _ = await raw_run(args.clients, args.changes, size)
    raw_metrics, _ = await raw_run(args.clients, len(metrics), metrics_size)
    raw_held, raw_rss = await raw_run(args.hold, args.hold_changes, size)

    print(f"\nfan-out on {'PostgreSQL' if args.postgres else 'SQLite'}, {args.changes} changes, "
          f"{len(ROLES)} roles, event {size} B, metrics {metrics_size} B; load: "
          + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    line(f"one change -> {args.clients} clients (last, from write)", ours, raw)
    line(f"one change -> {args.clients} clients (last, from request)", from_request, raw)
    line(f"one change -> {args.clients} clients (each client)", every)
    if replica:
        line(f"via replica A -> {args.clients} clients of B (last)", replica, raw)
    line(f"one change -> {args.hold} clients held (last)", held, raw_held)
    print(f"{'':<44} server RSS with {args.hold} clients: {held_rss:.0f} MB "
          f"(raw server {raw_rss:.0f} MB)")
    if metrics:
        line(f"live metrics -> {args.clients} clients (last, from request)", metrics,
             raw_metrics)


def main() -> None:
    if sys.argv[1:2] == ["--serve-cockpit"]:
        serve_cockpit(sys.argv[2], int(sys.argv[3]))
        return
    if sys.argv[1:2] == ["--serve-raw"]:
        serve_raw(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--hold", type=int, default=5000)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--metric-changes", type=int, default=10)
    parser.add_argument("--hold-changes", type=int, default=10)
    parser.add_argument("--postgres", help="a PostgreSQL URL; default SQLite")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * args.hold + 1000  # the servers inherit it: a socket on each side per client
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
