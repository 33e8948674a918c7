"""Full-text search (bare words and "quoted phrases" over title, body and sender name) through
its index: the same items on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm), and the index
in step with every insert and upsert."""

from __future__ import annotations

import pytest

PERSON = {"type": "customer", "id": "c-9", "name": "Zoë Ångström"}


@pytest.fixture
def texts(svc):
    """{name: id} of items whose words the cases below look for."""
    made = {
        "school": svc.ingest(title="Une ÉCOLE à Paris", body_md="rentrée scolaire"),
        "disk": svc.ingest(title="Disk usage at 91%", body_md="volume /var is_full"),
        "quote": svc.ingest(title='He said "ship it"', body_md="a go"),
        "person": svc.ingest(title="Question", body_md="où est ma commande ?", sender=PERSON),
        "plain": svc.ingest(title="Weekly digest", body_md="nothing new"),
    }
    return {name: body["id"] for name, body in made.items()}


def _found(api, texts, q: str) -> set[str]:
    response = api.get("/inbox", params={"q": q, "state": "all", "limit": 100})
    assert response.status_code == 200, response.text
    ids = {i["id"] for i in response.json()["items"]}
    return {name for name, i in texts.items() if i in ids}


@pytest.mark.parametrize(("q", "expected"), [
    ("école", {"school"}),  # unicode, folded either way
    ("ÉCOLE", {"school"}),
    ("ångström", {"person"}),  # the sender's name
    ("OÙ EST", {"person"}),  # "OÙ" is too short for an index: scanned, folded alike
    ('"à paris"', {"school"}),  # a phrase, across a space
    ('"paris rentrée"', set()),  # title and body are not one text
    ("91%", {"disk"}),  # LIKE's wildcards are plain characters
    ("is_full", {"disk"}),
    ("ship", {"quote"}),
    ("sag", {"disk"}),  # inside a word
    ("à", {"school"}),
    ("é", {"school"}),  # one character, in "rentrée"
    ("go", {"quote"}),  # two characters: no trigram, scanned
    ("ÉC", {"school"}),
    ("-digest", {"school", "disk", "quote", "person"}),
    ("digest weekly", {"plain"}),  # every term must hold
    ("zzzz", set()),
    ("NEAR(ship", set()),  # FTS5 query syntax is plain text here
    ("^*+ship", set()),
])
def test_words_and_phrases_find_the_same_items_on_every_engine(as_user, texts, q, expected):
    assert _found(as_user("mel"), texts, q) == expected


def test_a_double_quote_inside_a_term_is_text(as_user, texts):
    assert _found(as_user("mel"), texts, 'said"ship') == set()
    assert _found(as_user("mel"), texts, '"ship it"') == {"quote"}


def test_the_index_follows_an_upsert(as_user, svc, texts):
    mel = as_user("mel")
    svc.ingest(source_id="rename-me", title="Quarterly figures")
    assert _found(mel, {"q": svc.ingest(source_id="rename-me", title="Quarterly figures")["id"]},
                  "quarterly") == {"q"}
    renamed = svc.ingest(source_id="rename-me", title="Annual numbers", upsert=True)["id"]
    assert _found(mel, {"q": renamed}, "quarterly") == set()
    assert _found(mel, {"q": renamed}, "annual") == {"q"}
