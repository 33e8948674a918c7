"""Saved views: the five built-ins, personal and role-shared ones, over HTTP; and the
query-language routes (sort, folders, bulk by query) as outside callers use them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


@pytest.fixture
def tickets(as_user) -> dict[str, int]:
    svc, mel = as_user("svc"), as_user("mel")
    made = {
        "mine": svc.ingest(kind="ticket", title="Mine", priority="high"),
        # opened two days ago and never answered: its SLA is breached
        "free": svc.ingest(kind="ticket", title="Nobody's",
                           created_at=(datetime.now(UTC) - timedelta(days=2)).isoformat()),
        "urgent": svc.ingest(kind="ticket", title="Urgent one", priority="urgent"),
        "closed": svc.ingest(kind="ticket", title="Done"),
        "message": svc.ingest(title="Not a ticket", priority="urgent"),
    }
    ids = {k: v["id"] for k, v in made.items()}
    mel.post(f"/inbox/{ids['mine']}/actions/assign", json={"assignee_id": "mel"})
    mel.post(f"/inbox/{ids['urgent']}/actions/assign", json={"assignee_id": "max"})
    mel.post(f"/inbox/{ids['closed']}/actions/close")
    return ids


def names(response) -> set[str]:
    return {i["title"] for i in response.json()["items"]}


def test_the_five_built_in_views(as_user, tickets):
    mel = as_user("mel")
    assert names(mel.get("/inbox", params={"view": "my_open"})) == {"Mine"}
    assert names(mel.get("/inbox", params={"view": "unassigned"})) == {"Nobody's"}
    assert names(mel.get("/inbox", params={"view": "overdue"})) == {"Nobody's"}
    assert names(mel.get("/inbox", params={"view": "high_priority"})) == {"Mine", "Urgent one"}
    assert names(mel.get("/inbox", params={"view": "all_open"})) == \
        {"Mine", "Nobody's", "Urgent one"}
    listed = {v["name"]: v for v in mel.get("/views").json()}
    assert [v["name"] for v in mel.get("/views").json()][:5] == \
        ["my_open", "unassigned", "overdue", "high_priority", "all_open"]
    assert (listed["all_open"]["count"], listed["all_open"]["unread"]) == (3, 3)
    assert listed["my_open"]["scope"] == "builtin"


def test_a_view_and_q_combine(as_user, tickets):
    response = as_user("mel").get("/inbox", params={"view": "all_open", "q": "urgent"})
    assert names(response) == {"Urgent one"}


def test_personal_views_are_their_owners(as_user, tickets):
    mel, max_ = as_user("mel"), as_user("max")
    made = mel.post("/views", json={"name": "hot", "title": "Hot", "query": "priority:urgent"})
    assert made.status_code == 201
    assert made.json() | {"count": 2} == {"name": "hot", "title": "Hot",
                                          "query": "priority:urgent", "scope": "personal",
                                          "role": None, "count": 2, "unread": 2}
    assert names(mel.get("/inbox", params={"view": "hot"})) == {"Urgent one", "Not a ticket"}
    assert max_.get("/inbox", params={"view": "hot"}).status_code == 400
    assert "hot" not in {v["name"] for v in max_.get("/views").json()}
    assert mel.post("/views", json={"name": "hot", "query": "x"}).status_code == 409
    assert max_.client.delete("/api/v1/views/hot", headers=max_.headers).status_code == 404
    assert mel.client.delete("/api/v1/views/hot", headers=mel.headers).status_code == 204
    assert mel.get("/inbox", params={"view": "hot"}).status_code == 400


def test_role_views_are_shared_upwards_and_made_by_managers(as_user, tickets):
    body = {"name": "team", "query": "kind:ticket", "scope": "role", "role": "member"}
    assert as_user("mel").post("/views", json=body).status_code == 403
    assert as_user("mia").post("/views", json=body).status_code == 201
    for who, sees in (("mel", True), ("max", True), ("olivia", True), ("vic", False)):
        assert ("team" in {v["name"] for v in as_user(who).get("/views").json()}) is sees, who


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "Bad Name", "query": "x"}, "name"),
    ({"name": "my_open", "query": "x"}, "built-in"),
    ({"name": "ok", "query": "nope:x"}, "query"),
    ({"name": "ok", "query": "x", "scope": "role", "role": "service"}, "role"),
])
def test_bad_views_are_refused_naming_why(as_user, body, field):
    response = as_user("mia").post("/views", json=body)
    assert response.status_code in (400, 409, 422) and field in response.json()["detail"]


def test_sort_over_http_with_its_cursor(as_user, tickets):
    mel = as_user("mel")
    first = mel.get("/inbox", params={"sort": "priority", "limit": 1, "state": "all"}).json()
    assert first["items"][0]["priority"] == "urgent"
    again = mel.get("/inbox", params={"sort": "priority", "limit": 50, "state": "all",
                                      "cursor": first["next_cursor"]}).json()
    assert len(again["items"]) == 4
    assert mel.get("/inbox", params={"sort": "oldest", "cursor": first["next_cursor"]}) \
        .status_code == 400
    assert mel.get("/inbox", params={"sort": "sideways"}).status_code == 422


def test_folders_and_bulk_by_query_over_http(as_user, tickets):
    mel = as_user("mel")
    folders = mel.get("/inbox/groups", params={"group_by": "kind"}).json()
    assert {(g["key"], g["count"]) for g in folders["groups"]} == {("ticket", 3),
                                                                  ("message", 1)}
    assert folders["total"] == 4
    inside = mel.get("/inbox", params={"group_by": "kind", "group": "ticket"}).json()
    assert len(inside["items"]) == 3
    result = mel.post("/inbox/bulk", json={
        "op": "read", "query": {"q": "kind:ticket", "group_by": "kind", "group": "ticket"},
        "except": [tickets["mine"]]})
    assert result.status_code == 200 and result.json() == {"updated": 2, "skipped": {}}
    assert mel.get("/inbox/count", params={"q": "kind:ticket"}).json()["unread"] == 1
    both = mel.post("/inbox/bulk", json={"op": "read", "ids": [1], "query": {"q": "x"}})
    assert both.status_code == 422 and "either ids or a query" in both.json()["detail"]
    bad = mel.post("/inbox/bulk", json={"op": "read", "query": {"q": "is:nope"}})
    assert bad.status_code == 400 and "is:nope" in bad.json()["detail"]
