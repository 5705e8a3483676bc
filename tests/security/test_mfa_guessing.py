"""Guessing security codes is limited per account, not per half-signed-in session.

A penetration test with a known password sent 144 wrong codes in 36 seconds from one address: each fresh
sign-in reset the count and the account never locked. Wrong codes now count towards the account's lockout,
with the same counter as wrong passwords.
"""

from datetime import datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.base import utcnow
from tests import factories

LOCKED = "There have been too many attempts to sign in to this account"


@pytest.fixture
def app_settings():
    return {"EHA_REQUIRE_MFA": True}


@pytest.fixture
def totp(practitioner):
    practitioner.totp_secret = pyotp.random_base32()
    practitioner.totp_enrolled_at = utcnow()
    db.session.commit()
    return pyotp.TOTP(practitioner.totp_secret)


@pytest.fixture
def frozen():
    moment = datetime.now().astimezone()
    with time_machine.travel(moment, tick=False) as traveller:
        yield traveller


def wrong_code(totp, moment):
    """A code that is not valid in the accepted window around ``moment``."""
    valid = {totp.at(moment + timedelta(seconds=30 * offset)) for offset in (-1, 0, 1)}
    return next(code for code in (f"{n:06d}" for n in range(1000)) if code not in valid)


def _password(client, user, password=factories.PASSWORD):
    return client.post("/sign-in", data={"email": user.email, "password": password})


def test_an_attacker_with_the_password_gets_ten_guesses_at_the_code_then_the_account_locks(
    client, practitioner, totp, frozen
):
    guess = wrong_code(totp, datetime.now())
    guesses, restarts = 0, []
    for _round in range(10):
        response = _password(client, practitioner)
        if response.status_code == 200:
            assert LOCKED in response.text
            break
        assert response.headers["Location"].startswith("/sign-in/security-code")
        while True:
            answer = client.post("/sign-in/security-code", data={"code": guess})
            guesses += 1
            if answer.status_code == 200 and "security code is wrong" in answer.text:
                continue
            assert answer.status_code == 302 and answer.headers["Location"] == "/sign-in"
            restarts.append("locked" if LOCKED in client.get("/sign-in").text else "restarted")
            break
    else:
        pytest.fail("the account never locked")
    assert guesses == 10
    assert restarts == ["restarted", "locked"]  # five wrong codes restart sign-in; the tenth locks the account
    events = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action == "mfa_failed")).all()
    assert len(events) == 10
    # Locked: the right password is not even checked, from any browser.
    assert LOCKED in _password(client.application.test_client(), practitioner).text


def test_a_half_signed_in_session_cannot_keep_guessing_once_the_account_locks(app, practitioner, totp, frozen):
    guess = wrong_code(totp, datetime.now())
    attacker, owner = app.test_client(), app.test_client()
    _password(owner, practitioner)  # the owner's half-signed-in session, opened before the attack
    for _ in range(8):
        _password(attacker, practitioner, "wrong password entirely")
    assert "security code is wrong" in owner.post("/sign-in/security-code", data={"code": guess}).text
    assert LOCKED in _password(attacker, practitioner, "wrong password entirely").text
    # The tenth failure locked the account: even the right code is now refused in the open session.
    answer = owner.post("/sign-in/security-code", data={"code": totp.now()})
    assert answer.status_code == 302 and answer.headers["Location"] == "/sign-in"
    assert LOCKED in owner.get("/sign-in").text
    assert owner.get("/").status_code == 302


def test_the_owner_signing_in_with_password_and_code_clears_the_count(client, practitioner, totp, frozen):
    guess = wrong_code(totp, datetime.now())
    _password(client, practitioner)
    for _ in range(4):
        client.post("/sign-in/security-code", data={"code": guess})
    assert client.post("/sign-in/security-code", data={"code": totp.now()}).headers["Location"] == "/"
    db.session.refresh(practitioner)
    assert practitioner.failed_sign_ins == 0


def test_the_right_password_alone_does_not_clear_the_count(client, practitioner, totp, frozen):
    guess = wrong_code(totp, datetime.now())
    _password(client, practitioner)
    for _ in range(3):
        client.post("/sign-in/security-code", data={"code": guess})
    client.post("/sign-out")
    _password(client.application.test_client(), practitioner)
    db.session.refresh(practitioner)
    assert practitioner.failed_sign_ins == 3
