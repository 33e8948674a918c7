"""What the benchmarks share: timing a call, a percentile, a throwaway database."""

from __future__ import annotations

import tempfile
import time
import uuid


def p(values: list[float], q: float) -> float:
    """The q-th quantile (0..1) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(fn, runs: int = 30) -> list[float]:
    """Milliseconds per call of `fn`, `runs` times, after one warm-up call (plans, caches)."""
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def fresh_database(postgres: str | None) -> str:
    """A new SQLite file, or a new database on the PostgreSQL server of `postgres`."""
    if postgres is None:
        return f"sqlite:///{tempfile.mkdtemp(prefix='cockpit-bench-')}/bench.db"
    from sqlalchemy import create_engine, text

    name = f"cockpit_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres.rsplit("/", 1)[0] + "/" + name


def size_and_database(argv: list[str], default: int) -> tuple[int, str | None]:
    """`[N] [--postgres URL]` from a benchmark's command line: how many rows, and the
    PostgreSQL server to use (None: SQLite)."""
    args = list(argv)
    postgres = None
    if "--postgres" in args:
        at = args.index("--postgres")
        postgres = args[at + 1]
        del args[at:at + 2]
    return (int(args[0]) if args else default), postgres
