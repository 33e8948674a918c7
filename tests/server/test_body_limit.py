"""A request body over the documented limit answers 413 before anything parses it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cockpit.server.app import MAX_BODY_BYTES, BodyLimit, ServerOptions
from tests.factories import item

LIMIT = ServerOptions().max_body_bytes


def test_the_limit_is_one_mebibyte():
    assert LIMIT == MAX_BODY_BYTES == 1_048_576


def padded(body: dict, size: int) -> bytes:
    """`body` as JSON, padded with trailing whitespace (still valid JSON) to `size` bytes."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


def chunks(raw: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body sent chunked: the client gives no Content-Length."""
    for start in range(0, len(raw), size):
        yield raw[start:start + size]


def post(api, raw, **headers):
    return api.client.post("/api/v1/inbox/items", content=raw,
                           headers={**api.headers, "Content-Type": "application/json",
                                    **headers})


def assert_too_large(response):
    assert response.status_code == 413, response.text
    assert response.json()["detail"] == \
        f"body: the request body is over the limit of {LIMIT} bytes"


def test_a_content_length_over_the_limit_is_refused_unparsed(as_user):
    # Not JSON at all: a 422 would mean it was parsed. Not a token either: 413 comes first.
    assert_too_large(post(as_user("svc"), b"x" * (LIMIT + 1)))
    assert_too_large(as_user("svc").client.post("/api/v1/inbox/items",
                                                content=b"x" * (LIMIT + 1)))


def test_a_chunked_body_over_the_limit_is_refused(as_user):
    svc = as_user("svc")
    raw = padded(item(), LIMIT + 1)
    response = post(svc, chunks(raw))
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert_too_large(response)
    assert svc.get("/inbox/count").json()["unread"] == 0


@pytest.mark.parametrize("send", [lambda raw: raw, chunks], ids=["content-length", "chunked"])
def test_a_body_at_the_limit_is_served(as_user, send):
    svc = as_user("svc")
    assert post(svc, send(padded(item(source_id="at-limit"), LIMIT))).status_code == 201
    # Within the limit, the fields' own limits speak: body_md holds at most 200,000 chars.
    too_long = padded(item(body_md="é" * 200_001), LIMIT)
    response = post(svc, send(too_long))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "body_md"


def test_the_limit_is_a_setting(engine, users):
    from fastapi.testclient import TestClient

    from cockpit.server.app import create_app

    with TestClient(create_app(ServerOptions(max_body_bytes=300), engine=engine)) as client:
        headers = {"Authorization": f"Bearer {users['svc']}"}
        small = client.post("/api/v1/inbox/items", content=padded(item(), 300),
                            headers={**headers, "Content-Type": "application/json"})
        assert small.status_code == 201, small.text
        big = client.post("/api/v1/inbox/items", content=padded(item(), 301), headers=headers)
        assert big.status_code == 413
        assert big.json()["detail"] == "body: the request body is over the limit of 300 bytes"


# -- the middleware itself: what it reads, and what the app gets ----------------------------


class Recorder:
    """An ASGI app that reads the whole body and remembers what it got."""

    def __init__(self) -> None:
        self.called = False
        self.messages: list[dict] = []

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        while True:
            message = await receive()
            self.messages.append(message)
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def run(limit: int, stream: list[bytes], headers=()) -> tuple[Recorder, list[dict], int]:
    app, sent, pulled = Recorder(), [], 0

    async def receive():
        nonlocal pulled
        pulled += 1
        if pulled > len(stream):
            raise AssertionError("read past the end of the body")
        return {"type": "http.request", "body": stream[pulled - 1],
                "more_body": pulled < len(stream)}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": list(headers)}
    await BodyLimit(app, max_bytes=limit)(scope, receive, send)
    return app, sent, pulled


async def test_a_stream_is_refused_as_soon_as_it_is_over():
    app, sent, pulled = await run(10, [b"abcd"] * 100)
    assert not app.called
    assert pulled == 3  # 12 bytes read, then refused: the other 97 chunks never are
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["detail"].startswith("body:")


async def test_a_stream_within_the_limit_reaches_the_app_whole():
    app, sent, pulled = await run(10, [b"abcd", b"efgh", b"ij"])
    assert app.messages == [{"type": "http.request", "body": b"abcdefghij", "more_body": False}]
    assert sent[0]["status"] == 204 and pulled == 3


async def test_a_content_length_over_the_limit_is_never_read():
    app, sent, pulled = await run(10, [b"x" * 11], headers=[(b"content-length", b"11")])
    assert (app.called, pulled, sent[0]["status"]) == (False, 0, 413)
    app, sent, pulled = await run(10, [b"x" * 10], headers=[(b"content-length", b"10")])
    assert app.called and sent[0]["status"] == 204


async def test_a_huge_content_length_is_refused_not_crashed_on():
    app, sent, _ = await run(10, [b""], headers=[(b"content-length", b"9" * 5000)])
    assert sent[0]["status"] == 413 and not app.called
