"""Making untrusted text safe to show in a terminal. Pure: standard library only, no IO.

Public functions
----------------
``neutralise(text, *, keep_newlines=True) -> str``
    Nothing in the result can reach a terminal as a control sequence.  Each dangerous character
    is replaced by a visible, inert form:

    * C0 controls U+0000–U+001F (except tab and newline): the Control Pictures character
      U+2400 + code, so ESC -> ``␛`` (U+241B), NUL -> ``␀``, BEL -> ``␇``;
    * DEL U+007F -> ``␡`` (U+2421);
    * ``\\r\\n`` -> ``\\n``, and a lone ``\\r`` -> ``\\n`` (a carriage return can overwrite the
      start of a line, so it never reaches the terminal as one);
    * U+2028 / U+2029 (line / paragraph separator) -> ``\\n``;
    * C1 controls U+0080–U+009F (CSI U+009B, OSC U+009D, NEL U+0085, ...), bidirectional
      overrides, embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
      U+061C) and other invisible format characters that can spoof text (zero width space
      U+200B, word joiner and invisible operators U+2060–U+2064, deprecated format characters
      U+206A–U+206F, BOM U+FEFF, U+180E, interlinear annotations U+FFF9–U+FFFB, Hangul fillers
      U+115F U+1160 U+3164 U+FFA0, and tag characters U+E0000–U+E007F outside an emoji flag
      sequence) -> the text ``\\u{XX}`` naming the code point in upper-case hex, at least two
      digits (``\\u{9B}``, ``\\u{202E}``);
    * a lone surrogate -> U+FFFD.

    Tab, newline, zero width (non-)joiners (emoji and Indic/Persian text need them) and
    variation selectors are kept.  With ``keep_newlines=False`` each newline, ``\\r\\n``, lone
    ``\\r``, tab and U+2028/U+2029 becomes one space.  The function is idempotent.

``clean_title(text, limit=80) -> str``
    Redacts (``redaction.redact``) first, on the raw text, so that cutting can never leave a
    prefix of a secret; then makes it one line (every run of whitespace becomes one space,
    stripped), neutralises it, and cuts it to at most ``limit`` characters, ending with ``…``
    when cut.  A cut never splits a ``[REDACTED:...]`` marker or a ``\\u{...}`` escape (it backs
    off to before it), and falls between words when there is a space in the second half of the
    line.  An empty result becomes ``(no title)``.

``clean_text(text) -> str``
    For bodies: redact, then neutralise keeping newlines and tabs.

``clean_value(obj)``
    A copy of a JSON-like object (dict, list, tuple) with every string neutralised, dict keys
    included (newlines kept); other values are returned as they are.

``outage_rewrite(reason) -> str | None``
    When ``reason`` says that an infrastructure component (the curator, the evaluator, or an
    LLM / model provider) was unavailable, a friendly one-liner naming it, e.g. "The evaluator
    was unavailable, so this was not reviewed automatically. No action is needed unless it
    persists."  Otherwise ``None``.  It needs both a component word and an outage word
    ("unavailable", "timeout", "503", "rate limit", "connection refused", ...), in the same
    clause, with nothing but filler words between them ("service", "API", "returned", "to",
    "the", numbers, ...), so "the evaluator says the site is down" is not an outage.
"""

from __future__ import annotations

import re
from typing import Any

from cockpit.domain.neutralise import neutralise
from cockpit.domain.redaction import redact

__all__ = ["clean_text", "clean_title", "clean_value", "neutralise", "outage_rewrite"]

NO_TITLE = "(no title)"
ELLIPSIS = "\u2026"

# --------------------------------------------------------------------------------------------
# titles, bodies, payloads
# --------------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
# tokens a cut must not split: redaction markers and \u{...} escapes
_ATOMS = re.compile(r"\[REDACTED(?::[a-z0-9-]*)?\]?|\\u\{[0-9A-F]*\}?")


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    # back off from an atom that the cut would split
    for m in _ATOMS.finditer(text, max(0, limit - 40), limit + 40):
        if m.start() < len(head) < m.end():
            head = head[: m.start()]
            break
    # and cut between words when a word boundary is in the second half of the line: a cut word
    # ("password=%DB_PASSW…") reads badly and could look like something else when cleaned again
    if head and not head[-1].isspace() and not text[len(head)].isspace():
        space = head.rfind(" ")
        if space >= limit // 2:
            head = head[:space]
    return head.rstrip() + ELLIPSIS


def clean_title(text: str, limit: int = 80) -> str:
    """One redacted, neutralised line of at most ``limit`` characters (``…`` when cut)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    s = redact(text or "")
    s = _WHITESPACE.sub(" ", s)
    s = neutralise(s, keep_newlines=False).strip()
    if not s:
        s = NO_TITLE
    return _cut(s, limit)


def clean_text(text: str) -> str:
    """A body made safe to show: secrets redacted, controls neutralised, newlines kept."""
    if not text:
        return text or ""
    return neutralise(redact(text), keep_newlines=True)


def clean_value(obj: Any) -> Any:
    """A copy of a JSON-like object with every string (dict keys too) neutralised."""
    if isinstance(obj, str):
        return neutralise(obj)
    if isinstance(obj, dict):
        return {
            (neutralise(k) if isinstance(k, str) else k): clean_value(v) for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [clean_value(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(clean_value(v) for v in obj)
    return obj


# --------------------------------------------------------------------------------------------
# outage advisories
# --------------------------------------------------------------------------------------------

_COMPONENTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bcurators?\b", re.I), "The curator"),
    (re.compile(r"\b(?:evaluators?|eval(?:uation)?[ -]service)\b", re.I), "The evaluator"),
    (re.compile(r"\bazure[ -]openai\b", re.I), "The LLM provider (Azure OpenAI)"),
    (re.compile(r"\b(?:anthropic|claude)\b", re.I), "The LLM provider (Anthropic)"),
    (re.compile(r"\b(?:openai|chatgpt|gpt-?\d[\w.-]*)\b", re.I), "The LLM provider (OpenAI)"),
    (re.compile(r"\b(?:gemini|vertex(?:[ -]ai)?)\b", re.I), "The LLM provider (Google)"),
    (re.compile(r"\bbedrock\b", re.I), "The LLM provider (AWS Bedrock)"),
    (re.compile(r"\b(?:mistral|cohere|groq|openrouter)\b", re.I), "The LLM provider"),
    (
        re.compile(
            r"\b(?:llms?|language[ -]models?|model[ -](?:provider|endpoint|server|service|api"
            r"|backend|gateway)s?|inference[ -](?:provider|endpoint|server|service|api)s?)\b",
            re.I,
        ),
        "The LLM provider",
    ),
)

_OUTAGE = re.compile(
    r"""\b(?:
        unavailable | not[ ]available | unreachable | not[ ]reachable | down | offline
      | outages? | degraded | went[ ]away | crash(?:ed|ing)?
      | time[ds]?[ -]?outs? | timing[ ]out
      | overload(?:ed)? | over[ ]capacity | at[ ]capacity | capacity[ ](?:error|exceeded)
      | rate[ -]?limit(?:ed|s|ing)? | throttl(?:ed|ing) | too[ ]many[ ]requests
      | quota[ ]exceeded
      | (?:429|500|502|503|504|520|521|522|523|524|529)s? | 5xx
      | service[ ]unavailable | bad[ ]gateway | gateway[ ]time-?out | internal[ ]server[ ]error
      | server[ ]error | upstream[ ]error | api[ ]error
      | connection[ ](?:refused|reset|error|errors|failed|failure|timeout|timed[ ]out
                      |dropped|closed|lost|aborted)
      | (?:could[ ]?n[o']t|can[ ]?n[o']t|cannot|unable[ ]to|failed[ ]to)[ ]
        (?:connect|reach|contact)
      | no[ ]response | not[ ]responding | unresponsive | did[ ]?n[o']t[ ]respond
      | econnrefused | econnreset | etimedout | enotfound | eai_again
      | dns[ ](?:failure|error|lookup[ ]failed)
      | circuit[ ](?:breaker[ ])?(?:open|opened|tripped)
    )\b""",
    re.I | re.X,
)

_FILLER = frozenset(
    """
    the a an is was were are be been being has had have currently temporarily still again
    seems seem seemed appears appear appeared to not no its it this our
    service services api apis endpoint endpoints server servers provider providers backend
    backends host hosts cluster gateway upstream proxy model models instance
    request requests call calls http https status code codes returned returning returns return
    responded responding response responses with from by for of on at in when while
    waiting reaching contacting calling connecting connection got hit reported reports
    reporting error errors completely totally briefly fully com ai io org net v1 v2
    messages completions chat after during llm llms language
    """.split()
)
_CLAUSE_BREAK = re.compile(r"[,;!?]|\.(?:\s|$)|\n")
_WORD = re.compile(r"[A-Za-z][A-Za-z'_]*")

_OUTAGE_MESSAGE = (
    "{name} was unavailable, so this was not reviewed automatically. "
    "No action is needed unless it persists."
)


def _only_filler(gap: str) -> bool:
    if _CLAUSE_BREAK.search(gap):
        return False
    return all(w.lower() in _FILLER for w in _WORD.findall(gap))


def outage_rewrite(reason: str) -> str | None:
    """A friendly one-liner when ``reason`` reports an unavailable curator, evaluator or LLM."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000:
        return None
    outages = list(_OUTAGE.finditer(reason))
    if not outages:
        return None
    best: tuple[int, str] | None = None
    for pattern, name in _COMPONENTS:
        for c in pattern.finditer(reason):
            for o in outages:
                if o.start() >= c.end():
                    gap = reason[c.end():o.start()]
                elif c.start() >= o.end():
                    gap = reason[o.end():c.start()]
                else:
                    continue  # overlapping
                if _only_filler(gap) and (best is None or c.start() < best[0]):
                    best = (c.start(), name)
                    break
    if best is None:
        return None
    return _OUTAGE_MESSAGE.format(name=best[1])
