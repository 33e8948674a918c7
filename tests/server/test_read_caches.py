"""What the read paths keep between requests (window statements, tab counts) never shows a
caller anything a fresh read would not."""

from __future__ import annotations

from cockpit.domain.models import ItemIn
from cockpit.domain.roles import Principal, Role
from cockpit.server.inbox import Inbox
from tests.factories import Clock

SVC = Principal("svc", Role.SERVICE)
MEL, VIC, MIA = (Principal("mel", Role.MEMBER), Principal("vic", Role.VIEWER),
                 Principal("mia", Role.MANAGER))


def _ingest(service: Inbox, source_id: str, **fields) -> int:
    fields.setdefault("sender", {"type": "customer", "id": "c", "name": "C"})
    item, _ = service.ingest(SVC, ItemIn(source_id=source_id, title=source_id, **fields))
    return item.id


def _ids(page: dict) -> list[int]:
    return [i["id"] for i in page["items"]]


def test_sla_counts_move_with_the_clock_alone(engine):
    clock = Clock()
    service = Inbox(engine, clock=clock)
    ticket = _ingest(service, "t-1", kind="ticket", priority="urgent")  # due in 15 minutes
    assert service.count(MEL, q="sla:breached")["active"] == 0
    clock.advance(minutes=16)  # nothing written: only the clock moved
    assert service.count(MEL, q="sla:breached")["active"] == 1
    assert _ids(service.window(MEL, q="sla:breached")) == [ticket]


def test_each_caller_view_and_folder_reads_its_own_rows(engine):
    service = Inbox(engine)
    mine = _ingest(service, "m-1", kind="message", target_user_id="mel")
    managers = _ingest(service, "m-2", kind="message", target_role="manager")
    everyone = _ingest(service, "w-1", kind="waitpoint")
    for _ in range(2):  # the second round reads through the statements the first one built
        assert sorted(_ids(service.window(MEL))) == sorted([mine, everyone])
        assert _ids(service.window(VIC)) == [everyone]
        assert sorted(_ids(service.window(MIA))) == sorted([managers, everyone])
        assert _ids(service.window(MEL, q="kind:message")) == [mine]
        assert _ids(service.window(MIA, group_by="kind", group="message")) == [managers]
        assert _ids(service.window(MIA, group_by="kind", group="waitpoint")) == [everyone]
        assert _ids(service.window(MIA, state="archived")) == []


def test_pages_of_a_reused_statement_follow_their_own_cursor(engine):
    service = Inbox(engine)
    ids = [_ingest(service, f"m-{n}", kind="message") for n in range(7)]
    for sort in ("newest", "oldest", "priority", "due"):
        for _ in range(2):
            seen, cursor = [], None
            while True:
                page = service.window(MEL, sort=sort, limit=3, cursor=cursor)
                seen += _ids(page)
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert sorted(seen) == sorted(ids) and len(seen) == len(ids), sort
