"""The query language over HTTP: every field, on SQLite and PostgreSQL alike, and sorts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cockpit.domain.models import SortOrder
from cockpit.domain.roles import Principal, Role
from cockpit.server.inbox import Inbox

NOW = datetime.now(UTC)
AGENT = {"type": "agent", "id": "agent:atlas", "name": "Atlas Bot"}


def _iso(delta: timedelta) -> str:
    return (NOW + delta).isoformat()


@pytest.fixture
def corpus(as_user):
    """A small inbox with one item per interesting shape; answers {name: id}."""
    svc, mel = as_user("svc"), as_user("mel")
    made = {
        "refund": svc.ingest(title="Refund request", body_md="customer wants money back",
                             kind="ticket", priority="high", tags=["Billing", "vip"],
                             payload={"customer": {"id": "c-1", "name": "Ana Lopez",
                                                   "email": "ana@example.com"},
                                      "queue": "billing"},
                             # a high ticket's first response is due in 60 minutes: at 50
                             # it is past 75 % of that, at risk
                             created_at=_iso(-timedelta(minutes=50))),
        "gate": svc.ingest(kind="waitpoint", title="Deploy gate", priority="urgent",
                           payload={"pipeline_slug": "deploy-web",
                                    "timeout_at": _iso(timedelta(hours=1))},
                           created_at=_iso(-timedelta(hours=5))),
        "advisory": svc.ingest(kind="escalation", title="FYI only", sender=AGENT,
                               payload={"advisory": True, "crew_id": "crew-7"},
                               created_at=_iso(-timedelta(days=2))),
        "proposal": svc.ingest(kind="escalation", title="Agent proposes a fix", sender=AGENT,
                               payload={"proposed_action": "restart", "issue_identifier":
                                        "ENG-42"}, created_at=_iso(-timedelta(days=4))),
        "note": svc.ingest(title="Nightly report", priority="low",
                           payload={"due_at": _iso(timedelta(days=3))},
                           created_at=_iso(-timedelta(days=10))),
    }
    ids = {name: body["id"] for name, body in made.items()}
    mel.post(f"/inbox/{ids['refund']}/actions/assign", json={"assignee_id": "mel"})
    mel.patch(f"/inbox/{ids['note']}", json={"state": "resolved",
                                             "resolved_action": "archived"})
    mel.patch(f"/inbox/{ids['advisory']}", json={"state": "read"})
    return ids


CASES = [
    ("refund", {"refund"}),
    ("REFUND", {"refund"}),
    ('"money back"', {"refund"}),
    ("atlas", {"advisory", "proposal"}),
    ("-atlas", {"refund", "gate", "note"}),
    ("is:unread", {"refund", "gate", "proposal"}),
    ("is:read", {"advisory"}),
    ("is:active", {"refund", "gate", "advisory", "proposal"}),
    ("is:archived", {"note"}),
    ("is:resolved", {"note"}),
    ("is:decision", {"gate", "proposal"}),
    ("-is:decision", {"refund", "advisory", "note"}),
    ("is:assigned", {"refund"}),
    ("is:unassigned", {"gate", "advisory", "proposal", "note"}),
    ("kind:escalation", {"advisory", "proposal"}),
    ("kind:ticket,waitpoint", {"refund", "gate"}),
    ("-kind:escalation", {"refund", "gate", "note"}),
    ("priority:urgent", {"gate"}),
    ("priority:>=high", {"refund", "gate"}),
    ("priority:<normal", {"note"}),
    ("assignee:me", {"refund"}),
    ("assignee:none", {"gate", "advisory", "proposal", "note"}),
    ("assignee:mel", {"refund"}),
    ("sender:agent:atlas", {"advisory", "proposal"}),
    ('sender:"atlas bot"', {"advisory", "proposal"}),
    ("tag:billing", {"refund"}),
    ("-tag:vip", {"gate", "advisory", "proposal", "note"}),
    ("queue:billing", {"refund"}),
    ("customer:c-1", {"refund"}),
    ('customer:"ana lopez"', {"refund"}),
    ("customer:ana@example.com", {"refund"}),
    ("routine:deploy-web", {"gate"}),
    ("issue:ENG-42", {"proposal"}),
    ("crew:crew-7", {"advisory"}),
    ("sla:at_risk", {"refund"}),
    ("-sla:at_risk", {"gate", "advisory", "proposal", "note"}),
    ("created:<2h", {"refund"}),
    ("created:>3d", {"proposal", "note"}),
    ("created:today", {"refund", "gate"} if (NOW - timedelta(hours=5)).date() == NOW.date()
     else {"refund"}),
    (f"created:<={(NOW - timedelta(days=10)).date().isoformat()}", {"note"}),
    ("due:<2h", {"gate"}),
    ("due:>1d", {"note"}),
    ("-due:<2h", {"refund", "advisory", "proposal", "note"}),
    ("kind:escalation -is:decision atlas", {"advisory"}),
]


@pytest.mark.parametrize(("q", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_field(as_user, corpus, q, expected):
    response = as_user("mel").get("/inbox", params={"q": q, "state": "all", "limit": 100})
    assert response.status_code == 200, response.text
    names = {name for name, i in corpus.items() if i in {x["id"] for x in
                                                            response.json()["items"]}}
    assert names == expected


def test_counts_follow_the_query(as_user, corpus):
    counts = as_user("mel").get("/inbox", params={"q": "kind:escalation"}).json()["counts"]
    assert counts == {"active": 2, "unread": 1, "resolved": 0}


@pytest.mark.parametrize(("q", "term", "position"), [
    ("refund bogus:x", "bogus:x", 7), ("is:nope", "is:nope", 0), ('"open', '"open', 0),
])
def test_an_unreadable_term_is_a_400_naming_it(as_user, q, term, position):
    response = as_user("mel").get("/inbox", params={"q": q})
    assert response.status_code == 400
    assert repr(term) in response.json()["detail"] and f"position {position}" in \
        response.json()["detail"]


def _all_pages(service: Inbox, user: Principal, sort: SortOrder, limit: int) -> list[int]:
    seen, cursor = [], None
    while True:
        page = service.list(user, state="all", limit=limit, cursor=cursor, sort=sort)
        seen.extend(i.id for i in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return seen


@pytest.mark.parametrize("sort", list(SortOrder))
@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_every_sort_pages_completely_in_order(engine, as_user, corpus, sort, limit):
    service = Inbox(engine)
    user = Principal("mel", Role.MEMBER)
    ids = _all_pages(service, user, sort, limit)
    assert sorted(ids) == sorted(corpus.values())  # all, once
    order = {SortOrder.NEWEST: ["refund", "gate", "advisory", "proposal", "note"],
             SortOrder.OLDEST: ["note", "proposal", "advisory", "gate", "refund"],
             SortOrder.PRIORITY: ["gate", "refund", "advisory", "proposal", "note"],
             SortOrder.DUE: ["gate", "note", "refund", "advisory", "proposal"]}[sort]
    assert ids == [corpus[name] for name in order]


def test_a_cursor_of_another_sort_is_refused(engine, as_user, corpus):
    service = Inbox(engine)
    user = Principal("mel", Role.MEMBER)
    cursor = service.list(user, state="all", limit=1, sort=SortOrder.NEWEST).next_cursor
    response = as_user("mel").get("/inbox", params={"cursor": cursor, "sort": "due"})
    if response.status_code == 200:  # the route may not take sort= yet: ask the service
        from cockpit.server.errors import BadRequest

        with pytest.raises(BadRequest, match="cursor"):
            service.list(user, state="all", limit=1, cursor=cursor, sort=SortOrder.DUE)
    else:
        assert response.status_code == 400 and "cursor" in response.json()["detail"]
