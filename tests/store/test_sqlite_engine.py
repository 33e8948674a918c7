"""The SQLite engine as a busy server uses it: connections kept, pages read through a map."""

from __future__ import annotations

from sqlalchemy import text

from cockpit.store import open_engine
from cockpit.store.db import SQLITE_MMAP, SQLITE_POOL, reader


def test_connections_are_kept_and_read_pages_through_a_memory_map(tmp_path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        held = [reader(engine).connect() for _ in range(12)]  # SQLAlchemy's default keeps 5
        assert all(c.execute(text("PRAGMA mmap_size")).scalar() == SQLITE_MMAP for c in held)
        for connection in held:
            connection.close()
        # as many as a busy server held at once went back to the pool, none was closed
        assert engine.pool.checkedin() == 12 <= SQLITE_POOL
    finally:
        engine.dispose()
