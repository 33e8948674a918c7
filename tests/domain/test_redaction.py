"""Tests for cockpit.domain.redaction.

Every fake secret below is assembled by concatenation from obviously fake parts so that no
line of this file looks like a live credential to a secret scanner.
"""

from __future__ import annotations

import json
import time

import pytest

from cockpit.domain.redaction import (
    MARKER_RE,
    REDACTED,
    is_credential_key,
    mask,
    redact,
    redact_value,
)


def fake(prefix: str, body: str) -> str:
    """A fake secret: a real-looking prefix glued to an obviously fake body."""
    return prefix + body


AKIA = fake("AK" + "IA", "FAKE" + "0" * 12)
ASIA = fake("AS" + "IA", "TEST" + "9" * 12)
AWS_SECRET = "Fake" + "0" * 16 + "/fake+" + "x" * 14
GOOGLE_KEY = fake("AI" + "za", "Fake" + "0" * 31)
GOOGLE_OAUTH = fake("GOC" + "SPX-", "fake" + "x" * 24)
GOOGLE_ACCESS = fake("ya" + "29.", "fake" + "A0" * 12)
GHP = fake("gh" + "p_", "fake" + "A1" * 16)
GITHUB_PAT = fake("github" + "_pat_", "11FAKE" + "0" * 16 + "_" + "x" * 30)
GLPAT = fake("gl" + "pat-", "fake" + "x" * 16)
SLACK_BOT = fake("xo" + "xb-", "000000000-000000000-fakefakefake")
SLACK_HOOK_PATH = "T00000000/B00000000/" + "FAKE" * 6
STRIPE_LIVE = fake("sk" + "_live_", "fake" + "0" * 20)
OPENAI = fake("s" + "k-", "fake" + "0A" * 22)
OPENAI_PROJ = fake("s" + "k-proj-", "fake_" + "0a-" * 15)
ANTHROPIC = fake("sk" + "-ant-", "api03-" + "fake" * 10)
NPM = fake("np" + "m_", "fake" + "0" * 32)
SENDGRID = fake("S" + "G.", "fake" + "0" * 18) + "." + "fake" + "x" * 39
JWT = ("ey" + "J" + "hbGciOiJub25lIn0") + "." + ("ey" + "J" + "zdWIiOiJmYWtlIn0") + "." + "fake" * 6
BASIC = "ZmFrZTpmYWtl" + "ZmFrZQ=="  # base64 of fake:fakefake
BEARER = "fake" + "Tok3n" * 5


def pem(label: str = "RSA ", body: str = "MIIEfake\nZmFrZQ==\nAAAA", sep: str = "\n") -> str:
    begin = "-----BEGIN " + label + "PRIV" + "ATE KEY-----"
    end = "-----END " + label + "PRIV" + "ATE KEY-----"
    return begin + sep + body.replace("\n", sep) + sep + end


# (text, secret that must disappear, substrings that must stay)
POSITIVES: list[tuple[str, str, list[str]]] = [
    # cloud keys
    (f"deploy used key {AKIA} yesterday", AKIA, ["deploy used key ", " yesterday"]),
    (f"2024-05-01 WARN sts creds={ASIA} expired", ASIA, ["2024-05-01 WARN sts creds="]),
    (f"[default]\naws_secret_access_key = {AWS_SECRET}\nregion = eu-west-1", AWS_SECRET,
     ["aws_secret_access_key = ", "region = eu-west-1"]),
    (f"export AWS_SECRET_ACCESS_KEY={AWS_SECRET} && run", AWS_SECRET,
     ["export AWS_SECRET_ACCESS_KEY=", " && run"]),
    (f"map url https://maps.example.com/api/js?key={GOOGLE_KEY}&v=3", GOOGLE_KEY,
     ["https://maps.example.com/api/js?key=", "&v=3"]),
    (f'{{"client_id": "app.example", "client_secret": "{GOOGLE_OAUTH}"}}', GOOGLE_OAUTH,
     ['"client_id": "app.example"', '"client_secret": "']),
    (f"token refresh gave {GOOGLE_ACCESS} ok", GOOGLE_ACCESS, ["token refresh gave ", " ok"]),
    (json.dumps({"type": "service_account", "private_key_id": "abc123",
                 "private_key": pem("", sep="\n") + "\n", "client_email": "x@example.com"}),
     "MIIEfake", ['"type": "service_account"', '"client_email": "x@example.com"',
                  '"private_key_id": "abc123"']),
    # code hosts
    (f"git push https://{GHP}@github.com/org/repo.git", GHP,
     ["git push https://", "@github.com/org/repo.git"]),
    (f"GITHUB_TOKEN={GHP}", GHP, ["GITHUB_TOKEN="]),
    (f"fine-grained token {GITHUB_PAT} was used", GITHUB_PAT, ["fine-grained token ", " was used"]),
    (f"gitlab: PRIVATE-TOKEN: {GLPAT}", GLPAT, ["gitlab: PRIVATE-TOKEN: "]),
    (f"clone https://oauth2:{GLPAT}@gitlab.example.com/g/p.git", GLPAT,
     ["https://oauth2:", "@gitlab.example.com/g/p.git"]),
    # chat
    (f"slack bot token is {SLACK_BOT}.", SLACK_BOT, ["slack bot token is "]),
    (f"POST https://hooks.slack.com/services/{SLACK_HOOK_PATH} failed", SLACK_HOOK_PATH,
     ["POST https://hooks.slack.com/services/", " failed"]),
    # payments, AI, registries, mail
    (f"charge failed with key {STRIPE_LIVE} (live mode)", STRIPE_LIVE,
     ["charge failed with key ", " (live mode)"]),
    (f"OPENAI_API_KEY={OPENAI}", OPENAI, ["OPENAI_API_KEY="]),
    (f"using {OPENAI_PROJ} for the eval run", OPENAI_PROJ, ["using ", " for the eval run"]),
    (f"x-api-key: {ANTHROPIC}\ncontent-type: application/json", ANTHROPIC,
     ["x-api-key: ", "content-type: application/json"]),
    (f"//registry.npmjs.org/:_authToken={NPM}", NPM, ["//registry.npmjs.org/:_authToken="]),
    (f"sendgrid says {SENDGRID} is invalid", SENDGRID, ["sendgrid says ", " is invalid"]),
    # JWT
    (f"session cookie jwt {JWT} rejected", JWT, ["session cookie jwt ", " rejected"]),
    (f'{{"id_token": "{JWT}", "expires_in": 3600}}', JWT, ['"id_token": "', '"expires_in": 3600']),
    # PEM blocks
    ("key follows:\n" + pem() + "\nend of log", "MIIEfake", ["key follows:\n", "\nend of log"]),
    ("k=" + pem("OPENSSH ", "b3BlbnNzaC1rZXktdjEAAAAA\nfakefakefake") + " done",
     "b3BlbnNzaC1rZXktdjEAAAAA", ["k=", " done"]),
    ("ec " + pem("EC ", "MHcCAQEEIfake\nfakebody==") + " ok", "MHcCAQEEIfake", ["ec ", " ok"]),
    ("truncated " + pem("", "MIIEtruncatedfake\nmorefake").rsplit("-----END", 1)[0],
     "MIIEtruncatedfake", ["truncated "]),
    # URL userinfo: only the password goes
    ("db at postgres://app:hunter2fake@db.internal:5432/app?sslmode=require", "hunter2fake",
     ["postgres://app:", "@db.internal:5432/app?sslmode=require"]),
    ("REDIS_URL=redis://:fakepass99@cache:6379/0", "fakepass99",
     ["REDIS_URL=redis://:", "@cache:6379/0"]),
    ("mirror https://bob:s3cr3t-fake@example.com/path", "s3cr3t-fake",
     ["https://bob:", "@example.com/path"]),
    # Authorization headers
    (f"curl -H 'Authorization: Bearer {BEARER}' https://api.example.com", BEARER,
     ["curl -H 'Authorization: Bearer ", "' https://api.example.com"]),
    (f"Authorization: Basic {BASIC}\nAccept: */*", BASIC, ["Authorization: Basic ", "Accept: */*"]),
    (f'{{"headers": {{"Authorization": "Bearer {BEARER}", "Accept": "json"}}}}', BEARER,
     ['"Authorization": "Bearer ', '"Accept": "json"']),
    (f"retrying with Bearer {BEARER} after 401", BEARER, ["retrying with Bearer ", " after 401"]),
    (f"Proxy-Authorization: Basic {BASIC}", BASIC, ["Proxy-Authorization: Basic "]),
    # key / value pairs
    ("login failed password=hunter2fake user=bob", "hunter2fake",
     ["login failed password=", " user=bob"]),
    ("passwd: fakePass42\nhost: db", "fakePass42", ["passwd: ", "host: db"]),
    ("secret: s3cr3tfakevalue is leaked", "s3cr3tfakevalue", ["secret: ", " is leaked"]),
    ("token=abc123fake&page=2", "abc123fake", ["token=", "&page=2"]),
    ("api_key = 'fake-0123456789'", "fake-0123456789", ["api_key = '", "'"]),
    ("apikey: FAKEKEY123456", "FAKEKEY123456", ["apikey: "]),
    ("GET /cb?access_token=fake0token1&state=xyz", "fake0token1",
     ["GET /cb?access_token=", "&state=xyz"]),
    ("client_secret=fakeclientsecret01", "fakeclientsecret01", ["client_secret="]),
    ("private_key: fakeprivatekeymaterial01", "fakeprivatekeymaterial01", ["private_key: "]),
    ('{"user": "bob", "password": "hunter2fake", "retries": 3}', "hunter2fake",
     ['"user": "bob"', '"password": "', '"retries": 3']),
    ("{'db_password': 'pyrepr-fake-1'}", "pyrepr-fake-1", ["{'db_password': '", "'}"]),
    ("database:\n  password: letmeinfake\n  port: 5432", "letmeinfake",
     ["database:\n  password: ", "\n  port: 5432"]),
    ("stripeApiKey: \"fakefakefake123\"", "fakefakefake123", ['stripeApiKey: "']),
    ("docker run -e DB_PASSWORD=hunter2fake img", "hunter2fake",
     ["docker run -e DB_PASSWORD=", " img"]),
    ("./migrate --password=fakepw77 --verbose", "fakepw77",
     ["./migrate --password=", " --verbose"]),
    ("Cookie: session=fakesession123; theme=dark", "fakesession123", ["Cookie: "]),
    ("spring.datasource.password=fake_pw_1", "fake_pw_1", ["spring.datasource.password="]),
    ("X-Api-Key: 0123fakekey4567", "0123fakekey4567", ["X-Api-Key: "]),
    ('auth_token => "fake-ruby-token"', "fake-ruby-token", ['auth_token => "']),
    ("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=ZmFrZWtleQfake==;x=1",
     "ZmFrZWtleQfake", ["AccountName=acct;AccountKey=", ";x=1"]),
    ("(password=fakepw123)", "fakepw123", ["(password=", ")"]),
    # markdown bodies
    ("**Password:** hunter2fake\n\nThanks", "hunter2fake", ["**Password:** ", "\n\nThanks"]),
    ("- `api_key`: `fake-md-0123`", "fake-md-0123", ["- `api_key`: `"]),
    ('"password" : "correct horse battery fake"', "correct horse battery fake",
     ['"password" : "']),
    # a JSON-escaped log line: the value stops at the escaped newline
    ('{"msg": "login password=hunter2fake\\nnext line"}', "hunter2fake",
     ['{"msg": "login password=', '\\nnext line"}']),
]


# text that must come back exactly as it went in
NEGATIVES: list[str] = [
    "commit 3f5e2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f fixed the bug",
    "short sha 3f5e2a1 and tag v1.2.3",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "item 123e4567-e89b-12d3-a456-426614174000 resolved",
    "id itm_01HV3K9Z8Q2W5X7Y6A4B3C2D1E and run run_0001",
    "see https://example.com/path/to/page?x=1&y=2#frag",
    "https://api.example.com:8443/v1/inbox?state=active&limit=50",
    "ssh://git@github.com/org/repo.git",
    "mail someone@example.com or mailto:ops@example.com",
    "export DB_PASSWORD=$DB_PASSWORD",
    "password: ${DB_PASSWORD:-changeme}",
    "token=${API_TOKEN}",
    "dsn = 'postgres://%(user)s:%(password)s@%(host)s/db'",
    "api_key: {{ secrets.X }}",
    "password=%DB_PASSWORD%",
    "password reset link sent",
    "the token bucket refills every second",
    "secret santa is on friday",
    "api key rotation is scheduled for Monday",
    "the secret: nobody knows",
    "Your password must be at least 12 characters long.",
    "token_count=1234 max_tokens: 4096 tokens_used=999",
    "password_reset_url=https://example.com/reset",
    "password: ********",
    "token=<redacted>",
    "password: null",
    'password: ""',
    '{"password": "", "token": null}',
    "Authorization: Bearer <token>",
    "Bearer token authentication is required",
    "risk-assessment-for-production-rollout-plan is ready",
    "keys starting with pk_live_ are publishable",
    "-----BEGIN CERTIFICATE-----\nMIIBfakecert\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----\nMIIBfakepub\n-----END PUBLIC KEY-----",
    "password = get_password(user)",
    "token = os.environ['API_TOKEN']",
    "auth: true",
    "session_id=abc123 client_id=my-app idempotency_key=retry-1",
    "Token: expired",
    "author: Jane Doe, authority: ops",
    "The ASIA region and AKIA prefixes are documented",
    "already [REDACTED:github-token] and [REDACTED]",
    # code in stack traces: names of credentials are not credentials
    "self.token = token",
    "return BasicAuth(username=username, password=password)",
    'headers={"Authorization": f"Bearer {token}"}',
    "def send(self, auth: AuthTypes | None = None, cookies: CookieTypes | None = None):",
    'cookies_repr = ", ".join(parts)',
    'token = "ck_..."',
    '{"token": "COCKPIT_TOKEN", "webhook_secret": "COCKPIT_WEBHOOK_SECRET"}',
    '{"password": credentials.password}',
    "valid_credentials = await valid_credentials",
    'auth_str = f", auth={auth!r}"',
    "## HTTP API (under /api/v1, `Authorization: Bearer <token>`)",
]


@pytest.mark.parametrize(("text", "secret", "kept"), POSITIVES)
def test_redacts_secret_and_keeps_context(text: str, secret: str, kept: list[str]) -> None:
    out = redact(text)
    assert secret not in out
    assert MARKER_RE.search(out), out
    for part in kept:
        assert part in out, (part, out)


@pytest.mark.parametrize(("text", "secret", "kept"), POSITIVES)
def test_redaction_is_idempotent(text: str, secret: str, kept: list[str]) -> None:
    once = redact(text)
    assert redact(once) == once


@pytest.mark.parametrize("text", NEGATIVES)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


def test_counts_of_cases() -> None:
    assert len(POSITIVES) >= 40
    assert len(NEGATIVES) >= 30


@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"])
def test_every_github_prefix(prefix: str) -> None:
    token = fake(prefix[:2] + prefix[2:], "Fake" + "0" * 32)
    assert redact(f"t {token} t") == "t [REDACTED:github-token] t"


@pytest.mark.parametrize("prefix", ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"])
def test_every_slack_prefix(prefix: str) -> None:
    token = fake(prefix[:3] + prefix[3:], "0000-1111-fakefake")
    assert redact(f"slack {token}") == "slack [REDACTED:slack-token]"


@pytest.mark.parametrize("prefix", ["sk_live_", "sk_test_", "rk_live_", "pk_live_"])
def test_every_stripe_prefix(prefix: str) -> None:
    key = fake(prefix[:3] + prefix[3:], "f" * 24)
    assert redact(f"stripe {key}.") == "stripe [REDACTED:stripe-key]."


def test_stripe_key_needs_proper_length() -> None:
    short = "sk" + "_live_" + "f" * 10
    assert redact(short) == short


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key {AKIA}", "key [REDACTED:aws-key]"),
        (f"{GOOGLE_KEY}", "[REDACTED:google-api-key]"),
        (f"{ANTHROPIC}", "[REDACTED:anthropic-key]"),
        (f"{OPENAI}", "[REDACTED:openai-key]"),
        (f"{NPM}", "[REDACTED:npm-token]"),
        (f"{SENDGRID}", "[REDACTED:sendgrid-key]"),
        (f"{JWT}", "[REDACTED:jwt]"),
        (f"{GLPAT}", "[REDACTED:gitlab-token]"),
        (pem(), "[REDACTED:private-key]"),
        ("postgres://u:pw12fake@h/db", "postgres://u:[REDACTED:password]@h/db"),
        (f"https://{GHP}@github.com/o/r", "https://[REDACTED:github-token]@github.com/o/r"),
        (f"https://x-access-token:{GHP}@github.com/o/r",
         "https://x-access-token:[REDACTED:github-token]@github.com/o/r"),
        (f"Authorization: Bearer {BEARER}", "Authorization: Bearer [REDACTED:bearer]"),
        (f"Authorization: Basic {BASIC}", "Authorization: Basic [REDACTED:basic-auth]"),
        ('{"password": "hunter2fake"}', '{"password": "[REDACTED:password]"}'),
        ("password=hunter2fake", "password=[REDACTED:password]"),
        ("GITHUB_TOKEN=plainfake123", "GITHUB_TOKEN=[REDACTED:token]"),
        ("api_key=plainfake123", "api_key=[REDACTED:api-key]"),
        ("client_secret: 'cs-fake-1'", "client_secret: '[REDACTED:secret]'"),
        (f"https://hooks.slack.com/services/{SLACK_HOOK_PATH}",
         "https://hooks.slack.com/services/[REDACTED:slack-webhook]"),
    ],
)
def test_marker_format(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_pem_block_is_one_marker_and_spans_lines() -> None:
    text = "before\n" + pem(body="\n".join(["MIIEfakeline"] * 20)) + "\nafter"
    assert redact(text) == "before\n[REDACTED:private-key]\nafter"


def test_json_inside_a_json_string() -> None:
    inner = json.dumps({"password": "hunter2fake", "path": "C:\\dir"})
    outer = json.dumps({"body": inner, "token": "fake0tok3n"})
    out = redact(outer)
    assert "hunter2fake" not in out and "fake0tok3n" not in out
    decoded = json.loads(out)  # still valid JSON, at both levels
    assert json.loads(decoded["body"]) == {"password": "[REDACTED:password]", "path": "C:\\dir"}
    assert decoded["token"] == "[REDACTED:token]"


def test_multiple_secrets_in_one_log() -> None:
    log = "\n".join([
        f"12:00 INFO start token={GHP}",
        "12:01 INFO connecting to postgres://svc:fakepw999@db:5432/x",
        f"12:02 DEBUG headers={{'Authorization': 'Bearer {BEARER}'}}",
        "12:03 INFO done in 42ms",
    ])
    out = redact(log)
    for secret in (GHP, "fakepw999", BEARER):
        assert secret not in out
    assert "12:03 INFO done in 42ms" in out
    assert "postgres://svc:" in out and "@db:5432/x" in out
    assert redact(out) == out


def test_secret_glued_to_a_word_is_not_a_token_match() -> None:
    text = "xghp_" + "0" * 36
    assert redact(text) == text


def test_empty_and_plain() -> None:
    assert redact("") == ""
    assert redact("hello world") == "hello world"


def test_fast_on_a_large_body() -> None:
    line = (
        "2024-05-01T12:00:00Z INFO request_id=9f8e7d6c user=bob status=200 token_count=12 "
        "the password reset flow and api key rotation are described at https://example.com/x\n"
    )
    body = line * (200_000 // len(line))
    body += f"token={GHP} password=hunter2fake {pem()}\n"
    assert len(body) >= 190_000
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        out = redact(body)
        best = min(best, time.perf_counter() - t0)
    assert GHP not in out and "hunter2fake" not in out
    assert best < 0.05, f"redact took {best * 1000:.1f} ms"


def test_no_catastrophic_backtracking() -> None:
    for body in ("key" * 60_000, "password: " * 5_000, "a" * 200_000, "sk-" * 50_000,
                 "-----BEGIN PRIV" + "ATE KEY-----\n" + "A" * 100_000):
        t0 = time.perf_counter()
        redact(body)
        assert time.perf_counter() - t0 < 1.0


# --- is_credential_key ----------------------------------------------------------------------

CREDENTIAL_KEYS = [
    "password", "passwd", "passphrase", "secret", "token", "api_key", "apikey", "apiKey",
    "access_key", "private_key", "privateKey", "client_secret", "credentials", "auth",
    "authorization", "Authorization", "cookie", "set-cookie", "session_key", "sessionToken",
    "db_password", "DB_PASSWORD", "GITHUB_TOKEN", "stripeApiKey", "x-api-key", "X-Api-Key",
    "access_token", "accessToken", "refresh_token", "id_token", "auth_token", "csrftoken",
    "AccountKey", "Ocp-Apim-Subscription-Key", "spring.datasource.password", "--password",
    "db_pwd", "smtp_pass", "OAuthToken", "hashed_password", "secrets", "signing_key",
    "webhook_secret", "aws_secret_access_key", "otp",
]

NON_CREDENTIAL_KEYS = [
    "token_count", "max_tokens", "tokens_used", "prompt_tokens", "tokens", "author",
    "authority", "authored_by", "oauth", "password_reset_url", "password_policy",
    "passwordless", "token_type", "token_expires_at", "next_token", "page_token", "secret_name",
    "secretArn", "api_key_id", "private_key_id", "access_key_id", "auth_type", "auth_url",
    "authorization_endpoint", "is_secret", "has_password", "session_id", "client_id",
    "public_key", "primary_key", "key", "sort_key", "idempotency_key", "PWD", "pass", "bypass",
    "passenger", "tokenizer", "token_bucket", "credentials_file", "cookie_name", "title", "",
]


@pytest.mark.parametrize("key", CREDENTIAL_KEYS)
def test_credential_keys(key: str) -> None:
    assert is_credential_key(key)


@pytest.mark.parametrize("key", NON_CREDENTIAL_KEYS)
def test_non_credential_keys(key: str) -> None:
    assert not is_credential_key(key)


def test_is_credential_key_rejects_non_strings() -> None:
    assert not is_credential_key(None)  # type: ignore[arg-type]
    assert not is_credential_key(42)  # type: ignore[arg-type]


# --- mask -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("a", "••••••••"),
        ("hunter2", "••••••••"),
        ("fifteen-chars-x", "••••••••"),
        ("sixteen-chars-xy", "••••••••xy"),
        ("0123456789abcdef0123", "••••••••23"),
        ("long-value-ending-in-dot.", "••••••••"),
        ("long-value-ending-in-é1", "••••••••"),
    ],
)
def test_mask(value: str, expected: str) -> None:
    assert mask(value) == expected


# --- redact_value ---------------------------------------------------------------------------

def test_redact_value_recurses_and_replaces_credential_values() -> None:
    payload = {
        "title": f"deploy with {GHP}",
        "password": "hunter2",
        "token_count": 1234,
        "max_tokens": "4096",
        "nested": {
            "apiKey": "plain-but-secret",
            "items": [f"use {AKIA}", {"client_secret": "cs"}, 3, None, True],
            "empty_password": "",
        },
        "auth": True,
        "secrets": ["one", "two", {"name": "x"}],
        "pin_code": 1234,
        "db_password": 12345678,
        "url": "postgres://u:pw12fake@h/db",
    }
    original = json.loads(json.dumps(payload))
    out = redact_value(payload)
    assert payload == original  # not mutated
    assert out["title"] == "deploy with [REDACTED:github-token]"
    assert out["password"] == REDACTED
    assert out["token_count"] == 1234
    assert out["max_tokens"] == "4096"
    assert out["nested"]["apiKey"] == REDACTED
    assert out["nested"]["items"][0] == "use [REDACTED:aws-key]"
    assert out["nested"]["items"][1] == {"client_secret": REDACTED}
    assert out["nested"]["items"][2:] == [3, None, True]
    assert out["nested"]["empty_password"] == ""
    assert out["auth"] is True
    assert out["secrets"] == [REDACTED, REDACTED, {"name": "x"}]
    assert out["pin_code"] == 1234
    assert out["db_password"] == REDACTED
    assert out["url"] == "postgres://u:[REDACTED:password]@h/db"
    assert redact_value(out) == out


@pytest.mark.parametrize("value", [None, 3, 2.5, True, b"bytes"])
def test_redact_value_leaves_other_objects(value: object) -> None:
    assert redact_value(value) is value


def test_redact_value_tuple_and_str() -> None:
    assert redact_value(("a", f"k {AKIA}")) == ("a", "k [REDACTED:aws-key]")
    assert redact_value("password=hunter2fake") == "password=[REDACTED:password]"


# --- the corpus: real-looking secrets of every family, and look-alikes ------------------------

from tests.domain.secrets_corpus import LOOKALIKES, SECRETS, Case  # noqa: E402


def _leaked_pieces(case: Case, out: str, width: int = 5) -> list[str]:
    """The pieces of the secret (every ``width`` characters) still in ``out``, except pieces
    that the text around the secret holds anyway."""
    around = "\n".join(case.kept)
    out = MARKER_RE.sub(" ", out)  # a marker's kind may spell a prefix: rubygems-key
    pieces = {case.secret[i:i + width] for i in range(max(1, len(case.secret) - width + 1))}
    return sorted(p for p in pieces if p in out and p not in around)


def test_corpus_size() -> None:
    assert len(SECRETS) >= 100
    assert len(LOOKALIKES) >= 50
    assert len({c.family for c in SECRETS}) >= 60
    assert len({c.text for c in SECRETS}) == len(SECRETS)
    assert all("§" not in c.secret and c.template.count("§") == 1 for c in SECRETS)
    # no secret is also ordinary text elsewhere in the corpus
    assert not [c.id for c in SECRETS if any(c.secret in text for text in LOOKALIKES)]
    assert not [(c.id, d.id) for c in SECRETS for d in SECRETS if c.secret in "".join(d.kept)]


@pytest.mark.parametrize("case", SECRETS, ids=lambda c: c.id)
def test_corpus_secret_is_redacted(case: Case) -> None:
    out = redact(case.text)
    assert case.secret not in out, out
    assert not _leaked_pieces(case, out), out
    assert "[REDACTED" in out and MARKER_RE.search(out), out
    for part in case.kept:
        assert part in out, (part, out)


@pytest.mark.parametrize("case", SECRETS, ids=lambda c: c.id)
def test_corpus_redaction_is_idempotent(case: Case) -> None:
    once = redact(case.text)
    assert redact(once) == once


@pytest.mark.parametrize("text", LOOKALIKES)
def test_corpus_lookalike_is_unchanged(text: str) -> None:
    assert redact(text) == text


def test_corpus_all_in_one_body() -> None:
    body = "\n\n".join(c.text for c in SECRETS) + "\n\n" + "\n\n".join(LOOKALIKES)
    out = redact(body)
    for case in SECRETS:
        assert case.secret not in out, case.id
    for text in LOOKALIKES:
        assert text in out
    assert redact(out) == out


def _nest(value: object, depth: int) -> object:
    """``value`` under ``depth`` levels of dicts and lists whose keys name no credential."""
    for level in range(depth):
        value = {"items": [value, level]} if level % 2 else {"detail": {"msg": value}}
    return value


def _strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, (list, tuple)):
        return [s for v in obj for s in _strings(v)]
    return []


def test_redact_value_redacts_corpus_at_any_depth() -> None:
    payload = [_nest(case.text, i % 7) for i, case in enumerate(SECRETS)]
    payload += [_nest(text, i % 5) for i, text in enumerate(LOOKALIKES)]
    original = json.loads(json.dumps(payload))
    out = redact_value(payload)
    assert payload == original  # not mutated
    flat = "\n".join(_strings(out))
    for case in SECRETS:
        assert case.secret not in flat, case.id
    for i, case in enumerate(SECRETS):
        leaves = _strings(out[i])
        assert leaves == [redact(case.text)], case.id
    for j, text in enumerate(LOOKALIKES):
        assert _strings(out[len(SECRETS) + j]) == [text]
    assert redact_value(out) == out


def test_redact_value_credential_keys_at_depth() -> None:
    key_id = "adc34dec5fe91f851870de0f20a8552366c80682"
    payload = {"a": [{"b": {"DD_API_KEY": "24618fc185a5f3de5a72905f6f74096b", "pw": "x1y2z3",
                            "private_key_id": key_id, "sig": "unrelated"}}]}
    out = redact_value(payload)
    inner = out["a"][0]["b"]
    assert inner["DD_API_KEY"] == REDACTED
    assert inner["pw"] == REDACTED
    assert inner["private_key_id"] == REDACTED
    assert inner["sig"] == "unrelated"


# --- exact output for the new families: only the secret goes ---------------------------------

TEAMS = ("a9acfc44-ce72-443d-8a31-cce0661a397c@869d7d04-7b9a-4907-8361-6dc5b9b201d1/"
         "IncomingWebhook/dcf0c8839a0439f02a06eaa1591493c2/5a8ef0ce-7cbb-417c-bb69-c3c8b809b4ff")
TG = "AA" + "kI9eaBWITGObtPAB3nKx2t27q1D76nyqC"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"https://acme.webhook.office.com/webhookb2/{TEAMS}",
         "https://acme.webhook.office.com/webhookb2/[REDACTED:teams-webhook]"),
        ("https://x.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke"
         "?api-version=2016-06-01&sv=1.0&sig=asSSU97kPHq9YY_7rGXRyQvZP0owX9PouAhIyb5457u",
         "https://x.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke"
         "?api-version=2016-06-01&sv=1.0&sig=[REDACTED:signature]"),
        ("?sv=2022-11-02&sig=G20GfmIacpVyo%2FxSy%2FkiLOU%2BmmpBDi4FIBp%2BS2dFNYf%3D&se=x",
         "?sv=2022-11-02&sig=[REDACTED:signature]&se=x"),
        (f"https://api.telegram.org/bot7412589630:{TG}/getMe",
         "https://api.telegram.org/bot7412589630:[REDACTED:telegram-bot-token]/getMe"),
        ("machine h.example.com login bob password Pa55w0rd!",
         "machine h.example.com login bob password [REDACTED:password]"),
        ("curl -u bob:Pa55w0rd! https://x", "curl -u bob:[REDACTED:password] https://x"),
        ("sshpass -p 'Pa55w0rd!' ssh h", "sshpass -p '[REDACTED:password]' ssh h"),
        ("mysql -uroot -pPa55w0rd! db", "mysql -uroot -p[REDACTED:password] db"),
        ("the password is hunter2", "the password is [REDACTED:password]"),
        ("pw: hunter22", "pw: [REDACTED:password]"),
        ("my token is abc123def456ghi", "my token is [REDACTED:token]"),
        ("<password>Pa55w0rd!</password>", "<password>[REDACTED:password]</password>"),
        ("define('DB_PASSWORD', 'Pa55w0rd!');", "define('DB_PASSWORD', '[REDACTED:password]');"),
        ("key-" + "74bc5619be563ce0e9ba3bbd410c3a42", "[REDACTED:mailgun-key]"),
        ("dckr" + "_pat_" + "i2zhf1CEYZbCJZaiEaDqZVH2lEc", "[REDACTED:docker-hub-token]"),
        ('"private_key_id": "adc34dec5fe91f851870de0f20a8552366c80682"',
         '"private_key_id": "[REDACTED:private-key-id]"'),
    ],
)
def test_marker_format_new_families(text: str, expected: str) -> None:
    assert redact(text) == expected
