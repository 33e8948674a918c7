"""Property-based tests of the HTTP API against its own OpenAPI schema (schemathesis).

Every operation in `/openapi.json` gets generated requests, valid and invalid, sent in-process
to the ASGI app as an owner and as a viewer. Each answer must be no server error, carry a
status code, content type and body that the schema documents for that operation. Bounded and
reproducible: a fixed number of examples per operation, derandomized; SQLite in a temp folder;
no network.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi as in_process
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cockpit.domain.models import ItemIn
from cockpit.domain.roles import Principal
from cockpit.server.app import ServerOptions, create_app
from cockpit.server.inbox import Inbox
from cockpit.store import open_engine
from cockpit.store.users import add_user, issue_token
from tests.factories import item

MAX_EXAMPLES = 30  # per operation and role; the file stays well under 90 s as routes are added
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

# The schema is what the app publishes; building it opens no database.
schema = schemathesis.openapi.from_dict(create_app().openapi())
LIST = schema["/api/v1/inbox"]["GET"]

SEED = [
    item(),
    item(kind="waitpoint", payload={"pipeline": "deploy", "run_id": "r-1", "step": "prod"}),
    item(kind="escalation", payload={"type": "RISKY_ACTION", "reason": "scale web to 6",
                                     "proposed_action": "scale web 6"}),
    item(kind="failed_run", payload={"pipeline": "nightly", "run_id": "r-2"}),
    item(kind="ticket", payload={"customer": {"id": "c-1", "name": "Ann", "email": "a@x.io",
                                              "vip": False}}),
    item(target_role="admin"),
    item(target_user_id="vic"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[object, dict[str, str]]]:
    """The app on a fresh SQLite database with a few items, and a token per role."""
    engine = open_engine(f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'cockpit.db'}")
    tokens = {}
    with engine.begin() as conn:
        for name, role in {"olivia": "owner", "vic": "viewer", "svc": "service"}.items():
            add_user(conn, name, role)
            tokens[role] = issue_token(conn, name)
    inbox = Inbox(engine)
    for body in SEED:
        inbox.ingest(Principal("svc", "service"), ItemIn.model_validate(body))
    app = create_app(ServerOptions(poll_interval=0.2, heartbeat=1.0), engine=engine)
    yield app, tokens
    # schemathesis starts the app's lifespan on its first request and keeps it until exit;
    # stop it (hub, outbox worker, sweeper) while the database is still there.
    shutdown = getattr(in_process, "shutdown_lifespans", None)  # schemathesis 4.x
    if shutdown is not None:
        shutdown()
    engine.dispose()


def _check(case, served, role: str) -> None:
    app, tokens = served
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    response = case.call_and_validate(app=app, headers=headers, checks=CHECKS)
    if case.method != "GET" and response.status_code < 300:
        # What the API accepted it must still serve: a stored row that cannot be read back
        # would break the list for everyone who sees it.
        LIST.Case(query={"state": "all", "limit": 50}).call_and_validate(
            app=app, headers=headers, checks=CHECKS)


_settings = settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None,
                     database=None, suppress_health_check=list(HealthCheck))


@schema.parametrize()
@_settings
def test_as_owner(case, served):
    _check(case, served, "owner")


@schema.parametrize()
@_settings
def test_as_viewer(case, served):
    _check(case, served, "viewer")
