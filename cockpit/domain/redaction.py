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
    rule whose trigger substrings are absent from the text is not even run, and every
    vendor-prefixed token is found by one scan (see "Prefixed tokens" below).

    Kinds, by family (the families of gitleaks' rules and of detect-secrets' keyword plugin):

    * keys and tokens with a vendor prefix or shape: ``private-key`` (PEM blocks, multi-line,
      also cut-off ones and ones inside a JSON string with ``\\n`` escapes), ``jwt``;
      AI: ``anthropic-key``, ``openai-key`` (also OpenRouter ``sk-or-``), ``huggingface-token``,
      ``perplexity-key``, ``groq-key``, ``xai-key``, ``replicate-token``, ``langsmith-key``;
      payments: ``stripe-key``, ``stripe-webhook-secret``, ``shopify-token``,
      ``square-token``, ``shippo-token``, ``easypost-key``, ``flutterwave-key``,
      ``duffel-token``; code hosts, CI and registries: ``github-token``, ``gitlab-token`` (all
      ``gl*-`` prefixes, routable ``.01.`` tokens, ``GR1348941`` runner registration),
      ``gitlab-session``, ``npm-token``, ``pypi-token``, ``rubygems-key``, ``clojars-token``,
      ``docker-hub-token`` (``dckr_pat_``, ``dckr_oat_``), ``jfrog-key``, ``buildkite-token``,
      ``circleci-token``, ``sourcegraph-token``, ``sonar-token``, ``readme-key``,
      ``postman-key``, ``atlassian-token``, ``linear-token``, ``figma-token``,
      ``airtable-token``, ``notion-token``, ``settlemint-token``; cloud: ``aws-key``,
      ``aws-secret``, ``aws-bedrock-key``, ``google-api-key``, ``google-oauth-secret``,
      ``google-oauth-token``, ``azure-ad-client-secret``, ``alibaba-key``,
      ``digitalocean-token``, ``heroku-key`` (``HRKU-``), ``flyio-token``, ``netlify-token``,
      ``render-key``, ``supabase-key``, ``planetscale-token``, ``pulumi-token``,
      ``prefect-key``, ``infracost-token``, ``scalingo-token``, ``tailscale-key``,
      ``vault-token``, ``doppler-token``, ``dynatrace-token``, ``harness-token``,
      ``cloudflare-key``, ``terraform-token``, ``openshift-token``, ``yandex-token``,
      ``dropbox-token``, ``plaid-token``, ``onepassword-token``, ``onepassword-secret-key``,
      ``defined-networking-key``, ``adobe-secret``, ``octopus-key``; chat, mail and
      monitoring: ``slack-token``, ``discord-bot-token``, ``telegram-bot-token`` (the bot id
      before the colon stays), ``twilio-key`` (``AC``/``SK`` + 32 hex), ``sendgrid-key``,
      ``sendinblue-key``, ``mailgun-key`` (``key-`` + 32 hex), ``mailchimp-key``,
      ``new-relic-key``, ``sentry-token``, ``grafana-token`` (``glsa_``, ``glc_``, ``eyJrIjoi``),
      ``databricks-token``, ``mapbox-token``, ``twitter-token``, ``facebook-token``,
      ``age-secret-key``;
    * capability URLs, where the host and the fixed part of the path stay: ``slack-webhook``
      (services, workflows, triggers), ``discord-webhook`` (discord.com, discordapp.com,
      ``/api/v10/webhooks/``), ``teams-webhook`` (``*.webhook.office.com/webhookb2/``,
      ``outlook.office.com/webhook/``), ``azure-function-key`` (``?code=``) and
      ``signature`` (the ``sig=`` of Azure SAS URLs and of Logic Apps / Power Automate
      workflow URLs, ``X-Amz-Signature=``, ``X-Goog-Signature=``);
    * header values ``bearer``, ``basic-auth``, ``auth``, ``cookie``; a URL's ``password``;
    * ``password`` for ``.netrc`` entries (``machine h login u password p``, on one line or
      several) and command lines: ``curl -u user:pass`` (``--user``, ``--proxy-user``),
      ``http -a user:pass`` (HTTPie, xh), ``sshpass -p``, ``mysql -pSECRET`` (only glued: ``-p
      db`` prompts), ``mongosh -p``, ``redis-cli -a``, ``docker|podman|helm|oc|az ... login
      -p``, ``ldapsearch -w``, ``openssl -passin pass:SECRET``; the flag's tool is found on
      the command's line (``\\`` continuations followed), so ``docker run -u 1000:1000`` stays;
    * for key/value pairs a label from the key: ``password``, ``token``, ``api-key``,
      ``private-key``, ``secret``, ``credential``, ``auth``, ``cookie``, and
      ``private-key-id`` (a service account's ``"private_key_id"``, when it holds the 40-hex
      id).

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
word: ``password passwd passphrase passcode pw secret secrets token pat credential(s) creds
auth authorization cookie(s) otp jwt sshpass`` (or a single part ending in one of those, e.g.
``githubtoken``, ``dbpassword``), or ``pwd``/``pass`` after another part (``db_pass``; a bare
``PWD`` is the working directory), or ``key`` right after a qualifier (``api access secret
private signing encryption master session client app license ssh deploy consumer webhook shared
hmac subscription account storage service``: ``api_key``, ``x-api-key``, ``AccountKey``).

It is *not* a credential key when a descriptive part comes after the credential word
(``token_count``, ``password_reset_url``, ``secret_name``, ``api_key_id``, ``auth_type``,
``token_expires_at``, ...: the value describes the credential, it is not the credential) or a
counting/flag part comes before it (``max_tokens`` is not even a credential word since plural
``tokens`` counts things, ``next_token``, ``page_token``, ``is_secret``, ``has_password``).
``author``, ``authority``, ``oauth``, ``key``, ``public_key``, ``session_id``, ``client_id``
are not credential keys.

Key/value rules (in ``redact``)
-------------------------------
``key=value``, ``key: value``, ``key => value``, ``key := value``, ``"key": "value"`` (also
single-quoted, back-quoted, JSON-inside-a-JSON-string ``\\"key\\": \\"value\\"``, markdown
``**Password:** value``, ``$password = "value"``, a quoted comparison ``password ==
"value"``) are redacted when the key is a credential key (above) and the value looks like a
credential.  The key and the quotes stay: ``password=[REDACTED:password]``.  So are

* ``API key: value`` (a bare ``key`` after a qualifier word) and ``;Pwd=value`` in a
  connection string;
* prose: ``the password is hunter2``, ``my token was abc123...``, ``password is: x``, ``DB
  password changed to x``.  The key is a plain word; an unquoted value needs 6 characters
  and, unless a colon follows ``is``, must look random; a state word, a path, a URL, a
  constant (``GNUTLS_E_FAILED``) or hyphenated words (``single-threaded``) is not a value;
* ``--client-secret value`` (a long flag naming a credential and a random-looking value),
  ``<password>value</password>``, ``<add key="ApiKey" value="value" />``, PHP
  ``define('DB_PASSWORD', 'value')``: not paths or sentences.

A value is never redacted when it is:

* a placeholder: empty, no letters or digits at all (``***``, ``""``, ``-``), ``null none nil
  undefined true false hidden redacted ...``, mask characters (``xxxx``, ``••••``), a prefix
  and a mask (``ghp_xxxxxxxx``), ``<...>``, ``[...]``, ``{...}``, ``(...)``, an elided example
  (``ck_...``), ``your-api-key-here``, ``replace_me``, ``TODO``, an existing marker;
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

An unquoted value runs to whitespace, a quote, ``, ;``, a JSON escape (``\\n``) or an ``&``
that starts another parameter (``&page=2``, ``&&``; ``Tr0ub4dor&3`` is one value), and never
ends in a colon (``token=abc123: expired``); closing brackets and a sentence's full stop that
belong to the surrounding text are kept.

Prefixed tokens
---------------
One scan finds every run of 12 or more characters of ``[A-Za-z0-9_.-]``; a run starts where a
word starts, so a prefix glued to a longer word (``xghp_...``, ``x.ghp_...``) is no token (a
JSON escape before it, ``\\nghp_...``, does not glue).  The run's first two characters select
the few shapes of ``_SHAPE_TABLE`` that start with them, which are tried there; the marker
replaces the token and the rest of the word it stopped in.  A body of mask characters
(``ghp_xxxx...``, ``AKIAXXXX...``) is a placeholder.  Shapes with exact lengths (Twilio's
``AC``/``SK`` + 32 hex, Mailgun's ``key-`` + 32 hex) do not match inside longer strings, so a
git SHA, a UUID or a sha256 checksum is never a token.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cockpit.domain.credential_keys import (
    _KEY_QUALIFIERS,
    _classify_key,
    is_credential_key,
    mask,
)

__all__ = ["MARKER_RE", "REDACTED", "is_credential_key", "mask", "redact", "redact_value"]

#: What ``redact_value`` puts in place of a value under a credential key.
REDACTED = "[REDACTED]"

#: Matches any marker this module writes.
MARKER_RE = re.compile(r"\[REDACTED(?::[a-z0-9-]+)?\]")

def _marker(kind: str) -> str:
    return f"[REDACTED:{kind}]"


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
# "your-api-key-here", "YOUR_TOKEN", "insert-token", "replace_me", "TODO"
_PLACEHOLDER_TEXT = re.compile(
    r"(?:your|insert|enter|paste|put)[-_ .][\w .-]*|[\w .-]*[-_ .]here|replace[-_ ]?(?:me|this)"
    r"|todo|tbd|fixme",
    re.I,
)
# a token prefix followed by a mask: ghp_xxxxxxxxxxxx, sk-proj-********
_MASKED_TAIL = re.compile(r"[A-Za-z0-9_.-]{0,16}[xX*\u2022]{8,}")


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
    if (_VAR_REF.match(v) or _ELIDED.fullmatch(v) or _PLACEHOLDER_TEXT.fullmatch(v)
            or _MASKED_TAIL.fullmatch(v)):
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
    scan: Callable[[str], str] | None = None  # instead of pattern.sub(repl); runs on every text
    gate: str = ""  # a character every trigger holds, checked first (one char is found fastest)


def _glued(m: re.Match[str]) -> bool:
    """True when the match continues a longer word (``xghp_...``): then it is not a token."""
    i = m.start()
    return i > 0 and m.string[i - 1] in _WORDISH


def _token(kind: str) -> Replacement:
    marker = _marker(kind)

    def repl(m: re.Match[str]) -> str:
        return m.group(0) if _glued(m) else marker

    return repl


def _after_word_start(m: re.Match[str]) -> bool:
    """The character before the match does not glue it to a longer word (``~`` and ``.`` count
    as word characters here: they occur inside Azure client secrets)."""
    i = m.start()
    return i == 0 or (m.string[i - 1] not in _WORDISH and m.string[i - 1] not in "~.")


_BASE64_TOKEN_KINDS = {"grafana": "grafana-token", "sentry": "sentry-token",
                       "onepassword": "onepassword-token", "bedrock": "aws-bedrock-key"}


def _base64_token_repl(m: re.Match[str]) -> str:
    if _glued(m):
        return m.group(0)
    return _marker(_BASE64_TOKEN_KINDS[m.lastgroup or "grafana"])


def _azure_ad_repl(m: re.Match[str]) -> str:
    return _marker("azure-ad-client-secret") if _after_word_start(m) else m.group(0)


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
    if (i > 0 and m.string[i - 1] in _WORDISH
            and not m.string[max(0, i - 6):i].lower().endswith("proxy-")):
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
    if (i > 0 and m.string[i - 1] in _WORDISH
            and not m.string[max(0, i - 4):i].lower().endswith("set-")):
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


# --------------------------------------------------------------------------------------------
# Tokens with a vendor prefix
# --------------------------------------------------------------------------------------------
#
# One scan finds every run of 12 or more token characters (``[A-Za-z0-9_.-]``); a run starts
# where a word starts, so a prefix glued to a longer word (``xghp_...``) is never a start.  The
# first two characters of the run pick the few token shapes that can begin with them (a dict
# lookup), and only those are tried at that position; a shape may run on past the run (``+/=%``
# in a base64 body).  So the cost is one regex scan whatever the number of shapes, where one
# trigger substring per vendor would cost a scan each.

_TOKEN_RUN = re.compile(r"[A-Za-z0-9_.\-]{12,}+")
# the same runs for a long text: one match steps over all the short words before a run (the
# pattern above retries at every character of a short word), ending with an empty match at \Z
_TOKEN_RUN_SKIPPING = re.compile(
    r"(?:[A-Za-z0-9_.\-]{0,11}+[^A-Za-z0-9_.\-]++)*+(?:([A-Za-z0-9_.\-]{12,}+)|\Z)")
_LONG_TEXT = 4096
_RUN_CHARS = string.ascii_letters + string.digits + "_.-"
# a body of mask characters only is a placeholder: ghp_xxxxxxxx..., AKIAXXXXXXXXXXXXXXXX
_MASK_BODY = re.compile(r"[xX*\u2022._-]*[xX*\u2022][xX*\u2022._-]*")

TokenCheck = Callable[[re.Match[str]], bool]


@dataclass(frozen=True, slots=True)
class _Shape:
    kind: str
    pattern: re.Pattern[str]  # (?P<p>prefix)body, matched where a run starts
    check: TokenCheck | None
    prefix_len: int
    probe: tuple[int, str] | None = None  # a literal at an offset from the start, checked first


def _openai_check(m: re.Match[str]) -> bool:
    return _looks_random(m.group("body"))


def _hex_mixed(m: re.Match[str]) -> bool:
    """A random hex body has letters and digits (AC + 32 hex is a Twilio SID, AC + 32 zeros is
    not)."""
    body = m.string[m.end("p"):m.end()]
    return any(c.isdigit() for c in body) and any(c.isalpha() for c in body)


def _mixed_case_digits(m: re.Match[str]) -> bool:
    body = m.string[m.end("p"):m.end()]
    return (any(c.isdigit() for c in body) and any(c.isupper() for c in body)
            and any(c.islower() for c in body))


def _telegram_check(m: re.Match[str]) -> bool:
    """``<bot id>:<secret>``: 5 to 16 digits and a colon before the secret, the digits not
    glued to a word (except ``.../bot<id>:<secret>/...`` in an API URL)."""
    text, s = m.string, m.start()
    if s < 6 or text[s - 1] != ":":
        return False
    i = s - 1
    while i > 0 and text[i - 1] in string.digits:
        i -= 1
    if not 5 <= s - 1 - i <= 16:
        return False
    if i > 0 and text[i - 1] in _WORDISH and text[max(0, i - 3):i].lower() != "bot":
        return False
    return _looks_random(m.group(0))


# (kind, prefixes, body[, check[, heads]]): the pattern is (?P<p>prefix|prefix...)body
_HEX = "[a-fA-F0-9]"
_END = "(?![A-Za-z0-9])"
_SHAPE_TABLE: tuple[tuple[Any, ...], ...] = (
    # AI
    ("anthropic-key", ("sk-ant-",), r"[A-Za-z0-9_-]{20,}+"),
    ("openai-key", ("sk-",),
     r"(?:proj-|svcacct-|admin-|None-)?(?P<body>[A-Za-z0-9_-]{20,}+)", _openai_check),
    ("huggingface-token", ("hf_", "api_org_"), r"[A-Za-z0-9]{30,}+"),
    ("perplexity-key", ("pplx-",), r"[A-Za-z0-9]{48}" + _END),
    ("groq-key", ("gsk_",), r"[A-Za-z0-9]{52}" + _END),
    ("xai-key", ("xai-",), r"[A-Za-z0-9]{80}" + _END),
    ("replicate-token", ("r8_",), r"[A-Za-z0-9]{37}" + _END),
    ("langsmith-key", ("lsv2_pt_", "lsv2_sk_"), r"[a-f0-9]{32}_[a-f0-9]{10}" + _END),
    # payments
    ("stripe-key", ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_"),
     r"[A-Za-z0-9]{24,}+"),
    ("stripe-webhook-secret", ("whsec_",), r"[A-Za-z0-9]{24,}+"),
    ("shopify-token", ("shpat_", "shpca_", "shppa_", "shpss_"), _HEX + "{32}" + _END),
    ("square-token", ("sq0atp-",), r"[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])"),
    ("square-token", ("sq0csp-",), r"[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"),
    ("shippo-token", ("shippo_live_", "shippo_test_"), r"[a-f0-9]{40}" + _END),
    ("easypost-key", ("EZAK", "EZTK"), r"[A-Za-z0-9]{54}" + _END),
    ("flutterwave-key", ("FLWSECK_TEST-", "FLWSECK-"), r"[a-hA-H0-9]{32}-X" + _END),
    ("duffel-token", ("duffel_test_", "duffel_live_"),
     r"[A-Za-z0-9_=-]{43}(?![A-Za-z0-9_=-])"),
    # code hosts, CI, registries
    ("github-token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), r"[A-Za-z0-9]{20,}+"),
    ("github-token", ("github_pat_",), r"[A-Za-z0-9_]{22,}+"),
    # GitLab: legacy tokens and routable ones (".01.<crc>" or ".<crc>" after the payload)
    ("gitlab-token", ("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-",
                      "glft-", "glimt-", "glagent-", "glffct-"),
     r"[A-Za-z0-9_-]{20,}+(?:(?:\.01)?\.[0-9a-z]{9}" + _END + ")?"),
    ("gitlab-token", ("GR1348941",), r"[A-Za-z0-9_-]{20,}+"),
    ("npm-token", ("npm_",), r"[A-Za-z0-9]{30,}+"),
    ("pypi-token", ("pypi-AgE",), r"[A-Za-z0-9_-]{50,}+"),
    ("rubygems-key", ("rubygems_",), r"[a-f0-9]{48}" + _END),
    ("clojars-token", ("CLOJARS_",), r"[a-z0-9]{60}" + _END),
    ("docker-hub-token", ("dckr_pat_", "dckr_oat_"), r"[A-Za-z0-9_-]{20,}+"),
    ("jfrog-key", ("AKCp",), r"[A-Za-z0-9]{69}" + _END),
    ("jfrog-key", ("cmVmd",), r"[A-Za-z0-9]{59}" + _END),
    ("buildkite-token", ("bkua_",), r"[a-f0-9]{40}" + _END),
    ("circleci-token", ("CCIPAT_",), r"[A-Za-z0-9]{22}_[a-f0-9]{40}" + _END),
    ("sourcegraph-token", ("sgp_",), r"(?:" + _HEX + r"{16}_|local_)?" + _HEX + "{40}" + _END),
    ("sonar-token", ("squ_", "sqp_", "sqa_"), r"[a-f0-9]{40}" + _END),
    ("readme-key", ("rdme_",), r"[A-Za-z0-9]{70}" + _END),
    ("postman-key", ("PMAK-",), _HEX + "{24}-" + _HEX + "{34}" + _END),
    ("atlassian-token", ("ATATT3", "ATCTT3"), r"[A-Za-z0-9_=-]{150,}+"),
    ("linear-token", ("lin_api_",), r"[A-Za-z0-9]{40}" + _END),
    ("linear-token", ("lin_oauth_",), r"[a-f0-9]{64}" + _END),
    ("figma-token", ("figd_",), r"[A-Za-z0-9_-]{40,}+"),
    ("airtable-token", ("pat",), r"[A-Za-z0-9]{14}\.[a-f0-9]{64}" + _END),
    ("notion-token", ("ntn_",), r"[A-Za-z0-9]{40,}+"),
    ("notion-token", ("secret_",), r"[A-Za-z0-9]{43}(?![A-Za-z0-9_-])", _mixed_case_digits),
    ("settlemint-token", ("sm_pat_", "sm_aat_", "sm_sat_"), r"[A-Za-z0-9]{16}" + _END),
    # cloud
    ("aws-key", ("AKIA", "ASIA", "ABIA", "ACCA"), r"[A-Z0-9]{16}" + _END),
    ("google-api-key", ("AIza",), r"[0-9A-Za-z_-]{30,}+"),
    ("google-oauth-secret", ("GOCSPX-",), r"[A-Za-z0-9_-]{20,}+"),
    ("google-oauth-token", ("ya29.",), r"[A-Za-z0-9_-]{20,}+"),
    ("alibaba-key", ("LTAI",), r"[A-Za-z0-9]{20}" + _END),
    ("digitalocean-token", ("dop_v1_", "doo_v1_", "dor_v1_"), r"[a-f0-9]{64}" + _END),
    ("heroku-key", ("HRKU-",), r"[A-Za-z0-9_-]{50,}+"),
    ("flyio-token", ("fo1_", "fm1r_", "fm1a_", "fm2_"), r"[A-Za-z0-9_-]{40,}+"),
    ("netlify-token", ("nfp_",), r"[A-Za-z0-9]{36}" + _END),
    ("render-key", ("rnd_",), r"[A-Za-z0-9]{32}" + _END),
    ("supabase-key", ("sbp_",), r"[a-f0-9]{40}" + _END),
    ("supabase-key", ("sb_secret_",), r"[A-Za-z0-9_-]{20,}+"),
    ("planetscale-token", ("pscale_tkn_", "pscale_pw_", "pscale_oauth_"),
     r"[A-Za-z0-9=._-]{32,64}+"),
    ("pulumi-token", ("pul-",), r"[a-f0-9]{40}" + _END),
    ("prefect-key", ("pnu_",), r"[A-Za-z0-9]{36}" + _END),
    ("infracost-token", ("ico-",), r"[A-Za-z0-9]{32}" + _END),
    ("scalingo-token", ("tk-us-",), r"[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])"),
    ("tailscale-key", ("tskey-",), r"[a-z]+-[A-Za-z0-9]+-[A-Za-z0-9]{16,}+"),
    ("vault-token", ("hvs.", "hvb.", "hvr."), r"[A-Za-z0-9_-]{24,}+"),
    ("doppler-token", ("dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."),
     r"[A-Za-z0-9]{40,44}" + _END),
    ("dynatrace-token", ("dt0c01.",), r"[A-Z0-9]{24}\.[A-Z0-9]{64}" + _END),
    ("harness-token", ("pat.", "sat."),
     r"[A-Za-z0-9_-]{22}\.[0-9a-f]{24}\.[A-Za-z0-9]{20}" + _END),
    ("cloudflare-key", ("v1.0-",), r"[a-f0-9]{24}-[a-f0-9]{146}" + _END),
    ("yandex-token", ("AQVN",), r"[A-Za-z0-9_-]{35,38}(?![A-Za-z0-9_-])"),
    ("yandex-token", ("t1.",), r"[A-Za-z0-9_-]+=*\.[A-Za-z0-9_-]{86}=*"),
    ("dropbox-token", ("sl.",), r"(?:u\.)?[A-Za-z0-9_-]{130,}+"),
    ("plaid-token", ("access-sandbox-", "access-development-", "access-production-"),
     r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}" + _END),
    ("onepassword-secret-key", ("A3-",),
     r"[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}"
     + _END),
    ("defined-networking-key", ("dnkey-",), r"[A-Za-z0-9=_-]{26}-[A-Za-z0-9=_-]{52}"),
    ("adobe-secret", ("p8e-",), r"[A-Za-z0-9]{32}" + _END),
    ("octopus-key", ("API-",), r"[A-Z0-9]{26}" + _END, _hex_mixed),
    # chat, mail, observability
    ("slack-token", ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-"),
     r"[A-Za-z0-9_-]{10,}+"),
    ("slack-token", ("xapp-",), r"\d-[A-Za-z0-9_-]{10,}+"),
    ("discord-bot-token",
     ("MT", "MD", "Mj", "Mz", "NT", "ND", "Nj", "Nz", "OD", "OT", "Oj", "Oz"),
     r"[A-Za-z0-9]{21,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![A-Za-z0-9_-])"),
    ("telegram-bot-token", ("A",), r"[A-Za-z0-9_-]{34}(?![A-Za-z0-9_-])", _telegram_check,
     tuple("A" + c for c in _RUN_CHARS)),
    ("twilio-key", ("AC", "SK"), _HEX + "{32}" + _END, _hex_mixed),
    ("sendgrid-key", ("SG.",), r"[A-Za-z0-9_-]{16,}+\.[A-Za-z0-9_-]{16,}+"),
    ("sendinblue-key", ("xkeysib-",), r"[a-f0-9]{64}-[A-Za-z0-9]{16}" + _END),
    ("mailgun-key", ("key-",), r"[a-f0-9]{32}" + _END),
    ("mailchimp-key", ("",), r"[0-9a-f]{32}-us\d{1,2}" + _END, None,
     tuple(a + b for a in "0123456789abcdef" for b in "0123456789abcdef"), (32, "-us")),
    ("new-relic-key", ("NRAK-",), r"[A-Z0-9]{27}" + _END),
    ("new-relic-key", ("NRII-",), r"[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])"),
    ("sentry-token", ("sntryu_",), r"[a-f0-9]{64}" + _END),
    ("grafana-token", ("glsa_",), r"[A-Za-z0-9]{32}_" + _HEX + "{8}" + _END),
    ("grafana-token", ("eyJrIjoi",), r"[A-Za-z0-9]{70,400}+={0,2}"),
    ("databricks-token", ("dapi",), r"[a-f0-9]{32}(?:-\d)?" + _END),
    ("mapbox-token", ("sk.eyJ",), r"[A-Za-z0-9_-]{50,}+\.[A-Za-z0-9_-]{20,}+"),
    ("twitter-token", ("A" * 22,), r"[A-Za-z0-9%]{80,}+"),
    ("facebook-token", ("EAAC", "EAAM"), r"[A-Za-z0-9]{100,}+"),
    ("age-secret-key", ("AGE-SECRET-KEY-1",),
     r"[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}" + _END),
    # JSON web tokens last: more specific eyJ... shapes come first
    ("jwt", ("eyJ",), r"[A-Za-z0-9_-]{10,}+\.[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]*+"),
)


def _build_shapes() -> dict[str, tuple[_Shape, ...]]:
    by_head: dict[str, list[_Shape]] = {}
    for row in _SHAPE_TABLE:
        kind, prefixes, body = row[0], row[1], row[2]
        check = row[3] if len(row) > 3 else None
        ordered = sorted(prefixes, key=len, reverse=True)
        pattern = re.compile("(?P<p>" + "|".join(re.escape(p) for p in ordered) + ")" + body)
        probe = row[5] if len(row) > 5 else None
        shape = _Shape(kind, pattern, check, min(len(p) for p in prefixes), probe)
        heads = row[4] if len(row) > 4 else tuple(dict.fromkeys(p[:2] for p in prefixes))
        for head in heads:
            by_head.setdefault(head, []).append(shape)
    # longer prefixes first (sk-ant- before sk-, eyJrIjoi before eyJ); stable otherwise
    return {h: tuple(sorted(v, key=lambda sh: -sh.prefix_len)) for h, v in by_head.items()}


_SHAPES = _build_shapes()


def _redact_tokens(text: str) -> str:
    """Replace every vendor-prefixed token (``_SHAPE_TABLE``) with its marker."""
    out: list[str] = []
    last = 0
    shapes_for = _SHAPES.get
    if len(text) < _LONG_TEXT:
        starts = [run.start() for run in _TOKEN_RUN.finditer(text)]
    else:
        starts = [run.start(1) for run in _TOKEN_RUN_SKIPPING.finditer(text)
                  if run.start(1) >= 0]
    for s in starts:
        if s < last:
            continue  # inside a token already replaced
        if s and text[s - 1] == "\\" and text[s] in "nrt":
            s += 1  # a JSON escape before the token: "...\\nghp_..."
        shapes = shapes_for(text[s:s + 2])
        if shapes is None:
            continue
        for shape in shapes:
            if shape.probe and not text.startswith(shape.probe[1], s + shape.probe[0]):
                continue
            m = shape.pattern.match(text, s)
            if m is None or (shape.check is not None and not shape.check(m)):
                continue
            if _MASK_BODY.fullmatch(text, m.end("p"), m.end()):
                break  # a placeholder: ghp_xxxx...
            end = m.end()
            while end < len(text) and text[end] in _WORDISH:
                end += 1  # the rest of a word the shape stopped in goes too
            out.append(text[last:s])
            out.append(_marker(shape.kind))
            last = end
            break
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


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
    sep = m.group("sep")
    op = sep.strip(" \t*_")
    prose = op[:1].isalpha()  # "password is x", "token was x", "password changed to x"
    compare = op in ("==", "===", "!=", "!==")
    quoted = next((n for n in ("eq", "dq", "sq", "bq") if m.group(n) is not None), None)
    whole = m.group(0)
    if before in ("%", "/", "\\") or before2 == "${":
        return whole  # %(password)s, ${API_TOKEN:-x}, a path
    if before == "$" and not (quoted and op in ("=", ":=")):
        return whole  # $DB_PASSWORD is a reference; $password = "x" (PHP, Perl) is a value
    key = text[k:m.end("key")]
    kind = _classify_key(key) or _kind_from_context(text, k0, key)
    if kind is None:
        return whole
    if prose and (kind not in _PROSE_KINDS or not _PROSE_KEY.fullmatch(key)):
        return whole  # "update-passwd is single-threaded": a command, not a credential
    if compare and quoted is None:
        return whole
    if quoted is not None:
        value = m.group(quoted)
        if kind == "private-key-id" and not _HEX40.fullmatch(value):
            return whole
        if (_is_placeholder(value) or _residual_is_empty(value, key_kind=kind)
                or len(value) < 4 or _names_a_credential(value)
                or (prose and value.lower() in _STATE_WORDS)):
            return whole
        a, b = m.start(quoted) - start, m.end(quoted) - start
        return whole[:a] + _marker(kind) + whole[b:]
    after = m.end()
    value, tail = _split_tail(m.group("bare"), text, after)
    if kind == "private-key-id" and not _HEX40.fullmatch(value):
        return whole
    if (not value or value[0] in "([{" or _is_placeholder(value)
            or _residual_is_empty(value, key_kind=kind) or _names_a_credential(value)):
        return whole
    low = value.lower()
    if low in _STATE_WORDS or (kind == "auth" and low in _AUTH_SCHEMES):
        return whole
    if "\u2026" in tail and value[0] in "$%{<":
        return whole  # a variable reference cut off by a title's ellipsis
    if prose:
        # a sentence: a value that looks like one ("hunter2", "Summer2024!"), or any word after
        # an explicit colon ("the password is: letmein"); never a path, a URL, a constant
        # (GNUTLS_E_DECRYPTION_FAILED) or hyphenated words (single-threaded)
        if (len(value) < 6 or value[0] in "/~" or "://" in value
                or _PROSE_NOT_A_VALUE.fullmatch(value)):
            return whole
        if ":" not in op and not _looks_random(value):
            return whole
    elif ":" in sep and "=" not in sep and sep != sep.strip():
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


_PROSE_KINDS = frozenset(("password", "token", "secret", "api-key", "private-key", "credential"))
_PROSE_KEY = re.compile(r"[A-Za-z]+(?:_[A-Za-z]+)?")
_PROSE_NOT_A_VALUE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Za-z0-9]+(?:-[A-Za-z]+)+")
_HEX40 = re.compile(r"[0-9a-f]{40}")
_PREV_WORD = re.compile(r"([A-Za-z]+)[ \t]+$")
_KEY_ID_KEYS = frozenset(("private_key_id", "privatekeyid", "private-key-id"))


def _kind_from_context(text: str, k0: int, key: str) -> str | None:
    """A kind for a key that is no credential key on its own: ``API key: x`` (a qualifier word
    before a bare ``key``), ``;Pwd=x`` in a connection string, a service account's
    ``private_key_id`` (redacted only when its value is the 40-hex id)."""
    low = key.lower()
    if low == "key":
        if k0 < 2 or text[k0 - 1] not in " \t":
            return None
        prev = _PREV_WORD.search(text[max(0, k0 - 40):k0])
        if prev and prev.group(1).lower() in _KEY_QUALIFIERS:
            return _classify_key(prev.group(1) + "_key")
        return None
    if low == "pwd":
        return "password" if text[max(0, k0 - 8):k0].rstrip(" \t").endswith(";") else None
    if low in _KEY_ID_KEYS:
        return "private-key-id"
    return None


_PATH_LIKE = re.compile(r"(?:~?/|\.\.?/|[A-Za-z]:\\)\S*")
_SENTENCE = re.compile(r"\S+(?: \S+){3,}")


def _credential_value(value: str, kind: str, min_len: int = 3) -> bool:
    """A value that holds a credential, for the structured forms (XML elements, ``<add key=...
    value=...>``, PHP ``define``, ``--flag value``): not a placeholder, a reference, a name, a
    state word, a file path or a sentence (``optional; leave empty if not used.``)."""
    v = value.strip()
    return not (len(v) < min_len or _is_placeholder(v) or _residual_is_empty(v, key_kind=kind)
                or _names_a_credential(v) or v.lower() in _STATE_WORDS
                or _PATH_LIKE.fullmatch(v) is not None
                or (_SENTENCE.fullmatch(v) is not None and any(c in v for c in ".;,:")))


_SIGNATURE_PARAMS = frozenset(("sig", "signature", "x-amz-signature", "x-goog-signature"))


def _signature_repl(m: re.Match[str]) -> str:
    """``?...&sig=<signature>`` (Azure SAS, Logic Apps and Power Automate workflow URLs) and
    ``X-Amz-Signature=`` / ``X-Goog-Signature=`` (presigned URLs): the query parameter stays."""
    text, i = m.string, m.start()
    j = i
    while j > 0 and (text[j - 1] in string.ascii_letters or text[j - 1] == "-"):
        j -= 1
    name = (text[j:i] + m.group(1)[:-1]).lower()
    if name not in _SIGNATURE_PARAMS or j == 0 or text[j - 1] not in "?&;":
        return m.group(0)
    return m.group(1) + _marker("signature")


_NETRC_PAIR = re.compile(
    r"(?<![\w-])(?P<k>login|password|passwd|account|port|protocol)(?P<s>\s+)(?P<v>\S+)")
_NETRC_NEXT = re.compile(r"[ \t]*(?:$|#|machine\b|default\b|macdef\b)", re.M)


def _netrc_repl(m: re.Match[str]) -> str:
    """``machine host login user password secret`` (one line or many): the password goes."""
    text, i = m.string, m.start()
    whole = m.group(0)
    if i > 0 and text[i - 1] in _WORDISH:
        return whole
    # the entry must end its line (prose that reads like one goes on: "... password field is")
    if not _NETRC_NEXT.match(text, m.end()):
        return whole
    pairs = list(_NETRC_PAIR.finditer(whole))
    keys = {p.group("k") for p in pairs}
    if "login" not in keys or not keys & {"password", "passwd", "account"}:
        return whole
    out: list[str] = []
    last = 0
    for p in pairs:
        if (p.group("k") in ("password", "passwd", "account")
                and not _is_placeholder(p.group("v"))):
            out.append(whole[last:p.start("v")])
            out.append(_marker("password"))
            last = p.end("v")
    return "".join(out) + whole[last:] if out else whole


# Command-line tools that take a credential as a flag value.  ``userpass``: ``user:password``
# (only the password goes); ``value``: the whole value; ``attached``: only glued to the flag
# (``mysql -pSECRET``: ``mysql -p db`` prompts, ``db`` is a database); ``pass:``: openssl's
# ``pass:SECRET`` (``env:VAR`` and ``file:path`` are references).
_CLI_TOOLS: dict[str, dict[str, str]] = {
    "curl": {"u": "userpass", "-user": "userpass", "U": "userpass", "-proxy-user": "userpass"},
    "http": {"a": "userpass", "-auth": "userpass"},
    "sshpass": {"p": "value"},
    "mysql": {"p": "attached"},
    "mongo": {"p": "value", "-password": "value"},
    "redis": {"a": "value", "-pass": "value"},
    "login": {"p": "value", "-password": "value"},
    "ldap": {"w": "value"},
    "openssl": {"passin": "pass:", "passout": "pass:", "pass": "pass:"},
}
_CLI_TOOL_RE = re.compile(
    r"""(?:^|[\s/"'(])(?:
        (?P<curl>curl)
      | (?P<http>https?|xhs?)
      | (?P<sshpass>sshpass)
      | (?P<mysql>mysql\w*|mariadb[\w-]*)
      | (?P<mongo>mongo(?:sh|dump|restore|export|import|stat|top|files)?)
      | (?P<redis>redis-cli|valkey-cli|keydb-cli)
      | (?P<login>(?:docker|podman|buildah|skopeo|nerdctl|oras|az|oc|cf|(?:helm|crane)
                    (?:[ \t]+(?:registry|auth))?)[ \t]+login)
      | (?P<ldap>ldap(?:search|add|modify|delete|whoami|passwd|compare|modrdn))
      | (?P<openssl>openssl)
    )(?:\.exe)?(?=[ \t])""",
    re.X,
)
_CLI_SEPARATORS = re.compile(r"\|\|?|&&|;|\$\(|`")
_MAX_COMMAND = 2000  # how far back a flag's command may start


def _command_tool(text: str, at: int) -> str | None:
    """The tool whose command line holds position ``at`` (following ``\\`` continuations),
    or None."""
    floor = max(0, at - _MAX_COMMAND)
    start = text.rfind("\n", floor, at) + 1
    while start > floor + 2 and (text[start - 2] == "\\" or text[start - 3:start - 1] == "\\\r"):
        start = text.rfind("\n", floor, start - 1) + 1  # a continued line: "curl \\"
    seg = text[max(start, floor):at]
    cut = None
    for cut in _CLI_SEPARATORS.finditer(seg):
        pass
    if cut is not None:
        seg = seg[cut.end():]
    tool = None
    for found in _CLI_TOOL_RE.finditer(seg):
        tool = found.lastgroup
    return tool


def _cli_repl(m: re.Match[str]) -> str:
    text, i = m.string, m.start() + 1  # the match starts with the space before the flag
    whole = m.group(0)
    tool = _command_tool(text, i)
    if tool is None:
        return whole
    flags = _CLI_TOOLS[tool]
    flag, sep, val = m.group("flag"), m.group("sep"), m.group("val")
    head = "-" + flag
    if sep == "" and flag[0] in flags and len(flag) > 1 and flag not in flags:
        # "-pSECRET" read by the pattern as a longer flag ("-password1" = "-p" "assword1")
        head, flag, val = "-" + flag[0], flag[0], flag[1:] + val
    mode = flags.get(flag)
    if mode is None or (mode == "attached" and sep != ""):
        return whole
    if "=" in sep and mode != "userpass":
        return whole  # --password=x is a key/value pair, redacted as one
    if mode in ("value", "pass:") and val.startswith("-"):
        return whole  # the next flag, not a value
    q = val[0] if val[:1] in "\"'" and len(val) > 1 and val[-1] == val[0] else ""
    inner = val[1:-1] if q else val
    keep = ""
    if mode == "userpass":
        user, colon, secret = inner.partition(":")
        if not colon:
            return whole
        keep = user + ":"
    elif mode == "pass:":
        if not inner.startswith("pass:"):
            return whole
        keep, secret = "pass:", inner[5:]
    else:
        secret = inner
    if not secret or _is_placeholder(secret) or secret.startswith("$"):
        return whole
    return " " + head + sep + q + keep + _marker("password") + q


def _long_flag_repl(m: re.Match[str]) -> str:
    """``--client-secret VALUE``: a flag that names a credential, then a value that looks like
    one (``--password hunter2``, not ``--password prompt``)."""
    text, i = m.string, m.start()
    whole = m.group(0)
    if i > 0 and text[i - 1] not in " \t\r\n\"'(":
        return whole
    kind = _classify_key(m.group("flag"))
    if kind is None:
        return whole
    val = m.group("val")
    if val[:1] in "\"'":
        value = val[1:-1]
        if not _credential_value(value, kind, 4):
            return whole
        return whole[: m.start("val") - i + 1] + _marker(kind) + val[-1]
    value, tail = _split_tail(val, text, m.end())
    if (not _credential_value(value, kind, 6) or not _looks_random(value)
            or value[0] in "/~." or "://" in value):
        return whole
    return whole[: m.start("val") - i] + _marker(kind) + tail


def _xml_repl(m: re.Match[str]) -> str:
    """``<password>secret</password>`` (Maven settings, .NET config, SOAP bodies)."""
    kind = _classify_key(m.group("tag").rpartition(":")[2])
    if kind is None or not _credential_value(m.group("v"), kind):
        return m.group(0)
    return f"<{m.group('tag')}>{_marker(kind)}</{m.group('tag')}>"


def _key_value_attr_repl(m: re.Match[str]) -> str:
    """``<add key="ApiKey" value="secret" />`` (.NET appSettings, NuGet ClearTextPassword)."""
    kind = _classify_key(m.group("k"))
    if kind is None or not _credential_value(m.group("v"), kind):
        return m.group(0)
    whole, i = m.group(0), m.start()
    return whole[: m.start("v") - i] + _marker(kind) + whole[m.end("v") - i:]


_key_define_repl = _key_value_attr_repl  # define('DB_PASSWORD', 'secret') has the same groups


def _variants(*stems: str) -> str:
    return "|".join(v for s in stems for v in dict.fromkeys((s, s.title(), s.upper())))


_KV_STEMS = ("pass", "pw", "secret", "token", "key", "auth", "credential", "creds", "cookie",
             "otp", "jwt")
# "PAT" (a personal access token: GITHUB_PAT) only in upper case or after "_": "pat" is in "path"
_KV_EXTRA_STEMS = "|PAT|_pat"

_PEM_LABEL = r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
_PEM_END = r"-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"


# characters rarely seen in ordinary text first: the gate of a rule is the first of these that
# all its triggers hold
_GATE_ORDER = "~`|<>(){}[]^!#$@%;=+?/:_"


def _rule(kind: str, pattern: str, triggers: tuple[str, ...], repl: Replacement,
          flags: int = 0) -> _Rule:
    gate = next((c for c in _GATE_ORDER if all(c in t for t in triggers)), "")
    return _Rule(kind, re.compile(pattern, flags), triggers, repl, None, gate)


_RULES: tuple[_Rule, ...] = (
    # multi-line PEM blocks first, so a JSON "private_key" value becomes one marker; a block cut
    # off before its END line is redacted through its header and base64 lines
    _rule("private-key",
          _PEM_LABEL + r"(?:(?:[^-]|-(?!----)){0,65536}+" + _PEM_END
          + r"|(?:(?:\s|\\[nrt])++(?:[A-Za-z0-9+/=]{16,}+(?![\w.-])"
          + r"|(?:Proc-Type|DEK-Info|Comment):[^\r\n]*+))*+)",
          ("private key",), lambda m: _marker("private-key")),
    # every vendor-prefixed token in one scan (_SHAPE_TABLE); runs on every text
    _Rule("tokens", _TOKEN_RUN, (), lambda m: m.group(0), _redact_tokens),
    # prefixed tokens whose base64 body (+ /) would cut the scan's runs short
    _rule("base64-token",
          r"(?P<grafana>glc_[A-Za-z0-9+/]{32,400}+={0,2})"
          r"|(?P<sentry>sntrys_eyJ[A-Za-z0-9+/=_]{60,}+)"
          r"|(?P<onepassword>ops_eyJ[A-Za-z0-9+/]{200,}+={0,3})"
          r"|(?P<bedrock>ABSK[A-Za-z0-9+/]{100,}+={0,2})",
          ("glc_", "s_eyj", "absk"), _base64_token_repl),
    # tokens whose prefix is not at their start
    _rule("azure-ad-client-secret",
          r"[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}+(?![A-Za-z0-9_~.-])", ("q~",),
          _azure_ad_repl),
    _rule("terraform-token", r"[a-z0-9]{14}\.atlasv1\.[a-z0-9_=-]{60,70}+(?![A-Za-z0-9_=-])",
          ("atlasv1",), _token("terraform-token")),
    _rule("openshift-token", r"sha256~[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])", ("sha256~",),
          _token("openshift-token")),
    # webhook and other capability URLs: the host and the fixed part of the path stay
    _rule("slack-webhook",
          r"(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/-]{8,}+",
          ("hooks.slack.com",), _keep_prefix("slack-webhook"), re.I),
    _rule("discord-webhook",
          r"(discord(?:app)?\.com/api/(?:v\d+/)?webhooks/\d+/)[A-Za-z0-9_-]{20,}+",
          ("/webhooks/",), _keep_prefix("discord-webhook"), re.I),
    _rule("teams-webhook",
          r"(webhook\.office\.com/webhookb2/|outlook\.office(?:365)?\.com/webhook/)"
          r"[A-Za-z0-9@%/_-]{20,}+",
          ("webhook.office.com", "outlook.office"), _keep_prefix("teams-webhook")),
    _rule("azure-function-key",
          r"""(\.azurewebsites\.net/api/[^\s?#"'<>]*\?(?:[^\s#"'<>]*?&)?code=)"""
          r"[A-Za-z0-9_%=-]{20,}+",
          ("azurewebsites.net",), _keep_prefix("azure-function-key")),
    _rule("signature", r"(sig=|ignature=)(?:[A-Za-z0-9+/_-]|%[0-9A-Fa-f]{2}){16,}+=*",
          ("sig=", "signature="), _signature_repl),
    _rule("gitlab-session", r"(_gitlab_session=)[0-9a-z]{32}(?![0-9a-z])", ("_gitlab_session=",),
          _keep_prefix("gitlab-session")),
    _rule("aws-secret",
          r"""(aws_?secret_?(?:access_?)?key["']?[ \t]*(?:=>|:=|[:=])[ \t]*["']?)"""
          r"[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])",
          ("aws_secret", "awssecret"), _aws_secret_repl, re.I),
    # Authorization / Proxy-Authorization headers: keep the scheme, drop the credential
    _rule("auth-header",
          r"""authorization["']?[ \t]*[:=][ \t]*(?:[fFrRbBuU]{0,2}["'])?"""
          r"(?:(bearer|basic|token|bot|digest|negotiate|ntlm|apikey|api-key|sso-key)[ \t]+)?"
          r"""(<[^<>\s]*>|[^\s"',;<>]+)""",
          ("authorization",), _auth_header_repl, re.I),
    _rule("bearer", r"(bearer[ \t]+)([A-Za-z0-9._~+/=-]{16,}+)", ("bearer",), _bearer_repl,
          re.I),
    _rule("cookie",
          r"""((?:cookie|Cookie|COOKIE)["']?[ \t]*:[ \t]*["']?)"""
          r"""([^\s"';=]+=[^\s"';]*+(?:;[ \t]*[^\s"';=]+=[^\s"';]*+)*+;?)""",
          ("cookie",), _cookie_repl),
    # scheme://user:password@host keeps scheme, user and host
    _rule("url-password", r"""://([^\s:/?#@"'<>\[\]]*):([^\s/?#@"'<>]*)@""", ("://",),
          _userinfo_repl),
    # .netrc: machine host login user password secret (on one line or several)
    _rule("netrc",
          r"machine\s+\S+(?:\s+(?:login|password|passwd|account|port|protocol)\s+\S+)+",
          ("machine",), _netrc_repl),
    # command lines: curl -u user:pass, sshpass -p, mysql -pSECRET, docker login -p, ...
    # (the flag's tool is found by _command_tool; one trigger per tool would cost more than this
    # pattern, which starts with a literal)
    _rule("cli",
          r""" -(?P<flag>-proxy-user|-password|-user|-pass|-auth|passin|passout|pass|[upaUw])"""
          r"""(?P<sep>[ \t]*=[ \t]*|[ \t]+|)(?P<val>"[^"\r\n]*"|'[^'\r\n]*'|[^\s"'|;&<>]+)""",
          (" -",), _cli_repl),
    _rule("cli-flag",
          r"""--(?P<flag>[A-Za-z][A-Za-z0-9_-]{1,40}+)[ \t]+"""
          r"""(?P<val>"[^"\r\n]*"|'[^'\r\n]*'|[^\s"'|;&<>-][^\s"'|;&<>]*)""",
          ("--",), _long_flag_repl),
    # <password>secret</password>, <add key="ApiKey" value="secret"/>, define('X', 'secret')
    _rule("xml", r"<(?P<tag>[A-Za-z_][\w.:-]{0,60}+)>(?P<v>[^<>\r\n]{1,500}+)</(?P=tag)>",
          ("</",), _xml_repl),
    _rule("key-value-attr",
          r"""key=(?P<q>["'])(?P<k>[^"'<>\r\n]{1,80}+)(?P=q)[ \t]+"""
          r"""value=(?P<q2>["'])(?P<v>[^"'<>\r\n]*+)(?P=q2)""",
          ("value=",), _key_value_attr_repl),
    _rule("define",
          r"""define\([ \t]*(?P<q>["'])(?P<k>[A-Za-z_]\w{0,80}+)(?P=q)[ \t]*,[ \t]*"""
          r"""(?P<q2>["'])(?P<v>(?:[^"'\\\r\n]|\\.)*+)(?P=q2)""",
          ("define(",), _key_define_repl),
    # key=value, key: value, "key": "value", "the password is x" (the key may start before the
    # stem: db_password)
    _rule("key-value",
          r"""(?P<key>(?:""" + _variants(*_KV_STEMS) + _KV_EXTRA_STEMS
          + r""")[A-Za-z0-9_.-]{0,128}+)
              (?P<kq>\\"|["'`]|\*\*|__)?
              (?P<sep>[ \t]*+(?:===?|!==?|=>|:=|[:=])(?:\*\*|__)?[ \t]*+
                     |[ \t]++(?:is|was|(?:set|changed|reset)[ \t]++to)(?:[ \t]*+:)?[ \t]++)
              (?:
                  \\"(?P<eq>(?:[^"\\\r\n]|\\[^"\r\n])*+)\\"
                | "(?P<dq>(?:[^"\\\r\n]|\\.)*+)"
                | '(?P<sq>(?:[^'\\\r\n]|\\.)*+)'
                | `(?P<bq>[^`\r\n]*+)`
                | (?P<bare>[^\s'",;&=\\](?:[^\s'",;&\\]|\\(?![nrt"])
                                             |&(?!&|amp;|[\w.\[\]-]*=|\s|$))*(?<!:))
              )""",
          (*_KV_STEMS, "pat"), _kv_repl, re.X),
)


def redact(text: str) -> str:
    """Replace every secret in ``text`` with ``[REDACTED:<kind>]`` (see the module doc)."""
    if not text:
        return text
    # lower-cased once: a replacement only takes text away (or writes a marker, which needs no
    # rule), so the triggers of the original text are enough to choose the rules to run
    low = text.lower()
    for rule in _RULES:
        if rule.scan is not None:
            text = rule.scan(text)
            continue
        if rule.gate and rule.gate not in low:
            continue
        for trigger in rule.triggers:  # (a loop, not any(): this runs for every string)
            if trigger in low:
                break
        else:
            continue
        text = rule.pattern.sub(rule.repl, text)
    return text


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


def _is_key_id(key: str, value: Any) -> bool:
    """A service account's ``private_key_id`` holding its 40-hex id."""
    return (isinstance(value, str) and key.lower() in _KEY_ID_KEYS
            and _HEX40.fullmatch(value) is not None)


def redact_value(obj: Any) -> Any:
    """A redacted copy of a JSON-like payload (see the module doc); other objects as they are."""
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, dict):
        out: dict[Any, Any] = {}
        for k, v in obj.items():
            if isinstance(k, str) and (is_credential_key(k) or _is_key_id(k, v)):
                out[k] = _redact_secret_leaf(v)
            else:
                out[k] = redact_value(v)
        return out
    if isinstance(obj, list):
        return [redact_value(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(redact_value(v) for v in obj)
    return obj
