"""Live metrics over the websocket: GET /metrics/live's body for each receiver, counting only
the tickets it may see, computed once per audience, coalesced."""

from __future__ import annotations

import time

from tests.server.test_agents import ticket


def connect(client, token):
    return client.websocket_connect("/api/v1/ws", headers={"Authorization": f"Bearer {token}"})


def next_metrics(ws, until=lambda data: True, timeout: float = 30) -> dict:
    """The next `metrics` event whose data satisfies `until` (heartbeats keep this moving)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = ws.receive_json()
        if event["type"] == "metrics" and until(event["data"]):
            return event
    raise AssertionError("no such metrics event came")


def without_clock(body: dict) -> dict:
    """The figures that do not move with the clock between a push and a GET."""
    return {**body, "at": None, "oldest_wait_s": None,
            "queues": [{**q, "oldest_wait_s": None} for q in body["queues"]]}


def test_each_receiver_gets_the_figures_of_the_tickets_it_may_see(client, users, as_user, svc):
    assert as_user("mia").post("/queues", json={"name": "billing"}).status_code == 201
    with connect(client, users["mia"]) as manager, connect(client, users["mel"]) as mel, \
            connect(client, users["max"]) as max_, connect(client, users["svc"]) as service:
        ticket(svc, queue="billing")
        ticket(svc, queue="billing")
        svc.ingest(kind="ticket", title="For managers", target_role="manager",
                   payload={"queue": "billing"})
        svc.ingest(kind="ticket", title="For mel", target_user_id="mel",
                   payload={"queue": "billing"})
        expected = {"mia": 3, "mel": 3, "max": 2}
        for name, ws in (("mia", manager), ("mel", mel), ("max", max_)):
            pushed = next_metrics(ws, lambda d, n=expected[name]: d["waiting"] == n)
            assert pushed["seq"] >= 4  # the frontier: the four tickets' events came first
            got = as_user(name).get("/metrics/live").json()
            assert without_clock(pushed["data"]) == without_clock(got)
        # a service account has no floor: what it gets after all that is the next item event
        marker = svc.ingest(title="marker")["id"]
        while (event := service.receive_json())["type"] != "item.created" \
                or event["data"]["items"][0]["id"] != marker:
            assert event["type"] != "metrics"


def test_figures_are_computed_once_per_audience(client, users, as_user):
    publisher = client.app.state.live_metrics
    floor = client.app.state.floor
    asked, live, before = [], floor.live, publisher.rounds
    floor.live = lambda user: asked.append(user.role) or live(user)
    try:
        with connect(client, users["mel"]) as mel, connect(client, users["max"]) as max_, \
                connect(client, users["mel"]) as mel_again, connect(client, users["mia"]) as mia:
            answer = as_user("mel").patch("/agents/mel", json={"status": "available"})
            assert answer.status_code == 200, answer.text
            for ws in (mel, max_, mel_again, mia):
                next_metrics(ws, lambda d: d["agents_by_status"]["available"] == 1)
        rounds = publisher.rounds - before
    finally:
        floor.live = live
    # members (mel twice, max: nothing targets them by name) and the manager: two a round
    assert rounds >= 1
    assert len(asked) == 2 * rounds and sorted(asked[:2]) == ["manager", "member"]


def test_pushes_are_coalesced_and_the_last_change_is_sent(client, users, as_user):
    publisher = client.app.state.live_metrics
    publisher.interval = 2.0
    mel = as_user("mel")
    with connect(client, users["mia"]) as ws:
        started, before = time.monotonic(), publisher.pushes
        for n in range(8):
            answer = mel.patch("/agents/mel", json={"status": "available" if n % 2 else "away",
                                                    "aux_code": None if n % 2 else "Break"})
            assert answer.status_code == 200, answer.text
        mel.patch("/agents/mel", json={"status": "busy", "aux_code": "Wrap-up"})
        last = next_metrics(ws, lambda d: d["agents_by_status"]["busy"] == 1)
        took = time.monotonic() - started
        pushes = publisher.pushes - before
    mine = next(a for a in last["data"]["agents"] if a["id"] == "mel")
    assert (mine["status"], mine["aux_code"]) == ("busy", "Wrap-up")
    assert pushes <= took / publisher.interval + 1  # never more than one per interval
