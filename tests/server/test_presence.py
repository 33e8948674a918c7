"""Collision detection (`POST /inbox/{id}/viewing`): who views a ticket, heard by everyone who
may see it as a `presence` event; viewers expire 60 s after their last call; visibility
applies. On SQLite and PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

from cockpit.store import events
from tests.factories import Clock


def _ticket(svc, **fields) -> int:
    return svc.ingest(kind="ticket", title="Refund please",
                      payload={"customer": {"id": "c-1", "name": "Ada", "vip": False}},
                      **fields)["id"]


def _presence_events(engine, item_id: int) -> list[dict]:
    with engine.connect() as conn:
        return [e["data"] for e in events.since(conn, 0, limit=100_000)
                if e["type"] == "presence" and e["data"]["item_id"] == item_id]


def _view(api, item_id: int, viewing: bool = True):
    return api.post(f"/inbox/{item_id}/viewing", json={"viewing": viewing})


def test_two_viewers_see_each_other_and_leaving_is_told(as_user, svc, engine):
    ticket = _ticket(svc)
    mel, max_ = as_user("mel"), as_user("max")
    first = _view(mel, ticket)
    assert first.status_code == 200, first.text
    assert first.json() == {"item_id": ticket, "viewers": ["mel"]}
    assert _view(max_, ticket).json()["viewers"] == ["max", "mel"]
    assert _view(mel, ticket, False).json()["viewers"] == ["max"]
    told = [e["viewers"] for e in _presence_events(engine, ticket)]
    assert told == [["mel"], ["max", "mel"], ["max"]]
    last = _presence_events(engine, ticket)[-1]
    assert last["items"][0]["id"] == ticket and "target_role" in last["items"][0]


def test_a_viewer_expires_a_minute_after_the_last_call(client, as_user, svc, engine):
    clock = Clock()
    client.app.state.inbox.clock = clock
    ticket = _ticket(svc)
    mel, max_ = as_user("mel"), as_user("max")
    _view(mel, ticket)
    clock.advance(seconds=40)
    assert _view(max_, ticket).json()["viewers"] == ["max", "mel"]
    clock.advance(seconds=19)
    assert _view(max_, ticket).json()["viewers"] == ["max", "mel"]  # mel: 59 s, still there
    clock.advance(seconds=2)
    assert _view(max_, ticket).json()["viewers"] == ["max"]  # mel's 60 s are over
    assert ["max"] in [e["viewers"] for e in _presence_events(engine, ticket)]
    clock.advance(seconds=61)
    other = _ticket(svc)
    _view(mel, other)  # anyone's call sweeps: max left the first ticket without a word
    assert _presence_events(engine, ticket)[-1]["viewers"] == []


def test_an_invisible_ticket_is_404_and_its_presence_reaches_only_its_audience(
        as_user, svc, engine):
    personal = _ticket(svc, target_user_id="mel")
    answer = _view(as_user("max"), personal)
    assert answer.status_code == 404
    assert _view(as_user("mel"), personal).status_code == 200
    assert _presence_events(engine, personal)[-1]["items"][0]["target_user_id"] == "mel"
    bad = as_user("mel").post(f"/inbox/{personal}/viewing", json={"viewing": "maybe"})
    assert bad.status_code == 422 and "viewing" in bad.json()["detail"]


def test_presence_events_reach_the_websocket_by_visibility(client, users, as_user, svc):
    personal = _ticket(svc, target_user_id="mel")
    shared = _ticket(svc)
    with client.websocket_connect("/api/v1/ws", headers={
            "Authorization": f"Bearer {users['max']}"}) as ws:
        _view(as_user("mel"), personal)
        _view(as_user("mel"), shared)
        while True:
            event = ws.receive_json()
            if event["type"] == "presence":
                break
        assert event["data"]["item_id"] == shared  # max never hears of mel's personal ticket
        assert event["data"]["viewers"] == ["mel"]


def test_a_second_process_sees_the_viewers_of_the_first(engine, users, options, svc):
    from fastapi.testclient import TestClient

    from cockpit.server.app import create_app
    from tests.server.conftest import Api

    ticket = _ticket(svc)
    with TestClient(create_app(options, engine=engine)) as other:
        _view(svc.__class__(svc.client, users["mel"], "mel"), ticket)
        answer = _view(Api(other, users["max"], "max"), ticket)
        assert answer.json()["viewers"] == ["max", "mel"]
