"""Secret redaction for text and JSON-like payloads. Pure: standard library only, no IO.

Public functions
----------------
``redact(text) -> str``
    Replaces every secret found in ``text`` with a marker ``[REDACTED:<kind>]`` where ``<kind>``
    is a short lowercase label such as ``aws-key``, ``github-token``, ``private-key``,
    ``password``.  Where a secret sits in a readable structure only the secret goes:
    ``postgres://bob:[REDACTED:password]@db:5432/app``, ``Authorization: Bearer
    [REDACTED:bearer]``, ``"password": "[REDACTED:password]"``, ``token=[REDACTED:token]``.
    Redaction is idempotent (no pattern matches a marker) and the regexes are compiled once; a
    rule whose trigger substrings are absent from the text is not even run.

    Kinds: ``private-key`` (PEM blocks, multi-line, also cut-off ones), ``jwt``,
    ``anthropic-key``, ``openai-key``, ``stripe-key``, ``stripe-webhook-secret``,
    ``github-token``, ``gitlab-token``, ``slack-token``, ``slack-webhook``, ``discord-webhook``,
    ``google-api-key``, ``google-oauth-secret``, ``google-oauth-token``, ``aws-key``,
    ``aws-secret``, ``npm-token``, ``sendgrid-key``, ``huggingface-token``, ``pypi-token``;
    header values ``bearer``, ``basic-auth``, ``auth``, ``cookie``; a URL's ``password``; and
    for key/value pairs a label from the key: ``password``, ``token``, ``api-key``,
    ``private-key``, ``secret``, ``credential``, ``auth``, ``cookie``.

``is_credential_key(key) -> bool``
    Whether a payload key names a credential.  See "Key rules" below.

``mask(value) -> str``
    A display mask: eight bullets (``••••••••``, the length of the secret is not revealed),
    followed by the last two characters only when the value is at least 16 characters long and
    those two are ASCII letters or digits.  An empty value masks to ``""``.

``redact_value(obj)``
    Returns a new JSON-like object: every string is passed through ``redact``; a non-empty string
    (or a number, but not a bool) under a credential key becomes ``[REDACTED]``; a list under a
    credential key has its strings replaced the same way.  Dict keys are left as they are.

Key rules (``is_credential_key``)
---------------------------------
The key is split into lowercase word parts on ``_ - . space`` and camelCase/digit boundaries
(``stripeApiKey`` -> ``stripe api key``).  It is a credential key when one part is a credential
word: ``password passwd passphrase passcode secret secrets token credential(s) creds auth
authorization cookie(s) otp jwt`` (or a single part ending in one of those, e.g. ``githubtoken``,
``dbpassword``), or ``pwd``/``pass`` after another part (``db_pass``; a bare ``PWD`` is the
working directory), or ``key`` right after a qualifier (``api access secret private signing
encryption master session client app license ssh deploy consumer webhook shared hmac
subscription account storage service``: ``api_key``, ``x-api-key``, ``AccountKey``).

It is *not* a credential key when a descriptive part comes after the credential word
(``token_count``, ``password_reset_url``, ``secret_name``, ``api_key_id``, ``auth_type``,
``token_expires_at``, ...: the value describes the credential, it is not the credential) or a
counting/flag part comes before it (``max_tokens`` is not even a credential word since plural
``tokens`` counts things, ``next_token``, ``page_token``, ``is_secret``, ``has_password``).
``author``, ``authority``, ``oauth``, ``key``, ``public_key``, ``session_id``, ``client_id``
are not credential keys.

Key/value rules (in ``redact``)
-------------------------------
``key=value``, ``key: value``, ``key => value``, ``"key": "value"`` (also single-quoted,
back-quoted, JSON-inside-a-JSON-string ``\\"key\\": \\"value\\"`` and markdown
``**Password:** value``) are redacted when the key is a credential key (above) and the value
looks like a credential.  The key and the quotes stay: ``password=[REDACTED:password]``.
A value is never redacted when it is:

* a placeholder: empty, no letters or digits at all (``***``, ``""``, ``-``), ``null none nil
  undefined true false hidden redacted ...``, mask characters (``xxxx``, ``••••``), ``<...>``,
  ``[...]``, ``{...}``, ``(...)``, an elided example (``ck_...``), an existing marker;
* a variable reference: ``$VAR``, ``${VAR}``, ``$(cmd)``, ``%(name)s``, ``%VAR%``,
  ``{{ secrets.X }}``, ``env:VAR``, ``secrets.X``;
* code: a call or subscript (``get_token()``, ``os.environ[...]``), a dotted name
  (``self.password``, ``request.url.password``), a plain name that itself names a credential
  (``password=password``, ``"token": "COCKPIT_TOKEN"``), ``await``/``lambda``/``self``;
* a state word (``expired``, ``invalid``, ``missing``, ``denied`` ...).

Otherwise it is redacted when it is

* quoted: at least 4 characters (spaces allowed: ``"correct horse battery staple"``);
* unquoted after ``=`` (or a colon with no space): at least 3 characters;
* unquoted after ``: `` (prose-like): at least 6 characters, and either random-looking (a
  digit, a symbol, or an upper-case letter after the first that is not plain CamelCase like
  ``AuthTypes``) or the last thing on its line/field (followed by end of line, ``, ; } ] &``).
  So ``password: hunter2`` and ``secret: s3cr3tvalue is leaked`` are redacted but ``the
  secret: nobody knows`` is not.

An unquoted value runs to whitespace, a quote, ``, ; &`` or a JSON escape (``\\n``), and never
ends in a colon (``token=abc123: expired``); closing brackets and a sentence's full stop that
belong to the surrounding text are kept.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["MARKER_RE", "REDACTED", "is_credential_key", "mask", "redact", "redact_value"]

#: What ``redact_value`` puts in place of a value under a credential key.
REDACTED = "[REDACTED]"

#: Matches any marker this module writes.
MARKER_RE = re.compile(r"\[REDACTED(?::[a-z0-9-]+)?\]")

_BULLETS = "\u2022" * 8


def _marker(kind: str) -> str:
    return f"[REDACTED:{kind}]"


# --------------------------------------------------------------------------------------------
# Credential keys
# --------------------------------------------------------------------------------------------

_SINGLE_WORDS: dict[str, str] = {
    "password": "password",
    "passwords": "password",
    "passwd": "password",
    "passphrase": "password",
    "passcode": "password",
    "secret": "secret",
    "secrets": "secret",
    "token": "token",
    "jwt": "token",
    "apikey": "api-key",
    "accesskey": "secret",
    "secretkey": "secret",
    "privatekey": "private-key",
    "sessionkey": "secret",
    "credential": "credential",
    "credentials": "credential",
    "creds": "credential",
    "auth": "auth",
    "authorization": "auth",
    "cookie": "cookie",
    "cookies": "cookie",
    "otp": "password",
    "totp": "password",
}

# a single word part ending in one of these is a credential word too (githubtoken, dbpassword)
_COMPOUND_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("password", "password"),
    ("passwd", "password"),
    ("passphrase", "password"),
    ("secret", "secret"),
    ("token", "token"),
    ("apikey", "api-key"),
    ("accesskey", "secret"),
    ("secretkey", "secret"),
    ("privatekey", "private-key"),
    ("credentials", "credential"),
    ("credential", "credential"),
    ("cookie", "cookie"),
)

_KEY_QUALIFIERS = frozenset(
    "api access secret private signing encryption encrypt master session client app "
    "application license licence ssh deploy consumer webhook shared hmac subscription "
    "account storage service crypto auth".split()
)

# a part after the credential word that makes the key describe the credential instead
_SUFFIX_MODIFIERS = frozenset(
    "count counts limit limits max min used usage total num number length len size type types "
    "kind format name names id ids arn ref reference path file filename dir url uri urls "
    "endpoint endpoints host header headers field fields param params prefix suffix hint policy "
    "policies rule rules reset rotation rotated expiry expires expiration expired ttl lifetime "
    "age at created updated changed last required enabled disabled set present provided valid "
    "status state error errors method methods mode provider providers scheme scope scopes "
    "version budget rate bucket estimate index strength label description desc help source "
    "location env var variable consent flow page link form screen strategy config settings "
    "timeout retries prompt".split()
)

# a part before the credential word that makes the key a counter, cursor or flag
_PREFIX_NEGATORS = frozenset(
    "page next prev previous continuation pagination cursor sync max min num total count "
    "estimated prompt completion input output cached reasoning is has use uses enable enabled "
    "require requires required no skip disable disabled show hide".split()
)

_CAMEL_1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_DIGITS = re.compile(r"([A-Za-z])([0-9])|([0-9])([A-Za-z])")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def _split_key(key: str) -> list[str]:
    s = _CAMEL_1.sub(r"\1_\2", key)
    s = _CAMEL_2.sub(r"\1_\2", s)
    s = _DIGITS.sub(lambda m: f"{m.group(1)}_{m.group(2)}" if m.group(1)
                    else f"{m.group(3)}_{m.group(4)}", s)
    parts = [p.lower() for p in _NON_ALNUM.split(s) if p]
    # "OAuth" splits as "o auth": join it back, OAuth is a protocol name, not a credential
    merged: list[str] = []
    for p in parts:
        if p == "auth" and merged and merged[-1] == "o":
            merged[-1] = "oauth"
        else:
            merged.append(p)
    return merged


@lru_cache(maxsize=4096)
def _classify_key(key: str) -> str | None:
    """The kind label of the credential a key names, or None when it names none."""
    if not key or len(key) > 200:
        return None
    parts = _split_key(key)
    found: tuple[int, int, str] | None = None  # (start part, credential part, label)
    for i, p in enumerate(parts):
        label: str | None = None
        start = i
        if p in _SINGLE_WORDS:
            label = _SINGLE_WORDS[p]
        elif p in ("pwd", "pass") and i > 0 and i == len(parts) - 1:
            label = "password"
        elif p == "key" and i > 0 and parts[i - 1] in _KEY_QUALIFIERS:
            prev = parts[i - 1]
            label = "api-key" if prev == "api" else "private-key" if prev == "private" else "secret"
            start = i - 1
        else:
            for suffix, lab in _COMPOUND_SUFFIXES:
                if p.endswith(suffix):
                    label = lab
                    break
        if label is not None:
            found = (start, i, label)
    if found is None:
        return None
    start, idx, label = found
    if any(p in _SUFFIX_MODIFIERS for p in parts[idx + 1:]):
        return None
    if any(p in _PREFIX_NEGATORS for p in parts[:start]):
        return None
    return label


def is_credential_key(key: str) -> bool:
    """True when a payload key looks like it holds a credential (see the module doc)."""
    if not isinstance(key, str):
        return False
    return _classify_key(key) is not None


# --------------------------------------------------------------------------------------------
# Value heuristics
# --------------------------------------------------------------------------------------------

_PLACEHOLDER_WORDS = frozenset(
    "null none nil undefined true false n/a na - empty unset hidden masked redacted "
    "removed omitted placeholder await lambda yield not self this new function".split()
)
_STATE_WORDS = frozenset(
    "expired invalid missing required revoked valid unknown present absent rotated provided "
    "needed optional pending disabled enabled incorrect wrong rejected accepted refreshed "
    "changed updated reset leaked exposed compromised failed failure denied granted success "
    "succeeded successful ok error unauthorized forbidden blocked locked active inactive "
    "supported unsupported configured".split()
)
_AUTH_SCHEMES = frozenset(
    "bearer basic token bot digest negotiate ntlm apikey api-key sso-key aws4-hmac-sha256".split()
)
_MASK_ONLY = re.compile(r"[*x\u2022.#\-_?]+", re.I)
_VAR_REF = re.compile(
    r"""^(?:
        \$\{[^}]*\}?                 # ${VAR} / ${VAR:-x}
      | \$\(.*                       # $(command)
      | \$[A-Za-z_][A-Za-z0-9_]*     # $VAR
      | %\([^)]*\)[a-z]?             # %(name)s
      | %[A-Za-z_][A-Za-z0-9_]*%     # %VAR%
      | %s | %r | %d
      | \{\{.*                       # {{ secrets.X }}
      | \{%.*                        # {% ... %}
      | \{[^{}]*\}                   # {name}, {auth!r}
      | <[^<>]*>                     # <token>
      | \[[^\[\]]*\]                 # [hidden]
      | \(\s*[^()]*\)                # (not set)
      | env:[A-Za-z_][A-Za-z0-9_]*   # env:VAR
      | secrets?\.[A-Za-z_][\w.]*    # secrets.X
    )[.,;:]?$""",
    re.X | re.S,
)
_CODE_EXPR = re.compile(r"^[A-Za-z_][\w.]*[(\[]")
_RANDOM_BODY = re.compile(r"[0-9]|[^A-Za-z0-9]")
_CAMEL_WORDS = re.compile(r"(?:[A-Z][a-z]+){2,}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z_]*")
_DOTTED_NAME = re.compile(r"[A-Za-z_]+(?:\.[A-Za-z_]+)+")
_ELIDED = re.compile(r".{0,8}(?:\.\.\.|\u2026)")


def _is_placeholder(value: str) -> bool:
    v = value.strip()
    if not v:
        return True
    if MARKER_RE.fullmatch(v):
        return True
    low = v.lower()
    if low in _PLACEHOLDER_WORDS or low in ('""', "''"):
        return True
    if _MASK_ONLY.fullmatch(v):
        return True
    if not any(c.isalnum() for c in v):
        return True
    if _VAR_REF.match(v) or _ELIDED.fullmatch(v):
        return True
    return bool(_CODE_EXPR.match(v))


def _names_a_credential(value: str) -> bool:
    """A variable or setting name, not a value: ``password``, ``COCKPIT_TOKEN``, ``self.auth``."""
    v = value.strip()
    if _DOTTED_NAME.fullmatch(v):
        return True
    return bool(_NAME.fullmatch(v)) and _classify_key(v) is not None


def _looks_random(value: str) -> bool:
    """A digit or symbol, an upper-case letter after the first (but not plain CamelCase words
    like ``AuthTypes``), or 32+ letters."""
    if _RANDOM_BODY.search(value):
        return True
    if any(c.isupper() for c in value[1:]) and not _CAMEL_WORDS.fullmatch(value):
        return True
    return len(value) >= 32


def _residual_is_empty(value: str, *, key_kind: str | None = None) -> bool:
    """True when a value is nothing but markers (plus punctuation, or an auth scheme word)."""
    if "[REDACTED" not in value:
        return False
    if value.lstrip(" \t`'\"").startswith("[REDACTED"):
        return True  # a secret rule already took the start; what follows is not part of it
    rest = MARKER_RE.sub(" ", value)
    rest = re.sub(r"(?:\\[nrt])+", " ", rest)
    words = [w for w in re.split(r"[\s\"',;:]+", rest) if w]
    if key_kind == "auth":
        words = [w for w in words if w.lower() not in _AUTH_SCHEMES]
    return not words


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------
#
# Speed: Python's re module scans fast only for a pattern that starts with a literal, and slowly
# for one that starts with a look-behind or uses IGNORECASE.  So every pattern starts with its
# literal prefix, the "not inside a longer word" check is done in the replacement function, and
# case-insensitive key stems are spelled as lower/Title/UPPER variants.  Rules whose trigger
# substrings are absent from the lower-cased text are skipped altogether.

Replacement = Callable[[re.Match[str]], str]

_WORDISH = frozenset(string.ascii_letters + string.digits + "_-")
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")
_MAX_KEY = 128


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    triggers: tuple[str, ...]  # lower-case substrings; the rule runs only when one is present
    repl: Replacement


def _glued(m: re.Match[str]) -> bool:
    """True when the match continues a longer word (``xghp_...``): then it is not a token."""
    i = m.start()
    return i > 0 and m.string[i - 1] in _WORDISH


def _token(kind: str) -> Replacement:
    marker = _marker(kind)

    def repl(m: re.Match[str]) -> str:
        return m.group(0) if _glued(m) else marker

    return repl


def _openai_repl(m: re.Match[str]) -> str:
    if _glued(m) or not _looks_random(m.group("body")):
        return m.group(0)
    return _marker("openai-key")


def _keep_prefix(kind: str) -> Replacement:
    marker = _marker(kind)

    def repl(m: re.Match[str]) -> str:
        return m.group(1) + marker

    return repl


def _aws_secret_repl(m: re.Match[str]) -> str:
    if _glued(m):
        return m.group(0)
    return m.group(1) + _marker("aws-secret")


def _auth_header_repl(m: re.Match[str]) -> str:
    i = m.start()
    if i > 0 and m.string[i - 1] in _WORDISH and not m.string[:i].lower().endswith("proxy-"):
        return m.group(0)
    scheme, cred = m.group(1), m.group(2)
    cred, tail = _split_tail(cred, m.string, m.end())
    low = cred.lower()
    if (not cred or cred[0] in "([{<" or _is_placeholder(cred) or low in _AUTH_SCHEMES
            or low in _STATE_WORDS or _residual_is_empty(cred) or _names_a_credential(cred)):
        return m.group(0)
    if scheme is None:
        if len(cred) < 8 or not _looks_random(cred):
            return m.group(0)
        kind = "auth"
    else:
        s = scheme.lower()
        kind = ("basic-auth" if s == "basic"
                else "bearer" if s in ("bearer", "token", "bot") else "auth")
    return m.group(0)[: m.start(2) - i] + _marker(kind) + tail


def _bearer_repl(m: re.Match[str]) -> str:
    token = m.group(2)
    if _glued(m) or _is_placeholder(token) or not _looks_random(token):
        return m.group(0)
    return m.group(1) + _marker("bearer")


def _cookie_repl(m: re.Match[str]) -> str:
    i = m.start()
    if i > 0 and m.string[i - 1] in _WORDISH and not m.string[:i].lower().endswith("set-"):
        return m.group(0)
    if m.group(2).startswith("[REDACTED"):
        return m.group(0)
    return m.group(1) + _marker("cookie")


def _userinfo_repl(m: re.Match[str]) -> str:
    i = m.start()
    if i == 0 or not m.string[i - 1].isalnum():  # "scheme://" needs a scheme
        return m.group(0)
    password = m.group(2)
    if _is_placeholder(password):
        return m.group(0)
    return f"://{m.group(1)}:{_marker('password')}@"


_TRAILING_CLOSERS = ")]}>"


def _split_tail(value: str, text: str, after: int) -> tuple[str, str]:
    """Split off closing brackets that belong to the text around a bare value, and a sentence's
    full stop, so that ``(password=x).`` keeps its ``).``."""
    tail = ""
    while value and value[-1] in _TRAILING_CLOSERS + "`\u2026":
        ch = value[-1]
        if ch in _TRAILING_CLOSERS:
            opener = "([{<"[_TRAILING_CLOSERS.index(ch)]
            if value.count(opener) >= value.count(ch):
                break
        tail = ch + tail
        value = value[:-1]
    if value.endswith(".") and (after >= len(text) or text[after].isspace() or tail):
        tail = "." + tail
        value = value[:-1]
    return value, tail


def _kv_repl(m: re.Match[str]) -> str:
    text = m.string
    start = m.start()
    # the key may begin before the stem the pattern found ("db_" in "db_password")
    k = start
    while k > 0 and start - k <= _MAX_KEY and text[k - 1] in _KEY_CHARS:
        k -= 1
    if k > 0 and text[k - 1] in _KEY_CHARS:
        return m.group(0)  # too long to be a key
    kq = m.group("kq") or ""  # a quote, backtick or markdown emphasis around the key
    if kq:
        if text[max(0, k - len(kq)):k] != kq:
            return m.group(0)
        k0 = k - len(kq)
    else:
        k0 = k
    before = text[k0 - 1] if k0 >= 1 else ""
    before2 = text[k0 - 2:k0] if k0 >= 2 else ""
    if before in ("$", "%", "/", "\\") or before2 == "${":
        return m.group(0)  # $DB_PASSWORD, %(password)s, ${API_TOKEN:-x}, a path
    key = text[k:m.end("key")]
    kind = _classify_key(key)
    if kind is None:
        return m.group(0)
    sep = m.group("sep")
    whole = m.group(0)
    for name in ("eq", "dq", "sq", "bq"):
        value = m.group(name)
        if value is not None:
            if (_is_placeholder(value) or _residual_is_empty(value, key_kind=kind)
                    or len(value) < 4 or _names_a_credential(value)):
                return whole
            a, b = m.start(name) - start, m.end(name) - start
            return whole[:a] + _marker(kind) + whole[b:]
    after = m.end()
    value, tail = _split_tail(m.group("bare"), text, after)
    if (not value or value[0] in "([{" or _is_placeholder(value)
            or _residual_is_empty(value, key_kind=kind) or _names_a_credential(value)):
        return whole
    low = value.lower()
    if low in _STATE_WORDS or (kind == "auth" and low in _AUTH_SCHEMES):
        return whole
    if "\u2026" in tail and value[0] in "$%{<":
        return whole  # a variable reference cut off by a title's ellipsis
    spaced_colon = ":" in sep and "=" not in sep and sep != sep.strip()
    if spaced_colon:
        if len(value) < 6:
            return whole
        if not _looks_random(value):
            # a plain word: only when it ends its line or field ("password: letmein")
            nxt = text[after:after + 80].lstrip(" \t")
            if "\u2026" in tail or (nxt and nxt[0] not in "\r\n,;}]&"):
                return whole  # followed by more words (or cut off by an ellipsis)
    elif len(value) < 3:
        return whole
    return whole[: m.start("bare") - start] + _marker(kind) + tail


def _variants(*stems: str) -> str:
    return "|".join(v for s in stems for v in dict.fromkeys((s, s.title(), s.upper())))


_KV_STEMS = ("pass", "pwd", "secret", "token", "key", "auth", "credential", "creds", "cookie",
             "otp", "jwt")

_PEM_LABEL = r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
_PEM_END = r"-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"


def _rule(kind: str, pattern: str, triggers: tuple[str, ...], repl: Replacement,
          flags: int = 0) -> _Rule:
    return _Rule(kind, re.compile(pattern, flags), triggers, repl)


_RULES: tuple[_Rule, ...] = (
    # multi-line PEM blocks first, so a JSON "private_key" value becomes one marker; a block cut
    # off before its END line is redacted through its header and base64 lines
    _rule("private-key",
          _PEM_LABEL + r"(?:(?:[^-]|-(?!----)){0,65536}+" + _PEM_END
          + r"|(?:(?:\s|\\[nrt])++(?:[A-Za-z0-9+/=]{16,}+(?![\w.-])"
          + r"|(?:Proc-Type|DEK-Info|Comment):[^\r\n]*+))*+)",
          ("private key",), lambda m: _marker("private-key")),
    _rule("jwt", r"eyJ[A-Za-z0-9_-]{10,}+\.[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]*+",
          ("eyj",), _token("jwt")),
    _rule("anthropic-key", r"sk-ant-[A-Za-z0-9_-]{20,}+", ("sk-ant-",), _token("anthropic-key")),
    _rule("openai-key", r"sk-(?:proj-|svcacct-|admin-|None-)?(?P<body>[A-Za-z0-9_-]{20,}+)",
          ("sk-",), _openai_repl),
    _rule("stripe-key", r"[srp]k_(?:live|test)_[A-Za-z0-9]{24,}+", ("_live_", "_test_"),
          _token("stripe-key")),
    _rule("stripe-webhook-secret", r"whsec_[A-Za-z0-9]{24,}+", ("whsec_",),
          _token("stripe-webhook-secret")),
    _rule("github-token", r"gh[pousr]_[A-Za-z0-9]{20,}+|github_pat_[A-Za-z0-9_]{22,}+",
          ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), _token("github-token")),
    _rule("gitlab-token", r"gl(?:pat|dt|rt|ptt|cbt|oas|soat|ft|imt)-[A-Za-z0-9_-]{20,}+",
          ("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-", "glft-", "glimt-"),
          _token("gitlab-token")),
    _rule("slack-token", r"xox[abposre]-[A-Za-z0-9-]{10,}+|xapp-\d-[A-Za-z0-9-]{10,}+",
          ("xox", "xapp-"), _token("slack-token")),
    _rule("slack-webhook",
          r"(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/-]{8,}+",
          ("hooks.slack.com",), _keep_prefix("slack-webhook"), re.I),
    _rule("discord-webhook", r"(discord(?:app)?\.com/api/webhooks/\d+/)[A-Za-z0-9_-]{20,}+",
          ("/api/webhooks/",), _keep_prefix("discord-webhook"), re.I),
    _rule("google-api-key", r"AIza[0-9A-Za-z_-]{30,}+", ("aiza",), _token("google-api-key")),
    _rule("google-oauth-secret", r"GOCSPX-[A-Za-z0-9_-]{20,}+", ("gocspx-",),
          _token("google-oauth-secret")),
    _rule("google-oauth-token", r"ya29\.[A-Za-z0-9_-]{20,}+", ("ya29.",),
          _token("google-oauth-token")),
    _rule("aws-key", r"A(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}(?![A-Za-z0-9])",
          ("akia", "asia", "abia", "acca"), _token("aws-key")),
    _rule("aws-secret",
          r"""(aws_?secret_?(?:access_?)?key["']?[ \t]*(?:=>|:=|[:=])[ \t]*["']?)"""
          r"[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])",
          ("aws_secret", "awssecret"), _aws_secret_repl, re.I),
    _rule("npm-token", r"npm_[A-Za-z0-9]{30,}+", ("npm_",), _token("npm-token")),
    _rule("sendgrid-key", r"SG\.[A-Za-z0-9_-]{16,}+\.[A-Za-z0-9_-]{16,}+", ("sg.",),
          _token("sendgrid-key")),
    _rule("huggingface-token", r"hf_[A-Za-z0-9]{30,}+", ("hf_",), _token("huggingface-token")),
    _rule("pypi-token", r"pypi-AgE[A-Za-z0-9_-]{50,}+", ("pypi-",), _token("pypi-token")),
    # Authorization / Proxy-Authorization headers: keep the scheme, drop the credential
    _rule("auth-header",
          r"""authorization["']?[ \t]*[:=][ \t]*(?:[fFrRbBuU]{0,2}["'])?"""
          r"(?:(bearer|basic|token|bot|digest|negotiate|ntlm|apikey|api-key|sso-key)[ \t]+)?"
          r"""(<[^<>\s]*>|[^\s"',;<>]+)""",
          ("authorization",), _auth_header_repl, re.I),
    _rule("bearer", r"(bearer[ \t]+)([A-Za-z0-9._~+/=-]{16,}+)", ("bearer",), _bearer_repl,
          re.I),
    _rule("cookie",
          r"""(cookie["']?[ \t]*:[ \t]*["']?)"""
          r"""([^\s"';=]+=[^\s"';]*+(?:;[ \t]*[^\s"';=]+=[^\s"';]*+)*+;?)""",
          ("cookie",), _cookie_repl, re.I),
    # scheme://user:password@host keeps scheme, user and host
    _rule("url-password", r"""://([^\s:/?#@"'<>\[\]]*):([^\s/?#@"'<>]*)@""", ("://",),
          _userinfo_repl),
    # key=value, key: value, "key": "value" (the key may start before the stem: db_password)
    _rule("key-value",
          r"""(?P<key>(?:""" + _variants(*_KV_STEMS) + r""")[A-Za-z0-9_.-]{0,128}+)
              (?P<kq>\\"|["'`]|\*\*|__)?
              (?P<sep>[ \t]*+(?:=>|:=|[:=])(?:\*\*|__)?[ \t]*+)
              (?:
                  \\"(?P<eq>(?:[^"\\\r\n]|\\[^"\r\n])*+)\\"
                | "(?P<dq>(?:[^"\\\r\n]|\\.)*+)"
                | '(?P<sq>(?:[^'\\\r\n]|\\.)*+)'
                | `(?P<bq>[^`\r\n]*+)`
                | (?P<bare>[^\s'",;&=\\](?:[^\s'",;&\\]|\\(?![nrt"]))*(?<!:))
              )""",
          _KV_STEMS, _kv_repl, re.X),
)


def redact(text: str) -> str:
    """Replace every secret in ``text`` with ``[REDACTED:<kind>]`` (see the module doc)."""
    if not text:
        return text
    low = text.lower()
    for rule in _RULES:
        if not any(t in low for t in rule.triggers):
            continue
        new = rule.pattern.sub(rule.repl, text)
        if new != text:
            text = new
            low = text.lower()
    return text


def mask(value: str) -> str:
    """``••••••••``, plus the last two characters when the value has 16 or more (ASCII alnum)."""
    if not value:
        return ""
    tail = value[-2:]
    if len(value) >= 16 and tail.isascii() and tail.isalnum():
        return _BULLETS + tail
    return _BULLETS


def _redact_secret_leaf(obj: Any) -> Any:
    if isinstance(obj, str):
        return REDACTED if obj.strip() else obj
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, (int, float)):
        return REDACTED
    if isinstance(obj, list):
        return [_redact_secret_leaf(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_redact_secret_leaf(v) for v in obj)
    return redact_value(obj)


def redact_value(obj: Any) -> Any:
    """A redacted copy of a JSON-like payload (see the module doc); other objects as they are."""
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, dict):
        out: dict[Any, Any] = {}
        for k, v in obj.items():
            if isinstance(k, str) and is_credential_key(k):
                out[k] = _redact_secret_leaf(v)
            else:
                out[k] = redact_value(v)
        return out
    if isinstance(obj, list):
        return [redact_value(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(redact_value(v) for v in obj)
    return obj
