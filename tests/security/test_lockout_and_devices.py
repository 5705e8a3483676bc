"""Lockout does not reveal which accounts exist, and cannot keep an account's owner out of their own browser.

A penetration test found that ten wrong tries locked any known address (so anyone could lock anyone out) while
an unknown address never showed the lockout message (so the message told which addresses have accounts).
Unknown addresses now lock after the same number of tries, and a browser that has signed in to the account
before (it holds a signed device cookie, OWASP's "device cookie" pattern) keeps its own count: a locked account
still accepts the right password from it.
"""

from datetime import timedelta

import pytest
import time_machine

from eha.models.base import utcnow
from tests import factories

LOCKED = "There have been too many attempts to sign in to this account"
WRONG = "Enter a correct email address and password"
DEVICE_COOKIE = "eha_device"


def _try(client, email, password="wrong password entirely"):
    return client.post("/sign-in", data={"email": email, "password": password})


def _messages(client, email, times):
    answers = []
    for _ in range(times):
        text = _try(client, email).text
        answers.append("locked" if LOCKED in text else "wrong" if WRONG in text else text)
    return answers


def test_an_unknown_address_gets_the_same_answers_as_a_real_account_try_for_try(app, practitioner):
    known = _messages(app.test_client(), practitioner.email, 12)
    unknown = _messages(app.test_client(), "nobody.here@example.org", 12)
    assert known == unknown == ["wrong"] * 9 + ["locked"] * 3


def test_an_unknown_address_is_counted_whatever_its_case_or_spaces(client):
    for email in ["Nobody.Here@Example.org", " nobody.here@example.org ", "NOBODY.HERE@EXAMPLE.ORG"] * 3:
        assert WRONG in _try(client, email).text
    assert LOCKED in _try(client, "nobody.here@example.org").text
    assert WRONG in _try(client, "somebody.else@example.org").text


def test_an_unknown_address_unlocks_after_the_same_time_as_an_account(client):
    _messages(client, "nobody.here@example.org", 10)
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=False):
        assert WRONG in _try(client, "nobody.here@example.org").text


def test_signing_in_sets_a_long_lived_http_only_same_site_device_cookie(client, practitioner):
    response = _try(client, practitioner.email, factories.PASSWORD)
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(DEVICE_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    max_age = int(cookie.split("Max-Age=")[1].split(";")[0])
    assert max_age >= 90 * 24 * 3600
    assert "Secure" not in cookie  # tests run over http; production's is Secure
    assert practitioner.email not in cookie


def test_the_device_cookie_is_secure_in_production(client, app, practitioner):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = _try(client, practitioner.email, factories.PASSWORD)
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(DEVICE_COOKIE + "="))
    assert "Secure" in cookie


def test_a_wrong_password_sets_no_device_cookie(client, practitioner):
    response = _try(client, practitioner.email)
    assert not any(v.startswith(DEVICE_COOKIE) for v in response.headers.getlist("Set-Cookie"))


@pytest.fixture
def owners_browser(app, practitioner):
    """The owner's browser: it has signed in before, and signed out."""
    browser = app.test_client()
    assert _try(browser, practitioner.email, factories.PASSWORD).status_code == 302
    browser.post("/sign-out")
    return browser


def test_an_attacker_locks_the_account_but_the_owner_still_signs_in_from_their_browser(
    app, practitioner, owners_browser
):
    attacker = app.test_client()
    assert _messages(attacker, practitioner.email, 10)[-1] == "locked"
    assert LOCKED in _try(attacker, practitioner.email, factories.PASSWORD).text
    assert LOCKED in _try(app.test_client(), practitioner.email, factories.PASSWORD).text  # a new browser too
    response = _try(owners_browser, practitioner.email, factories.PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert owners_browser.get("/").status_code == 200
    # The owner signing in does not lift the lock for everyone else.
    assert LOCKED in _try(attacker, practitioner.email, factories.PASSWORD).text


def test_the_owners_browser_has_its_own_limit(app, practitioner, owners_browser):
    assert _messages(owners_browser, practitioner.email, 10)[-1] == "locked"
    assert LOCKED in _try(owners_browser, practitioner.email, factories.PASSWORD).text
    # The account itself was not locked by the trusted browser's mistakes.
    assert _try(app.test_client(), practitioner.email, factories.PASSWORD).status_code == 302
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=False):
        assert _try(owners_browser, practitioner.email, factories.PASSWORD).status_code == 302


def test_a_stolen_device_cookie_only_helps_with_its_own_account(app, practitioner, owners_browser):
    other = factories.user(agency=practitioner.agency)
    _messages(app.test_client(), other.email, 10)
    # The practitioner's device cookie is not a trusted device for another account.
    assert LOCKED in _try(owners_browser, other.email, factories.PASSWORD).text


def test_a_forged_device_cookie_is_ignored(app, practitioner, owners_browser):
    attacker = app.test_client()
    genuine = owners_browser.get_cookie(DEVICE_COOKIE).value
    attacker.set_cookie(DEVICE_COOKIE, genuine[:-3] + ("abc" if not genuine.endswith("abc") else "xyz"))
    _messages(attacker, practitioner.email, 10)
    assert LOCKED in _try(attacker, practitioner.email, factories.PASSWORD).text


def test_a_device_cookie_expires(app, practitioner, owners_browser):
    cookie = owners_browser.get_cookie(DEVICE_COOKIE).value
    days = app.config["EHA_DEVICE_COOKIE_DAYS"]
    with time_machine.travel(utcnow() + timedelta(days=days + 1), tick=False):
        _messages(app.test_client(), practitioner.email, 10)
        # Past its lifetime a copied cookie may still be sent: it no longer makes the browser trusted.
        owners_browser.set_cookie(DEVICE_COOKIE, cookie)
        assert LOCKED in _try(owners_browser, practitioner.email, factories.PASSWORD).text
