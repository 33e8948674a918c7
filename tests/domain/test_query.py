"""The query language parser: what it reads, and how it says what it cannot."""

from __future__ import annotations

from datetime import date

import pytest

from cockpit.domain.query import (
    Ago,
    Comparison,
    Day,
    Filter,
    Op,
    Query,
    QueryError,
    Text,
    Today,
    parse,
)


def test_the_example_from_the_design():
    query = parse('refund is:unread -kind:message priority:>=high assignee:me,none '
                  'created:<2h "two words"')
    assert query.terms == (
        Text("refund", position=0),
        Filter("is", ("unread",), position=7),
        Filter("kind", ("message",), negated=True, position=17),
        Filter("priority", (Comparison(Op.GE, "high"),), position=31),
        Filter("assignee", ("me", "none"), position=47),
        Filter("created", (Comparison(Op.LT, Ago(7200)),), position=64),
        Text("two words", position=76),
    )
    assert [t.position for t in query.terms] == [0, 7, 17, 31, 47, 64, 76]


def test_empty_and_blank_queries_are_empty():
    assert parse("") == Query() and not parse("   \t ")


@pytest.mark.parametrize(("text", "value"), [
    ("created:<30m", Comparison(Op.LT, Ago(1800))),
    ("created:>3d", Comparison(Op.GT, Ago(3 * 86400))),
    ("updated:>=1w", Comparison(Op.GE, Ago(604800))),
    ("due:<=2026-11-30", Comparison(Op.LE, Day(date(2026, 11, 30)))),
    ("due:today", Comparison(Op.EQ, Today())),
    ("created:2h", Comparison(Op.EQ, Ago(7200))),
    ("created:2026-01-02", Comparison(Op.EQ, Day(date(2026, 1, 2)))),
])
def test_times(text, value):
    assert parse(text).terms[0].alternatives == (value,)


@pytest.mark.parametrize(("text", "value"), [
    ("priority:high", "high"), ("priority:URGENT", "urgent"),
    ("priority:<normal", Comparison(Op.LT, "normal")),
    ("priority:>low", Comparison(Op.GT, "low")),
])
def test_priorities(text, value):
    assert parse(text).terms[0].alternatives == (value,)


def test_quoted_values_and_phrases_keep_spaces_and_commas():
    query = parse('sender:"Ana Lopez, Jr." -"two words" tag:a,b')
    assert query.terms == (Filter("sender", ("Ana Lopez, Jr.",)),
                           Text("two words", negated=True), Filter("tag", ("a", "b")))
    assert [t.position for t in query.terms] == [0, 24, 37]


def test_fields_are_case_insensitive_values_are_kept():
    assert parse("KIND:cost_alert Sender:Atlas").terms == (
        Filter("kind", ("cost_alert",), position=0), Filter("sender", ("Atlas",), position=16))


def test_relative_to_now():
    assert parse("created:<2h").relative_to_now and parse("due:today").relative_to_now
    assert not parse("created:<=2026-11-30 kind:x word").relative_to_now


@pytest.mark.parametrize(("text", "position", "term", "says"), [
    ("foo:bar", 0, "foo:bar", "unknown field 'foo'"),
    ("refund is:maybe", 7, "is:maybe", "is: one of"),
    ("created:<2x", 0, "created:<2x", "a duration"),
    ('ok "open phrase', 3, '"open phrase', "not closed"),
    ("priority:>nope", 0, "priority:>nope", "priority:"),
    ("tag:", 0, "tag:", "needs a value"),
    ("kind:a,,b", 0, "kind:a,,b", "needs a value"),
    ("sla:late", 0, "sla:late", "sla: one of"),
    ("tag:>x", 0, "tag:>x", "only priorities and times compare"),
    ('x ""', 2, '""', "empty phrase"),
    ('sender:"Ana', 0, 'sender:"Ana', "not closed"),
])
def test_errors_name_the_term_and_its_position(text, position, term, says):
    with pytest.raises(QueryError) as raised:
        parse(text)
    assert (raised.value.position, raised.value.term) == (position, term)
    assert says in str(raised.value) and f"position {position}" in str(raised.value)


def test_limits():
    with pytest.raises(QueryError, match="at most 50 terms"):
        parse(" ".join(["word"] * 51))
    with pytest.raises(QueryError, match="at most 1000 characters"):
        parse("x" * 1001)


def test_queries_are_hashable_so_counts_can_be_cached_per_query():
    assert hash(parse("kind:a tag:b")) == hash(parse("kind:a  tag:b"))
