"""`cockpit demo`: twice on one database is fine; `--server` seeds through the API."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from cockpit.cli import main
from cockpit.store import open_engine
from cockpit.store.tables import items, runs, waitpoints


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _count(db: str, table) -> int:
    engine = open_engine(db)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        engine.dispose()


def test_demo_twice_on_one_database(capsys, db_url):
    code, out, err = run(capsys, "demo", "--db", db_url, "--items", "40")
    assert code == 0, err
    first = int(out.split()[0])
    stored = {t.name: _count(db_url, t) for t in (items, waitpoints, runs)}
    assert first == stored["items"] and stored["waitpoints"] > 0
    # a person acts on a seeded decision; a second seed must not touch it or its source
    _, out, _ = run(capsys, "inbox", "list", "--kind", "waitpoint", "--db", db_url,
                    "--format", "quiet")
    gate = out.split()[0]
    assert run(capsys, "deny", gate, "--db", db_url)[0] == 0
    code, out, err = run(capsys, "demo", "--db", db_url, "--items", "40")
    assert (code, err) == (0, "") and out.startswith("0 demo items added")
    assert {t.name: _count(db_url, t) for t in (items, waitpoints, runs)} == stored
    _, out, _ = run(capsys, "inbox", "get", gate, "--db", db_url, "--format", "json")
    assert json.loads(out)["resolved_action"] == "denied"
    # more synthetic items than before: only the new ones are added, with their sources
    code, out, err = run(capsys, "demo", "--db", db_url, "--items", "80")
    assert code == 0, err
    assert int(out.split()[0]) == _count(db_url, items) - stored["items"] > 0


@pytest.fixture
def live_server(tmp_path):
    """A real server on a loopback port, and an owner token for it."""
    from cockpit.runtime import EmbeddedServer
    from cockpit.store.users import add_user, issue_token

    db = f"sqlite:///{tmp_path / 'served.db'}"
    engine = open_engine(db)
    with engine.begin() as conn:
        add_user(conn, "olga", "owner")
        add_user(conn, "vic", "viewer")
        owner, viewer = issue_token(conn, "olga"), issue_token(conn, "vic")
    server = EmbeddedServer(engine)
    url = server.start()
    yield url, owner, viewer, db
    server.stop()
    engine.dispose()


def test_demo_through_the_api(capsys, live_server):
    url, owner, viewer, db = live_server
    remote = ("--server", url, "--token", owner)
    code, out, err = run(capsys, "demo", *remote)
    assert code == 0, err
    added = int(out.split()[0])
    assert f"demo items added through {url} for olga" in out
    assert added == _count(db, items) > 40
    _, out, _ = run(capsys, "inbox", "list", "--state", "all", "--limit", "500", "--format",
                    "json", *remote)
    seeded = json.loads(out)
    assert {i["kind"] for i in seeded} >= {"waitpoint", "escalation", "failed_run", "message",
                                           "ticket"}
    states = {(i["state"], i["resolved_action"]) for i in seeded}
    assert {("unread", None), ("read", None), ("resolved", "archived")} <= states
    # again: nothing new, nothing moved
    code, out, err = run(capsys, "demo", *remote)
    assert code == 0 and out.startswith("0 demo items added"), err
    _, again, _ = run(capsys, "inbox", "list", "--state", "all", "--limit", "500",
                      "--format", "json", *remote)
    # (only the server's sweep moves anything: a demo gate past its timeout resolves)
    swept = {i["id"] for i in json.loads(again) if i["resolved_action"] == "timed_out"}
    assert [(i["id"], i["state"]) for i in json.loads(again) if i["id"] not in swept] == \
        [(i["id"], i["state"]) for i in seeded if i["id"] not in swept]


def test_demo_through_the_api_refuses_clearly(capsys, live_server):
    url, _owner, viewer, _db = live_server
    code, out, err = run(capsys, "demo", "--server", url, "--token", viewer)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "may ingest" in err and "Traceback" not in err
    code, _, err = run(capsys, "demo", "--server", url)
    assert code == 1 and "--token" in err
