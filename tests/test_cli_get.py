"""`cockpit inbox get ID`: the whole item as a table, or one object in json and yaml."""

from __future__ import annotations

import json

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


def _ingest(db: str, **fields) -> int:
    """An item stored as a producer would send it (through ingest: redaction and all)."""
    import asyncio

    from cockpit.runtime import in_process_client, open_local

    async def go() -> int:
        engine, _user, token = open_local(db, seed_demo=False)
        try:
            async with in_process_client(engine, token, origin="api") as client:
                body = {"kind": "ticket", "source_id": "T-1", "title": "Printer on fire",
                        "sender": {"type": "customer", "id": "c:1", "name": "Ada"}, **fields}
                return (await client.ingest(body))["id"]
        finally:
            engine.dispose()

    return asyncio.run(go())


def _add_note(db: str, item_id: int, by: str, text: str) -> None:
    """A note as the server keeps them in `payload.notes` (by, at, text)."""
    from datetime import UTC, datetime

    from sqlalchemy import select, update

    from cockpit.store import open_engine
    from cockpit.store.tables import items

    engine = open_engine(db)
    try:
        with engine.begin() as conn:
            payload = conn.execute(select(items.c.payload).where(items.c.id == item_id)).scalar()
            note = {"by": by, "at": datetime.now(UTC).isoformat(), "text": text}
            payload = {**payload, "notes": [*payload.get("notes", []), note]}
            conn.execute(update(items).where(items.c.id == item_id).values(payload=payload))
    finally:
        engine.dispose()


BODY = "Line one with [bold]not markup[/bold] and [link=x]no link[/link].\n\nLine três: ünïcode ✓"


def test_the_table_shows_the_whole_item(capsys, db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    item_id = _ingest(db, body_md=BODY, priority="high", tags=["vip"],
                      payload={"customer": {"plan": "pro", "db_password": "hunter2-long-one"},
                               "channel": "email"})
    _add_note(db, item_id, "maria", "Called back.\nWill retry.")
    code, out, err = run(capsys, "inbox", "get", str(item_id), "--db", db)
    assert code == 0, err
    assert f"#{item_id}  Printer on fire" in out
    assert "unread · high priority" in out and "Ada (customer c:1)" in out
    assert "Tags" in out and "vip" in out and "Created" in out
    # the body is text, never markup: the brackets are printed as they are
    assert "[bold]not markup[/bold]" in out and "[link=x]no link[/link]" in out
    assert "Line três: ünïcode ✓" in out
    # context: dotted keys, credentials as the API serves them (masked)
    assert "customer.plan" in out and "pro" in out and "channel" in out
    assert "hunter2" not in out and "••••" in out
    # notes: author, time, text, marked internal; not repeated in the context
    assert "Notes (1)" in out and "internal note · maria · " in out
    assert "Called back.\nWill retry." in out
    assert "notes " not in out.split("Notes (1)")[0]
    assert "\nActions  " in out and "archive" in out.split("\nActions  ")[1]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_json_and_yaml_print_one_object(capsys, db, fmt):
    item_id = _ingest(db, body_md=BODY)
    code, out, _ = run(capsys, "inbox", "get", str(item_id), "--db", db, "--format", fmt)
    data = json.loads(out) if fmt == "json" else yaml.safe_load(out)
    assert code == 0 and isinstance(data, dict) and data["id"] == item_id
    assert data["body_md"] == BODY


def test_yaml_keeps_bodies_as_written(capsys, db):
    long_line = "word " * 40 + "end"
    item_id = _ingest(db, body_md=f"{BODY}\n{long_line}")
    _, out, _ = run(capsys, "inbox", "get", str(item_id), "--db", db, "--format", "yaml")
    assert "body_md: |" in out  # a literal block, not a quoted string with \n escapes
    assert "  Line três: ünïcode ✓\n" in out  # unicode kept, not \xFC escapes
    assert "  " + long_line + "\n" in out  # a long line is never folded
    assert yaml.safe_load(out)["body_md"] == f"{BODY}\n{long_line}"


def test_quiet_prints_the_id(capsys, db):
    item_id = _ingest(db)
    assert run(capsys, "inbox", "get", str(item_id), "--db", db, "--format", "quiet")[1] \
        == f"{item_id}\n"


def test_a_tickets_notes_and_changes_come_from_its_timeline(capsys, db, monkeypatch):
    from cockpit.client import CockpitClient

    if not hasattr(CockpitClient, "timeline"):
        pytest.skip("this client has no timeline call yet")
    monkeypatch.setenv("COLUMNS", "100")
    item_id = _ingest(db, body_md="My printer is on fire.")
    for action, param in (("note", "body_md=Called back.\nWill retry."),
                          ("priority", "priority=urgent")):
        code, _, err = run(capsys, "inbox", "act", str(item_id), action, "--param", param,
                           "--db", db)
        assert code == 0, err
    code, out, err = run(capsys, "inbox", "get", str(item_id), "--db", db)
    assert code == 0, err
    timeline = out.split("Timeline (2)\n")[1]
    assert timeline.startswith("internal note · ")
    assert "Called back.\nWill retry.\npriority · " in timeline and "to: urgent" in timeline
    assert out.count("My printer is on fire.") == 1  # the first message is the body, once
