"""How the CLI fails: one clear line on stderr and a non-zero exit, never a traceback.

Validation messages come from pydantic, on the server (a 422's `detail`) or here (a model that
did not validate). They are reworded into plain words naming the field, e.g.
`ids: at most 10000 items (got 10001)` instead of pydantic's "List should have at most ...".
"""

from __future__ import annotations

import re
import sys
from typing import Any


class UsageError(Exception):
    """A mistake on the command line that argparse cannot see (a bad --param)."""


class NothingMatched(Exception):
    """The command matched nothing it was asked to act on (every id missing, an unknown kind).

    Its message is printed like an error; what did match was already printed."""


# pydantic's wording -> plain words. Each pattern matches one message whole.
_REWORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words) for pattern, words in (
        (r"Field required", "is required"),
        (r"Extra inputs are not permitted", "is not a field here"),
        (r"List should have at most (\d+) items? after validation, not (\d+)",
         r"at most \1 items (got \2)"),
        (r"List should have at least (\d+) items? after validation, not (\d+)",
         r"at least \1 items (got \2)"),
        (r"String should have at most (\d+) characters?", r"at most \1 characters"),
        (r"String should have at least 1 character", "must not be empty"),
        (r"String should have at least (\d+) characters", r"at least \1 characters"),
        (r"String should match pattern .*", "has characters that are not allowed"),
        (r"Input should be less than or equal to (\S+)", r"at most \1"),
        (r"Input should be less than (\S+)", r"less than \1"),
        (r"Input should be greater than or equal to (\S+)", r"at least \1"),
        (r"Input should be greater than (\S+)", r"more than \1"),
        (r"Input should be a valid integer.*", "must be a whole number"),
        (r"Input should be a valid number.*", "must be a number"),
        (r"Input should be a valid boolean.*", "must be true or false"),
        (r"Input should be a valid string", "must be text"),
        (r"Input should be a valid (?:dictionary|object).*", "must be an object"),
        (r"Input should be a valid list", "must be a list"),
        (r"Input should be a valid datetime.*", "must be a date and time (ISO 8601)"),
        (r"Input should be (.+)", r"must be \1"),
        (r"Value error, (.+)", r"\1"),
        (r"Assertion failed, (.+)", r"\1"),
    ))


def reword(message: str) -> str:
    """One pydantic message in plain words (unknown messages are kept as they are)."""
    message = message.strip()
    for pattern, words in _REWORDS:
        match = pattern.fullmatch(message)
        if match:
            return match.expand(words)
    return message


def reword_detail(detail: str) -> str:
    """A 422's detail ("field: message; field: message") with each message reworded."""
    parts = []
    for part in detail.split("; "):
        field, sep, message = part.partition(": ")
        parts.append(f"{field}: {reword(message)}" if sep else reword(part))
    return "; ".join(parts)


def describe_validation(exc: Any) -> str:
    """A pydantic ValidationError as one line: the first failing field and what it needs."""
    errors = exc.errors()
    if not errors:
        return "invalid data"
    first = errors[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or "value"
    line = f"{field}: {reword(first.get('msg', 'invalid'))}"
    if len(errors) > 1:
        line += f" (and {len(errors) - 1} more)"
    model = getattr(exc, "title", None)
    return f"{model}: {line}" if model else line


def is_validation_error(exc: BaseException) -> bool:
    """A pydantic ValidationError, told without importing pydantic."""
    return type(exc).__name__ == "ValidationError" and hasattr(exc, "errors")


def fail(message: str) -> int:
    """Errors are one line on stderr (a driver's multi-line message keeps its first line)."""
    first = next((line.strip() for line in message.splitlines() if line.strip()), "failed")
    print(f"cockpit: {first}", file=sys.stderr)
    return 1
