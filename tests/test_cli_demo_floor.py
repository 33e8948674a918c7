"""`cockpit demo` seeds a lived-in desk and floor: every report has rows, every agent status
shows on the roster, tickets in every SLA state, waiting tickets, conversations with replies
and internal notes, CSAT, macros and views; a second run changes nothing."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from cockpit.cli import main
from cockpit.domain.reports import REPORTS

pytestmark = pytest.mark.usefixtures("local_user")


@pytest.fixture
def local_user(monkeypatch) -> None:
    monkeypatch.setenv("COCKPIT_USER", "olga")


def run(capsys, *argv: str):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    return json.loads(out) if "--format" in argv and "json" in argv else out


@pytest.fixture
def demo(capsys, db_url) -> str:
    out = run(capsys, "demo", "--db", db_url)
    assert int(out.split()[0]) > 50
    return db_url


def test_every_report_has_rows_after_the_demo(capsys, demo):
    for name in REPORTS:
        for by in ("agent", "day"):
            report = run(capsys, "report", name, "--by", by, "--db", demo, "--format", "json")
            figures = [row["figures"] for row in report["rows"]]
            assert figures, (name, by)
            assert any(any(v for v in f.values()) for f in figures), (name, by, figures)
    days = run(capsys, "report", "volume", "--by", "day", "--db", demo, "--format", "json")
    today = datetime.now(UTC).date()
    assert {str(today), str(today - timedelta(days=1))} <= {r["key"] for r in days["rows"]}
    csat = run(capsys, "report", "csat", "--db", demo, "--format", "json")["total"]["figures"]
    assert csat["count"] >= 10 and 1 <= csat["mean"] <= 5
    volume = run(capsys, "report", "volume", "--db", demo, "--format", "json")["total"]
    assert volume["figures"]["reopened"] >= 1 and volume["figures"]["closed"] >= 10


def test_the_roster_shows_every_status_and_the_queues_have_waiting_tickets(capsys, demo):
    agents = run(capsys, "agents", "list", "--db", demo, "--format", "json")
    statuses = Counter(a["status"] for a in agents)
    assert set(statuses) == {"available", "busy", "away", "offline"}
    assert len([a for a in agents if a["id"] != "olga"]) == 12
    aux = {a["aux_code"] for a in agents if a["aux_code"]}
    assert aux == {"Break", "Lunch", "Training", "Meeting", "Technical Issue", "Wrap-up"}
    assert any(a["status"] == "busy" and a["stated_status"] == "available" for a in agents)
    assert all(1 <= level <= 5 for a in agents for level in a["skills"].values())
    queues = run(capsys, "queues", "list", "--db", demo, "--format", "json")
    assert [q["name"] for q in queues] == ["billing", "general", "technical"]
    waiting = run(capsys, "inbox", "list", "--query", "kind:ticket queue:technical "
                  "assignee:none", "--db", demo, "--format", "json")
    assert len(waiting) >= 2


def test_tickets_in_every_sla_state_with_conversations(capsys, demo):
    for state in ("ok", "at_risk", "breached"):
        found = run(capsys, "inbox", "list", "--query", f"kind:ticket sla:{state}",
                    "--db", demo, "--format", "json")
        assert found and {t["payload"]["sla"]["status"] for t in found} == {state}
    vip = run(capsys, "views", "list", "--db", demo, "--format", "json")
    assert {"vip", "billing_open", "waiting"} <= {v["name"] for v in vip}
    macros = run(capsys, "macros", "list", "--db", demo, "--format", "json")
    assert {m["name"] for m in macros} >= {"refund-issued", "need-details", "escalate-tech"}
    tickets = run(capsys, "inbox", "list", "--query", "kind:ticket tag:vip", "--db", demo,
                  "--format", "json")
    assert [t["payload"]["customer"]["vip"] for t in tickets] == [True]
    shown = run(capsys, "inbox", "get", str(tickets[0]["id"]), "--db", demo)
    assert "internal note · " in shown and "\nreply · " in shown
    assert "\ncustomer · Sofia Lindqvist" in shown and "Any news?" in shown  # a follow-up
    card = run(capsys, "customers", "get", "acct-1042", "--db", demo, "--format", "json")
    assert card["vip"] is True and card["tickets_total"] >= 3
    shown = run(capsys, "customers", "get", "acct-1042", "--db", demo)
    assert "\nvip: yes\n" in shown and "\nfirst_response_median: " in shown
    assert "Dashboards time out for the whole team" in shown
    preview = run(capsys, "macros", "preview", "need-details", str(tickets[0]["id"]),
                  "--db", demo, "--format", "json")
    assert preview["actions"][0]["body_md"].startswith("Hi Sofia, thanks for ticket #")


def test_a_second_demo_adds_nothing(capsys, demo):
    before = run(capsys, "report", "volume", "--db", demo, "--format", "json")["total"]
    assert run(capsys, "demo", "--db", demo).startswith("0 demo items added")
    assert run(capsys, "report", "volume", "--db", demo, "--format", "json")["total"] == before


def test_the_apps_first_run_seeds_the_floor_too(tmp_path):
    from cockpit.runtime import open_local
    from cockpit.server.demo_day import played
    from cockpit.store.agents import roster

    engine, _user, _token = open_local(f"sqlite:///{tmp_path / 'first.db'}", seed_demo=True)
    try:
        assert played(engine)
        with engine.connect() as conn:
            team = {a["id"]: a["status"] for a in roster(conn)}
        assert {"maria", "chen", "kai"} <= set(team) and team["kai"] == "away"
    finally:
        engine.dispose()
