"""Reports checked against a small day on the floor computed by hand (on SQLite and
PostgreSQL), and the session rules they stand on.

The day (T = 2026-03-02 09:00 UTC; minutes after T):

    D  created T-60 (billing, max)                closed by max at +30
    A  created T (billing, tags refund, mel)      note by mel +5, reply by a bot +10,
       reply mel +20, customer +30 and +40, reply max +70, closed by mel +80, CSAT 5 at +90,
       customer +120 (reopens), reply max +150, closed by max +180
    B  created +60 (tech, tags refund vip, max)   reply mel +75, closed by mel +100, CSAT 2 at +110
    C  created +100 (billing, urgent, nobody's)   never answered: first response due +115
    mel: available T, Lunch +60, available +120; max: available +10, Wrap-up +100, offline
    +110; the bot agent offline from T. Reports cover T to the end of the day, read at +200.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from cockpit.domain.agents import split_by_day
from cockpit.domain.models import ItemIn
from cockpit.domain.reports import Entry, percentile, samples, time_figures
from cockpit.domain.roles import Principal, Role
from cockpit.server.agents import Floor
from cockpit.server.errors import BadRequest, NotFound
from cockpit.server.inbox import Inbox
from cockpit.store.tables import timeline
from cockpit.store.users import add_user

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = ("2026-03-02T09:00:00Z", "2026-03-02")  # from T to the end of that day
PEOPLE = {"mia": Role.MANAGER, "mel": Role.MEMBER, "max": Role.MEMBER, "bot": Role.MEMBER,
          "svc": Role.SERVICE}
_numbers = itertools.count(1)


class Floorday:
    def __init__(self, engine) -> None:
        self.now = T
        self.inbox = Inbox(engine, clock=lambda: self.now)
        self.floor = Floor(engine, clock=lambda: self.now)
        self.ids: dict[str, int] = {}

    def at(self, minutes: float) -> Floorday:
        self.now = T + timedelta(minutes=minutes)
        return self

    def who(self, name: str) -> Principal:
        return Principal(name, PEOPLE[name].value)

    def ticket(self, name: str, queue: str, tags=(), priority="normal", assignee=None) -> None:
        made, _ = self.inbox.ingest(self.who("svc"), ItemIn(
            kind="ticket", source_id=f"rep-{next(_numbers)}", title=name, priority=priority,
            tags=list(tags), sender={"type": "customer", "id": "c", "name": "Cleo"},
            payload={"queue": queue, "callback_url": "http://127.0.0.1:9/hook"}))
        self.ids[name] = made.id
        if assignee:
            self.act("mia", name, "assign", assignee_id=assignee)

    def act(self, who: str, name: str, action: str, **params) -> None:
        self.inbox.act(self.who(who), self.ids[name], action, params)

    def status(self, who: str, **fields) -> None:
        self.floor.patch_agent(self.who("mia"), who, fields)

    def report(self, name: str, by: str | None = None, who: str = "mia") -> dict:
        return self.floor.report(self.who(who), name, *DAY, by)


@pytest.fixture
def day(engine) -> Floorday:
    with engine.begin() as conn:
        for name, role in PEOPLE.items():
            add_user(conn, name, role.value)
    d = Floorday(engine)
    d.at(-60).ticket("D", "billing", assignee="max")
    d.at(0).status("mel", status="available")
    d.status("bot", bot=True)
    d.ticket("A", "billing", tags=["refund"], assignee="mel")
    d.at(5).act("mel", "A", "note", body_md="checking the invoice")
    d.at(10).act("bot", "A", "reply", body_md="We got your message!")
    d.status("max", status="available")
    d.at(20).act("mel", "A", "reply", body_md="Refund on its way")
    d.at(30).act("svc", "A", "customer_message", body_md="When?")
    d.at(30).act("max", "D", "close")
    d.at(40).act("svc", "A", "customer_message", body_md="Hello?")
    d.at(60).ticket("B", "tech", tags=["refund", "vip"], assignee="max")
    d.at(60).status("mel", aux_code="Lunch")
    d.at(70).act("max", "A", "reply", body_md="Today")
    d.at(75).act("mel", "B", "reply", body_md="Looking")
    d.at(80).act("mel", "A", "close")
    d.at(90).act("svc", "A", "csat", rating=5)
    d.report("first_response")  # the clocks are read part of the way: the rest must follow on
    d.at(100).act("mel", "B", "close")
    d.at(100).ticket("C", "billing", priority="urgent")
    d.at(100).status("max", aux_code="Wrap-up")
    d.at(110).act("svc", "B", "csat", rating=2)
    d.at(110).status("max", status="offline")
    d.at(120).act("svc", "A", "customer_message", body_md="It never came")
    d.at(120).status("mel", status="available")
    d.at(150).act("max", "A", "reply", body_md="Sent again")
    d.at(180).act("max", "A", "close")
    d.at(200)
    return d


def rows(report: dict) -> dict:
    return {r["key"]: r for r in report["rows"]}


def test_first_response_skips_notes_and_bots_and_starts_afresh_after_a_reopen(day):
    a, b = day.ids["A"], day.ids["B"]
    report = day.report("first_response")
    assert report["figures"] == ["median_s", "p90_s", "mean_s", "count"]
    assert report["total"]["figures"] == {"median_s": 1200.0, "p90_s": 1800.0,
                                          "mean_s": 1300.0, "count": 3}
    assert report["total"]["ticket_ids"] == sorted([a, b])
    by_agent = rows(day.report("first_response", "agent"))
    assert by_agent["mel"]["figures"] == {"median_s": 1050.0, "p90_s": 1200.0,
                                          "mean_s": 1050.0, "count": 2}
    assert by_agent["mel"]["ticket_ids"] == sorted([a, b])
    assert by_agent["max"]["figures"]["median_s"] == 1800.0 and by_agent["max"]["ticket_ids"] \
        == [a]
    assert set(by_agent) == {"mel", "max"}  # the bot's reply counts for no one
    by_queue = rows(day.report("first_response", "queue"))
    assert by_queue["billing"]["figures"]["median_s"] == 1500.0
    assert by_queue["tech"]["figures"]["median_s"] == 900.0
    by_tag = rows(day.report("first_response", "tag"))
    assert by_tag["refund"]["figures"]["count"] == 3 and by_tag["vip"]["ticket_ids"] == [b]
    assert list(rows(day.report("first_response", "day"))) == ["2026-03-02"]


def test_next_response_counts_from_the_first_unanswered_customer_message(day):
    report = day.report("response", "agent")
    assert report["total"]["figures"] == {"median_s": 2400.0, "p90_s": 2400.0,
                                          "mean_s": 2400.0, "count": 1}
    assert list(rows(report)) == ["max"]


def test_resolution_per_session(day):
    report = day.report("resolution")
    assert report["total"]["figures"] == {"median_s": 4200.0, "p90_s": 5400.0,
                                          "mean_s": 4050.0, "count": 4}
    by_agent = rows(day.report("resolution", "agent"))  # the assignee
    assert by_agent["mel"]["figures"]["median_s"] == 4200.0  # A: 4800 and 3600
    assert by_agent["max"]["figures"]["median_s"] == 3900.0  # B 2400, D 5400
    assert by_agent["max"]["ticket_ids"] == sorted([day.ids["B"], day.ids["D"]])


def test_volume(day):
    ids = day.ids
    report = day.report("volume")
    assert report["total"]["figures"] == {"created": 3, "closed": 3, "reopened": 1}
    assert report["total"]["drill"] == {
        "closed": sorted([ids["A"], ids["B"], ids["D"]]),
        "created": sorted([ids["A"], ids["B"], ids["C"]]), "reopened": [ids["A"]]}
    by_queue = rows(day.report("volume", "queue"))
    assert by_queue["billing"]["figures"] == {"created": 2, "closed": 2, "reopened": 1}
    assert by_queue["tech"]["figures"] == {"created": 1, "closed": 1, "reopened": 0}
    by_agent = rows(day.report("volume", "agent"))
    assert by_agent[None]["label"] == "(unassigned)" and by_agent[None]["ticket_ids"] == \
        [ids["C"]]
    by_tag = rows(day.report("volume", "tag"))
    assert by_tag[None]["label"] == "(untagged)"
    assert by_tag[None]["ticket_ids"] == sorted([ids["C"], ids["D"]])


def test_sla_achieved_over_achieved_and_breached(day):
    ids = day.ids
    report = day.report("sla")
    figures = report["total"]["figures"]
    assert (figures["first_response_achieved"], figures["first_response_breached"],
            figures["first_response_pct"]) == (3, 1, 75.0)
    assert (figures["next_response_achieved"], figures["next_response_pct"]) == (1, 100.0)
    assert (figures["resolution_achieved"], figures["resolution_breached"],
            figures["resolution_pct"]) == (3, 0, 100.0)
    assert (figures["achieved"], figures["breached"], figures["pct"]) == (7, 1, 87.5)
    assert report["total"]["drill"]["first_response_breached"] == [ids["C"]]
    by_queue = rows(day.report("sla", "queue"))
    assert by_queue["billing"]["figures"]["first_response_pct"] == pytest.approx(66.7)
    assert by_queue["tech"]["figures"]["pct"] == 100.0


def test_csat_share_of_four_and_five_with_mean_and_count(day):
    report = day.report("csat")
    assert report["total"]["figures"] == {"count": 2, "mean": 3.5, "positive": 1,
                                          "positive_pct": 50.0}
    assert report["total"]["drill"] == {"negative": [day.ids["B"]],
                                        "positive": [day.ids["A"]]}
    by_agent = rows(day.report("csat", "agent"))
    assert by_agent["mel"]["figures"] == {"count": 1, "mean": 5.0, "positive": 1,
                                          "positive_pct": 100.0}
    assert by_agent["max"]["figures"]["positive_pct"] == 0.0


def test_aux_time_comes_from_the_interval_log(day):
    report = day.report("aux", "agent")
    assert report["figures"] == ["available", "busy", "away", "offline", "Lunch", "Wrap-up"]
    by_agent = rows(report)
    assert by_agent["mel"]["figures"] == {"available": 8400, "busy": 0, "away": 3600,
                                          "offline": 0, "Lunch": 3600, "Wrap-up": 0}
    assert by_agent["max"]["figures"] == {"available": 5400, "busy": 600, "away": 0,
                                          "offline": 5400, "Lunch": 0, "Wrap-up": 600}
    # an agent who stayed in one state all along counts for all of it
    assert by_agent["bot"]["figures"]["offline"] == 200 * 60
    assert report["total"]["figures"]["offline"] == 5400 + 200 * 60
    assert report["total"]["ticket_ids"] == []


def test_live_metrics_show_today_on_the_same_day(day):
    live = day.floor.live(day.who("mia"))
    assert (live["waiting"], live["oldest_wait_s"]) == (1, 100 * 60)  # C, since +100
    assert {q["name"]: q["waiting"] for q in live["queues"]} == {"billing": 1}
    assert live["handled_today"] == 3  # A, B and D closed
    assert live["first_response_median_s"] == 1200.0
    assert live["csat_today"] == {"count": 2, "mean": 3.5, "positive": 1, "positive_pct": 50.0}
    assert live["agents_by_status"] == {"available": 1, "busy": 0, "away": 0, "offline": 3}
    assert {a["id"]: a["active"] for a in live["agents"]}["max"] == 0


def test_a_caller_only_counts_tickets_they_may_see(day, engine):
    made, _ = day.inbox.ingest(day.who("svc"), ItemIn(
        kind="ticket", source_id="managers-only", title="Escalated", target_role="manager",
        sender={"type": "customer", "id": "c", "name": "Cleo"}, payload={"queue": "billing"}))
    assert made.id in day.report("volume", who="mia")["total"]["ticket_ids"]
    assert made.id not in day.report("volume", who="mel")["total"]["ticket_ids"]


def test_bad_report_requests_name_the_field(day):
    with pytest.raises(NotFound, match="^name: no report 'speed'"):
        day.floor.report(day.who("mia"), "speed", None, None, None)
    with pytest.raises(BadRequest, match="^by: one of"):
        day.floor.report(day.who("mia"), "volume", None, None, "colour")
    with pytest.raises(BadRequest, match="^from: a date"):
        day.floor.report(day.who("mia"), "volume", "yesterday", None, None)
    with pytest.raises(BadRequest, match="^to: must come after from"):
        day.floor.report(day.who("mia"), "volume", "2026-03-03", "2026-03-01", None)
    with pytest.raises(BadRequest, match="^by: the aux report"):
        day.floor.report(day.who("mia"), "aux", None, None, "tag")


def test_the_clocks_read_past_a_rolled_back_entry_at_once(day, engine):
    """An id handed out and rolled back leaves a gap for good (on PostgreSQL); with no
    other transaction running, the clocks read past it at once."""
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(insert(timeline).values(item_id=day.ids["C"], type="note", author="mel",
                                             body_md="", internal=True, data={}, at=day.now))
        raise RuntimeError("rolled back")
    day.at(201).act("mel", "C", "reply", body_md="Sorry for the wait")
    report = day.report("first_response")
    assert report["total"]["figures"]["count"] == 4 and day.ids["C"] in \
        report["total"]["ticket_ids"]


def test_the_clocks_wait_for_a_transaction_still_running(day, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: no id is ever pending")
    day.at(201).ticket("E", "billing")
    running = engine.connect()
    pending = running.begin()
    running.execute(insert(timeline).values(item_id=day.ids["E"], type="reply", author="max",
                                            body_md="", internal=False, data={}, at=day.now))
    day.at(202).act("mel", "C", "reply", body_md="Sorry for the wait")  # committed first
    assert day.report("first_response")["total"]["figures"]["count"] == 3  # stopped at the gap
    pending.commit()
    running.close()
    report = day.report("first_response")
    assert report["total"]["figures"]["count"] == 5  # max's reply on E is not lost
    assert day.ids["E"] in rows(day.report("first_response", "agent"))["max"]["ticket_ids"]


def test_reports_over_http(as_user):
    mia = as_user("mia")
    ok = mia.get("/reports/volume", params={"from": "2026-01-01", "to": "2026-01-31",
                                            "by": "day"})
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["from"].startswith("2026-01-01T00:00:00") and \
        body["to"].startswith("2026-02-01T00:00:00")
    assert body["rows"] == [] and body["total"]["figures"] == {"created": 0, "closed": 0,
                                                                "reopened": 0}
    assert mia.get("/reports/volume", params={"by": "colour"}).status_code == 422
    assert mia.get("/reports/nope").status_code == 404
    assert mia.get("/reports/volume", params={"from": "soon"}).status_code == 400
    assert as_user("svc").get("/reports/volume").status_code == 403
    assert mia.get("/reports/aux", params={"by": "agent"}).status_code == 200


# -- the rules underneath, pure -----------------------------------------------------------------

def _at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def test_sessions_and_clocks():
    entries = [Entry("reply", _at(1), "bot", human=False), Entry("customer_message", _at(2)),
               Entry("reply", _at(4), "mel"), Entry("reply", _at(5), "mel"),
               Entry("customer_message", _at(6)), Entry("reply", _at(9), "max"),
               Entry("status", _at(10), "max", to="closed"),
               Entry("customer_message", _at(20)), Entry("status", _at(20), to="open"),
               Entry("customer_message", _at(21)), Entry("reply", _at(25), "mel")]
    found = [(s.measure, s.seconds, s.author, s.session) for s in samples(T, entries)]
    assert found == [("first_response", 240.0, "mel", 1), ("response", 180.0, "max", 1),
                     ("resolution", 600.0, "max", 1), ("first_response", 300.0, "mel", 2)]


def test_figures():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert time_figures([]) == {"median_s": None, "p90_s": None, "mean_s": None, "count": 0}
    assert time_figures([10, 30]) == {"median_s": 20.0, "p90_s": 30.0, "mean_s": 20.0,
                                      "count": 2}
    pieces = split_by_day(datetime(2026, 3, 1, 22, tzinfo=UTC).timestamp(),
                          datetime(2026, 3, 3, 1, tzinfo=UTC).timestamp())
    assert [(on, seconds / 3600) for on, seconds in pieces] == \
        [("2026-03-01", 2.0), ("2026-03-02", 24.0), ("2026-03-03", 1.0)]
