"""A webhook lives as long as the client that made it: revoking the client on the administrators' page ends its
subscriptions, stops new deliveries and drops the pending ones (each becomes "failed", "the webhook subscription
has ended", as the delivery report shows). An address subscribed twice answers 409. Personal tokens cannot
subscribe (only clients have the webhooks scope), and two live tokens of one user cannot share a name."""

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.api import ApiClient, WebhookSubscription
from eha.models.notifications import Notification
from eha.notifications import worker
from tests import factories
from tests.api.helpers import TOKEN, bearer, client_credentials, token_for
from tests.api.test_clients_and_webhooks import _step_up, _token
from tests.api.test_clients_and_webhooks import receiver as receiver  # the fixture
from tests.security.helpers import seed_world


def _deliveries():
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).where(Notification.kind == "webhook")).all()


def _subscribed_client(app, client, world, url, name="School MIS"):
    client_id, secret = client_credentials(app, world.users["admin"], world.users["taf"], name=name)
    token = _token(client, client_id, secret).json["access_token"]
    made = client.post("/api/v1/webhooks", json={"url": url}, headers=bearer(token))
    assert made.status_code == 201
    return db.session.scalar(sa.select(ApiClient).where(ApiClient.client_id == client_id)), token, made.json


def _revoke_on_the_admin_page(app, admin, row):
    page = app.test_client()
    factories.sign_in(page, admin)
    assert page.post(f"/admin/api-clients/{row.id}/revoke").status_code == 302
    return page


def test_revoking_a_client_drops_its_pending_deliveries_and_keeps_the_others(app, client, receiver):
    world = seed_world()
    revoked, _token_a, made = _subscribed_client(app, client, world, receiver.url)
    _kept, _token_b, kept = _subscribed_client(app, client, world, receiver.url + "/kept", name="Health system")
    _step_up(app, world.users["manager"], world.case)
    assert sorted(row.status for row in _deliveries()) == ["queued", "queued"]

    page = _revoke_on_the_admin_page(app, world.users["admin"], revoked)

    dropped = [row for row in _deliveries() if row.webhook_id == made["id"]]
    assert [(row.status, row.last_error) for row in dropped] == [("failed", "the webhook subscription has ended")]
    assert worker.deliver_all().sent == 1
    assert [headers["X-EHA-Delivery"].split(":")[1] for headers, _ in receiver.received] == [str(kept["id"])]
    listing = page.get("/admin/api-clients").get_data(as_text=True)
    assert receiver.url + "/kept" in listing and f">{receiver.url}<" not in listing
    assert db.session.get(WebhookSubscription, made["id"]).revoked_at is not None


def test_after_revoking_the_client_a_state_change_queues_nothing(app, client, receiver):
    world = seed_world()
    row, _token_a, _made = _subscribed_client(app, client, world, receiver.url)
    _revoke_on_the_admin_page(app, world.users["admin"], row)
    _step_up(app, world.users["manager"], world.case)
    assert _deliveries() == []
    assert worker.deliver_all().claimed == 0 and receiver.received == []


def test_a_delivery_claimed_by_the_worker_when_the_client_is_revoked_is_not_retried(app, client, receiver):
    world = seed_world()
    row, _token_a, _made = _subscribed_client(app, client, world, receiver.url)
    _step_up(app, world.users["manager"], world.case)
    claimed = worker.claim()
    assert len(claimed) == 1
    _revoke_on_the_admin_page(app, world.users["admin"], row)
    (delivery,) = _deliveries()
    assert delivery.status == "failed"
    assert worker.deliver_all().claimed == 0 and receiver.received == []


def test_an_address_subscribed_twice_is_a_conflict_until_the_first_is_ended(app, client, receiver):
    world = seed_world()
    _row, token, first = _subscribed_client(app, client, world, receiver.url)
    again = client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=bearer(token))
    assert again.status_code == 409 and "subscribed already" in again.json["message"]
    assert client.delete(f"/api/v1/webhooks/{first['id']}", headers=bearer(token)).status_code == 204
    assert client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=bearer(token)).status_code == 201


def test_an_administrator_subscribing_an_address_twice_is_told_so(app, client, signed_in, receiver):
    world = seed_world()
    row, _token_a, _made = _subscribed_client(app, client, world, receiver.url)
    signed_in(world.users["admin"])
    again = client.post(
        "/admin/api-clients/webhooks",
        data={"webhook-client": str(row.id), "webhook-url": receiver.url, "webhook-submit": "Subscribe"},
    )
    page = again.get_data(as_text=True)
    assert "This address is subscribed already" in page and 'id="webhook-secret"' not in page


def test_a_personal_token_cannot_subscribe(app, client, receiver):
    world = seed_world()
    secret = token_for(app, world.users["taf"])
    response = client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=bearer(secret))
    assert response.status_code == 403 and "webhooks" in response.json["message"]


def test_two_live_tokens_cannot_share_a_name(app, client):
    world = seed_world()
    taf = world.users["taf"]
    token_for(app, taf, name="School MIS")
    factories.sign_in(client, taf)
    response = client.post("/account/tokens", data={"name": "School MIS", "scopes": ["read"], "days": "30"})
    page = response.get_data(as_text=True)
    assert "You have a live token with this name" in page
    assert not any(len(found) > 20 for found in TOKEN.findall(page))  # no new token shown


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/eha",
        "https://10.1.2.3/eha",
        "https://192.168.0.10:8443/eha",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/eha",
        "https://[fd00::1]/eha",
    ],
)
def test_production_refuses_a_private_network_address(app, client, url):
    app.config["EHA_WEBHOOK_ALLOW_HTTP"] = False
    world = seed_world()
    client_id, secret = client_credentials(app, world.users["admin"], world.users["taf"])
    token = _token(client, client_id, secret).json["access_token"]
    refused = client.post("/api/v1/webhooks", json={"url": url}, headers=bearer(token))
    assert refused.status_code == 400 and "Enter a public address" in refused.json["message"]


def test_a_name_that_resolves_to_a_private_address_gets_no_delivery(app, client, receiver):
    app.config["EHA_WEBHOOK_ALLOW_HTTP"] = False
    world = seed_world()
    client_id, secret = client_credentials(app, world.users["admin"], world.users["taf"])
    token = _token(client, client_id, secret).json["access_token"]
    port = receiver.url.split(":")[2].split("/")[0]
    # "localhost" is a name, so it is accepted when subscribing; it resolves to loopback when sending.
    made = client.post("/api/v1/webhooks", json={"url": f"https://localhost:{port}/eha"}, headers=bearer(token))
    assert made.status_code == 201
    _step_up(app, world.users["manager"], world.case)
    assert worker.deliver_all().retrying == 1
    (delivery,) = _deliveries()
    assert "private network address" in delivery.last_error
    assert receiver.received == []
