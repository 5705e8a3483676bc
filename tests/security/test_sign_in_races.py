"""Sign-in attacks that race many requests at once, with real threads on PostgreSQL.

A penetration test sent 40 wrong passwords at once (52 were checked before the account locked) and one fresh
security code from 10 half-signed-in browsers at once (6 signed in). Counting an attempt and using a code are
now single atomic UPDATEs, so however the requests interleave, at most the lockout threshold of passwords are
checked and a code signs in exactly once.
"""

import threading
import time

import pyotp
import pytest
import sqlalchemy as sa

from eha.auth import mfa as totp_module
from eha.auth import sessions
from eha.extensions import db
from eha.models.base import utcnow
from eha.models.users import User, UserSession
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.security.helpers import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises every write, so requests cannot race",
    ),
]

LOCKED = "There have been too many attempts to sign in to this account"
# Stand-in for production's argon2 cost (tests hash cheaply): a wider window for the requests to overlap in.
CHECK_TIME = 0.05


@pytest.fixture
def app_settings():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 15, "pool_timeout": 60}}


def _counting_password_checks(monkeypatch, user):
    """Count the checks of ``user``'s real password (the dummy hash for unknown or locked accounts is not one)."""
    checked = []
    lock = threading.Lock()
    real = sessions.verify_password
    target = user.password_hash

    def verify(password_hash, password):
        if password_hash == target:
            with lock:
                checked.append(password)
            time.sleep(CHECK_TIME)
        return real(password_hash, password)

    monkeypatch.setattr(sessions, "verify_password", verify)
    return checked


def test_forty_wrong_passwords_at_once_check_at_most_ten_before_the_account_locks(app, practitioner, monkeypatch):
    # The audit trail's first event creates its chain head row; a real service has long had one.
    app.test_client().post("/sign-in", data={"email": "someone.else@example.org", "password": "x"})
    checked = _counting_password_checks(monkeypatch, practitioner)
    email = practitioner.email

    def attempt(index):
        response = app.test_client().post(
            "/sign-in", data={"email": email, "password": f"wrong password number {index}"}
        )
        return response.status_code, LOCKED in response.text

    results = race(40, attempt)
    assert all(result[0] == 200 for result in results), results
    assert len(checked) <= app.config["EHA_LOCKOUT_THRESHOLD"] == 10
    assert sum(1 for _status, locked in results if locked) >= 30
    db.session.expire_all()
    assert db.session.get(User, practitioner.id).is_locked()
    # The attacker's next try, even with the right password, is not checked either.
    page = app.test_client().post("/sign-in", data={"email": practitioner.email, "password": factories.PASSWORD})
    assert LOCKED in page.text
    assert len(checked) <= 10


def test_one_security_code_sent_from_ten_half_signed_in_browsers_at_once_signs_in_one(app, practitioner, monkeypatch):
    practitioner.totp_secret = pyotp.random_base32()
    practitioner.totp_enrolled_at = utcnow()
    db.session.commit()
    email = practitioner.email
    browsers = [app.test_client() for _ in range(10)]
    for browser in browsers:
        response = browser.post("/sign-in", data={"email": email, "password": factories.PASSWORD})
        assert response.headers["Location"].startswith("/sign-in/security-code")
    real_matching_step = totp_module.matching_step

    def slow_matching_step(*args, **kwargs):
        step = real_matching_step(*args, **kwargs)
        time.sleep(CHECK_TIME)  # every browser finds the code right before any has marked it used
        return step

    monkeypatch.setattr(totp_module, "matching_step", slow_matching_step)
    code = pyotp.TOTP(practitioner.totp_secret).now()

    def send_code(index):
        response = browsers[index].post("/sign-in/security-code", data={"code": code})
        return response.status_code, response.headers.get("Location")

    results = race(10, send_code)
    signed_in = [index for index, (status, location) in enumerate(results) if status == 302 and location == "/"]
    assert len(signed_in) == 1, results
    assert [browser.get("/").status_code for browser in browsers].count(200) == 1
    db.session.expire_all()
    live = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == practitioner.id, UserSession.mfa_passed.is_(True))
    ).all()
    assert len(live) == 1
