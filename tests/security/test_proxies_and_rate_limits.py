"""The sign-in rate limit behind a reverse proxy and across workers.

A penetration test found that behind a proxy every visitor shared the proxy's address (one office's wrong
passwords got everyone a 429, and the audit trail recorded the proxy), and that with ``memory://`` storage each
worker kept its own count. ``EHA_TRUSTED_PROXIES=N`` trusts N proxies' X-Forwarded-* headers (none by default);
production refuses per-worker storage.
"""

import uuid

import pytest
import sqlalchemy as sa

from eha import create_app
from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.users import UserSession
from tests import factories

PROXY = "10.0.0.1"
OFFICE = "203.0.113.5"
HOME = "198.51.100.7"


def _sign_in(client, email, password, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"} if forwarded_for else {}
    return client.post(
        "/sign-in", data={"email": email, "password": password}, headers=headers, environ_base={"REMOTE_ADDR": PROXY}
    )


def _failed_sign_in_addresses():
    return db.session.scalars(sa.select(AuditEvent.ip_address).where(AuditEvent.action == "sign_in_failed")).all()


class TestBehindOneTrustedProxy:
    @pytest.fixture
    def app_settings(self):
        return {"EHA_TRUSTED_PROXIES": 1, "EHA_SIGN_IN_RATE_LIMIT": "5 per minute"}

    def test_the_limit_counts_each_client_not_the_proxy(self, client, practitioner):
        for _ in range(5):
            assert _sign_in(client, "someone@example.org", "wrong password entirely", OFFICE).status_code == 200
        assert _sign_in(client, "someone@example.org", "wrong password entirely", OFFICE).status_code == 429
        # Someone else behind the same proxy signs in with the right password.
        assert _sign_in(client, practitioner.email, factories.PASSWORD, HOME).status_code == 302

    def test_the_audit_trail_and_the_session_record_the_client(self, client, practitioner):
        _sign_in(client, "someone@example.org", "wrong password entirely", OFFICE)
        assert _failed_sign_in_addresses() == [OFFICE]
        _sign_in(client, practitioner.email, factories.PASSWORD, HOME)
        assert db.session.scalar(sa.select(UserSession.ip_address)) == HOME

    def test_only_the_address_the_proxy_appended_is_believed(self, client):
        # A client can send its own X-Forwarded-For; the trusted proxy appends the real address after it.
        _sign_in(client, "someone@example.org", "wrong password entirely", f"1.2.3.4, {OFFICE}")
        assert _failed_sign_in_addresses() == [OFFICE]


class TestWithNoTrustedProxy:
    @pytest.fixture
    def app_settings(self):
        return {"EHA_SIGN_IN_RATE_LIMIT": "5 per minute"}

    def test_a_forged_x_forwarded_for_does_not_escape_the_limit(self, client, practitioner):
        for n in range(5):
            response = _sign_in(client, "someone@example.org", "wrong password entirely", f"192.0.2.{n}")
            assert response.status_code == 200
        assert _sign_in(client, practitioner.email, factories.PASSWORD, "192.0.2.99").status_code == 429
        assert set(_failed_sign_in_addresses()) == {PROXY}

    def test_no_proxy_is_trusted_by_default(self, app):
        assert app.config["EHA_TRUSTED_PROXIES"] == 0


def _redis_available():
    try:
        import redis

        return redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except Exception:
        return False


@pytest.mark.skipif(not _redis_available(), reason="needs Redis at 127.0.0.1:6379 for shared rate-limit storage")
def test_two_workers_sharing_redis_storage_share_one_limit(app, database_url, practitioner):
    """Two app instances stand in for two gunicorn workers; with redis:// they count together."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": f"eha-test-{uuid.uuid4().hex}",
        "EHA_SIGN_IN_RATE_LIMIT": "4 per minute",
    }
    workers = [create_app("testing", **settings) for _ in range(2)]
    clients = [worker.test_client() for worker in workers]
    statuses = [
        _sign_in(clients[n % 2], "someone@example.org", "wrong password entirely").status_code for n in range(4)
    ]
    assert statuses == [200] * 4
    assert _sign_in(clients[0], practitioner.email, factories.PASSWORD).status_code == 429
    assert _sign_in(clients[1], practitioner.email, factories.PASSWORD).status_code == 429
    for worker in workers:
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()
