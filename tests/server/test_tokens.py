"""Bearer tokens are looked up on every request: what the users table says now is what counts,
whoever changed it (the CLI writes to the database directly, from another process)."""

from __future__ import annotations

from sqlalchemy import update

from cockpit.store.tables import users
from cockpit.store.users import add_user, issue_token, revoke_user, rotate_token


def test_a_revoked_user_is_refused_at_the_very_next_request(engine, as_user):
    mel = as_user("mel")
    assert mel.get("/inbox/count").status_code == 200
    with engine.begin() as conn:  # as `cockpit users revoke mel` does, on its own connection
        revoke_user(conn, "mel")
    for path in ("/inbox/count", "/me", "/inbox"):
        response = mel.get(path)
        assert response.status_code == 401, (path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_rotated_token_stops_at_once_and_the_new_one_works(engine, client, as_user):
    max_ = as_user("max")
    assert max_.get("/me").json() == {"id": "max", "role": "member"}
    with engine.begin() as conn:
        new, gone = rotate_token(conn, "max")
    assert gone == 1
    assert max_.get("/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {new}"})
    assert response.json() == {"id": "max", "role": "member"}


def test_a_role_change_and_a_disabled_account_count_from_the_next_request(engine, as_user):
    vic = as_user("vic")
    assert vic.get("/me").json()["role"] == "viewer"
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == "vic").values(role="manager"))
    assert vic.get("/me").json() == {"id": "vic", "role": "manager"}
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == "vic").values(status="pending"))
    assert vic.get("/me").status_code == 401


def test_unknown_and_malformed_tokens_are_refused(engine, client, users):
    with engine.begin() as conn:
        add_user(conn, "pat", "member", status="pending")
        pending = issue_token(conn, "pat")
    for header in (f"Bearer {pending}", "Bearer ck_not-a-token", f"Basic {users['mel']}",
                   "Bearer", f"Bearer {users['mel']}x", ""):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
