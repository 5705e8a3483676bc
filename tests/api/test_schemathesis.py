"""Contract tests (issue 17 item 3): schemathesis generates requests from ``/api/v1/openapi.json`` and sends them
to the app served on loopback by a real HTTP server, with a live token for a user who sees a seeded case. Every
response must not be a server error, must use a status and content type the document declares, and must match
the document's schema for that status.

``EHA_SCHEMATHESIS_EXAMPLES`` (25) bounds the examples per operation so the file stays well under a minute;
``EHA_SCHEMATHESIS_REPORT=1`` prints how many requests each operation was sent.
"""

import os
import threading
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from tests.api.helpers import bearer, client_credentials
from tests.security.helpers import seed_world

EXAMPLES = int(os.environ.get("EHA_SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SENT = {}


@pytest.fixture
def app_settings():
    # The per-token rate limit is tested on its own; here it would only stop the generated requests.
    return {"EHA_API_RATE_LIMIT": "100000 per minute", "EHA_WEBHOOK_ALLOW_HTTP": False}


@dataclass
class Live:
    base_url: str
    headers: dict
    ref: str
    key: str
    manager_headers: dict


@pytest.fixture
def live(app):
    world = seed_world()
    client_id, secret = client_credentials(
        app, world.users["admin"], world.users["taf"], scopes=("read", "actions:update", "webhooks")
    )
    token = app.test_client().post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    # The reports and returns are a manager's: a data warehouse's client acting as one.
    warehouse_id, warehouse_secret = client_credentials(
        app, world.users["admin"], world.users["manager"], scopes=("read",), name="Data warehouse"
    )
    warehouse = app.test_client().post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": warehouse_id, "client_secret": warehouse_secret},
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(
            f"http://127.0.0.1:{server.server_port}",
            bearer(token.json["access_token"]),
            world.case.ref,
            world.action_key,
            bearer(warehouse.json["access_token"]),
        )
    finally:
        server.shutdown()
        server.server_close()


def _run_operation(operation, live):
    key = f"{operation.method.upper()} {operation.path}"
    # The token endpoint authenticates the client itself; every other operation gets the live token.
    headers = {} if operation.path.endswith("/oauth/token") else live.headers
    if operation.path.startswith(("/api/v1/reports", "/api/v1/returns")):
        headers = live.manager_headers

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    def run(case):
        SENT[key] = SENT.get(key, 0) + 1
        case.call_and_validate(base_url=live.base_url, headers=headers, checks=CHECKS)

    run()


def test_every_response_matches_the_document_and_none_is_a_server_error(live):
    """Each operation of the document, generated requests against the live server (the pytest plugin's
    ``from_fixture`` does not run under this pytest, so the operations are walked here)."""
    document = schemathesis.openapi.from_url(f"{live.base_url}/api/v1/openapi.json")
    problems, operations = [], 0
    for result in document.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            _run_operation(operation, live)
        except Exception as exc:  # one operation's failures must not hide the next one's
            problems.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert operations >= 12
    assert not problems, "\n\n".join(problems)


def test_the_seeded_cases_real_answers_match_the_document(live):
    """Generated references rarely name a case the token sees: the seeded case's own summary and a progress
    update on the token's own action (then the same again, stale) are checked against the document too."""
    document = schemathesis.openapi.from_url(f"{live.base_url}/api/v1/openapi.json")
    summary = document["/api/v1/cases/{ref}"]["GET"]
    response = summary.Case(path_parameters={"ref": live.ref}).call_and_validate(
        base_url=live.base_url, headers=live.headers, checks=CHECKS
    )
    assert response.status_code == 200
    version = response.json()["actions"][0]["version"]
    progress = document["/api/v1/cases/{ref}/actions/{key}/progress"]["POST"]
    statuses = []
    for _attempt in range(2):
        case = progress.Case(
            path_parameters={"ref": live.ref, "key": live.key},
            body={"version": version, "progress": "on_track", "comment": None},
            media_type="application/json",
        )
        statuses.append(case.call_and_validate(base_url=live.base_url, headers=live.headers, checks=CHECKS).status_code)
    assert statuses == [200, 409]
    listing = (
        document["/api/v1/cases"]["GET"]
        .Case()
        .call_and_validate(base_url=live.base_url, headers=live.headers, checks=CHECKS)
    )
    assert [item["ref"] for item in listing.json()["items"]] == [live.ref]


def test_the_reports_real_answers_match_the_document(live):
    """A manager's real report outline, one of its tables as CSV, and a return, checked against the document."""
    document = schemathesis.openapi.from_url(f"{live.base_url}/api/v1/openapi.json")
    checked = {"base_url": live.base_url, "headers": live.manager_headers, "checks": CHECKS}
    outline = (
        document["/api/v1/reports/{name}"]["GET"]
        .Case(path_parameters={"name": "cases-by-state-and-agency"}, query={"period": "last-fy"})
        .call_and_validate(**checked)
    )
    assert outline.status_code == 200
    table = outline.json()["tables"][0]["key"]
    csv_case = document["/api/v1/reports/{name}/{key}.csv"]["GET"].Case(
        path_parameters={"name": "cases-by-state-and-agency", "key": table}, query={"period": "last-fy"}
    )
    assert csv_case.call_and_validate(**checked).status_code == 200
    returned = (
        document["/api/v1/returns/{name}.csv"]["GET"]
        .Case(path_parameters={"name": "ssd-early-help"}, query={"from": "2025-04-01", "to": "2026-03-31"})
        .call_and_validate(**checked)
    )
    assert returned.status_code == 200 and returned.headers["content-type"][0].startswith("text/csv")


def teardown_module(_module):
    if os.environ.get("EHA_SCHEMATHESIS_REPORT"):
        for key, count in sorted(SENT.items()):
            print(f"schemathesis {key}: {count} requests")
        print(f"schemathesis total: {sum(SENT.values())} requests")
