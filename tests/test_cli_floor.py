"""The floor from the shell (local mode): agents, aux codes, queues, reports, and manual
assignment past capacity with --force."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cockpit.cli import main
from cockpit.store import open_engine
from cockpit.store.users import add_user

LOCAL = "olga"  # the local account the CLI works as (an owner)


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("COCKPIT_USER", LOCAL)
    url = f"sqlite:///{tmp_path / 'floor.db'}"
    engine = open_engine(url)
    with engine.begin() as conn:
        add_user(conn, "bob", "member")
        add_user(conn, "cy", "member")
    engine.dispose()
    return url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, ""), err
    return out


def _ticket(capsys, db: str, source: str, **payload) -> int:
    """A ticket ingested as a producer would (the local owner may ingest)."""
    from cockpit.runtime import open_local
    from cockpit.server.inbox import Inbox
    from cockpit.domain.models import ItemIn
    from cockpit.domain.roles import Principal

    engine, user_id, _ = open_local(db, seed_demo=False)
    try:
        made, _ = Inbox(engine).ingest(Principal(user_id, "owner"), ItemIn(
            kind="ticket", source_id=source, title=f"Help {source}",
            sender={"type": "customer", "id": "c-1", "name": "Cleo"},
            payload={"callback_url": "http://127.0.0.1:9/hook", **payload}))
    finally:
        engine.dispose()
    return made.id


def test_queues_and_agents_set_and_list(capsys, db):
    out = ok(capsys, "queues", "add", "billing", "--skill", "billing", "--skill-timeout", "90",
             "--db", db, "--format", "json")
    assert json.loads(out)[0] == {"name": "billing", "skills": ["billing"],
                                  "skill_timeout_s": 90, "agents": []}
    out = ok(capsys, "agents", "set", "bob", "--status", "available", "--capacity", "3",
             "--skill", "billing=4", "--skill", "fr=2", "--queue", "billing", "--db", db,
             "--format", "json")
    bob = json.loads(out)[0]
    assert (bob["status"], bob["capacity"], bob["skills"], bob["queues"]) == \
        ("available", 3, {"billing": 4, "fr": 2}, ["billing"])
    ok(capsys, "agents", "set", "cy", "--aux-code", "Lunch", "--db", db)
    out = ok(capsys, "agents", "list", "--status", "away", "--db", db, "--format", "json")
    assert [(a["id"], a["aux_code"]) for a in json.loads(out)] == [("cy", "Lunch")]
    assert ok(capsys, "agents", "list", "--queue", "billing", "--db", db,
              "--format", "quiet").split() == ["bob"]
    table = ok(capsys, "agents", "list", "--db", db)
    assert "0/3" in table and "billing 4, fr 2" in table and "Lunch" in table
    assert ok(capsys, "queues", "list", "--db", db, "--format", "quiet").split() == ["billing"]
    assert "Wrap-up" in ok(capsys, "aux-codes", "list", "--db", db)


def test_agents_set_errors_are_one_line(capsys, db):
    code, _, err = run(capsys, "agents", "set", "nobody", "--status", "away", "--db", db)
    assert code == 1 and err.count("\n") == 1 and "no agent 'nobody'" in err
    code, _, err = run(capsys, "agents", "set", "bob", "--db", db)
    assert code == 1 and "nothing to set" in err
    code, _, err = run(capsys, "agents", "set", "bob", "--aux-code", "Napping", "--db", db)
    assert code == 1 and err.count("\n") == 1 and "aux_code" in err
    code, _, err = run(capsys, "agents", "set", "bob", "--queue", "nowhere", "--db", db)
    assert code == 1 and "no queue named 'nowhere'" in err
    with pytest.raises(SystemExit) as exited:
        main(["agents", "set", "bob", "--skill", "billing=9", "--db", db])
    assert exited.value.code == 2
    assert "level from 1 to 5" in capsys.readouterr().err


def test_assign_past_capacity_needs_force(capsys, db):
    ok(capsys, "agents", "set", "bob", "--capacity", "1", "--db", db)
    first, second = _ticket(capsys, db, "t-1"), _ticket(capsys, db, "t-2")
    ok(capsys, "inbox", "act", str(first), "assign", "--param", "assignee_id=bob", "--db", db)
    code, _, err = run(capsys, "inbox", "act", str(second), "assign", "--param",
                       "assignee_id=bob", "--db", db)
    assert code == 1 and err.count("\n") == 1
    assert "bob is at capacity (1 of 1 open tickets)" in err and "409" in err
    out = ok(capsys, "inbox", "act", str(second), "assign", "--param", "assignee_id=bob",
             "--force", "--db", db, "--format", "json")
    assert json.loads(out)[0]["assignee_id"] == "bob"
    records = json.loads(ok(capsys, "audit", "--item-id", str(second), "--action", "assign",
                            "--db", db, "--format", "json"))
    assert [r["params"].get("force") for r in records] == [True, None]
    assert [(r["result"], r["detail"]) for r in records] == [
        ("ok", "past capacity: bob now has 2 of 1, forced"),
        ("conflict", "assignee_id: bob is at capacity (1 of 1 open tickets); send force: "
                     "true to assign past it")]


def test_report_in_every_format(capsys, db):
    ok(capsys, "queues", "add", "general", "--db", db)
    ok(capsys, "agents", "set", "bob", "--status", "available", "--queue", "general",
       "--db", db)
    tickets = [_ticket(capsys, db, f"r-{n}", queue="general") for n in range(3)]
    ok(capsys, "inbox", "act", str(tickets[0]), "reply", "--param", "body_md=On it",
       "--db", db)
    ok(capsys, "close", str(tickets[0]), "--db", db)
    answer = json.loads(ok(capsys, "report", "volume", "--by", "agent", "--db", db,
                           "--format", "json"))
    bob = next(r for r in answer["rows"] if r["key"] == "bob")
    assert bob["figures"] == {"created": 3, "closed": 1, "reopened": 0}
    assert bob["ticket_ids"] == sorted(tickets)
    rows = list(csv.DictReader(io.StringIO(ok(capsys, "report", "volume", "--by", "agent",
                                              "--db", db, "--format", "csv"))))
    assert rows[0] == {"agent": "bob", "created": "3", "closed": "1", "reopened": "0",
                       "ticket_ids": " ".join(str(t) for t in sorted(tickets))}
    assert rows[-1]["agent"] == "total"
    table = ok(capsys, "report", "first_response", "--by", "agent", "--db", db)
    assert table.splitlines()[0].startswith("first_response  ")
    assert table.splitlines()[1].split() == ["AGENT", "MEDIAN", "P90", "MEAN", "COUNT",
                                             "TICKETS"]
    assert table.splitlines()[2].split()[0] == LOCAL  # who replied
    sla = ok(capsys, "report", "sla", "--db", db)
    assert sla.splitlines()[1].split() == ["ROW", "FIRST", "RESPONSE", "NEXT", "RESPONSE",
                                           "RESOLUTION", "ALL", "TICKETS"]
    assert sla.splitlines()[2].split()[:3] == ["total", "100.0", "%"]
    code, _, err = run(capsys, "report", "volume", "--from", "2026-12-02", "--to",
                       "2026-11-01", "--db", db)
    assert code == 1 and err.count("\n") == 1 and "to: must come after from" in err


@pytest.fixture
def served(tmp_path):
    """A real server on a loopback port over the demo, with an owner's and a member's
    tokens."""
    from datetime import UTC, datetime

    from cockpit.runtime import EmbeddedServer
    from cockpit.server.seed import seed_demo
    from cockpit.store.users import issue_token

    engine = open_engine(f"sqlite:///{tmp_path / 'served.db'}")
    with engine.begin() as conn:
        add_user(conn, LOCAL, "owner")
    seed_demo(engine, LOCAL, datetime.now(UTC))
    with engine.begin() as conn:
        owner, member = issue_token(conn, LOCAL), issue_token(conn, "kai")
    server = EmbeddedServer(engine)
    url = server.start()
    yield url, owner, member
    server.stop()
    engine.dispose()


def test_the_floor_against_a_server(capsys, served):
    url, owner, member = served
    as_owner, as_kai = ("--server", url, "--token", owner), ("--server", url, "--token", member)
    agents = json.loads(ok(capsys, "agents", "list", "--format", "json", *as_owner))
    assert {a["status"] for a in agents} == {"available", "busy", "away", "offline"}
    back = json.loads(ok(capsys, "agents", "set", "kai", "--status", "available", "--format",
                         "json", *as_kai))[0]
    assert (back["stated_status"], back["aux_code"]) == ("available", None)
    assert back["active"] == back["capacity"] == 3  # the waiting technical tickets drained
    assert back["status"] == "busy"
    code, _, err = run(capsys, "agents", "set", "kai", "--capacity", "9", *as_kai)
    assert code == 1 and err.count("\n") == 1 and "only managers and above" in err
    code, _, err = run(capsys, "agents", "set", "gus", "--status", "available", *as_kai)
    assert code == 1 and "you set your own status" in err
    lines = ok(capsys, "report", "volume", "--by", "queue", "--format", "csv",
               *as_owner).splitlines()
    assert lines[0] == "queue,created,closed,reopened,ticket_ids"
    assert {line.split(",")[0] for line in lines[1:]} >= {"billing", "general", "technical",
                                                          "total"}
