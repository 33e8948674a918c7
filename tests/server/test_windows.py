"""Keyset windows of every sort over a view that spans states, ties and priorities, on SQLite
and PostgreSQL: paging in small windows gives every item once, in the sort's order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from cockpit.domain.models import PRIORITY_RANK, Priority, SortOrder

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def inbox(as_user):
    """40 items: created at 8 distinct times (ties), every priority, half with a due time
    (some the same), in every state. Answers {id: (created, priority, due, state)}."""
    svc, mel = as_user("svc"), as_user("mel")
    rng = random.Random(11)
    made = {}
    for n in range(40):
        created = NOW - timedelta(hours=rng.randrange(8))
        due = NOW + timedelta(hours=rng.randrange(1, 4)) if n % 2 else None
        priority = rng.choice(list(Priority))
        item = svc.ingest(title=f"item {n}", priority=priority.value,
                          created_at=created.isoformat(),
                          payload={"due_at": due.isoformat()} if due else {})
        state = ("unread", "read", "resolved")[n % 3]
        if state != "unread":
            mel.patch(f"/inbox/{item['id']}", json={"state": state})
        made[item["id"]] = (created, PRIORITY_RANK[priority], due, state)
    return made


def _expected(inbox, sort: SortOrder, states: set[str]) -> list[int]:
    mine = [(i, *v) for i, v in inbox.items() if v[3] in states]
    if sort == SortOrder.NEWEST:
        return [m[0] for m in sorted(mine, key=lambda m: (m[1], m[0]), reverse=True)]
    if sort == SortOrder.OLDEST:
        return [m[0] for m in sorted(mine, key=lambda m: (m[1], m[0]))]
    if sort == SortOrder.PRIORITY:
        return [m[0] for m in sorted(mine, key=lambda m: (m[2], m[1], m[0]), reverse=True)]
    due = sorted((m for m in mine if m[3]), key=lambda m: (m[3], m[1], m[0]))
    undue = sorted((m for m in mine if not m[3]), key=lambda m: (m[1], m[0]), reverse=True)
    return [m[0] for m in due + undue]


@pytest.mark.parametrize("sort", list(SortOrder))
@pytest.mark.parametrize(("state", "states"), [
    ("active", {"unread", "read"}), ("all", {"unread", "read", "resolved"}),
    ("read", {"read"}),
])
def test_small_windows_page_through_every_item_in_order(as_user, inbox, sort, state, states):
    seen, cursor = [], None
    while True:
        params = {"sort": sort.value, "state": state, "limit": 7}
        if cursor:
            params["cursor"] = cursor
        response = as_user("mel").get("/inbox", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == _expected(inbox, sort, states)
