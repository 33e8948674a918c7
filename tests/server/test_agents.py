"""Agents on the floor: the roster, statuses and aux codes, the interval log, who may change
what, capacity and `busy` at capacity, queues (GET/PATCH /agents, /aux-codes, /queues)."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cockpit.domain.roles import Principal, Role
from cockpit.server.agents import Floor
from cockpit.server.app import ServerOptions, create_app
from cockpit.store import agents as stored
from cockpit.store import open_engine
from cockpit.store.tables import agent_status_log, audit
from cockpit.store.users import add_user


def ticket(svc, **payload) -> dict:
    return svc.ingest(kind="ticket", title="Help", payload=payload,
                      sender={"type": "customer", "id": "c1", "name": "Cleo"})


def roster(api) -> dict[str, dict]:
    response = api.get("/agents")
    assert response.status_code == 200, response.text
    return {a["id"]: a for a in response.json()}


def delete(api, path: str):
    return api.client.delete("/api/v1" + path, headers=api.headers)


def open_intervals(engine, agent_id: str) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(agent_status_log).where(
            agent_status_log.c.agent_id == agent_id, agent_status_log.c.ended_at.is_(None))))


def test_every_person_is_an_agent_offline_with_the_defaults(as_user):
    agents = roster(as_user("vic"))
    assert set(agents) == {"olivia", "adam", "mia", "mel", "max", "vic"}  # no service account
    mel = agents["mel"]
    assert mel["status"] == "offline" and mel["aux_code"] is None
    assert (mel["capacity"], mel["active"], mel["skills"], mel["queues"]) == (5, 0, {}, [])
    assert mel["status_since"]
    assert as_user("svc").get("/agents").status_code == 403


def test_self_sets_status_and_aux_codes_with_one_open_interval(as_user, engine):
    mel = as_user("mel")
    assert mel.patch("/agents/mel", json={"status": "available"}).json()["status"] == "available"
    lunch = mel.patch("/agents/mel", json={"aux_code": "Lunch"}).json()
    assert (lunch["status"], lunch["aux_code"]) == ("away", "Lunch")  # the code's status
    wrap = mel.patch("/agents/mel", json={"status": "busy", "aux_code": "Wrap-up"}).json()
    assert (wrap["status"], wrap["aux_code"]) == ("busy", "Wrap-up")
    back = mel.patch("/agents/mel", json={"status": "available"}).json()
    assert back["aux_code"] is None and back["status_since"] > lunch["status_since"]
    with engine.connect() as conn:
        log = [(r.status, r.aux_code, r.ended_at is None) for r in conn.execute(
            select(agent_status_log).where(agent_status_log.c.agent_id == "mel")
            .order_by(agent_status_log.c.id))]
        journal = [r.params for r in conn.execute(
            select(audit).where(audit.c.action == "agent.update"))]
    assert log == [("offline", None, False), ("available", None, False),
                   ("away", "Lunch", False), ("busy", "Wrap-up", False),
                   ("available", None, True)]
    assert len(open_intervals(engine, "mel")) == 1
    assert journal[0] == {"agent_id": "mel", "status": "available"}


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"status": "sleeping"}, 422, "status"),
    ({"aux_code": "Nap"}, 400, "aux_code"),
    ({"status": "away", "aux_code": "Wrap-up"}, 400, "aux_code"),
    ({"status": "available", "aux_code": "Lunch"}, 400, "aux_code"),
    ({"colour": "red"}, 422, "colour"),
])
def test_bad_status_input_names_the_field(as_user, body, status, field):
    response = as_user("mel").patch("/agents/mel", json=body)
    assert response.status_code == status, response.text
    assert response.json()["detail"].startswith(field)


def test_who_may_change_what(as_user):
    mel, mia = as_user("mel"), as_user("mia")
    assert mel.patch("/agents/max", json={"status": "away"}).status_code == 403
    refused = mel.patch("/agents/mel", json={"capacity": 8})
    assert refused.status_code == 403 and refused.json()["detail"].startswith("capacity")
    assert mel.patch("/agents/mel", json={"skills": {"fr": 5}}).status_code == 403
    assert as_user("svc").patch("/agents/svc", json={"status": "available"}).status_code == 403
    # a manager sets anyone's capacity, skills and queues, and status (sending someone offline)
    mia.post("/queues", json={"name": "billing"})
    done = mia.patch("/agents/mel", json={"capacity": 8, "skills": {"fr": 5, "billing": 2},
                                          "queues": ["billing"]})
    assert done.status_code == 200, done.text
    assert (done.json()["capacity"], done.json()["skills"], done.json()["queues"]) == \
        (8, {"fr": 5, "billing": 2}, ["billing"])
    assert mia.patch("/agents/mel", json={"status": "offline"}).json()["status"] == "offline"
    assert mia.patch("/agents/nobody", json={"capacity": 3}).status_code == 404
    assert mia.patch("/agents/svc", json={"capacity": 3}).status_code == 404


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"capacity": 0}, 422, "capacity"),
    ({"capacity": 21}, 422, "capacity"),
    ({"capacity": None}, 400, "capacity"),
    ({"skills": {"fr": 6}}, 422, "skills"),
    ({"skills": {"fr": 0}}, 422, "skills"),
    ({"skills": ["fr"]}, 422, "skills"),
    ({"queues": ["nowhere"]}, 400, "queues"),
    ({"queues": "billing"}, 422, "queues"),
])
def test_bad_manager_input_names_the_field(as_user, body, status, field):
    response = as_user("mia").patch("/agents/mel", json=body)
    assert response.status_code == status, response.text
    assert response.json()["detail"].startswith(field)


def test_an_agent_at_capacity_shows_busy(as_user):
    mia, mel, svc = as_user("mia"), as_user("mel"), as_user("svc")
    mia.patch("/agents/mel", json={"capacity": 2})
    mel.patch("/agents/mel", json={"status": "available"})
    for _ in range(2):
        made = ticket(svc)
        assert mel.post(f"/inbox/{made['id']}/actions/assign",
                        json={"assignee_id": "mel"}).status_code == 200
    me = roster(mel)["mel"]
    assert (me["status"], me["stated_status"], me["active"], me["capacity"]) == \
        ("busy", "available", 2, 2)
    assert [a["id"] for a in mel.get("/agents", params={"status": "busy"}).json()] == ["mel"]
    mia.patch("/agents/mel", json={"capacity": 3})
    assert roster(mel)["mel"]["status"] == "available"


def test_aux_codes_default_and_configurable(as_user):
    mel, mia = as_user("mel"), as_user("mia")
    assert mel.get("/aux-codes").json() == [
        {"code": "Break", "status": "away"}, {"code": "Lunch", "status": "away"},
        {"code": "Training", "status": "away"}, {"code": "Meeting", "status": "away"},
        {"code": "Technical Issue", "status": "away"}, {"code": "Wrap-up", "status": "busy"}]
    assert mel.post("/aux-codes", json={"code": "Coaching", "status": "busy"}).status_code == 403
    codes = mia.post("/aux-codes", json={"code": "Coaching", "status": "busy"}).json()
    assert codes[-1] == {"code": "Coaching", "status": "busy"} and len(codes) == 7
    assert mia.post("/aux-codes", json={"code": "Nap", "status": "offline"}).status_code == 422
    assert mel.patch("/agents/mel", json={"aux_code": "Coaching"}).json()["status"] == "busy"
    assert delete(mia, "/aux-codes/Lunch").status_code == 204
    assert delete(mia, "/aux-codes/Lunch").status_code == 404
    assert "Lunch" not in [c["code"] for c in mel.get("/aux-codes").json()]
    assert mel.patch("/agents/mel", json={"aux_code": "Lunch"}).status_code == 400


def test_queues_are_created_and_changed_by_managers(as_user):
    mel, mia = as_user("mel"), as_user("mia")
    assert mel.post("/queues", json={"name": "billing"}).status_code == 403
    made = mia.post("/queues", json={"name": "billing", "skills": ["billing", "fr"],
                                     "skill_timeout_s": 120})
    assert made.status_code == 201
    assert made.json() == {"name": "billing", "skills": ["billing", "fr"],
                           "skill_timeout_s": 120, "agents": []}
    changed = mia.post("/queues", json={"name": "billing", "skills": ["billing"]})
    assert changed.status_code == 200 and changed.json()["skill_timeout_s"] == 60
    mia.patch("/agents/mel", json={"queues": ["billing"]})
    assert mel.get("/queues").json() == [{"name": "billing", "skills": ["billing"],
                                          "skill_timeout_s": 60, "agents": ["mel"]}]
    bad = mia.post("/queues", json={"name": "x", "skill_timeout_s": -1})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("skill_timeout_s")
    assert mia.post("/queues", json={"name": ""}).status_code == 422


def test_agents_filter_by_queue_and_status(as_user):
    mia = as_user("mia")
    mia.post("/queues", json={"name": "vip"})
    mia.patch("/agents/max", json={"queues": ["vip"], "status": "away"})
    assert [a["id"] for a in mia.get("/agents", params={"queue": "vip"}).json()] == ["max"]
    assert [a["id"] for a in mia.get("/agents", params={"status": "away"}).json()] == ["max"]


def test_concurrent_status_changes_keep_exactly_one_open_interval(db_url):
    """Many writers changing one agent's status at once: each change closes the open
    interval and opens the next in one transaction, so exactly one stays open and the log
    has no gap or overlap."""
    engines = [open_engine(db_url) for _ in range(4)]
    try:
        with engines[0].begin() as conn:
            add_user(conn, "mel", "member")
        floors = [Floor(e) for e in engines]
        mel = Principal("mel", Role.MEMBER)
        choices = [{"status": "available"}, {"aux_code": "Break"}, {"aux_code": "Wrap-up"},
                   {"status": "offline"}]
        errors: list[BaseException] = []

        def flip(n: int) -> None:
            try:
                for i in range(10):
                    floors[n].patch_agent(mel, "mel", choices[(n + i) % len(choices)])
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=flip, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        assert len(open_intervals(engines[0], "mel")) == 1
        with engines[0].connect() as conn:
            log = list(conn.execute(select(agent_status_log).where(
                agent_status_log.c.agent_id == "mel").order_by(agent_status_log.c.started_at,
                                                               agent_status_log.c.id)))
            agent = stored.get(conn, "mel")
        for before, after in itertools.pairwise(log):
            assert before.ended_at == after.started_at  # no gap, no overlap
        assert (log[-1].status, log[-1].aux_code) == (agent["status"], agent["aux_code"])
    finally:
        for engine in engines:
            engine.dispose()


def test_an_agent_whose_app_went_quiet_goes_offline(engine, monkeypatch):
    monkeypatch.setenv("COCKPIT_AGENT_OFFLINE_AFTER", "60")
    with engine.begin() as conn:
        add_user(conn, "mel", "member")
        add_user(conn, "max", "member")
    now = datetime.now(UTC)
    floor = Floor(engine, clock=lambda: now)
    for who in ("mel", "max"):
        floor.patch_agent(Principal(who, Role.MEMBER), who, {"status": "available"})
    floor.seen(["mel"])  # mel's app connected; max only ever used the CLI
    assert not floor.sweep(now + timedelta(seconds=59))
    assert floor.sweep(now + timedelta(seconds=61))
    agents = {a["id"]: a for a in floor.agents(Principal("max", Role.MEMBER))}
    assert agents["mel"]["status"] == "offline" and agents["max"]["status"] == "available"
    with engine.connect() as conn:
        gone = [r.detail for r in conn.execute(select(audit).where(
            audit.c.action == "agent.offline"))]
    assert gone == ["the app was disconnected for over 60 s"]
    # back on the CLI, mel stays where they put themselves until an app connects again
    floor.patch_agent(Principal("mel", Role.MEMBER), "mel", {"status": "available"})
    assert not floor.sweep(now + timedelta(hours=1))


def test_an_open_app_marks_its_agent_as_seen(as_user, users, engine, monkeypatch):
    """The app's websocket is its presence: while it is connected, the agent is seen."""
    import time

    from cockpit.server import floor

    as_user("mel").patch("/agents/mel", json={"status": "available"})
    monkeypatch.setattr(floor, "PRESENCE_INTERVAL", 0.05)
    app = create_app(ServerOptions(poll_interval=0.05, heartbeat=0.5), engine=engine)
    with TestClient(app) as fresh, fresh.websocket_connect(
            "/api/v1/ws", headers={"Authorization": f"Bearer {users['mel']}"}) as ws:
        ws.receive_json()
        deadline = time.monotonic() + 5
        seen = None
        while seen is None and time.monotonic() < deadline:
            time.sleep(0.05)
            with engine.connect() as conn:
                seen = stored.get(conn, "mel")["last_seen_at"]
    assert seen is not None
