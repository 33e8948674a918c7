"""Simple reads per second from one real server process (issue 9: >= 500/s on 2 cores).

    .venv/bin/python tests/benchmarks/bench_reads.py [N] [--seconds S] [--clients C]

Seeds N synthetic items (default 10,000) into a throwaway SQLite database, starts
`uvicorn --factory cockpit.server.app:create_app` (one process), and drives it for S seconds
per call (default 5) with C concurrent requests (default 16) from one httpx client:
GET /inbox/count, GET /inbox/{id}, GET /inbox?limit=50. The raw baseline is the same client
against a bare ASGI app in the same uvicorn answering a fixed JSON body: what the server and
client machinery alone allow on this machine. Client and server share the machine's cores.
Because the client shares the cores (and this machine is shared), the server's own CPU time
per request is also read from /proc and printed with the rate one core would serve at that
cost: the figure that does not depend on the client. Prints figures; asserts nothing.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

GOAL = 500  # requests per second


async def raw_app(scope, receive, send) -> None:
    """The baseline: an ASGI app that answers every request with a small fixed JSON body."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"unread": 1, "active": 2}'})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, env: dict[str, str], *, factory: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--port", str(port),
               "--log-level", "warning", "--no-access-log",
               "--app-dir", str(Path(__file__).parent)]
    if factory:
        command.append("--factory")
    process = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while True:  # wait until it answers (migrations and start-up take a moment)
        try:
            httpx.get(url + "/api/v1/me", timeout=1)
            return process, url
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not start") from None
            time.sleep(0.1)


async def drive(url: str, token: str, paths: list[str], seconds: float,
                clients: int) -> tuple[float, int]:
    """Requests per second over `seconds`, `clients` at a time; and how many failed."""
    import httpx

    done = failed = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        async def worker() -> None:
            nonlocal done, failed
            while time.perf_counter() < stop:
                response = await client.get(random.choice(paths))
                done += 1
                failed += response.status_code != 200
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return done / (time.perf_counter() - started), failed


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(process: subprocess.Popen, url: str, token: str, paths: list[str],
             seconds: float, clients: int) -> tuple[float, float, int]:
    """(requests/s, server CPU ms per request, failures)."""
    before = cpu_seconds(process.pid)
    started = time.perf_counter()
    rate, failed = asyncio.run(drive(url, token, paths, seconds, clients))
    requests = rate * (time.perf_counter() - started)
    return rate, (cpu_seconds(process.pid) - before) * 1000 / max(requests, 1), failed


def main(count: int, seconds: float, clients: int) -> None:
    data = tempfile.mkdtemp(prefix="cockpit-bench-")
    os.environ["COCKPIT_DATA_DIR"] = data
    from cockpit.domain.demo import synthetic_items
    from cockpit.server.seed import seed
    from cockpit.store import open_engine
    from cockpit.store.users import add_user, issue_token

    url = f"sqlite:///{data}/bench.db"
    engine = open_engine(url)
    now = datetime.now(UTC)
    seed(engine, synthetic_items(count, now, "alex"), now)
    with engine.begin() as conn:
        add_user(conn, "alex", "owner")
        token = issue_token(conn, "alex")
        ids = [r[0] for r in conn.exec_driver_sql(
            "SELECT id FROM items WHERE target_user_id IS NULL OR target_user_id = 'alex' "
            "ORDER BY random() LIMIT 1000")]
    engine.dispose()
    env = {**os.environ, "COCKPIT_DB": url}
    print(f"{count:,} items; {clients} concurrent requests, {seconds:g} s per figure; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)

    process, base = serve("bench_reads:raw_app", env, factory=False)
    try:
        raw, raw_cpu, _ = measured(process, base, token, ["/raw"], seconds, clients)
    finally:
        process.terminate()
        process.wait()
    print(f"{'raw ASGI app, fixed JSON (baseline)':<40} {raw:7.0f} req/s  server CPU "
          f"{raw_cpu:5.2f} ms/req", flush=True)

    process, base = serve("cockpit.server.app:create_app", env, factory=True)
    try:
        calls = {"GET /inbox/count": ["/api/v1/inbox/count"],
                 "GET /inbox/{id}": [f"/api/v1/inbox/{i}" for i in ids],
                 "GET /inbox?limit=50": ["/api/v1/inbox?limit=50"],
                 "the three, mixed": ["/api/v1/inbox/count", "/api/v1/inbox?limit=50",
                                      *(f"/api/v1/inbox/{i}" for i in ids[:1])]}
        for label, paths in calls.items():
            rate, cpu, failed = measured(process, base, token, paths, seconds, clients)
            print(f"{label:<40} {rate:7.0f} req/s  x{rate / raw:4.2f} of raw  (goal >= {GOAL}/s:"
                  f" {'met' if rate >= GOAL else 'MISSED'}); server CPU {cpu:5.2f} ms/req "
                  f"x{cpu / raw_cpu:4.1f} of raw = {1000 / cpu:5.0f} req/s per core"
                  f"{f'; {failed} failed' if failed else ''}", flush=True)
    finally:
        process.terminate()
        process.wait()
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    options = {"--seconds": 5.0, "--clients": 16}
    for name in list(options):
        if name in args:
            at = args.index(name)
            options[name] = type(options[name])(args[at + 1])
            del args[at:at + 2]
    main(int(args[0]) if args else 10_000, options["--seconds"], int(options["--clients"]))
