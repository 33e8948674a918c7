"""Users and their bearer tokens. Tokens are stored as SHA-256 hashes, never in clear."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from cockpit.domain.roles import Principal
from cockpit.store.tables import tokens, users


class UserExists(ValueError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(conn: Connection, user_id: str, role: str, *, status: str = "active") -> None:
    if conn.execute(select(users.c.id).where(users.c.id == user_id)).first():
        raise UserExists(f"user {user_id!r} already exists")
    conn.execute(insert(users).values(id=user_id, role=role, status=status,
                                      created_at=datetime.now(UTC)))


def issue_token(conn: Connection, user_id: str) -> str:
    """A new token for `user_id`; only its hash is kept, so this is the one time it is seen."""
    token = "ck_" + secrets.token_urlsafe(32)
    conn.execute(insert(tokens).values(user_id=user_id, token_hash=hash_token(token),
                                       created_at=datetime.now(UTC)))
    return token


def principal_for_token(conn: Connection, token: str) -> Principal | None:
    query = (select(users.c.id, users.c.role)
             .join(tokens, tokens.c.user_id == users.c.id)
             .where(tokens.c.token_hash == hash_token(token), users.c.status == "active"))
    row = conn.execute(query).first()
    return Principal(row.id, row.role) if row else None


def get_user(conn: Connection, user_id: str) -> Principal | None:
    row = conn.execute(select(users.c.id, users.c.role, users.c.status)
                       .where(users.c.id == user_id)).first()
    return Principal(row.id, row.role) if row and row.status == "active" else None


def list_users(conn: Connection) -> list[dict[str, str]]:
    """Every user: id, role and status (active, pending, revoked), by id."""
    query = select(users.c.id, users.c.role, users.c.status).order_by(users.c.id)
    return [dict(r._mapping) for r in conn.execute(query)]
