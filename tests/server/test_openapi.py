"""The OpenAPI schema tells the truth: the bearer scheme, every 4xx a route answers, our bodies."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from cockpit.server.app import create_app
from cockpit.server.errors import ErrorBody, ValidationErrorBody
from cockpit.server.routes import Dropped
from tests.factories import item

REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def schema() -> dict:
    return create_app().openapi()


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def body_ref(answer: dict) -> str:
    return answer["content"]["application/json"]["schema"]["$ref"]


def test_the_bearer_scheme_is_declared_on_every_operation(schema):
    assert schema["components"]["securitySchemes"]["bearer"] == {
        **schema["components"]["securitySchemes"]["bearer"], "type": "http", "scheme": "bearer"}
    for name, operation in operations(schema):
        assert operation["security"] == [{"bearer": []}], name
        assert body_ref(operation["responses"]["401"]) == REF + "ErrorBody", name


def test_fastapis_validation_error_is_not_what_we_document(schema):
    text = json.dumps(schema)
    assert "HTTPValidationError" not in text
    assert '"ValidationError"' not in text
    assert schema["components"]["schemas"]["ValidationErrorBody"]["required"] == \
        ["detail", "errors"]
    for name, operation in operations(schema):
        for status, answer in operation["responses"].items():
            if status.startswith("4"):
                want = "ValidationErrorBody" if status == "422" else "ErrorBody"
                assert body_ref(answer) == REF + want, (name, status)


@pytest.mark.parametrize(("operation", "statuses"), [
    ("GET /api/v1/inbox", {"200", "400", "401", "422"}),
    ("GET /api/v1/me", {"200", "401"}),
    ("GET /api/v1/inbox/count", {"200", "400", "401", "422"}),
    ("GET /api/v1/inbox/groups", {"200", "400", "401", "422"}),
    ("GET /api/v1/inbox/{item_id}/timeline", {"200", "401", "404", "422"}),
    ("GET /api/v1/views", {"200", "401"}),
    ("POST /api/v1/views", {"201", "400", "401", "403", "409", "413", "422"}),
    ("DELETE /api/v1/views/{name}", {"204", "401", "403", "404", "409", "422"}),
    ("GET /api/v1/users", {"200", "401", "403"}),
    ("GET /api/v1/inbox/{item_id}", {"200", "401", "403", "404", "422"}),
    ("PATCH /api/v1/inbox/{item_id}", {"200", "400", "401", "403", "404", "409", "413", "422"}),
    ("POST /api/v1/inbox/bulk", {"200", "400", "401", "403", "413", "422"}),
    ("POST /api/v1/inbox/items", {"200", "201", "202", "400", "401", "403", "413", "422"}),
    ("POST /api/v1/inbox/{item_id}/actions/{name}",
     {"200", "400", "401", "403", "404", "409", "413", "422"}),
    ("GET /api/v1/audit", {"200", "401", "403", "422"}),
    ("GET /api/v1/outbox", {"200", "401", "403", "422"}),
    ("POST /api/v1/pipelines", {"201", "401", "403", "413", "422"}),
])
def test_each_route_declares_what_it_answers(schema, operation, statuses):
    assert set(dict(operations(schema))[operation]["responses"]) == statuses


def test_every_route_with_a_body_declares_413(schema):
    for name, operation in operations(schema):
        if "requestBody" in operation:
            assert "413" in operation["responses"], name


def test_no_route_answers_an_undescribed_object(schema):
    """Every 2xx names a model, or a list of one (no bare `object` / dict answers)."""
    for name, operation in operations(schema):
        for status, answer in operation["responses"].items():
            if status.startswith("2") and status != "204":  # 204: no body at all
                body = answer["content"]["application/json"]["schema"]
                models = body.get("anyOf") or [body.get("items", body)]
                assert all("$ref" in m for m in models), (name, status, body)


def test_a_route_added_without_declaring_422_still_documents_ours():
    app = create_app()

    @app.get("/extra")
    def extra(n: int) -> int:
        return n

    responses = app.openapi()["paths"]["/extra"]["get"]["responses"]
    assert body_ref(responses["422"]) == REF + "ValidationErrorBody"
    assert "HTTPValidationError" not in json.dumps(app.openapi())


def test_the_answers_are_the_documented_bodies(as_user, client):
    """What the handlers answer parses as the models the schema names."""
    vic, svc = as_user("vic"), as_user("svc")
    item_id = svc.ingest()["id"]
    answers = {
        401: client.get("/api/v1/inbox"),
        403: vic.post("/inbox/items", json=item()),
        404: vic.get("/inbox/999999"),
        409: as_user("mel").patch(f"/inbox/{svc.ingest(kind='waitpoint')['id']}",
                                  json={"state": "resolved"}),
        400: vic.get("/inbox", params={"cursor": "nope"}),
    }
    for status, response in answers.items():
        assert response.status_code == status, (status, response.text)
        assert set(response.json()) == {"detail"}
        ErrorBody.model_validate(response.json())
    invalid = vic.patch(f"/inbox/{item_id}", json={"state": "gone"})
    assert invalid.status_code == 422
    body = ValidationErrorBody.model_validate(invalid.json())
    assert body.errors[0].field == "state" and "state" in body.detail


def test_401_keeps_its_message_and_challenge(client, users):
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"},
                    {"Authorization": "Bearer nope"}, {"Authorization": "Bearer  "}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401, headers
        assert response.json() == {
            "detail": "missing or invalid bearer token (Authorization: Bearer <token>)"}
        assert response.headers["www-authenticate"] == "Bearer"
    ok = client.get("/api/v1/me", headers={"Authorization": f"bearer  {users['vic']} "})
    assert ok.json() == {"id": "vic", "role": "viewer"}


@pytest.mark.parametrize(("raw", "message"), [
    (b"\xff\xff{", "malformed JSON: not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000, "malformed JSON: nested too deeply"),
    (b'{"ids": [' + b"1" * 5000 + b'], "op": "read"}', "malformed JSON: Exceeds the limit"),
    (b"{not json", "malformed JSON: Expecting property name"),
])
def test_a_body_json_cannot_read_is_malformed_json_not_a_bare_400(as_user, raw, message):
    """Found by schemathesis: a body that is not UTF-8 answered FastAPI's undocumented
    400 "There was an error parsing the body" instead of our 422 naming the body."""
    api = as_user("mel")
    response = api.client.post("/api/v1/inbox/bulk", content=raw,
                               headers={**api.headers, "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    body = ValidationErrorBody.model_validate(response.json())
    assert body.errors[0].field == "body" and body.errors[0].message.startswith(message)


def test_other_http_errors_keep_their_status_and_body(client):
    assert client.get("/api/v1/nowhere").json() == {"detail": "Not Found"}
    response = client.delete("/api/v1/inbox")
    assert response.status_code == 405 and set(response.json()) == {"detail"}


def test_the_dropped_answer_is_documented(schema, as_user):
    """202 answers the `Dropped` model (its own schema, not a union with Item)."""
    responses = dict(operations(schema))["POST /api/v1/inbox/items"]["responses"]
    assert body_ref(responses["202"]) == REF + "Dropped"
    response = as_user("svc").post("/inbox/items", json=item(
        kind="escalation",
        payload={"advisory": True, "reason": "LLM provider timeout: 503 from upstream"}))
    assert response.status_code == 202, response.text
    assert Dropped.model_validate(response.json()).dropped is True


def test_the_400s_of_ingest_and_patch_are_documented(schema, as_user):
    """Found by schemathesis: POST /inbox/items (a created_at days ahead of the server's clock)
    and PATCH /inbox/{id} (a blank resolved_action) answered a 400 their schema left out."""
    from datetime import UTC, datetime, timedelta

    svc, mel = as_user("svc"), as_user("mel")
    ahead = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    answers = {
        "POST /api/v1/inbox/items": svc.post("/inbox/items", json=item(created_at=ahead)),
        "PATCH /api/v1/inbox/{item_id}": mel.patch(f"/inbox/{svc.ingest()['id']}",
                                                  json={"state": "resolved",
                                                        "resolved_action": " "}),
    }
    for name, response in answers.items():
        assert response.status_code in (400, 422), (name, response.text)
        assert str(response.status_code) in dict(operations(schema))[name]["responses"], name


def test_a_validators_message_reads_as_itself(as_user):
    response = as_user("svc").post("/inbox/items", json=item(tags=[""]))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "tags",
                                          "message": "each tag is 1 to 64 characters"}]
