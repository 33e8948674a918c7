"""Errors are one clear line naming the field, never pydantic's own wording or a traceback."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from cockpit.cli import main
from cockpit.cli.errors import describe_validation, reword, reword_detail

PYDANTIC_WORDS = ("should", "Input should", "Field required", "after validation",
                  "errors.pydantic.dev", "validation error for", "type=")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("message", "plain"), [
    ("List should have at most 10000 items after validation, not 10001",
     "at most 10000 items (got 10001)"),
    ("String should have at most 64 characters", "at most 64 characters"),
    ("Input should be less than or equal to 9223372036854775807",
     "at most 9223372036854775807"),
    ("Input should be a valid integer, unable to parse string as an integer",
     "must be a whole number"),
    ("Field required", "is required"),
    ("Value error, not a role an item can target: 'x'", "not a role an item can target: 'x'"),
    ("Input should be 'read', 'unread' or 'archive'", "must be 'read', 'unread' or 'archive'"),
])
def test_pydantic_messages_in_plain_words(message, plain):
    assert reword(message) == plain
    assert reword_detail(f"ids: {message}; op: Field required") == f"ids: {plain}; op: is required"


def test_a_validation_error_is_one_line_naming_the_field():
    class Thing(BaseModel):
        limit: int = Field(le=500)
        name: str

    with pytest.raises(ValidationError) as caught:
        Thing.model_validate({"limit": 900})
    line = describe_validation(caught.value)
    assert line == "Thing: limit: at most 500 (and 1 more)"
    assert "\n" not in line and not any(w in line for w in PYDANTIC_WORDS)


def test_a_422_from_the_server_is_reworded(capsys, tmp_path):
    db = f"sqlite:///{tmp_path / 'e.db'}"
    run(capsys, "demo", "--db", db)
    code, out, err = run(capsys, "inbox", "resolve", "1", "--action", "x" * 300, "--db", db)
    assert code == 1 and out == ""
    assert err == "cockpit: resolved_action: at most 64 characters (HTTP 422)\n"


def test_a_validation_error_inside_a_command_is_one_clear_line(capsys, tmp_path, monkeypatch):
    """A model that does not validate here (say, a server's answer) is no traceback."""
    from cockpit.client import CockpitClient
    from cockpit.domain.models import Item

    async def broken(self, item_id, *, reveal=False):
        return Item.model_validate({"id": item_id, "kind": "message", "title": "t"})

    monkeypatch.setattr(CockpitClient, "get", broken)
    code, _, err = run(capsys, "inbox", "get", "1", "--db", f"sqlite:///{tmp_path / 'v.db'}")
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("cockpit: Item: source_id: is required (and ")
    assert not any(w in err for w in PYDANTIC_WORDS)
