"""Who sees what: the same rule on every read path (list, get, count, patch, bulk)."""

from __future__ import annotations

import pytest

from cockpit.domain.roles import can_see

# (target_user_id, target_role) -> the users who may see it (ROLES in conftest)
MATRIX = [
    ((None, None), {"olivia", "adam", "mia", "mel", "max", "vic", "svc"}),
    (("mel", None), {"mel"}),
    (("olivia", None), {"olivia"}),
    ((None, "viewer"), {"olivia", "adam", "mia", "mel", "max", "vic"}),
    ((None, "member"), {"olivia", "adam", "mia", "mel", "max"}),
    ((None, "manager"), {"olivia", "adam", "mia"}),
    ((None, "admin"), {"olivia", "adam"}),
    ((None, "owner"), {"olivia"}),
    (("mel", "admin"), {"mel"}),  # a personal item stays personal whatever its role
]
EVERYONE = {"olivia", "adam", "mia", "mel", "max", "vic", "svc"}


@pytest.mark.parametrize(("target", "who"), MATRIX)
def test_every_read_path_applies_the_matrix(as_user, target, who):
    user_id, role = target
    created = as_user("olivia").ingest(target_user_id=user_id, target_role=role,
                                       source_id=f"vis-{user_id}-{role}")
    item_id = created["id"]
    for name in EVERYONE:
        api = as_user(name)
        listed = {i["id"] for i in api.get("/inbox", params={"state": "all"}).json()["items"]}
        got = api.get(f"/inbox/{item_id}")
        counts = api.get("/inbox/count").json()
        tab_counts = api.get("/inbox").json()["counts"]
        if name in who:
            assert item_id in listed, name
            assert got.status_code == 200, name
            assert counts == {"unread": 1, "active": 1}, name
            assert tab_counts == {"active": 1, "unread": 1, "resolved": 0}, name
        else:
            assert item_id not in listed, name
            assert got.status_code == 404, name
            assert counts == {"unread": 0, "active": 0}, name
            assert tab_counts == {"active": 0, "unread": 0, "resolved": 0}, name


def test_invisible_answers_exactly_like_missing(as_user):
    personal = as_user("svc").ingest(target_user_id="mel")["id"]
    admin = as_user("adam")
    hidden = admin.get(f"/inbox/{personal}")
    missing = admin.get("/inbox/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(personal), "N") == \
        missing.json()["detail"].replace("999999", "N")
    assert admin.patch(f"/inbox/{personal}", json={"state": "read"}).status_code == 404
    assert admin.post(f"/inbox/{personal}/actions/archive").status_code == 404
    bulk = admin.post("/inbox/bulk", json={"ids": [personal], "op": "read"}).json()
    assert bulk == {"updated": [], "skipped": [], "not_found": [personal]}
    assert as_user("mel").get(f"/inbox/{personal}").json()["state"] == "unread"


def test_search_never_finds_hidden_items(as_user):
    as_user("svc").ingest(title="Quarterly payroll run", target_user_id="mia")
    assert as_user("adam").get("/inbox", params={"q": "payroll"}).json()["items"] == []
    assert len(as_user("mia").get("/inbox", params={"q": "payroll"}).json()["items"]) == 1


def test_unknown_target_role_is_refused_at_ingest(svc):
    response = svc.post("/inbox/items", json={
        "kind": "message", "source_id": "x", "title": "t",
        "sender": {"type": "system", "id": "s", "name": "S"}, "target_role": "wizard"})
    assert response.status_code == 422
    assert "target_role" in response.json()["detail"]


@pytest.mark.parametrize("role", ["wizard", "", "ROOT"])
def test_unknown_roles_see_nothing_targeted(role):
    assert not can_see(None, "viewer", "u", role)
    assert not can_see(None, role, "u", "owner")
    assert can_see(None, None, "u", role)  # untargeted items are for everyone


def test_viewer_reads_but_decides_nothing(as_user):
    item_id = as_user("svc").ingest()["id"]
    viewer = as_user("vic")
    assert viewer.get(f"/inbox/{item_id}").json()["actions"] == []
    assert viewer.patch(f"/inbox/{item_id}", json={"state": "read"}).status_code == 200
    assert viewer.patch(f"/inbox/{item_id}", json={"state": "resolved"}).status_code == 403
    assert viewer.post("/inbox/bulk", json={"ids": [item_id], "op": "archive"}).status_code == 403
    assert viewer.post(f"/inbox/{item_id}/actions/archive").status_code == 403


def test_members_list_users_for_pickers_and_viewers_do_not(as_user):
    people = as_user("mel").get("/users")
    assert people.status_code == 200
    assert {"id": "max", "role": "member", "status": "active"} in people.json()
    assert as_user("vic").get("/users").status_code == 403


def test_the_outbox_shows_admins_only_deliveries_about_items_they_see(as_user, engine):
    from sqlalchemy import select

    from cockpit.store.tables import outbox

    svc = as_user("svc")
    hook = {"callback_url": "http://127.0.0.1:9/hook"}
    mine = svc.ingest(kind="waitpoint", title="Olivia's gate", target_user_id="olivia",
                      payload=hook)["id"]
    shared = svc.ingest(kind="waitpoint", title="Everyone's gate", payload=hook)["id"]
    for api, item_id in ((as_user("olivia"), mine), (as_user("mel"), shared)):
        assert api.post(f"/inbox/{item_id}/actions/approve").status_code == 200
    with engine.connect() as conn:
        assert len(conn.execute(select(outbox)).all()) == 2
    seen = {r["item_id"] for r in as_user("adam").get("/outbox").json()["deliveries"]}
    assert seen == {shared}  # an admin does not see another user's personal item
    seen = {r["item_id"] for r in as_user("olivia").get("/outbox").json()["deliveries"]}
    assert seen == {mine, shared}
