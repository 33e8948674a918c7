"""The inbox endpoints: states and timestamps, 409s, bulk rules, dedup and upsert, paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import item

WAITPOINT = {"kind": "waitpoint", "title": "Approve deploy",
             "sender": {"type": "pipeline", "id": "deploy", "name": "Deploy"}}
ESCALATION = {"kind": "escalation", "title": "Agent needs a hand",
              "sender": {"type": "agent", "id": "agent:atlas", "name": "Atlas"}}


def when(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


# -- states and their timestamps -------------------------------------------------------------

def test_a_new_item_is_unread_with_no_outcome(svc):
    got = svc.ingest()
    assert got["state"] == "unread"
    assert got["read_at"] is got["resolved_at"] is got["resolved_by"] is got["resolved_action"] is None
    assert got["created_at"] == got["updated_at"]
    assert set(got) >= {"id", "kind", "source_id", "state", "resolved_action", "title", "body_md",
                        "sender", "target_user_id", "target_role", "priority", "blocking",
                        "payload", "tags", "assignee_id", "created_at", "updated_at", "read_at",
                        "resolved_at", "resolved_by", "actions"}


def test_read_then_resolve_then_restore(as_user):
    mel = as_user("mel")
    item_id = as_user("svc").ingest()["id"]
    read = mel.patch(f"/inbox/{item_id}", json={"state": "read"}).json()
    assert read["state"] == "read" and read["read_at"]
    again = mel.patch(f"/inbox/{item_id}", json={"state": "read"}).json()
    assert again["read_at"] == read["read_at"]  # the first read is kept
    done = mel.patch(f"/inbox/{item_id}", json={"state": "resolved"}).json()
    assert done["state"] == "resolved" and done["resolved_action"] == "resolved"
    assert done["resolved_by"] == "mel" and when(done["resolved_at"]) >= when(done["read_at"])
    assert done["read_at"] == read["read_at"]
    assert done["actions"] == ["restore"]
    back = mel.patch(f"/inbox/{item_id}", json={"state": "unread"}).json()
    assert back["state"] == "unread"
    assert back["read_at"] is back["resolved_at"] is back["resolved_by"] is None
    assert back["resolved_action"] is None
    assert when(back["updated_at"]) >= when(done["updated_at"])


def test_resolving_unread_counts_as_reading(as_user):
    item_id = as_user("svc").ingest()["id"]
    done = as_user("mel").patch(f"/inbox/{item_id}",
                                json={"state": "resolved", "resolved_action": "archived"}).json()
    assert done["resolved_action"] == "archived" and done["read_at"] == done["resolved_at"]


def test_archive_and_restore_actions(as_user):
    mel = as_user("mel")
    item_id = as_user("svc").ingest()["id"]
    archived = mel.post(f"/inbox/{item_id}/actions/archive").json()
    assert archived["ok"] and archived["item"]["resolved_action"] == "archived"
    assert mel.get("/inbox", params={"state": "resolved"}).json()["items"][0]["id"] == item_id
    restored = mel.post(f"/inbox/{item_id}/actions/restore").json()["item"]
    assert restored["state"] == "unread" and restored["resolved_action"] is None
    assert mel.post(f"/inbox/{item_id}/actions/restore").status_code == 409


def test_read_on_resolved_is_a_conflict(as_user):
    mel = as_user("mel")
    item_id = as_user("svc").ingest()["id"]
    mel.patch(f"/inbox/{item_id}", json={"state": "resolved"})
    response = mel.patch(f"/inbox/{item_id}", json={"state": "read"})
    assert response.status_code == 409


# -- decision items --------------------------------------------------------------------------

@pytest.mark.parametrize("body", [WAITPOINT, ESCALATION], ids=["waitpoint", "escalation"])
def test_decision_items_refuse_patch_resolve(as_user, body):
    mel = as_user("mel")
    item_id = as_user("svc").ingest(**body)["id"]
    response = mel.patch(f"/inbox/{item_id}", json={"state": "resolved"})
    assert response.status_code == 409
    assert "decision" in response.json()["detail"]
    assert mel.patch(f"/inbox/{item_id}", json={"state": "read"}).status_code == 200
    assert mel.get(f"/inbox/{item_id}").json()["state"] == "read"
    assert mel.post(f"/inbox/{item_id}/actions/archive").status_code == 409


def test_advisory_escalation_is_archivable(as_user):
    mel = as_user("mel")
    item_id = as_user("svc").ingest(**ESCALATION, payload={"advisory": True,
                                                           "note": "FYI only"})["id"]
    assert "archive" in mel.get(f"/inbox/{item_id}").json()["actions"]
    assert mel.patch(f"/inbox/{item_id}", json={"state": "resolved"}).status_code == 200


def test_actions_list_by_kind(as_user):
    mel, svc = as_user("mel"), as_user("svc")
    actions = {
        kind: mel.get(f"/inbox/{svc.ingest(kind=kind, payload=payload)['id']}").json()["actions"]
        for kind, payload in [("waitpoint", {}), ("escalation", {}), ("failed_run", {}),
                              ("message", {"url": "https://tracker.example.com/ENG-1"}),
                              ("ticket", {}), ("deploy_notice", {})]
    }
    assert actions["waitpoint"] == ["approve", "deny"]
    assert actions["escalation"] == ["approve", "reject"]
    assert actions["failed_run"] == ["retry", "cancel", "archive"]
    assert actions["message"] == ["open", "dismiss", "archive"]
    assert "archive" in actions["ticket"]
    assert actions["deploy_notice"] == ["archive"]


# -- bulk ------------------------------------------------------------------------------------

def test_bulk_skips_decision_and_blocking_items_and_says_why(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    plain = [svc.ingest()["id"] for _ in range(3)]
    wait = svc.ingest(**WAITPOINT)["id"]
    esc = svc.ingest(**ESCALATION)["id"]
    blocking = svc.ingest(blocking=True)["id"]
    hidden = svc.ingest(target_user_id="mia")["id"]
    result = mel.post("/inbox/bulk", json={
        "ids": [*plain, wait, esc, blocking, hidden, 424242, plain[0]], "op": "archive"}).json()
    assert result["updated"] == plain
    reasons = {s["id"]: s["reason"] for s in result["skipped"]}
    assert set(reasons) == {wait, esc, blocking}
    assert "decision" in reasons[wait] and "decision" in reasons[esc]
    assert "blocking" in reasons[blocking]
    assert result["not_found"] == [hidden, 424242]
    for item_id in plain:
        assert mel.get(f"/inbox/{item_id}").json()["resolved_action"] == "archived"
    for item_id in (wait, esc, blocking):
        assert mel.get(f"/inbox/{item_id}").json()["state"] == "unread"
    # a blocking item may still be resolved on its own
    assert mel.patch(f"/inbox/{blocking}", json={"state": "resolved"}).status_code == 200


def test_bulk_read_and_unread_apply_to_decision_items(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    ids = [svc.ingest(**WAITPOINT)["id"], svc.ingest()["id"]]
    assert mel.post("/inbox/bulk", json={"ids": ids, "op": "read"}).json()["updated"] == ids
    again = mel.post("/inbox/bulk", json={"ids": ids, "op": "read"}).json()
    assert [s["reason"] for s in again["skipped"]] == ["already read"] * 2
    first_reads = [mel.get(f"/inbox/{i}").json()["read_at"] for i in ids]
    assert all(first_reads)
    assert mel.post("/inbox/bulk", json={"ids": ids, "op": "unread"}).json()["updated"] == ids
    assert all(mel.get(f"/inbox/{i}").json()["read_at"] is None for i in ids)


def test_bulk_resolve_keeps_first_read_and_skips_resolved(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    a, b = svc.ingest()["id"], svc.ingest()["id"]
    read_at = mel.patch(f"/inbox/{a}", json={"state": "read"}).json()["read_at"]
    assert mel.post("/inbox/bulk", json={"ids": [a, b], "op": "resolve"}).json()["updated"] == [a, b]
    assert mel.get(f"/inbox/{a}").json()["read_at"] == read_at
    b_item = mel.get(f"/inbox/{b}").json()
    assert b_item["read_at"] == b_item["resolved_at"] and b_item["resolved_by"] == "mel"
    again = mel.post("/inbox/bulk", json={"ids": [a], "op": "archive"}).json()
    assert again["skipped"] == [{"id": a, "reason": "already resolved"}]
    read = mel.post("/inbox/bulk", json={"ids": [a], "op": "read"}).json()
    assert read["skipped"][0]["reason"].startswith("resolved")


def test_bulk_unread_brings_resolved_items_back_but_never_decisions(as_user):
    svc, mel, vic = as_user("svc"), as_user("mel"), as_user("vic")
    archived, resolved = svc.ingest()["id"], svc.ingest()["id"]
    gate = svc.ingest(kind="waitpoint", title="Gate")["id"]
    mel.patch(f"/inbox/{archived}", json={"state": "resolved", "resolved_action": "archived"})
    mel.patch(f"/inbox/{resolved}", json={"state": "resolved"})
    assert mel.post(f"/inbox/{gate}/actions/approve").status_code == 200
    refused = vic.post("/inbox/bulk", json={"ids": [archived], "op": "unread"}).json()
    assert refused["skipped"] == [{"id": archived, "reason": "a viewer cannot restore items"}]
    result = mel.post("/inbox/bulk", json={"ids": [archived, resolved, gate],
                                           "op": "unread"}).json()
    assert result["updated"] == [archived, resolved]
    assert result["skipped"] == [{"id": gate, "reason": "a decided item cannot be reopened"}]
    for item_id in (archived, resolved):
        back = mel.get(f"/inbox/{item_id}").json()
        assert back["state"] == "unread" and back["resolved_action"] is None
        assert back["resolved_at"] is None and back["resolved_by"] is None
    assert mel.get(f"/inbox/{gate}").json()["resolved_action"] == "approved"


def test_bulk_accepts_ten_thousand_ids_and_refuses_more(as_user):
    mel = as_user("mel")
    ok = mel.post("/inbox/bulk", json={"ids": list(range(1, 10_001)), "op": "read"})
    assert ok.status_code == 200 and len(ok.json()["not_found"]) == 10_000
    too_many = mel.post("/inbox/bulk", json={"ids": list(range(1, 10_002)), "op": "read"})
    assert too_many.status_code == 422 and "ids" in too_many.json()["detail"]


# -- dedup and upsert ------------------------------------------------------------------------

def test_first_write_wins(svc):
    first = svc.post("/inbox/items", json=item(source_id="dup", title="First"))
    second = svc.post("/inbox/items", json=item(source_id="dup", title="Second"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"] and second.json()["title"] == "First"
    other_kind = svc.post("/inbox/items", json=item(source_id="dup", kind="ticket"))
    assert other_kind.status_code == 201  # unique per (kind, source_id), not per source_id


def test_upsert_refreshes_in_place_and_returns_to_unread(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    first = svc.ingest(source_id="chat-1", title="Reply 1", payload={"n": 1})
    mel.patch(f"/inbox/{first['id']}", json={"state": "read"})
    response = svc.post("/inbox/items", json=item(source_id="chat-1", title="Reply 2",
                                                  payload={"n": 2}, upsert=True))
    assert response.status_code == 200
    again = response.json()
    assert again["id"] == first["id"] and again["title"] == "Reply 2"
    assert again["payload"] == {"n": 2} and again["state"] == "unread"
    assert again["read_at"] is None
    assert again["created_at"] == first["created_at"]
    assert when(again["updated_at"]) > when(first["updated_at"])
    assert mel.get("/inbox/count").json()["unread"] == 1


def test_upsert_never_reopens_a_resolved_item(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    first = svc.ingest(source_id="chat-2", title="Reply 1", payload={"n": 1})
    closed = mel.patch(f"/inbox/{first['id']}", json={"state": "resolved",
                                                      "resolved_action": "archived"}).json()
    again = svc.post("/inbox/items", json=item(source_id="chat-2", title="Reply 2",
                                               payload={"n": 2}, upsert=True)).json()
    assert again["title"] == "Reply 2" and again["payload"] == {"n": 2}
    for field in ("state", "resolved_action", "resolved_at", "resolved_by", "read_at"):
        assert again[field] == closed[field], field


def test_an_upsert_with_nothing_new_keeps_the_read_state(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    first = svc.ingest(source_id="same-1", title="Same", payload={"n": 1}, tags=["ci"])
    read = mel.patch(f"/inbox/{first['id']}", json={"state": "read"}).json()
    again = svc.post("/inbox/items", json=item(source_id="same-1", title="Same",
                                               payload={"n": 1}, tags=["ci"], upsert=True))
    assert again.status_code == 200
    assert again.json()["state"] == "read" and again.json()["read_at"] == read["read_at"]
    assert again.json()["updated_at"] == read["updated_at"]


def test_unknown_kinds_are_stored_as_generic_notifications(as_user):
    created = as_user("svc").post("/inbox/items", json=item(kind="cost_alert"))
    assert created.status_code == 201
    assert created.json()["kind"] == "cost_alert"
    assert as_user("mel").get(f"/inbox/{created.json()['id']}").json()["actions"] == ["archive"]


def test_only_producers_ingest(as_user):
    assert as_user("mel").post("/inbox/items", json=item()).status_code == 403
    assert as_user("olivia").post("/inbox/items", json=item()).status_code == 201


# -- listing ---------------------------------------------------------------------------------

def test_keyset_paging_newest_first_without_gaps(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    base = datetime(2026, 11, 1, tzinfo=UTC)
    # several items share a timestamp: the id breaks the tie
    for n in range(23):
        svc.ingest(created_at=(base + timedelta(minutes=n // 3)).isoformat(), title=f"n{n}")
    seen, cursor = [], None
    while True:
        params = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        page = mel.get("/inbox", params=params).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 23 and len({i["id"] for i in seen}) == 23
    keys = [(i["created_at"], i["id"]) for i in seen]
    assert keys == sorted(keys, reverse=True)


def test_filters_state_kind_and_query(as_user):
    svc, mel = as_user("svc"), as_user("mel")
    a = svc.ingest(kind="ticket", title="Refund for order 100%")["id"]
    b = svc.ingest(kind="message", title="Deploy finished")["id"]
    mel.patch(f"/inbox/{b}", json={"state": "read"})

    def ids(**params):
        return [i["id"] for i in mel.get("/inbox", params=params).json()["items"]]

    assert ids(kind="ticket") == [a]
    assert ids(state="unread") == [a]
    assert ids(state="read") == [b]
    assert ids(q="100%") == [a]  # LIKE wildcards are literal
    assert ids(q="%") == [a]
    assert ids(q="deploy") == [b]  # case-insensitive
    assert mel.get("/inbox", params={"kind": "ticket"}).json()["counts"] == \
        {"active": 1, "unread": 1, "resolved": 0}


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "kwargs", "status", "field"), [
    ("get", "/inbox", {"params": {"state": "sleeping"}}, 422, "state"),
    ("get", "/inbox", {"params": {"limit": "many"}}, 422, "limit"),
    ("get", "/inbox", {"params": {"limit": 0}}, 422, "limit"),
    ("get", "/inbox", {"params": {"cursor": "not-a-cursor"}}, 400, "cursor"),
    ("get", "/inbox", {"params": {"cursor": "WyJ4IiwgMV0"}}, 400, "cursor"),
    ("get", "/inbox/abc", {}, 422, "item_id"),
    ("patch", "/inbox/1", {"json": {"state": "gone"}}, 422, "state"),
    ("patch", "/inbox/1", {"json": {"state": "read", "extra": 1}}, 422, "extra"),
    ("patch", "/inbox/1", {"json": ["read"]}, 422, "body"),
    ("post", "/inbox/bulk", {"json": {"ids": "1,2", "op": "read"}}, 422, "ids"),
    ("post", "/inbox/bulk", {"json": {"ids": [1], "op": "explode"}}, 422, "op"),
    ("post", "/inbox/bulk", {"json": {"ids": [], "op": "read"}}, 422, "ids"),
    ("post", "/inbox/bulk", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 422, "body"),
    ("post", "/inbox/items", {"json": {"kind": "message"}}, 422, "source_id"),
    ("post", "/inbox/items", {"json": item(priority="asap")}, 422, "priority"),
    ("post", "/inbox/items", {"json": item(sender={"type": "alien", "id": "x", "name": "X"})}, 422, "sender.type"),
    ("post", "/inbox/items", {"json": item(kind="Bad Kind!")}, 422, "kind"),
    ("post", "/inbox/items", {"json": item(blocking="sometimes")}, 422, "blocking"),
    ("post", "/inbox/items", {"json": item(payload=[1, 2])}, 422, "payload"),
    ("post", "/inbox/items", {"json": item(created_at="yesterday")}, 422, "created_at"),
    ("post", "/inbox/1/actions/explode", {"json": {}}, 404, "explode"),
    ("post", "/inbox/1/actions/archive", {"json": [1]}, 422, "body"),
])
def test_bad_input_gets_a_clear_4xx(as_user, method, path, kwargs, status, field):
    api = as_user("olivia")
    api.ingest()  # item 1 exists
    headers = {**api.headers, **kwargs.pop("headers", {})}
    response = getattr(api.client, method)("/api/v1" + path, headers=headers, **kwargs)
    assert response.status_code == status, response.text
    assert field in response.json()["detail"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic dXNlcjpwYXNz", "token"])
def test_missing_or_bad_token_is_401(client, users, header):
    headers = {"Authorization": header} if header else {}
    for method, path in [("get", "/inbox"), ("get", "/inbox/count"), ("get", "/inbox/1"),
                         ("post", "/inbox/bulk"), ("post", "/inbox/items")]:
        response = getattr(client, method)("/api/v1" + path, headers=headers)
        assert response.status_code == 401, (method, path)
        assert "token" in response.json()["detail"]


def test_counts_follow_every_kind_of_change(as_user, engine):
    """The counts are cached per state of the event log; each change must still show."""
    svc, mel = as_user("svc"), as_user("mel")

    def counts():
        return mel.get("/inbox", params={"limit": 1}).json()["counts"]

    assert counts() == {"active": 0, "unread": 0, "resolved": 0}
    a = svc.ingest()["id"]
    assert counts() == {"active": 1, "unread": 1, "resolved": 0}
    mel.patch(f"/inbox/{a}", json={"state": "read"})
    assert counts() == {"active": 1, "unread": 0, "resolved": 0}
    mel.post("/inbox/bulk", json={"ids": [a], "op": "archive"})
    assert counts() == {"active": 0, "unread": 0, "resolved": 1}
    mel.post(f"/inbox/{a}/actions/restore")
    assert counts() == mel.get("/inbox/count").json() | {"resolved": 0}
