"""Two API requests (or pages) at once on PostgreSQL: a token made twice with one name, a webhook registered twice,
a client revoked while it is in use. Exactly one change wins, the other gets a clear answer, never a 500."""

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.api import ApiClient, ApiToken, WebhookSubscription
from tests import factories
from tests.api.helpers import TOKEN, bearer, client_credentials
from tests.api.test_clients_and_webhooks import _token
from tests.conftest import POSTGRES_URL
from tests.security.helpers import race, seed_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises every write, so requests cannot race",
    ),
]

HOOK = "https://mis.example.org/eha-events"


@pytest.fixture
def app_settings():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 5, "pool_timeout": 60}}


def _at_once(count, action):
    results = race(count, action)
    assert not any(isinstance(result, Exception) for result in results), results
    return results


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_two_tokens_made_at_once_with_one_name_make_one(app):
    world = seed_world()
    taf = world.users["taf"]
    pages = [app.test_client(), app.test_client()]  # two browsers of the same user
    for page in pages:
        factories.sign_in(page, taf)

    def create(index):
        response = pages[index].post("/account/tokens", data={"name": "MIS", "scopes": ["read"], "days": "30"})
        return response.status_code, response.get_data(as_text=True)

    results = _at_once(2, create)
    assert [status for status, _ in results] == [200, 200]
    shown = [any(len(found) > 20 for found in TOKEN.findall(text)) for _, text in results]
    assert sorted(shown) == [False, True]
    refused = next(text for (_, text), made in zip(results, shown, strict=True) if not made)
    assert "You have a live token with this name" in refused
    assert _count(ApiToken, ApiToken.user_id == taf.id, ApiToken.name == "MIS") == 1


def test_the_same_webhook_registered_twice_at_once_is_made_once(app, client):
    world = seed_world()
    client_id, secret = client_credentials(app, world.users["admin"], world.users["taf"])
    token = _token(client, client_id, secret).json["access_token"]
    callers = [app.test_client(), app.test_client()]

    def register(index):
        response = callers[index].post("/api/v1/webhooks", json={"url": HOOK}, headers=bearer(token))
        return response.status_code, response.json

    results = _at_once(2, register)
    assert sorted(status for status, _ in results) == [201, 409], results
    conflict = next(body for status, body in results if status == 409)
    assert "subscribed already" in conflict["message"]
    assert _count(WebhookSubscription, WebhookSubscription.url == HOOK, WebhookSubscription.revoked_at.is_(None)) == 1


def test_revoking_a_client_while_it_is_in_use_leaves_it_with_nothing_live(app, client):
    world = seed_world()
    admin = world.users["admin"]
    client_id, secret = client_credentials(app, admin, world.users["taf"])
    token = _token(client, client_id, secret).json["access_token"]
    row_id = db.session.scalar(sa.select(ApiClient.id).where(ApiClient.client_id == client_id))
    admin_page = app.test_client()
    factories.sign_in(admin_page, admin)
    callers = [app.test_client() for _ in range(3)]

    def act(index):
        if index == 0:
            return "revoke", admin_page.post(f"/admin/api-clients/{row_id}/revoke").status_code, None
        caller = callers[index - 1]
        if index == 1:
            response = _token(caller, client_id, secret)
            return "token", response.status_code, response.json.get("access_token")
        if index == 2:
            response = caller.post("/api/v1/webhooks", json={"url": HOOK}, headers=bearer(token))
            return "webhook", response.status_code, None
        return "cases", caller.get("/api/v1/cases", headers=bearer(token)).status_code, None

    results = _at_once(4, act)
    allowed = {"revoke": {302}, "token": {200, 401}, "webhook": {201, 400, 401}, "cases": {200, 401}}
    for what, status, _ in results:
        assert status in allowed[what], results
    # Whatever order they ran in, the client is left with no live token and no live subscription.
    issued = [value for what, _, value in results if what == "token" and value]
    for live in [token, *issued]:
        assert client.get("/api/v1/me", headers=bearer(live)).status_code == 401
    assert (
        _count(WebhookSubscription, WebhookSubscription.client_id == row_id, WebhookSubscription.revoked_at.is_(None))
        == 0
    )
    assert _token(client, client_id, secret).status_code == 401
