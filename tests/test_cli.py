"""The `cockpit` command: local mode on a database, formats, errors, and `serve` end to end."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
import yaml

from cockpit.cli import main


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_add_prints_the_token_last(capsys, db):
    code, out, _ = run(capsys, "users", "add", "dana", "--role", "member", "--db", db)
    assert code == 0 and out.strip().splitlines()[-1].startswith("ck_")
    code, _, err = run(capsys, "users", "add", "dana", "--role", "member", "--db", db)
    assert code == 1 and err.count("\n") == 1 and "already exists" in err


def test_demo_then_list_in_every_format(capsys, db):
    code, out, _ = run(capsys, "demo", "--db", db)
    assert code == 0 and "demo items added" in out
    code, out, _ = run(capsys, "inbox", "list", "--db", db, "--format", "json", "--limit", "500")
    items = json.loads(out)
    assert isinstance(items, list) and len(items) > 20
    assert {i["kind"] for i in items} >= {"waitpoint", "escalation", "failed_run", "message",
                                          "ticket"}
    assert all(i["state"] in ("unread", "read") for i in items)
    code, out, _ = run(capsys, "inbox", "list", "--db", db, "--format", "quiet", "--limit", "7")
    assert out.split() == [str(i["id"]) for i in items[:7]]
    code, out, _ = run(capsys, "inbox", "list", "--db", db, "--format", "yaml", "--limit", "2")
    assert [i["id"] for i in yaml.safe_load(out)] == [i["id"] for i in items[:2]]
    code, out, _ = run(capsys, "inbox", "list", "--db", db, "--kind", "ticket", "--limit", "3")
    assert code == 0 and "ticket" in out and "waitpoint" not in out


def test_read_archive_resolve_count_bulk(capsys, db):
    run(capsys, "demo", "--db", db)
    _, out, _ = run(capsys, "inbox", "list", "--db", db, "--kind", "message", "--format", "json",
                    "--state", "unread")
    messages = [i["id"] for i in json.loads(out)]
    _, before, _ = run(capsys, "inbox", "count", "--db", db, "--format", "json")
    code, out, _ = run(capsys, "inbox", "read", str(messages[0]), "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)[0]["state"] == "read"
    _, after, _ = run(capsys, "inbox", "count", "--db", db, "--format", "json")
    assert json.loads(after)["unread"] == json.loads(before)["unread"] - 1
    code, out, _ = run(capsys, "inbox", "archive", str(messages[1]), "--db", db, "--format", "quiet")
    assert out.split() == [str(messages[1])]
    code, out, _ = run(capsys, "inbox", "resolve", str(messages[2]), "--action", "handled",
                       "--db", db, "--format", "json")
    assert json.loads(out)[0]["resolved_action"] == "handled"
    _, out, _ = run(capsys, "inbox", "list", "--db", db, "--kind", "waitpoint", "--format", "quiet")
    waitpoint = out.split()[0]
    code, out, _ = run(capsys, "inbox", "bulk", "archive", str(messages[3]), waitpoint,
                       "--db", db, "--format", "json")
    result = json.loads(out)
    assert result["updated"] == [messages[3]]
    assert result["skipped"][0]["id"] == int(waitpoint)


def test_errors_are_one_line_and_non_zero(capsys, db):
    run(capsys, "demo", "--db", db)
    code, out, err = run(capsys, "inbox", "get", "999999", "--db", db)
    assert code == 1 and out == "" and err.strip().count("\n") == 0 and "not found" in err
    _, out, _ = run(capsys, "inbox", "list", "--db", db, "--kind", "waitpoint", "--format", "quiet")
    code, _, err = run(capsys, "inbox", "resolve", out.split()[0], "--db", db)
    assert code == 1 and "decision" in err and "Traceback" not in err
    code, _, err = run(capsys, "inbox", "act", "1", "archive", "--param", "oops", "--db", db)
    assert code == 1 and "KEY=VALUE" in err
    code, _, err = run(capsys, "inbox", "count", "--server", "http://127.0.0.1:9", "--token", "x")
    assert code == 1 and "cannot reach" in err
    code, _, err = run(capsys, "inbox", "count", "--db", "nosuchdb://x")
    assert code == 1 and err.count("\n") == 1


def test_act_with_params(capsys, db):
    run(capsys, "demo", "--db", db)
    _, out, _ = run(capsys, "inbox", "list", "--db", db, "--kind", "message", "--format", "quiet")
    code, out, _ = run(capsys, "inbox", "act", out.split()[0], "dismiss", "--param", "why=noise",
                       "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)[0]["resolved_action"] == "dismissed"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_the_api_and_the_remote_cli(tmp_path, capsys, db):
    code, out, _ = run(capsys, "users", "add", "ops", "--role", "owner", "--db", db)
    token = out.strip().splitlines()[-1]
    port = _free_port()
    env = {**os.environ, "COCKPIT_DB": db}
    server = subprocess.Popen([sys.executable, "-m", "cockpit.cli", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/docs", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token}"}
        created = httpx.post(base + "/api/v1/inbox/items", headers=headers, json={
            "kind": "message", "source_id": "curl-1", "title": "Hello from curl",
            "sender": {"type": "system", "id": "ci", "name": "CI"}})
        assert created.status_code == 201
        assert httpx.get(base + "/api/v1/inbox/count", headers=headers).json() == \
            {"unread": 1, "active": 1}
        assert "/api/v1/inbox" in httpx.get(base + "/openapi.json").json()["paths"]
        code, out, err = run(capsys, "inbox", "list", "--server", base, "--token", token,
                             "--format", "json")
        assert code == 0, err
        assert [i["title"] for i in json.loads(out)] == ["Hello from curl"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_get_prints_one_object_and_names_are_checked(capsys, db):
    run(capsys, "demo", "--db", db)
    code, out, _ = run(capsys, "inbox", "get", "1", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)["id"] == 1
    code, out, _ = run(capsys, "inbox", "get", "1", "--db", db, "--format", "yaml")
    assert code == 0 and yaml.safe_load(out)["id"] == 1
    with pytest.raises(SystemExit):
        main(["users", "add", "", "--role", "member", "--db", db])
    with pytest.raises(SystemExit):
        main(["demo", "--items", "-5", "--db", db])
    assert "zero or more" in capsys.readouterr().err


def test_a_database_error_is_still_one_line(capsys):
    code, _, err = run(capsys, "inbox", "count", "--db", "postgresql://u:p@127.0.0.1:1/x")
    assert code == 1 and err.count("\n") == 1 and err.startswith("cockpit: ")


def _raw_row(db: str, **fields) -> int:
    """A row written straight into the database, past the cleaning that ingest does."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from cockpit.store import open_engine
    from cockpit.store.tables import items

    now = datetime.now(UTC)
    engine = open_engine(db)
    try:
        with engine.begin() as conn:
            values = {"kind": "message", "source_id": "raw", "state": "unread", "title": "t",
                      "body_md": "", "sender_type": "system", "sender_id": "s",
                      "sender_name": "S", "priority": "normal", "blocking": False,
                      "payload": {}, "tags": [], "created_at": now, "updated_at": now, **fields}
            return conn.execute(insert(items).values(**values)).inserted_primary_key[0]
    finally:
        engine.dispose()


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_json_and_yaml_never_carry_a_control_character_even_once_decoded(capsys, db, fmt):
    run(capsys, "demo", "--db", db, "--items", "5")
    hostile = "\x1b]0;pwned\x07\x1b[31mred\x9b2J\u202egnp.exe"
    item_id = _raw_row(db, title=hostile, body_md=hostile, payload={hostile: hostile})
    code, out, _ = run(capsys, "inbox", "get", str(item_id), "--db", db, "--format", fmt)
    assert code == 0
    decoded = json.loads(out) if fmt == "json" else yaml.safe_load(out)
    # what `jq -r` would print: the decoded strings
    shown = json.dumps(decoded, ensure_ascii=False)
    for raw in (out, shown, decoded["title"], *decoded["payload"]):
        assert not any(ch in raw for ch in "\x1b\x07\x9b\u202e"), repr(raw)
    assert "\\u001b" not in out and "red" in decoded["title"]


def test_get_masks_credentials_unless_revealed(capsys, db):
    run(capsys, "demo", "--db", db, "--items", "5")
    item_id = _raw_row(db, payload={"db_password": "correct-horse-battery-9"})
    _, out, _ = run(capsys, "inbox", "get", str(item_id), "--db", db, "--format", "json")
    assert json.loads(out)["payload"]["db_password"] == "••••••••"
    assert "correct-horse" not in out
    _, out, _ = run(capsys, "inbox", "get", str(item_id), "--db", db, "--format", "json",
                    "--reveal")
    assert json.loads(out)["payload"]["db_password"] == "correct-horse-battery-9"


def test_list_sorts_as_asked(capsys, db):
    run(capsys, "demo", "--db", db)
    _, out, _ = run(capsys, "inbox", "list", "--db", db, "--sort", "priority", "--format",
                    "json", "--limit", "500")
    ranks = {"urgent": 3, "high": 2, "normal": 1, "low": 0}
    order = [ranks[i["priority"]] for i in json.loads(out)]
    assert order == sorted(order, reverse=True) and len(set(order)) > 1
    code, _, err = run(capsys, "inbox", "list", "--db", db, "--query", "is:nope")
    assert code != 0 and "is:nope" in err and err.count("\n") == 1
