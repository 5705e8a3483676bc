"""GOV.UK Notify through the official client, against a small local HTTP server that checks the request the way
Notify does: a JWT signed with the API key's secret, issued by the service id, and the email's JSON."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest

from eha.notifications import outbox, worker
from tests.notifications import helpers

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"eha_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())
DIGEST_TEMPLATE_ID = str(uuid.uuid4())


class _FakeNotify(BaseHTTPRequestHandler):
    received = []
    answer = (201, {})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        except jwt.PyJWTError as exc:
            return self._reply(403, {"errors": [{"error": "AuthError", "message": str(exc)}], "status_code": 403})
        type(self).received.append({"path": self.path, "scheme": scheme, "claims": claims, "body": body})
        status, payload = type(self).answer
        return self._reply(status, payload or {"id": str(uuid.uuid4()), "reference": body.get("reference")})

    def _reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify(app):
    _FakeNotify.received, _FakeNotify.answer = [], (201, {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(
        NOTIFY_API_KEY=API_KEY,
        NOTIFY_BASE_URL=f"http://127.0.0.1:{server.server_address[1]}",
        NOTIFY_TEMPLATE_ID=TEMPLATE_ID,
        NOTIFY_TEMPLATE_IDS={"daily_digest": DIGEST_TEMPLATE_ID},
        EHA_NOTIFICATIONS_CHANNEL=None,  # chosen because NOTIFY_API_KEY is set
    )
    yield _FakeNotify
    server.shutdown()
    server.server_close()


def test_a_message_goes_to_notify_as_a_signed_request_with_the_template_and_personalisation(app, notify):
    outbox.enqueue("action_owned:k:user:1", "action_owned", address="Nia@Health.example.org", subject="S", body="B")
    outbox.enqueue(
        "daily_digest:2026-12-01:user:1", "daily_digest", address="nia@health.example.org", subject="D", body="Due"
    )
    from eha.extensions import db

    db.session.commit()
    assert worker.deliver_due().sent == 2
    first, second = notify.received
    assert first["path"] == "/v2/notifications/email" and first["scheme"] == "Bearer"
    assert first["claims"]["iss"] == SERVICE_ID and "iat" in first["claims"]
    assert first["body"] == {
        "email_address": "Nia@health.example.org",
        "template_id": TEMPLATE_ID,
        "personalisation": {"subject": "S", "body": "B"},
        "reference": "action_owned:k:user:1",
    }
    assert second["body"]["template_id"] == DIGEST_TEMPLATE_ID  # a kind's own template when one is set
    assert {r.status for r in helpers.rows()} == {"sent"}


def test_a_notify_error_keeps_the_message_queued_with_notifys_reason(app, notify):
    from eha.extensions import db

    notify.answer = (
        400,
        {
            "errors": [
                {"error": "BadRequestError", "message": "Can't send to this recipient using a team-only API key"}
            ],
            "status_code": 400,
        },
    )
    outbox.enqueue("k1", "action_owned", address="nia@health.example.org", subject="S", body="B")
    db.session.commit()
    assert worker.deliver_due().retrying == 1
    [row] = helpers.rows()
    assert row.status == "queued" and "team-only API key" in row.last_error and row.last_error.startswith("GOV.UK")


def test_a_malformed_api_key_is_recorded_as_the_reason_not_a_crash(app, notify):
    from eha.extensions import db

    app.config["NOTIFY_API_KEY"] = "short"
    outbox.enqueue("k1", "action_owned", address="nia@health.example.org", subject="S", body="B")
    db.session.commit()
    assert worker.deliver_due().retrying == 1
    assert "not a GOV.UK Notify API key" in helpers.rows()[0].last_error and notify.received == []
