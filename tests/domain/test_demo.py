"""The demo data: every kind, unique keys, valid items, a lived-in mix of states."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from itertools import islice

import pytest

from cockpit.domain.demo import SYNTHETIC_PREFIX, DemoItem, demo_items, synthetic_items
from cockpit.domain.models import ARCHIVED, KNOWN_KINDS, TITLE_MAX, ItemIn, State
from cockpit.domain.rules import is_decision

NOW = datetime(2024, 11, 20, 9, 30, tzinfo=timezone.utc)
USER = "alex"


@pytest.fixture(scope="module")
def hand() -> list[DemoItem]:
    return demo_items(NOW, USER)


@pytest.fixture(scope="module")
def synthetic() -> list[DemoItem]:
    return list(synthetic_items(2000, NOW, USER))


def _by_kind(items: list[DemoItem], kind: str) -> list[DemoItem]:
    return [d for d in items if d.item.kind == kind]


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_hand_written_size_and_every_known_kind(hand):
    assert 40 <= len(hand) <= 60
    kinds = {d.item.kind for d in hand}
    assert KNOWN_KINDS <= kinds
    assert len(kinds - KNOWN_KINDS) >= 2  # generic rendering of unknown kinds


def test_synthetic_has_every_known_kind_and_unknown_ones(synthetic):
    kinds = {d.item.kind for d in synthetic}
    assert KNOWN_KINDS <= kinds
    assert kinds - KNOWN_KINDS


def test_unique_kind_and_source_id_across_both_sets(hand, synthetic):
    keys = [(d.item.kind, d.item.source_id) for d in hand + synthetic]
    assert len(keys) == len(set(keys))
    assert not any(d.item.source_id.startswith(SYNTHETIC_PREFIX) for d in hand)
    assert all(d.item.source_id.startswith(SYNTHETIC_PREFIX) for d in synthetic)


def test_everything_validates_as_item_in(hand, synthetic):
    for d in hand + synthetic:
        assert isinstance(d.item, ItemIn)
        again = ItemIn.model_validate(d.item.model_dump(mode="json"))
        assert again == ItemIn.model_validate(d.item.model_dump())
        assert len(d.item.title) <= TITLE_MAX, d.item.title


def test_synthetic_yields_exactly_count_and_is_lazy():
    assert len(list(synthetic_items(137, NOW, USER))) == 137
    assert list(synthetic_items(0, NOW, USER)) == []
    first = list(islice(synthetic_items(10**9, NOW, USER), 5))  # lazy: a huge count is fine
    assert len(first) == 5
    with pytest.raises(ValueError):
        list(synthetic_items(-1, NOW, USER))


def test_synthetic_is_deterministic_for_a_seed():
    a = [(d.item.model_dump(), d.state, d.resolved_action, d.resolved_by)
         for d in synthetic_items(500, NOW, USER, seed=3)]
    b = [(d.item.model_dump(), d.state, d.resolved_action, d.resolved_by)
         for d in synthetic_items(500, NOW, USER, seed=3)]
    c = [(d.item.model_dump(), d.state, d.resolved_action, d.resolved_by)
         for d in synthetic_items(500, NOW, USER, seed=4)]
    assert a == b
    assert a != c


def test_hand_written_is_deterministic(hand):
    assert demo_items(NOW, USER) == hand


@pytest.mark.parametrize("which", ["hand", "synthetic"])
def test_states_mix(which, request):
    items = request.getfixturevalue(which)
    counts = Counter(d.state for d in items)
    assert set(counts) == {s.value for s in State}
    total = len(items)
    assert 0.45 <= counts["unread"] / total <= 0.70
    assert 0.15 <= counts["read"] / total <= 0.35
    assert 0.08 <= counts["resolved"] / total <= 0.25
    for d in items:
        assert (d.state == "resolved") == (d.resolved_action is not None)
        assert (d.state == "resolved") == (d.resolved_by is not None)
    assert any(d.resolved_action == ARCHIVED for d in items)


def test_resolved_outcomes_fit_the_kind(hand, synthetic):
    for d in hand + synthetic:
        if d.state != "resolved":
            continue
        if is_decision(d.item.kind, d.item.payload):
            assert d.resolved_action not in (ARCHIVED, "resolved"), d.item.source_id
        else:
            assert d.resolved_action not in ("approved", "denied", "rejected")


def test_demo_state_rejects_nonsense():
    item = demo_items(NOW, USER)[0].item
    with pytest.raises(ValueError):
        DemoItem(item, "resolved")
    with pytest.raises(ValueError):
        DemoItem(item, "read", "archived")
    with pytest.raises(ValueError):
        DemoItem(item, "gone")


def test_escalation_flavours(hand):
    esc = [d.item.payload for d in _by_kind(hand, "escalation")]
    credential = [p for p in esc if p.get("type") == "CREDENTIAL"]
    assert credential
    assert any(p.get("type") == "PERMISSION" and p.get("reason") for p in esc)
    proposals = [p for p in esc if "risk_score" in p]
    assert proposals and all(0 <= p["risk_score"] <= 10 and p["evaluator"] and p["rationale"]
                             and p["proposed_action"] for p in proposals)
    assert any(p.get("advisory") is True for p in esc)
    hire = [p for p in esc if p.get("type") == "HIRE"]
    assert hire and all({"agent_name", "role", "requested_by", "skills"} <= set(p) for p in hire)


def test_waitpoints(hand):
    wps = _by_kind(hand, "waitpoint")
    for d in wps:
        p = d.item.payload
        assert {"pipeline", "run_id", "step", "step_index", "step_count", "timeout_at"} <= set(p)
        assert 1 <= p["step_index"] <= p["step_count"]
        _when(p["timeout_at"])
    active = [d for d in wps if d.state != "resolved"]
    assert any(_when(d.item.payload["timeout_at"]) < NOW for d in active)  # one already past
    assert any(NOW < _when(d.item.payload["timeout_at"]) < NOW + timedelta(hours=1)
               for d in active)  # one soon
    assert any(d.item.payload.get("second_approver_required") is True for d in wps)
    callbacks = [d.item.payload["callback_url"] for d in wps if "callback_url" in d.item.payload]
    assert len(callbacks) >= 2
    assert all(u.startswith("http://127.0.0.1:9/hooks/") for u in callbacks)
    assert any(d.item.blocking for d in wps)


def test_failed_runs(hand):
    for d in _by_kind(hand, "failed_run"):
        p = d.item.payload
        assert {"pipeline", "run_id", "inputs", "error", "attempt"} <= set(p)
        assert isinstance(p["inputs"], dict) and p["inputs"]


def test_messages(hand):
    msgs = [d.item for d in _by_kind(hand, "message")]
    issues = [m for m in msgs if m.payload.get("issue")]
    assert issues and all(
        m.payload["url"] == f"https://tracker.example.com/{m.payload['issue']}" for m in issues
        if m.payload["url"].startswith("https://tracker."))
    assert any({"chat", "thread_id", "url"} <= set(m.payload) for m in msgs)
    assert any("fyi" in m.tags for m in msgs)


def test_tickets(hand):
    tickets = _by_kind(hand, "ticket")
    for d in tickets:
        p = d.item.payload
        assert d.item.sender.type == "customer"
        assert {"name", "email", "plan", "account_id"} <= set(p["customer"])
        assert p["customer"]["email"].endswith(".example.com")
        assert p["channel"] in ("email", "chat") and p["ticket_no"]
        _when(p["sla_due_at"])
    open_ = [d for d in tickets if d.state != "resolved"]
    assert any(_when(d.item.payload["sla_due_at"]) < NOW for d in open_)  # a breached SLA
    assert len({d.item.priority for d in tickets}) >= 3


def test_senders_targets_and_groups(hand):
    types = {d.item.sender.type for d in hand}
    assert types == {"agent", "crew", "pipeline", "system", "customer"}
    agents = {(d.item.sender.id, d.item.sender.name) for d in hand if d.item.sender.type == "agent"}
    assert len(agents) >= 3 and all(i.startswith("agent:") for i, _ in agents)
    assert any(d.item.payload.get("routine") for d in hand if d.item.sender.type == "pipeline")
    assert any(d.item.target_user_id == USER for d in hand)
    assert {d.item.target_role for d in hand} >= {"member", "manager", "admin"}
    untargeted = [d for d in hand if d.item.target_user_id is None and d.item.target_role is None]
    assert len(untargeted) > len(hand) / 2
    assert any(d.item.assignee_id == USER for d in hand)
    assert {d.item.assignee_id for d in hand} >= {"maria", "dev"}
    by_issue = Counter(d.item.payload.get("issue") for d in hand if d.item.payload.get("issue"))
    assert sum(1 for n in by_issue.values() if n >= 3) >= 2
    issue_kinds = {d.item.kind for d in hand if d.item.payload.get("issue")}
    assert len(issue_kinds) >= 4
    crews = Counter(d.item.payload.get("crew") for d in hand if d.item.payload.get("crew"))
    assert len(crews) >= 4 and min(crews.values()) >= 3


def test_personal_items_follow_the_user():
    other = demo_items(NOW, "sam")
    assert any(d.item.target_user_id == "sam" for d in other)
    assert not any(d.item.target_user_id == USER for d in other)


def test_created_at_spread_and_mostly_recent(hand):
    times = [d.item.created_at for d in hand]
    assert all(NOW - timedelta(days=10) <= t <= NOW for t in times)
    assert sum(1 for t in times if t >= NOW - timedelta(days=1)) > len(times) / 2
    assert min(times) < NOW - timedelta(days=5)


def test_bodies_show_markdown_and_untrusted_text(hand):
    bodies = [d.item.body_md for d in hand]
    assert any("\n## " in "\n" + b for b in bodies)
    assert any(re.search(r"^- ", b, re.M) for b in bodies)
    assert any("`" in b for b in bodies)
    assert any(re.search(r"\[[^\]]+\]\(https://[a-z.]*example\.com/[^)]*\)", b) for b in bodies)
    assert any("[bold]not markup[/bold]" in b for b in bodies)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_urls_are_local_or_example_and_nothing_secret(hand, synthetic):
    url = re.compile(r"[a-z0-9+]+://([^/\s\"')]+)")
    secretish = re.compile(r"(sk_live|sk_test|AKIA[0-9A-Z]{12}|ghp_|xox[bp]-|BEGIN [A-Z ]*PRIVATE"
                           r"|password\s*[:=])", re.I)
    for d in hand + synthetic:
        texts = [d.item.title, d.item.body_md, *_strings(d.item.payload)]
        for text in texts:
            for host in url.findall(text):
                assert host == "127.0.0.1:9" or host.endswith("example.com"), (host, text)
            assert not secretish.search(text), text
