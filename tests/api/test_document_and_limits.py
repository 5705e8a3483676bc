"""The OpenAPI document, its reference page, and the per-token rate limit."""

import pytest

from tests.api.helpers import bearer, token_for
from tests.security.helpers import seed_world


@pytest.fixture
def app_settings():
    return {"EHA_API_RATE_LIMIT": "3 per minute"}


def test_the_document_is_openapi_3_1_and_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/api/v1/me",
        "/api/v1/cases",
        "/api/v1/cases/{ref}",
        "/api/v1/cases/{ref}/actions/{key}/progress",
        "/api/v1/webhooks",
        "/api/v1/webhooks/{webhook_id}",
        "/api/v1/oauth/token",
        "/api/v1/reports",
        "/api/v1/reports/{name}",
        "/api/v1/reports/{name}/{key}.csv",
        "/api/v1/returns/{name}.csv",
    }
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_reference_page_is_rendered_from_the_document_without_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "POST /api/v1/cases/{ref}/actions/{key}/progress" in page
    assert "ProgressUpdate" in page and "Record progress on an action you own" in page
    assert "<script>" not in page and "cdn" not in page.lower()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_calls_are_rate_limited_per_token(app, client):
    world = seed_world()
    first = token_for(app, world.users["taf"], name="One")
    second = token_for(app, world.users["taf"], name="Two")
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(first)).status_code == 200
    limited = client.get("/api/v1/me", headers=bearer(first))
    assert limited.status_code == 429
    assert limited.json["code"] == 429
    # Another token of the same user, from the same address, has its own allowance.
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200


def test_unknown_api_addresses_and_methods_answer_in_json(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json["code"] == 404
    wrong = client.put("/api/v1/cases")
    assert wrong.status_code == 405 and wrong.json["code"] == 405
    # The pages keep their HTML error page.
    assert "text/html" in client.get("/no-such-page").content_type
