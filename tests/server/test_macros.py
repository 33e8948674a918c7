"""Macros: ordered steps in one transaction, templates that refuse rather than send braces,
previews that change nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cockpit.store.tables import outbox, timeline

HOOK = "http://127.0.0.1:9/macros"
REFUND = {"name": "refund", "title": "Refund and close", "actions": [
    {"action": "reply", "body_md": "Hi {{ customer.first_name | default('there') }}, your "
                                   "refund for #{{ ticket.id }} is on its way. — {{ agent.name }}"},
    {"action": "note", "body_md": "refunded via macro"},
    {"action": "tag", "tags": ["refunded"]},
    {"action": "priority", "priority": "low"},
    {"action": "close", "reason": "refunded"},
]}


@pytest.fixture
def ticket(as_user) -> int:
    return as_user("svc").ingest(
        kind="ticket", title="Refund please",
        payload={"customer": {"id": "c1", "name": "Ana {{ 7*7 }} Lopez"},
                 "callback_url": HOOK})["id"]


def test_a_macro_runs_its_steps_in_order_in_one_go(as_user, ticket, engine):
    mel = as_user("mel")
    assert mel.post("/macros", json=REFUND).status_code == 201
    done = mel.post(f"/inbox/{ticket}/actions/macro", json={"name": "refund"})
    assert done.status_code == 200, done.text
    item = done.json()["item"]
    assert (item["state"], item["resolved_action"], item["priority"], item["tags"]) == \
        ("resolved", "closed", "low", ["refunded"])
    with engine.connect() as conn:
        kinds = [r.type for r in conn.execute(
            select(timeline).where(timeline.c.item_id == ticket).order_by(timeline.c.id))]
        body = json.loads(conn.execute(select(outbox)).one().body)
    assert kinds == ["reply", "note", "tag", "priority", "status"]
    assert body["params"]["body_md"] == ("Hi Ana, your refund for #%d is on its way. — mel"
                                         % ticket)


def test_preview_renders_and_changes_nothing(as_user, ticket, engine):
    mel = as_user("mel")
    mel.post("/macros", json=REFUND)
    preview = mel.post(f"/inbox/{ticket}/macros/refund/preview")
    assert preview.status_code == 200
    steps = preview.json()["actions"]
    assert steps[0]["body_md"].startswith("Hi Ana, your refund")
    assert [s["action"] for s in steps] == ["reply", "note", "tag", "priority", "close"]
    assert mel.get(f"/inbox/{ticket}").json()["state"] == "unread"
    with engine.connect() as conn:
        assert conn.execute(select(outbox)).first() is None


def test_the_agents_edit_is_sent_as_written(as_user, ticket, engine):
    mel = as_user("mel")
    mel.post("/macros", json=REFUND)
    mel.post(f"/inbox/{ticket}/actions/macro",
             json={"name": "refund", "overrides": {"0": {"body_md": "Edited {{ by hand }}"}}})
    with engine.connect() as conn:
        assert json.loads(conn.execute(select(outbox)).one().body)["params"]["body_md"] == \
            "Edited {{ by hand }}"


def test_a_missing_variable_refuses_the_whole_macro(as_user, ticket, engine):
    mel = as_user("mel")
    mel.post("/macros", json={"name": "mail", "actions": [
        {"action": "tag", "tags": ["x"]},
        {"action": "reply", "body_md": "Dear {{ customer.email }}"}]})
    refused = mel.post(f"/inbox/{ticket}/actions/macro", json={"name": "mail"})
    assert refused.status_code == 400 and "customer" in refused.json()["detail"]
    assert mel.get(f"/inbox/{ticket}").json()["tags"] == []  # the first step was undone
    with engine.connect() as conn:
        assert conn.execute(select(outbox)).first() is None


@pytest.mark.parametrize(("steps", "says"), [
    ([{"action": "delete_everything"}], "actions[0].action"),
    ([{"action": "reply", "body_md": "{% for x in range(9) %}x{% endfor %}"}], "nothing else"),
    ([{"action": "reply", "body_md": "{{ 7 * 7 }}"}], "nothing else"),
    ([{"action": "note", "body_md": "{{ unclosed"}], "cannot render"),
    ([], "actions"),
])
def test_macros_that_could_never_run_are_refused(as_user, steps, says):
    response = as_user("mel").post("/macros", json={"name": "bad", "actions": steps})
    assert response.status_code in (400, 422) and says in response.json()["detail"]


def test_macros_are_personal_unless_shared(as_user, ticket):
    as_user("mel").post("/macros", json=REFUND)
    assert as_user("max").post(f"/inbox/{ticket}/actions/macro",
                               json={"name": "refund"}).status_code == 404
    shared = {**REFUND, "name": "team-refund", "scope": "role", "role": "member"}
    assert as_user("mel").post("/macros", json=shared).status_code == 403
    assert as_user("mia").post("/macros", json=shared).status_code == 201
    assert "team-refund" in {m["name"] for m in as_user("max").get("/macros").json()}
