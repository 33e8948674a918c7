"""Grouping the inbox into folders, and flattening folders into display rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cockpit.domain.grouping import (
    FOLDER_KEY_MAX,
    GROUP_BY,
    NONE_KEY,
    FolderRow,
    Group,
    ItemRow,
    flatten,
    folders,
    group_items,
    humanise_kind,
    is_advisory,
    merge_groups,
    payload_folder,
    smart_key,
)
from cockpit.domain.models import Item, Sender

T0 = datetime(2024, 11, 20, 9, 0, tzinfo=UTC)


def make(
    item_id: int,
    kind: str = "message",
    *,
    state: str = "unread",
    sender: tuple[str, str, str] = ("system", "sys", "System"),
    priority: str = "normal",
    payload: dict[str, Any] | None = None,
    assignee_id: str | None = None,
) -> Item:
    created = T0 + timedelta(minutes=item_id)
    return Item(
        id=item_id,
        kind=kind,
        source_id=f"src-{item_id}",
        state=state,
        title=f"item {item_id}",
        sender=Sender(type=sender[0], id=sender[1], name=sender[2]),
        priority=priority,
        payload=payload or {},
        assignee_id=assignee_id,
        created_at=created,
        updated_at=created,
    )


def keys(groups: list[Group]) -> list[str]:
    return [g.key for g in groups]


def ids(group: Group) -> list[int]:
    return [it.id for it in group.items]


AGENT = ("agent", "agent-7", "Triage Bot")
CREW = ("crew", "crew-1", "Night crew")
CUSTOMER = ("customer", "acct-9", "Acme Inc")
PIPELINE = ("pipeline", "deploy", "Deploy pipeline")


def test_group_by_names_are_fixed() -> None:
    assert GROUP_BY == (
        "smart", "kind", "sender", "routine", "issue", "crew", "priority", "assignee", "none"
    )


def test_unknown_mode_raises() -> None:
    with pytest.raises(ValueError, match="group_by"):
        group_items([make(1)], "colour")


def test_smart_folders_in_fixed_order_and_empty_ones_omitted() -> None:
    items = [
        make(10, "message"),  # FYI
        make(9, "message", priority="urgent"),  # Needs review (priority)
        make(8, "failed_run", sender=PIPELINE),  # Needs review
        make(7, "escalation", payload={"advisory": True}, sender=AGENT),  # Needs review
        make(6, "ticket", sender=CUSTOMER),  # Customer tickets
        make(5, "message", sender=CUSTOMER),  # Customer tickets (sender)
        make(4, "message", sender=AGENT),  # Agent replies
        make(3, "deploy_notice", sender=CREW),  # Agent replies (crew, unknown kind)
        make(2, "escalation", sender=AGENT),  # Decisions
        make(1, "waitpoint", sender=PIPELINE),  # Decisions
    ]
    groups = group_items(items, "smart")
    assert [(g.key, g.label) for g in groups] == [
        ("decisions", "Decisions needed"),
        ("agents", "Agent replies"),
        ("tickets", "Customer tickets"),
        ("review", "Needs review"),
        ("fyi", "FYI"),
    ]
    by_key = {g.key: ids(g) for g in groups}
    assert by_key == {
        "decisions": [2, 1],
        "agents": [4, 3],
        "tickets": [6, 5],
        "review": [9, 8, 7],
        "fyi": [10],
    }
    # every item lands in exactly one folder
    assert sorted(i for g in groups for i in ids(g)) == list(range(1, 11))

    only_fyi = group_items([make(1, "message"), make(2, "weird_kind")], "smart")
    assert keys(only_fyi) == ["fyi"]


def test_smart_high_priority_decision_stays_a_decision() -> None:
    groups = group_items([make(1, "waitpoint", priority="urgent")], "smart")
    assert keys(groups) == ["decisions"]


def test_kind_known_order_then_unknown_alphabetically_with_human_labels() -> None:
    items = [
        make(7, "zeta.alert"),
        make(6, "message"),
        make(5, "deploy_notice"),
        make(4, "ticket"),
        make(3, "failed_run"),
        make(2, "escalation"),
        make(1, "waitpoint"),
        make(0, "message"),
    ]
    groups = group_items(items, "kind")
    assert [(g.key, g.label) for g in groups] == [
        ("waitpoint", "Waitpoints"),
        ("escalation", "Escalations"),
        ("failed_run", "Failed runs"),
        ("ticket", "Tickets"),
        ("message", "Messages"),
        ("deploy_notice", "Deploy notice"),
        ("zeta.alert", "Zeta alert"),
    ]
    assert ids(groups[4]) == [6, 0]  # input order kept inside the folder
    assert humanise_kind("deploy_notice") == "Deploy notice"


def test_sender_groups_by_id_labelled_with_name() -> None:
    other_agent = ("agent", "agent-8", "Another Bot")
    items = [make(3, sender=AGENT), make(2, sender=other_agent), make(1, sender=AGENT)]
    groups = group_items(items, "sender")
    assert [(g.key, g.label, ids(g)) for g in groups] == [
        ("agent-8", "Another Bot", [2]),
        ("agent-7", "Triage Bot", [3, 1]),
    ]


def test_routine_falls_back_to_pipeline_and_no_routine_is_last() -> None:
    items = [
        make(5, payload={}),
        make(4, payload={"routine": "nightly-etl"}),
        make(3, payload={"pipeline": "billing"}),
        make(2, payload={"routine": "  "}),  # blank means none
        make(1, payload={"routine": "aaa-first"}),
    ]
    groups = group_items(items, "routine")
    assert [(g.key, g.label) for g in groups] == [
        ("aaa-first", "aaa-first"),
        ("billing", "billing"),
        ("nightly-etl", "nightly-etl"),
        (NONE_KEY, "No routine"),
    ]
    assert NONE_KEY == "~none"
    assert ids(groups[-1]) == [5, 2]


@pytest.mark.parametrize(
    ("mode", "field", "none_label"),
    [("issue", "issue", "No issue"), ("crew", "crew", "No crew")],
)
def test_payload_modes(mode: str, field: str, none_label: str) -> None:
    items = [make(3, payload={field: "ENG-1423"}), make(2), make(1, payload={field: "ENG-7"})]
    groups = group_items(items, mode)
    assert [(g.key, g.label, ids(g)) for g in groups] == [
        ("ENG-1423", "ENG-1423", [3]),
        ("ENG-7", "ENG-7", [1]),
        (NONE_KEY, none_label, [2]),
    ]


@pytest.mark.parametrize(
    ("mode", "names"),
    [("routine", ("pipeline_slug", "routine", "pipeline")), ("issue", ("issue_identifier", "issue")),
     ("crew", ("crew_id", "crew"))],
)
def test_payload_modes_read_designs_name_first_then_the_others(mode: str, names: tuple) -> None:
    # every name holds a value in item 1; item 2 has a blank first name, so the next one counts
    first = {name: f"{name}-value" for name in names}
    items = [make(2, payload={**first, names[0]: " "}), make(1, payload=first)]
    groups = group_items(items, mode)
    assert [(g.key, ids(g)) for g in groups] == sorted(
        [(f"{names[0]}-value", [1]), (f"{names[1]}-value", [2])])


def test_a_payload_folder_key_is_cut_to_its_column_and_never_the_none_key() -> None:
    long = "r" * (FOLDER_KEY_MAX - 1) + " tail"
    assert payload_folder({"routine": long}, "routine") == "r" * (FOLDER_KEY_MAX - 1)
    assert payload_folder({"routine": NONE_KEY, "pipeline": "p"}, "routine") is None
    assert payload_folder({"routine": "\u00a0\tspaced\n"}, "routine") == "spaced"
    items = [make(2, payload={"crew": long}), make(1, payload={"crew": long + "er"})]
    assert [(g.key, ids(g)) for g in group_items(items, "crew")] == \
        [("r" * (FOLDER_KEY_MAX - 1), [2, 1])]


def test_a_folder_counted_in_parts_adds_up_under_its_greatest_label() -> None:
    counted = [("s-1", "Bob", 2, 2), (" s-1 ", "Alice", 3, 0), ("s-2", None, 1, 0)]
    assert folders("sender", counted) == [FolderRow("s-1", "Bob", 5, 2),
                                          FolderRow("s-2", "s-2", 1, 0)]
    assert folders("sender", counted[::-1]) == folders("sender", counted)


@pytest.mark.parametrize("advisory", [True, "yes", 1, [0], "false"])
def test_a_truthy_advisory_makes_an_escalation_need_review(advisory: Any) -> None:
    assert is_advisory({"advisory": advisory})
    assert smart_key(make(1, "escalation", payload={"advisory": advisory})) == "review"


@pytest.mark.parametrize("advisory", [False, None, 0, 0.0, "", [], {}])
def test_a_falsy_advisory_leaves_an_escalation_a_decision(advisory: Any) -> None:
    assert not is_advisory({"advisory": advisory})
    assert smart_key(make(1, "escalation", payload={"advisory": advisory})) == "decisions"


def test_non_string_payload_values_do_not_crash() -> None:
    items = [
        make(6, payload={"routine": 42, "issue": ["ENG", 1], "crew": {"a": 1}}),
        make(5, payload={"routine": None, "issue": 3.5, "crew": True}),
        make(4, payload={"routine": 42}),
        make(3, payload={"pipeline": 7, "advisory": "yes"}),
    ]
    routine = group_items(items, "routine")
    assert [(g.key, ids(g)) for g in routine] == [("42", [6, 4]), ("7", [3]), (NONE_KEY, [5])]
    issue = group_items(items, "issue")
    assert [g.key for g in issue] == ["3.5", "['ENG', 1]", NONE_KEY]
    crew = group_items(items, "crew")
    assert [g.key for g in crew] == ["True", "{'a': 1}", NONE_KEY]
    for mode in GROUP_BY:
        group_items(items, mode)  # never raises


def test_priority_order() -> None:
    items = [make(4, priority="low"), make(3, priority="high"), make(2), make(1, priority="urgent")]
    groups = group_items(items, "priority")
    assert [(g.key, g.label, ids(g)) for g in groups] == [
        ("urgent", "Urgent", [1]),
        ("high", "High", [3]),
        ("normal", "Normal", [2]),
        ("low", "Low", [4]),
    ]


def test_assignee() -> None:
    items = [make(3, assignee_id="zoe"), make(2), make(1, assignee_id="alex")]
    groups = group_items(items, "assignee")
    assert [(g.key, g.label, ids(g)) for g in groups] == [
        ("alex", "alex", [1]),
        ("zoe", "zoe", [3]),
        (NONE_KEY, "Unassigned", [2]),
    ]


def test_none_is_a_single_group_and_flattens_without_folders() -> None:
    items = [make(3, "ticket"), make(2, "waitpoint"), make(1)]
    groups = group_items(items, "none")
    assert len(groups) == 1 and ids(groups[0]) == [3, 2, 1]
    rows = flatten(groups, set(), show_folders=False)
    assert all(isinstance(r, ItemRow) for r in rows)
    assert [r.item.id for r in rows] == [3, 2, 1]
    assert group_items([], "none") == []
    assert group_items([], "smart") == []


def test_flatten_with_collapsed_folders() -> None:
    items = [
        make(5, "waitpoint", state="unread"),
        make(4, "message", state="read"),
        make(3, "message", state="unread"),
        make(2, "waitpoint", state="read"),
        make(1, "ticket", state="unread"),
    ]
    groups = group_items(items, "kind")
    rows = flatten(groups, set())
    assert rows == [
        FolderRow("waitpoint", "Waitpoints", 2, 1),
        ItemRow(items[0], "waitpoint"),
        ItemRow(items[3], "waitpoint"),
        FolderRow("ticket", "Tickets", 1, 1),
        ItemRow(items[4], "ticket"),
        FolderRow("message", "Messages", 2, 1),
        ItemRow(items[1], "message"),
        ItemRow(items[2], "message"),
    ]
    collapsed = flatten(groups, {"waitpoint", "message"})
    assert collapsed == [
        FolderRow("waitpoint", "Waitpoints", 2, 1),
        FolderRow("ticket", "Tickets", 1, 1),
        ItemRow(items[4], "ticket"),
        FolderRow("message", "Messages", 2, 1),
    ]
    # collapsed keys that do not exist are harmless
    assert flatten(groups, {"nope"}) == rows


def test_grouping_is_linear_enough_for_100k() -> None:
    items = [make(i, ("message", "ticket", "waitpoint", "x_kind")[i % 4]) for i in range(100_000, 0, -1)]
    for mode in ("smart", "kind", "priority", "none"):
        groups = group_items(items, mode)
        assert sum(len(g.items) for g in groups) == 100_000
        assert len(flatten(groups, set(), mode != "none")) >= 100_000


@pytest.mark.parametrize("mode", GROUP_BY)
def test_merge_groups_equals_grouping_everything(mode: str) -> None:
    senders = [AGENT, CREW, CUSTOMER, PIPELINE, ("agent", "agent-2", "another bot")]
    kinds = ["message", "ticket", "waitpoint", "escalation", "failed_run", "zz_kind", "a_kind"]
    items = [
        make(
            i,
            kinds[i % len(kinds)],
            sender=senders[i % len(senders)],
            priority=("low", "normal", "high", "urgent")[i % 4],
            payload={"routine": ["r1", None, "R0", 5][i % 4], "issue": f"ENG-{i % 3}" if i % 5 else None,
                     "crew": "c" if i % 2 else None, "advisory": i % 3 == 0},
            assignee_id=("zoe", None, "alex")[i % 3],
        )
        for i in range(60, 0, -1)
    ]
    for cut in (0, 1, 17, 45, 60):
        merged = merge_groups(group_items(items[:cut], mode), group_items(items[cut:], mode), mode)
        assert merged == group_items(items, mode)
