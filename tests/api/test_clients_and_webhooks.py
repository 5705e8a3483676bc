"""Other systems: an administrator adds an OAuth client, the system gets a token from the token endpoint,
subscribes to case state changes, and receives each change as a signed POST delivered through the outbox."""

import hashlib
import hmac
import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.notifications import Notification
from eha.notifications import worker
from tests import factories
from tests.api.helpers import bearer, client_credentials
from tests.security.helpers import seed_world


class Receiver:
    """A real HTTP server on loopback that records each POST and answers ``status``."""

    def __init__(self, status=204):
        self.received = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body.decode()))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/eha-events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


def _token(client, client_id, secret, **extra):
    return client.post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **extra},
    )


def _step_up(app, manager, case):
    page = app.test_client()
    factories.sign_in(page, manager)
    today = date.today()
    response = page.post(
        f"/assessments/{case.ref}/step-up",
        data={"on": [str(today.day), str(today.month), str(today.year)], "team": "Front Door", "reason": "Disclosure"},
    )
    assert response.status_code == 302


def test_a_client_gets_a_token_and_sees_what_its_user_sees(app, client):
    world = seed_world()
    admin = world.users["admin"]
    client_id, secret = client_credentials(app, admin, world.users["taf"])
    response = _token(client, client_id, secret)
    assert response.status_code == 200
    assert response.json["token_type"] == "Bearer" and response.json["expires_in"] == 3600
    token = response.json["access_token"]
    cases = client.get("/api/v1/cases", headers=bearer(token)).json["items"]
    assert [c["ref"] for c in cases] == [world.case.ref]
    assert client.get(f"/api/v1/cases/{world.other_case.ref}", headers=bearer(token)).status_code == 404


def test_the_token_endpoint_refuses_wrong_secrets_grants_and_scopes(app, client):
    world = seed_world()
    client_id, secret = client_credentials(app, world.users["admin"], world.users["taf"], scopes=("read",))
    assert _token(client, client_id, secret + "x").json == {"error": "invalid_client"}
    assert _token(client, "eha-nobody", secret).status_code == 401
    wrong_grant = client.post("/api/v1/oauth/token", data={"grant_type": "password", "client_id": client_id})
    assert wrong_grant.json["error"] == "unsupported_grant_type"
    assert _token(client, client_id, secret, scope="webhooks").json["error"] == "invalid_scope"
    basic = client.post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )
    assert basic.status_code == 200 and basic.json["scope"] == "read"


def test_revoking_a_client_ends_its_tokens(app, client):
    world = seed_world()
    admin = world.users["admin"]
    client_id, secret = client_credentials(app, admin, world.users["taf"])
    token = _token(client, client_id, secret).json["access_token"]
    from eha.models.api import ApiClient

    row = db.session.scalar(sa.select(ApiClient).where(ApiClient.client_id == client_id))
    page = app.test_client()
    factories.sign_in(page, admin)
    assert page.post(f"/admin/api-clients/{row.id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert _token(client, client_id, secret).status_code == 401


def test_an_administrator_cannot_give_a_client_an_administrators_sight(app, client, signed_in):
    world = seed_world()
    signed_in(world.users["admin"])
    response = client.post(
        "/admin/api-clients",
        data={
            "client-name": "Sneaky",
            "client-user_id": str(world.users["admin"].id),
            "client-scopes": ["read"],
            "client-submit": "Create client",
        },
    )
    assert response.status_code == 200
    assert "Select an option from the list" in response.get_data(as_text=True)
    assert "eha_cs_" not in response.get_data(as_text=True)


def test_a_state_change_is_delivered_signed_to_each_subscriber_who_may_see_the_case(app, client, receiver):
    world = seed_world()
    client_id, secret = client_credentials(app, world.users["admin"], world.users["taf"])
    token = _token(client, client_id, secret).json["access_token"]
    created = client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=bearer(token))
    assert created.status_code == 201
    signing_secret = created.json["secret"]
    # A subscriber who may not see the case hears nothing of it.
    outsider_id, outsider_secret = client_credentials(app, world.users["admin"], world.users["unrelated"], name="Other")
    outsider = _token(client, outsider_id, outsider_secret).json["access_token"]
    assert (
        client.post("/api/v1/webhooks", json={"url": receiver.url + "/x"}, headers=bearer(outsider)).status_code == 201
    )

    _step_up(app, world.users["manager"], world.case)
    outcome = worker.deliver_all()
    assert outcome.sent == 1

    ((headers, body),) = receiver.received
    event = json.loads(body)
    assert event["event"] == "case.state_changed"
    assert event["case"] == {
        "ref": world.case.ref,
        "state": "closed",
        "previous_state": "plan_active",
        "trigger": "step_up",
    }
    assert "Bennett" not in body  # ids and codes only
    stamp, mac = dict(part.split("=", 1) for part in headers["X-EHA-Signature"].split(",")).values()
    expected = hmac.new(signing_secret.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, expected)


def test_a_failed_delivery_is_retried_by_the_outbox(app, client):
    failing = Receiver(status=503)
    try:
        world = seed_world()
        client_id, secret = client_credentials(app, world.users["admin"], world.users["manager"])
        token = _token(client, client_id, secret).json["access_token"]
        assert client.post("/api/v1/webhooks", json={"url": failing.url}, headers=bearer(token)).status_code == 201
        _step_up(app, world.users["manager"], world.case)
        assert worker.deliver_all().retrying == 1
        row = db.session.scalar(sa.select(Notification).where(Notification.kind == "webhook"))
        assert row.status == "queued" and row.attempts == 1 and "503" in row.last_error
        assert len(failing.received) == 1
    finally:
        failing.close()


def test_a_client_lists_and_ends_its_subscriptions(app, client, receiver):
    world = seed_world()
    client_id, secret = client_credentials(app, world.users["admin"], world.users["taf"])
    token = _token(client, client_id, secret).json["access_token"]
    made = client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=bearer(token)).json
    assert [w["id"] for w in client.get("/api/v1/webhooks", headers=bearer(token)).json["items"]] == [made["id"]]
    assert "secret" not in client.get("/api/v1/webhooks", headers=bearer(token)).json["items"][0]
    assert client.delete(f"/api/v1/webhooks/{made['id']}", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/webhooks", headers=bearer(token)).json["items"] == []
    assert client.delete(f"/api/v1/webhooks/{made['id']}", headers=bearer(token)).status_code == 404
    bad = client.post("/api/v1/webhooks", json={"url": "file:///etc/passwd"}, headers=bearer(token))
    assert bad.status_code == 400


def test_production_accepts_only_https_webhooks(app, client):
    world = seed_world()
    app.config["EHA_WEBHOOK_ALLOW_HTTP"] = False
    client_id, secret = client_credentials(app, world.users["admin"], world.users["taf"])
    token = _token(client, client_id, secret).json["access_token"]
    refused = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=bearer(token))
    assert refused.status_code == 400 and "https://" in refused.json["message"]
    accepted = client.post("/api/v1/webhooks", json={"url": "https://mis.example.org/eha"}, headers=bearer(token))
    assert accepted.status_code == 201


def test_an_administrator_subscribes_a_client_and_ends_the_subscription(app, client, signed_in, receiver):
    world = seed_world()
    client_credentials(app, world.users["admin"], world.users["manager"], name="Data warehouse")
    from eha.models.api import ApiClient, WebhookSubscription

    row = db.session.scalar(sa.select(ApiClient))
    signed_in(world.users["admin"])
    made = client.post(
        "/admin/api-clients/webhooks",
        data={"webhook-client": str(row.id), "webhook-url": receiver.url, "webhook-submit": "Subscribe"},
    )
    assert made.status_code == 200
    assert 'id="webhook-secret"' in made.get_data(as_text=True)
    listing = client.get("/admin/api-clients").get_data(as_text=True)
    assert receiver.url in listing
    subscription = db.session.scalar(sa.select(WebhookSubscription))
    assert subscription.owner_id == world.users["manager"].id and subscription.client_id == row.id
    assert client.post(f"/admin/api-clients/webhooks/{subscription.id}/revoke").status_code == 302
    _step_up(app, world.users["manager"], world.case)
    assert worker.deliver_all().claimed == 0
    assert receiver.received == []
