"""Tests for cockpit.domain.sanitize (fake secrets are assembled by concatenation)."""

from __future__ import annotations

import time

import pytest

from cockpit.domain.sanitize import (
    clean_text,
    clean_title,
    clean_value,
    neutralise,
    outage_rewrite,
)

GHP = "gh" + "p_" + "Fake" + "0" * 32
ESC = "\x1b"

# --- neutralise -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (ESC + "[31mred" + ESC + "[0m", "␛[31mred␛[0m"),
        (ESC + "]8;;https://evil.example" + ESC + "\\click" + ESC + "]8;;" + ESC + "\\",
         "␛]8;;https://evil.example␛\\click␛]8;;␛\\"),
        (ESC + "]0;new window title\x07", "␛]0;new window title␇"),
        (ESC + "[2J" + ESC + "[H", "␛[2J␛[H"),
        ("x\x9b31mred", "x\\u{9B}31mred"),
        ("osc\x9d8;;u\x9c", "osc\\u{9D}8;;u\\u{9C}"),
        ("nel\x85here", "nel\\u{85}here"),
        ("invoice_\u202egnp.exe", "invoice_\\u{202E}gnp.exe"),
        ("a\u2066b\u2069c", "a\\u{2066}b\\u{2069}c"),
        ("mark\u200e\u200f\u061c", "mark\\u{200E}\\u{200F}\\u{61C}"),
        ("embed\u202a\u202b\u202c\u202d", "embed\\u{202A}\\u{202B}\\u{202C}\\u{202D}"),
        ("nul\x00byte", "nul␀byte"),
        ("bell\x07", "bell␇"),
        ("back\x08space", "back␈space"),
        ("del\x7fete", "del␡ete"),
        ("vt\x0bff\x0c", "vt␋ff␌"),
        ("line1\r\nline2", "line1\nline2"),
        ("safe text\rEVIL", "safe text\nEVIL"),
        ("para\u2028graph\u2029end", "para\ngraph\nend"),
        ("zero\u200bwidth", "zero\\u{200B}width"),
        ("bom\ufeff", "bom\\u{FEFF}"),
        ("tag\U000e0041\U000e0042", "tag\\u{E0041}\\u{E0042}"),
        ("lone\ud800surrogate", "lone\ufffdsurrogate"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
    ],
)
def test_neutralise(raw: str, expected: str) -> None:
    out = neutralise(raw)
    assert out == expected
    assert neutralise(out) == out  # idempotent


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain ascii text",
        "unicode café ☕ 日本語 עברית العربية",
        "emoji family 👨\u200d👩\u200d👧 and flag 🇫🇷",
        "scotland \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f flag",
        "zwnj in persian می\u200cخواهم",
        "variation selector ❤\ufe0f",
        "tabs\tand\nnewlines",
    ],
)
def test_neutralise_keeps_safe_text(text: str) -> None:
    assert neutralise(text) == text


def test_neutralise_one_line() -> None:
    assert neutralise("a\nb\tc\r\nd\re\u2028f", keep_newlines=False) == "a b c d e f"
    assert neutralise("x" + ESC + "[1m\n", keep_newlines=False) == "x␛[1m "


def test_neutralise_leaves_no_control_characters() -> None:
    every = "".join(chr(c) for c in range(0x00, 0xA0)) + "\u202a\u202b\u202c\u202d\u202e"
    every += "\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029\u200b\ufeff"
    for keep in (True, False):
        out = neutralise(every, keep_newlines=keep)
        allowed = {"\n", "\t"} if keep else set()
        for ch in out:
            cp = ord(ch)
            if ch in allowed:
                continue
            assert not (cp < 0x20 or 0x7F <= cp <= 0x9F), hex(cp)
            assert ch not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", hex(cp)
            assert ch not in "\u200e\u200f\u061c\u2028\u2029\u200b\ufeff", hex(cp)


def test_neutralise_is_fast() -> None:
    body = ("log line with " + ESC + "[32mcolour" + ESC + "[0m and text\n") * 5000
    t0 = time.perf_counter()
    neutralise(body)
    assert time.perf_counter() - t0 < 0.5


# --- clean_title ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Deploy approval", "Deploy approval"),
        ("  spaced   out \n\t title  ", "spaced out title"),
        ("line one\r\nline two", "line one line two"),
        ("red " + ESC + "[31malert" + ESC + "[0m", "red ␛[31malert␛[0m"),
        ("bidi \u202etxt.exe", "bidi \\u{202E}txt.exe"),
        ("", "(no title)"),
        ("   \n\t  ", "(no title)"),
        (f"token {GHP} leaked", "token [REDACTED:github-token] leaked"),
        ("password=hunter2fake for db", "password=[REDACTED:password] for db"),
    ],
)
def test_clean_title(raw: str, expected: str) -> None:
    assert clean_title(raw) == expected


def test_clean_title_cuts_with_ellipsis() -> None:
    title = "word " * 40
    out = clean_title(title)
    assert len(out) <= 80
    assert out.endswith("…")
    assert clean_title("x" * 80) == "x" * 80
    cut = clean_title("x" * 81)
    assert cut == "x" * 79 + "…" and len(cut) == 80


@pytest.mark.parametrize("limit", [1, 2, 10, 20, 79, 80, 81, 120])
def test_clean_title_respects_limit(limit: int) -> None:
    out = clean_title("abc def " * 30, limit=limit)
    assert len(out) <= limit
    assert out.endswith("…")


def test_clean_title_rejects_zero_limit() -> None:
    with pytest.raises(ValueError):
        clean_title("x", limit=0)


@pytest.mark.parametrize("offset", range(60, 82))
def test_secret_straddling_the_cut_never_leaks_a_prefix(offset: int) -> None:
    title = "a" * offset + " " + GHP + " tail"
    out = clean_title(title)
    assert len(out) <= 80
    # no fragment of the token survives: not even its prefix
    assert "ghp_" not in out
    assert "Fake0000" not in out
    # and the cut does not leave a half marker behind
    if "[REDACTED" in out:
        assert "[REDACTED:github-token]" in out


def test_cut_does_not_split_a_marker_or_escape() -> None:
    out = clean_title("a" * 70 + "/" + GHP + "/and/more/path")
    assert out == "a" * 70 + "/…"
    out = clean_title("b" * 75 + "\u202e" + "c" * 20)
    assert out == "b" * 75 + "…"


def test_cut_falls_between_words() -> None:
    out = clean_title("a" * 50 + " password=%DB_PASSWORD% and more text here")
    assert out == "a" * 50 + " password=%DB_PASSWORD% and…"
    out = clean_title("a" * 60 + " password=%DB_PASSWORD% and more text")
    assert out == "a" * 60 + "…"
    out = clean_title("a" * 68 + " password=hunter2fake and more text")
    assert out == "a" * 68 + "…"
    # one long word: a hard cut at the limit
    assert clean_title("Line one line two " + "y" * 100) == "Line one line two " + "y" * 61 + "…"


def test_clean_title_secret_split_across_lines_is_redacted_first() -> None:
    pem = "-----BEGIN PRIV" + "ATE KEY-----\nMIIEfakebody\n-----END PRIV" + "ATE KEY-----"
    assert clean_title("key: " + pem) == "key: [REDACTED:private-key]"


def test_clean_title_is_idempotent() -> None:
    for raw in ["a" * 200, f"x {GHP} " * 5, ESC + "[1m bold", "\u202e rtl", ""]:
        once = clean_title(raw)
        assert clean_title(once) == once


# --- clean_text / clean_value ---------------------------------------------------------------

def test_clean_text_redacts_then_neutralises_keeping_lines() -> None:
    body = f"line 1\nsee {GHP}\n" + ESC + "[31mred\r\n\ttabbed"
    assert clean_text(body) == "line 1\nsee [REDACTED:github-token]\n␛[31mred\n\ttabbed"
    assert clean_text("") == ""


def test_clean_value_neutralises_keys_and_values() -> None:
    payload = {
        "title" + ESC: ["a\x00", {"k\u202e": "v" + ESC + "[0m"}],
        "n": 3,
        "ok": True,
        "none": None,
        "t": ("x\x7f",),
    }
    out = clean_value(payload)
    assert out == {
        "title␛": ["a␀", {"k\\u{202E}": "v␛[0m"}],
        "n": 3,
        "ok": True,
        "none": None,
        "t": ("x␡",),
    }
    assert "title" + ESC in payload  # not mutated
    assert clean_value(out) == out


# --- outage_rewrite -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("reason", "component"),
    [
        ("curator unavailable", "The curator"),
        ("Curator is down", "The curator"),
        ("timed out waiting for the curator", "The curator"),
        ("curator service returned 503", "The curator"),
        ("evaluator service unreachable", "The evaluator"),
        ("connection refused to evaluator", "The evaluator"),
        ("Evaluator timeout after 30s", "The evaluator"),
        ("could not connect to the evaluator", "The evaluator"),
        ("evaluator crashed", "The evaluator"),
        ("LLM provider timeout: 503 from upstream", "The LLM provider"),
        ("model endpoint returned 502", "The LLM provider"),
        ("LLM rate limited (429)", "The LLM provider"),
        ("inference server not responding", "The LLM provider"),
        ("Anthropic API overloaded (529)", "The LLM provider (Anthropic)"),
        ("Claude API error: overloaded", "The LLM provider (Anthropic)"),
        ("OpenAI rate limit exceeded", "The LLM provider (OpenAI)"),
        ("openai: 500 internal server error", "The LLM provider (OpenAI)"),
        ("Azure OpenAI returned 429 too many requests", "The LLM provider (Azure OpenAI)"),
        ("Bedrock throttled the request", "The LLM provider (AWS Bedrock)"),
        ("ECONNREFUSED when calling the LLM", "The LLM provider"),
    ],
)
def test_outage_rewrite_positive(reason: str, component: str) -> None:
    out = outage_rewrite(reason)
    assert out == (
        f"{component} was unavailable, so this was not reviewed automatically. "
        "No action is needed unless it persists."
    )
    assert "\n" not in out


@pytest.mark.parametrize(
    "reason",
    [
        "",
        "   ",
        "agent asks for approval to deploy",
        "risk score 7: deletes a table",
        "customer is unhappy with the evaluator's answer",
        "evaluator says the site is down",
        "The site is down, per the curator",
        "curator approved the rate limit change",
        "LLM suggested adding a timeout to the retry loop",
        "evaluator score 503",
        "Please ask the evaluator whether the service is unavailable",
        "the payment API is unavailable",
        "database connection refused on replica 2",
        "OpenAI invoice needs approval",
        "the curator flagged this ticket as urgent",
        "model provider field is empty",
        "customer reports a 502 on checkout",
        "evaluator marked the job down-ranked",
    ],
)
def test_outage_rewrite_negative(reason: str) -> None:
    assert outage_rewrite(reason) is None


def test_outage_rewrite_tolerates_non_strings() -> None:
    assert outage_rewrite(None) is None  # type: ignore[arg-type]
