"""Exit status: non-zero when a command matched nothing it was asked to act on; clear usage
errors; `cockpit inbox` alone prints its help; `--state archived` and the STATE column."""

from __future__ import annotations

import json

import pytest

from cockpit.cli import main


@pytest.fixture
def db(tmp_path, capsys) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["demo", "--db", url]) == 0
    capsys.readouterr()
    return url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _ids(capsys, db: str, *filters: str) -> list[int]:
    _, out, _ = run(capsys, "inbox", "list", "--db", db, "--format", "quiet", "--limit", "500",
                    *filters)
    return [int(i) for i in out.split()]


def test_an_id_that_is_not_found_exits_non_zero(capsys, db):
    code, out, err = run(capsys, "inbox", "read", "999999", "--db", db)
    assert code == 1 and out == "" and err == "cockpit: item 999999 not found (HTTP 404)\n"
    message = _ids(capsys, db, "--kind", "message", "--state", "unread")[0]
    code, out, err = run(capsys, "inbox", "read", str(message), "999998", "--db", db,
                         "--format", "quiet")
    assert code == 1 and out.split() == [str(message)]  # the found one is still changed
    assert err.count("\n") == 1 and "999998" in err
    code, _, err = run(capsys, "inbox", "archive", "999999", "--db", db)
    assert code == 1 and "not found" in err


def test_a_bulk_where_no_id_is_found_exits_non_zero(capsys, db):
    code, out, err = run(capsys, "inbox", "bulk", "read", "999998", "999999", "--db", db,
                         "--format", "json")
    assert code == 1 and json.loads(out)["not_found"] == [999998, 999999]
    assert err == "cockpit: none of the 2 ids was found; nothing changed\n"
    message = _ids(capsys, db, "--kind", "message")[0]
    code, out, _ = run(capsys, "inbox", "bulk", "read", str(message), "999999", "--db", db)
    assert code == 0 and "updated: 1" in out and "not found: 1: 999999" in out


def test_a_bulk_over_the_request_limit_goes_in_several_requests(capsys, db):
    messages = _ids(capsys, db, "--kind", "message")
    ids = [str(i) for i in messages] + [str(n) for n in range(1_000_000, 1_010_001)]
    code, out, err = run(capsys, "inbox", "bulk", "archive", *ids, "--db", db,
                         "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert sorted(result["updated"]) == sorted(messages) and len(result["not_found"]) == 10_001


def test_an_unknown_kind_exits_non_zero_with_one_clear_line(capsys, db):
    code, out, err = run(capsys, "inbox", "list", "--kind", "nosuchkind", "--db", db)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "no item has kind 'nosuchkind'" in err and "waitpoint" in err
    # a known kind with nothing in this state is an empty answer, not an error
    code, _, err = run(capsys, "inbox", "list", "--kind", "ticket", "--state", "archived",
                       "--q", "no such words anywhere", "--db", db)
    assert code == 0 and err == ""


@pytest.mark.parametrize("limit", ["0", "-3", "many"])
def test_a_limit_below_one_is_a_clear_usage_error(capsys, db, limit):
    with pytest.raises(SystemExit) as exit_:
        main(["inbox", "list", "--limit", limit, "--db", db])
    assert exit_.value.code == 2
    assert f"--limit: expected a whole number, one or more: '{limit}'" in capsys.readouterr().err


@pytest.mark.parametrize("group", ["inbox", "users"])
def test_a_command_group_alone_prints_its_help(capsys, group):
    code, out, err = run(capsys, group)
    assert code == 0 and err == "" and out.startswith(f"usage: cockpit {group}")
    assert "list" in out and "Traceback" not in out


def test_count_quiet_prints_the_unread_count_alone(capsys, db):
    _, out, _ = run(capsys, "inbox", "count", "--db", db, "--format", "json")
    counts = json.loads(out)
    assert run(capsys, "inbox", "count", "--db", db, "--format", "quiet")[1] == \
        f"{counts['unread']}\n"
    with pytest.raises(SystemExit):
        main(["inbox", "count", "--help"])
    assert "quiet prints the unread count alone" in capsys.readouterr().out.replace("\n", " ") \
        .replace("  ", " ")


def test_archived_lists_archived_items_and_the_table_names_states_and_outcomes(
        capsys, db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    _, out, _ = run(capsys, "inbox", "list", "--state", "archived", "--db", db, "--format",
                    "json")
    archived = json.loads(out)
    assert archived and all(i["state"] == "resolved" and i["resolved_action"] == "archived"
                            for i in archived)
    _, out, _ = run(capsys, "inbox", "list", "--state", "resolved", "--db", db, "--format",
                    "json")
    resolved = json.loads(out)
    assert len(resolved) > len(archived)
    _, table, _ = run(capsys, "inbox", "list", "--state", "resolved", "--db", db)
    header, *rows = table.splitlines()
    assert header.split()[:3] == ["ID", "STATE", "ACTION"]
    by_id = {int(r.split()[0]): r.split()[1:3] for r in rows}
    for item in resolved:
        if item["resolved_action"] == "archived":
            assert by_id[item["id"]][0] == "archived"
        else:
            assert by_id[item["id"]] == ["resolved", item["resolved_action"]]
    # the Inbox tab has no resolved items, so no ACTION column
    _, table, _ = run(capsys, "inbox", "list", "--db", db)
    assert table.splitlines()[0].split()[:3] == ["ID", "STATE", "KIND"]


def test_the_local_count_is_the_apis_count(capsys, db):
    import asyncio

    from cockpit.runtime import in_process_client, open_local

    async def api_count() -> dict:
        engine, _user, token = open_local(db, seed_demo=False)
        try:
            async with in_process_client(engine, token, origin="cli") as client:
                return await client.count()
        finally:
            engine.dispose()

    message = _ids(capsys, db, "--kind", "message", "--state", "unread")[0]
    run(capsys, "inbox", "read", str(message), "--db", db)
    _, out, _ = run(capsys, "inbox", "count", "--db", db, "--format", "json")
    assert json.loads(out) == asyncio.run(api_count())


def test_list_takes_the_query_language_and_a_view(capsys, db):
    tickets = _ids(capsys, db, "--kind", "ticket", "--state", "unread")
    assert _ids(capsys, db, "--query", "kind:ticket is:unread") == tickets
    code, out, err = run(capsys, "inbox", "list", "--view", "no-such-view", "--db", db)
    assert code == 1 and out == "" and "no-such-view" in err and err.count("\n") == 1
