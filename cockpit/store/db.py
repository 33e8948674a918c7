"""Engines and migrations. SQLite runs in WAL mode; PostgreSQL is chosen by URL."""

from __future__ import annotations

import functools
import json
import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError

from cockpit.paths import default_db_url

log = logging.getLogger("cockpit.store")
MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision, written here: Alembic reads every script to find it (~0.15
# s, at the start of every process that opens the database: the app, its server, each local
# CLI command). A test holds it to Alembic's answer, so a new migration must move it.
HEAD = "0016"
_PG_MIGRATION_LOCK = 0x636F636B  # one replica migrates at a time


def _json_loads(text: str | bytes):
    """JSON columns decoded by orjson (several times json.loads' speed on every read), with
    the standard decoder for what orjson refuses (NaN, integers past 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _lower(text: str | None) -> str | None:
    return text.lower() if isinstance(text, str) else text


def open_engine(url: str | None = None, *, migrate: bool = True) -> Engine:
    """An engine for `url` (default: COCKPIT_DB, else SQLite in the user data folder)."""
    url = url or default_db_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                               json_deserializer=_json_loads)
    if migrate:
        upgrade(engine)
    return engine


SQLITE_POOL = 20  # connections kept open to a SQLite file (and as many more at a peak)
# Pages read through one shared memory map, not copied into each connection's own cache (a
# request on a connection with a cold cache read its pages afresh): +20% list requests/s
SQLITE_MMAP = 256 * 1024 * 1024


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # Connections kept for as many requests as a busy server runs at once: past QueuePool's
    # 5 kept, each was opened (its pragmas run) and closed again per request.
    pool = {"pool_size": SQLITE_POOL, "max_overflow": SQLITE_POOL} \
        if path and path != ":memory:" else {}
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           json_deserializer=_json_loads, **pool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP}")
        cursor.close()
        # SQLite's lower() folds ASCII only; the query language folds text as PostgreSQL does
        dbapi_conn.create_function("unicode_lower", 1, _lower, deterministic=True)

    # pysqlite's own transaction handling defers BEGIN and so lets two writers interleave;
    # starting every transaction with BEGIN IMMEDIATE makes SQLite serialise them instead.
    @event.listens_for(engine, "connect")
    def _no_pysqlite_begin(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None

    # ... except for readers (see `reader`): under WAL a deferred reader sees a snapshot and
    # neither waits for a writer nor holds one up.
    @event.listens_for(engine, "begin")
    def _begin_immediate(conn) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


READ_ONLY = "cockpit_read_only"


@functools.lru_cache(maxsize=16)
def reader(engine: Engine) -> Engine:
    """The same database, for reads only: on SQLite its transactions begin deferred, so a
    request that only reads never queues behind a long write (a bulk run, a sweep). Never
    write through it."""
    return engine.execution_options(**{READ_ONLY: True})


def _at_head(engine: Engine) -> bool:
    """Whether the database already has every migration: one small read, no Alembic run."""
    try:
        with engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no alembic_version table yet: a new database
        return False
    return current == HEAD


def is_empty(engine: Engine) -> bool:
    """Whether the database holds no item yet (a first run): one row read, not a count."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM items LIMIT 1")).first() is None


def upgrade(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied."""
    if _at_head(engine):
        return
    from alembic import command  # only when there is something to migrate: it is slow to load
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


# PostgreSQL's deadlock_detected and serialization_failure: the transaction was rolled back
# whole and may simply run again.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
T = TypeVar("T")


def _retryable(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES


def in_transaction(engine: Engine, work: Callable[[Connection], T], *, attempts: int = 5) -> T:
    """Run `work` in one transaction, again (after a short jittered pause) when the database
    rolled it back to break a deadlock or a serialization conflict. Rows are locked in one
    global order, so this is the rare case, not the normal one."""
    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt == attempts or not _retryable(exc):
                raise
            log.warning("transaction rolled back (%s); running it again", exc.orig.sqlstate)
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")
