"""The JSON API in the authorization matrix: every API route x every relationship to a case, with a personal
access token made on that user's account page. The answers are the pages' own: 404 for a case the token's user
may not see (administrators included), 403 with the reason where they see it but may not do this (or the token
lacks the scope), 401 without a token. A new API route missing from ``API_EXPECTATIONS`` fails the test."""

import pytest

from eha.extensions import db
from tests.api.helpers import bearer, token_for
from tests.security.test_authorization_matrix import EXPECTATIONS, RELATIONSHIPS, SEES_CASE, _routes

TOKEN_HOLDERS = [r for r in RELATIONSHIPS if r != "anonymous"]
OWNER = {"taf"}  # the seeded action's owner: through the API only an owner updates an action

# endpoint -> {relationship: expected status}; a relationship not named gets ``default``.
API_EXPECTATIONS = {
    "api.me": {"default": 200},
    "api.my_cases": {"default": 200},
    "api.case_summary": {**{r: 200 for r in SEES_CASE}, "default": 404},
    # The owner sends a version that is not the stored one: 409 proves they got past every access check.
    "api.action_progress": {**{r: 403 for r in SEES_CASE - OWNER}, "taf": 409, "default": 404},
    # Personal tokens are offered only read and actions:update: managing webhooks needs a client's token.
    "api.webhook_list": {"default": 403},
    "api.webhook_create": {"default": 403},
    "api.webhook_delete": {"default": 403},
    # The managers' reports and returns: the pages' MANAGERS need, 404 for anyone else.
    "api.report_index": {"manager": 200, "default": 404},
    "api.report_outline": {"manager": 200, "default": 404},
    "api.report_table_csv": {"manager": 200, "default": 404},
    "api.return_csv": {"manager": 200, "default": 404},
}
BODIES = {
    "api.action_progress": {"version": 999, "progress": "on_track"},
    "api.webhook_create": {"url": "https://x.example"},
}


def _url(endpoint, world, foreign=False):
    case = world.other_case if foreign else world.case
    key = world.other_action_key if foreign else world.action_key
    return {
        "api.me": "/api/v1/me",
        "api.my_cases": "/api/v1/cases",
        "api.case_summary": f"/api/v1/cases/{case.ref}",
        "api.action_progress": f"/api/v1/cases/{case.ref}/actions/{key}/progress",
        "api.webhook_list": "/api/v1/webhooks",
        "api.webhook_create": "/api/v1/webhooks",
        "api.webhook_delete": "/api/v1/webhooks/1",
        "api.report_index": "/api/v1/reports",
        "api.report_outline": "/api/v1/reports/cases-by-state-and-agency",
        "api.report_table_csv": "/api/v1/reports/cases-by-state-and-agency/states.csv",
        "api.return_csv": "/api/v1/returns/ssd-early-help.csv",
    }[endpoint]


def _method(app, endpoint):
    return next(method for rule, method in _routes(app) if rule.endpoint == endpoint)


def test_every_api_route_is_in_the_api_matrix(app):
    api_routes = {rule.endpoint for rule, _m in _routes(app) if EXPECTATIONS.get(rule.endpoint) == "api-token"}
    assert api_routes - {"api.oauth_token"} == set(API_EXPECTATIONS)


@pytest.fixture
def tokens(app, world):
    return {r: token_for(app, world.users[r], name=f"Matrix {r}") for r in TOKEN_HOLDERS}


@pytest.mark.parametrize("endpoint", sorted(API_EXPECTATIONS))
def test_every_api_route_answers_each_relationship_as_the_pages_do(app, world, tokens, endpoint):
    method = _method(app, endpoint)
    client = app.test_client()
    problems = []
    url = _url(endpoint, world)
    anonymous = client.open(url, method=method, json=BODIES.get(endpoint))
    if anonymous.status_code != 401:
        problems.append(f"{method} {url} without a token: {anonymous.status_code}")
    expected = API_EXPECTATIONS[endpoint]
    for relationship in TOKEN_HOLDERS:
        response = client.open(url, method=method, json=BODIES.get(endpoint), headers=bearer(tokens[relationship]))
        want = expected.get(relationship, expected["default"])
        if response.status_code != want:
            problems.append(f"{method} {url} as {relationship}: {response.status_code}, expected {want}")
        db.session.expire_all()
    assert not problems, "\n".join(problems)


def test_the_other_cases_action_under_this_case_is_not_found(app, world, tokens):
    """IDOR: the other case's action key under the case the lead and manager see."""
    client = app.test_client()
    url = f"/api/v1/cases/{world.case.ref}/actions/{world.other_action_key}/progress"
    for relationship in ("lead", "manager", "taf"):
        response = client.post(url, json={"version": 1, "progress": "done"}, headers=bearer(tokens[relationship]))
        assert response.status_code == 404, (relationship, response.status_code)


def test_an_administrators_token_sees_no_case(app, world, tokens):
    client = app.test_client()
    assert client.get("/api/v1/cases", headers=bearer(tokens["admin"])).json["items"] == []
    assert client.get(f"/api/v1/cases/{world.case.ref}", headers=bearer(tokens["admin"])).status_code == 404
