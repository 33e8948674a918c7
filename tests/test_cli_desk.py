"""The support desk from the shell: views, macros, customers, bulk ticket ops (local mode)."""

from __future__ import annotations

import json

import pytest

from cockpit.cli import main


@pytest.fixture
def db(tmp_path, capsys) -> str:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    assert main(["demo", "--db", url]) == 0
    capsys.readouterr()
    return url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_views_list_add_use_and_remove(capsys, db):
    code, out, _ = run(capsys, "views", "list", "--db", db, "--format", "json")
    assert code == 0
    assert [v["name"] for v in json.loads(out)][:5] == \
        ["my_open", "unassigned", "overdue", "high_priority", "all_open"]
    code, out, _ = run(capsys, "views", "add", "urgent", "priority:urgent", "--db", db,
                       "--format", "quiet")
    assert (code, out.strip()) == (0, "urgent")
    code, out, _ = run(capsys, "inbox", "list", "--view", "urgent", "--db", db, "--format",
                       "json")
    assert code == 0 and {i["priority"] for i in json.loads(out)} == {"urgent"}
    assert run(capsys, "views", "rm", "urgent", "--db", db)[0] == 0
    code, _, err = run(capsys, "views", "rm", "urgent", "--db", db)
    assert code == 1 and "no view named 'urgent'" in err


def test_macros_add_preview_and_run_in_bulk(capsys, db):
    step = {"action": "note", "body_md": "Hi {{ customer.first_name | default('there') }}!"}
    code, _, err = run(capsys, "macros", "add", "hello", "--step", json.dumps(step),
                       "--step", '{"action": "priority", "priority": "low"}', "--db", db)
    assert code == 0, err
    code, out, _ = run(capsys, "inbox", "list", "--query", "kind:ticket", "--db", db,
                       "--format", "json")
    ticket = json.loads(out)[0]
    code, out, _ = run(capsys, "macros", "preview", "hello", str(ticket["id"]), "--db", db,
                       "--format", "json")
    shown = json.loads(out)
    assert code == 0 and shown["actions"][0]["body_md"].startswith("Hi ")
    assert "{{" not in shown["actions"][0]["body_md"]
    code, out, _ = run(capsys, "inbox", "bulk", "macro", str(ticket["id"]), "--param",
                       "name=hello", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)["updated"] == [ticket["id"]], out
    code, _, err = run(capsys, "macros", "add", "empty", "--db", db)
    assert code != 0 and "needs steps" in err


def test_customers_get(capsys, db):
    code, out, _ = run(capsys, "inbox", "list", "--query", "kind:ticket", "--db", db,
                       "--format", "json", "--limit", "500")
    customer = next(i["payload"]["customer"]["id"] for i in json.loads(out)
                    if isinstance(i["payload"].get("customer"), dict)
                    and i["payload"]["customer"].get("id"))
    code, out, _ = run(capsys, "customers", "get", customer, "--db", db, "--format", "json")
    card = json.loads(out)
    assert code == 0 and card["id"] == customer and card["tickets_total"] >= 1
    code, _, err = run(capsys, "customers", "get", "nobody-at-all", "--db", db)
    assert code == 1 and err.count("\n") == 1
