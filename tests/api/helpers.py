"""Getting API tokens the way a user does: on the account page, and through the token endpoint."""

import re

from eha.extensions import db
from tests import factories

TOKEN = re.compile(r"eha_pat_[A-Za-z0-9_-]+")
SECRET = re.compile(r"eha_cs_[A-Za-z0-9_-]+")


def token_for(app, user, scopes=("read", "actions:update"), days="30", name="Test token"):
    """Create a personal access token on ``user``'s account page and read it off the page."""
    client = app.test_client()
    factories.sign_in(client, user)
    response = client.post("/account/tokens", data={"name": name, "scopes": list(scopes), "days": days})
    assert response.status_code == 200, response.status_code
    found = TOKEN.search(response.get_data(as_text=True))
    assert found, "the new token is not on the page"
    db.session.expire_all()
    return found.group(0)


def client_credentials(app, admin, acts_as, scopes=("read", "webhooks"), name="School MIS"):
    """An administrator adds a client; returns ``(client_id, secret)`` as the page shows them."""
    client = app.test_client()
    factories.sign_in(client, admin)
    response = client.post(
        "/admin/api-clients",
        data={
            "client-name": name,
            "client-user_id": str(acts_as.id),
            "client-scopes": list(scopes),
            "client-submit": "Create client",
        },
    )
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    client_id = re.search(r'id="client-id">([^<]+)<', page).group(1)
    return client_id, SECRET.search(page).group(0)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}
