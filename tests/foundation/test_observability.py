"""Request ids in the audit trail and the logs, JSON logs, /metrics behind a token, Sentry without personal data."""

import io
import json
import logging

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.observability import scrub_event
from tests import factories

METRICS_TOKEN = "a-metrics-token-for-the-tests-0123456789"


def _sign_in(client, user, **kwargs):
    return client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD}, **kwargs)


def _last_event():
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()


def test_each_response_names_its_request_and_the_audit_event_it_wrote_carries_the_same_id(app, client, practitioner):
    response = _sign_in(client, practitioner)
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    event = _last_event()
    assert (event.action, event.request_id) == ("sign_in", request_id)
    assert client.get("/sign-in").headers["X-Request-ID"] != request_id
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_a_changed_request_id_breaks_the_chain(app, client, practitioner):
    _sign_in(client, practitioner)
    event = _last_event()
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_events_no_update"))
        conn.execute(
            sa.text("UPDATE audit_events SET request_id = 'another-request-id' WHERE id = :id"), {"id": event.id}
        )
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    db.session.expire_all()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1


def test_a_request_id_from_the_client_is_not_believed_without_a_trusted_proxy(client):
    response = client.get("/sign-in", headers={"X-Request-ID": "chosen-by-the-visitor"})
    assert response.headers["X-Request-ID"] != "chosen-by-the-visitor"


class TestBehindAProxy:
    @pytest.fixture
    def app_settings(self):
        return {"EHA_TRUSTED_PROXIES": 1}

    def test_the_proxys_request_id_is_kept(self, client, practitioner):
        response = _sign_in(client, practitioner, headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"})
        assert response.headers["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
        assert _last_event().request_id == "0123456789abcdef0123456789abcdef"

    def test_a_malformed_one_is_replaced(self, client):
        response = client.get("/sign-in", headers={"X-Request-ID": "bad id; with spaces"})
        assert response.headers["X-Request-ID"] != "bad id; with spaces"


class TestJsonLogs:
    @pytest.fixture
    def app_settings(self):
        return {"EHA_LOG_FORMAT": "json"}

    def test_one_json_line_per_request_without_the_query_string(self, client, practitioner):
        handler = next(h for h in logging.getLogger("eha").handlers if h.get_name() == "eha")
        stream = io.StringIO()
        handler.setStream(stream)
        response = client.get("/sign-in?next=/assessments%3Fq%3DSmith")
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        request_lines = [line for line in lines if line["message"] == "request"]
        assert len(request_lines) == 1
        line = request_lines[0]
        assert line["path"] == "/sign-in" and line["status"] == 200 and line["level"] == "INFO"
        assert line["request_id"] == response.headers["X-Request-ID"]
        assert "Smith" not in stream.getvalue()
        assert line["user_id"] is None

    def test_a_signed_in_request_logs_the_user_id_only(self, client, practitioner):
        handler = next(h for h in logging.getLogger("eha").handlers if h.get_name() == "eha")
        stream = io.StringIO()
        handler.setStream(stream)
        factories.sign_in(client, practitioner)
        client.get("/")
        line = [json.loads(text) for text in stream.getvalue().splitlines()][-1]
        assert (line["path"], line["user_id"]) == ("/", practitioner.id)
        assert practitioner.email not in stream.getvalue() and practitioner.name not in stream.getvalue()


def test_metrics_are_off_without_a_token(client):
    assert client.get("/metrics").status_code == 404


class TestMetrics:
    @pytest.fixture
    def app_settings(self):
        return {"EHA_METRICS_TOKEN": METRICS_TOKEN}

    def test_metrics_need_the_token(self, client):
        client.get("/sign-in")
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert 'flask_http_request_total{app="eha",method="GET",status="200"}' in text
        assert 'url_rule="/sign-in"' in text

    def test_case_references_do_not_become_labels(self, client, practitioner):
        factories.sign_in(client, practitioner)
        client.get("/assessments/EHA-000999")
        text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).get_data(as_text=True)
        assert "EHA-000999" not in text
        assert 'url_rule="/assessments/<ref:ref>"' in text or "/assessments/<" in text


def test_sentry_events_lose_everything_that_can_hold_personal_data():
    event = {
        "request": {
            "url": "https://eha.example/assessments?q=Jane+Smith",
            "method": "POST",
            "data": {"name": "Jane Smith"},
            "cookies": {"eha_session": "secret"},
            "headers": {"Authorization": "Bearer x"},
            "query_string": "q=Jane+Smith",
        },
        "user": {"email": "jane@example.org"},
        "breadcrumbs": {"values": [{"message": "Jane Smith"}]},
        "exception": {"values": [{"stacktrace": {"frames": [{"function": "save", "vars": {"name": "Jane Smith"}}]}}]},
    }
    scrubbed = scrub_event(event)
    assert "Jane" not in json.dumps(scrubbed) and "secret" not in json.dumps(scrubbed)
    assert scrubbed["request"] == {"url": "https://eha.example/assessments", "method": "POST"}
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "save"}]


def test_sentry_starts_only_with_a_dsn(app):
    import sentry_sdk

    assert app.config["SENTRY_DSN"] is None
    assert not sentry_sdk.is_initialized()
