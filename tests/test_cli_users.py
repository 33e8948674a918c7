"""`cockpit users list|revoke|rotate` on the database directly, like `users add`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from cockpit.cli import main
from cockpit.store import open_engine
from cockpit.store.tables import tokens
from cockpit.store.users import principal_for_token


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'users.db'}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _works(db: str, token: str) -> bool:
    engine = open_engine(db)
    try:
        with engine.connect() as conn:
            return principal_for_token(conn, token) is not None
    finally:
        engine.dispose()


def _tokens(db: str, user: str) -> int:
    engine = open_engine(db)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(tokens)
                                .where(tokens.c.user_id == user)).scalar_one()
    finally:
        engine.dispose()


def test_list_revoke_rotate(capsys, db):
    tokens_of = {}
    for name, role in (("maria", "manager"), ("ci-bot", "service")):
        _, out, _ = run(capsys, "users", "add", name, "--role", role, "--db", db)
        tokens_of[name] = out.strip().splitlines()[-1]

    code, out, _ = run(capsys, "users", "list", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out) == [
        {"id": "ci-bot", "role": "service", "status": "active"},
        {"id": "maria", "role": "manager", "status": "active"}]
    code, out, _ = run(capsys, "users", "list", "--db", db)
    assert out.split()[:3] == ["ID", "ROLE", "STATUS"] and "maria" in out and "manager" in out
    assert run(capsys, "users", "list", "--db", db, "--format", "quiet")[1] == "ci-bot\nmaria\n"

    code, out, err = run(capsys, "users", "rotate", "ci-bot", "--db", db)
    new = out.strip().splitlines()[-1]
    assert code == 0 and new.startswith("ck_") and new != tokens_of["ci-bot"]
    assert "1 old token(s) deleted" in err
    assert _works(db, new) and not _works(db, tokens_of["ci-bot"])

    code, out, _ = run(capsys, "users", "revoke", "maria", "--db", db)
    assert code == 0 and "revoked maria" in out
    assert not _works(db, tokens_of["maria"]) and _tokens(db, "maria") == 0
    _, out, _ = run(capsys, "users", "list", "--db", db, "--format", "json")
    assert {u["id"]: u["status"] for u in json.loads(out)}["maria"] == "revoked"

    # a revoked user gets no new token; an unknown one is one clear line
    code, out, err = run(capsys, "users", "rotate", "maria", "--db", db)
    assert code == 1 and out == "" and "maria" in err and "revoked" in err
    code, _, err = run(capsys, "users", "revoke", "nobody", "--db", db)
    assert code == 1 and err == "cockpit: no user 'nobody'\n"


def test_the_local_account_is_not_revoked_from_under_the_cli(capsys, db, monkeypatch):
    monkeypatch.setenv("COCKPIT_USER", "me")
    run(capsys, "inbox", "count", "--db", db)  # creates the local account
    code, _, err = run(capsys, "users", "revoke", "me", "--db", db)
    assert code == 1 and "local account" in err
    assert run(capsys, "inbox", "count", "--db", db)[0] == 0
