"""Fixtures shared by every test: databases (SQLite always, PostgreSQL when one answers)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cockpit.store import open_engine

PG_ADMIN_URL = os.environ.get("COCKPIT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch) -> None:
    """No test reads or writes the real user data or config folders."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("COCKPIT_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("COCKPIT_CONFIG", str(base / "config.toml"))
    for var in ("COCKPIT_SERVER", "COCKPIT_TOKEN", "COCKPIT_DB", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)


def _postgres_reason() -> str | None:
    try:
        with create_engine(PG_ADMIN_URL).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means: skip, and say why
        return f"PostgreSQL not reachable at {PG_ADMIN_URL} ({exc.__class__.__name__})"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test session, dropped at the end."""
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    name = f"cockpit_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def empty_postgres(url: str):
    engine = open_engine(url)
    with engine.begin() as conn:
        tables = [t for t in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'")).scalars()]
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    return engine


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite database, made once: each test starts from a copy of it (migrating
    a new database takes ~0.4 s, copying it a millisecond)."""
    path = tmp_path_factory.mktemp("template") / "cockpit.db"
    open_engine(f"sqlite:///{path}").dispose()  # the last connection's close checkpoints the WAL
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "cockpit.db")
        return f"sqlite:///{tmp_path / 'cockpit.db'}"
    url = request.getfixturevalue("postgres_url")
    empty_postgres(url).dispose()
    return url


@pytest.fixture
def engine(db_url):
    engine = open_engine(db_url)
    yield engine
    engine.dispose()
