"""Which payload keys hold a credential, and how a credential is shown masked.

Split from cockpit.domain.redaction, which imports it: the app masks credentials in an
item's context card with these two and nothing else, and redaction's scanners compile some
fifty patterns when imported (~30 ms of the app's start).
"""

from __future__ import annotations

import re
from functools import lru_cache

_BULLETS = "\u2022" * 8


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
    "pw": "password",
    "sshpass": "password",
    "pat": "token",  # a personal access token: GITHUB_PAT, AZURE_DEVOPS_PAT
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
    "timeout retries prompt stdin fd jar command cmd helper".split()
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


def mask(value: str) -> str:
    """``••••••••``, plus the last two characters when the value has 16 or more (ASCII alnum)."""
    if not value:
        return ""
    tail = value[-2:]
    if len(value) >= 16 and tail.isascii() and tail.isalnum():
        return _BULLETS + tail
    return _BULLETS
