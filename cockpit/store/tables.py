"""SQLAlchemy Core tables. Alembic migrations (migrations/versions) create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from cockpit.store.types import UTCDateTime

metadata = MetaData()

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
Id = BigInteger().with_variant(Integer, "sqlite")
Json = JSON().with_variant(JSONB, "postgresql")
Time = UTCDateTime()

users = Table(
    "users",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("created_at", Time, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", String(200), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Time, nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("source_id", String(256), nullable=False),
    Column("state", String(16), nullable=False),
    Column("resolved_action", String(64)),
    Column("title", String(200), nullable=False),
    Column("body_md", Text, nullable=False, server_default=""),
    Column("sender_type", String(16), nullable=False),
    Column("sender_id", String(200), nullable=False),
    Column("sender_name", String(200), nullable=False),
    Column("target_user_id", String(200)),
    Column("target_role", String(20)),
    Column("priority", String(8), nullable=False),
    Column("blocking", Boolean, nullable=False, server_default="0"),
    Column("payload", Json, nullable=False),
    Column("tags", Json, nullable=False),
    Column("assignee_id", String(200)),
    Column("created_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
    Column("read_at", Time),
    Column("resolved_at", Time),
    Column("resolved_by", String(200)),
    UniqueConstraint("kind", "source_id", name="uq_items_kind_source"),
    Index("ix_items_state_created", "state", "created_at", "id"),
    Index("ix_items_created", "created_at", "id"),
    Index("ix_items_target_user", "target_user_id"),
    sqlite_autoincrement=True,
)

# Every change, in the order it happened. `seq` only grows, so a client resumes from the last seq
# it saw and every server process sharing the database tails the same log.
events = Table(
    "events",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("type", String(64), nullable=False),
    Column("data", Json, nullable=False),
    Column("created_at", Time, nullable=False),
    sqlite_autoincrement=True,
)
