"""The reasons a key gives when it does not apply, and the news of a decision taken elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cockpit.domain.models import Item, Sender
from cockpit.tui import describe
from cockpit.tui.triage import decided_elsewhere
from cockpit.tui.why import Here, why_not

NOW = datetime(2099, 3, 14, 9, 30, tzinfo=UTC)
KEYS = {"approve": "a", "deny": "d", "archive": "e", "dismiss": "x", "restore": "u"}
LABELS = {"approve": "Approve", "deny": "Deny", "archive": "Archive", "dismiss": "Dismiss",
          "restore": "Restore"}


def item(kind: str = "message", **fields: Any) -> Item:
    values: dict[str, Any] = {
        "id": 1, "kind": kind, "source_id": "s", "state": "unread", "title": "T",
        "sender": Sender(type="system", id="s", name="S"), "created_at": NOW,
        "updated_at": NOW, "actions": ["dismiss", "archive"]}
    values.update(fields)
    return Item(**values)


def here(it: Item | None, **kw: Any) -> Here:
    return Here(it, keys=KEYS, labels=LABELS, user="alex", **kw)


def test_archive_on_a_waitpoint() -> None:
    wp = item("waitpoint", actions=["approve", "deny"])
    assert why_not("archive", (), here(wp)) == \
        "A waitpoint is decided, not archived. Here: Approve (a), Deny (d)."


def test_approve_on_a_message() -> None:
    assert why_not("item", ("approve",), here(item())) == \
        ("Approve is for waitpoints and escalations; this is a message. Here: Dismiss (x), "
         "Archive (e).")


def test_on_a_decided_item_it_says_who_decided() -> None:
    done = item("waitpoint", state="resolved", resolved_action="approved", resolved_by="maria",
                actions=[])
    assert why_not("item", ("deny",), here(done)) == \
        "This item is already approved by maria."


def test_a_second_approval_by_the_same_person() -> None:
    wp = item("waitpoint", actions=["deny"], payload={"approvals": ["alex"]})
    assert why_not("item", ("approve",), here(wp)).startswith(
        "You already approved this; it waits for a second approver.")


def test_a_folder_row_and_nothing_to_undo() -> None:
    assert "folder" in why_not("archive", (), here(None, on_folder=True))
    assert why_not("undo", (), here(item())) == "Nothing to undo."
    assert why_not("mark", ("read",), here(item(state="read"))) == "Already read."


def test_a_viewer_can_only_read() -> None:
    assert why_not("archive", (), here(item(actions=[]))) == \
        "Your role can read this item but not act on it."


def test_decided_elsewhere_names_the_outcome_and_the_person() -> None:
    before = item("waitpoint", actions=["approve", "deny"])
    after = item("waitpoint", state="resolved", resolved_action="approved",
                 resolved_by="maria", actions=[])
    assert decided_elsewhere(before, after, "alex") == "Approved by maria"
    assert decided_elsewhere(before, after, "maria") is None  # my own decision
    assert decided_elsewhere(after, after, "alex") is None  # nothing new
    assert decided_elsewhere(None, after, "alex") is None  # never seen before


def test_a_first_approval_by_someone_else_is_news_too() -> None:
    before = item("waitpoint", payload={"second_approver_required": True})
    after = item("waitpoint", payload={"second_approver_required": True,
                                       "approvals": ["maria"]})
    assert decided_elsewhere(before, after, "alex") == \
        "Approved by maria (1 of 2, waiting for a second approver)"


def test_notes_from_the_timeline_and_from_an_older_payload() -> None:
    ticket = item("ticket", payload={"notes": [{"by": "dev", "at": "2099-03-14T08:30:00Z",
                                                "text": "old style"}]})
    timeline = [{"type": "customer_message", "author": "c", "body_md": "hello", "at": NOW},
                {"type": "note", "author": "maria", "body_md": "[b]inside[/b]\x1b[31m",
                 "at": "2099-03-14T09:00:00+00:00", "internal": True}]
    notes = describe.notes(ticket, NOW, timeline)
    assert [(n.author, n.text) for n in notes] == [("dev", "old style"),
                                                     ("maria", "[b]inside[/b][31m")]
    assert notes[1].when == "30m ago (2099-03-14 09:00 UTC)"
    rows = describe.context_rows(ticket.payload, NOW, reveal=False, skip=describe.SHOWN_APART)
    assert rows == []  # "Notes: 1 entries" no more
