"""Every check on the provider's answer, each through a real sign-in: the real provider issues a real ID token and
the test, as a man in the middle would, swaps it on its way from the token endpoint to eha for one that is
tampered with, for another client, from another issuer, expired, or from an earlier sign-in. Each is refused with
the sign-in page's clear message, signs nobody in, and is audited with the check that failed."""

import base64
import json
import time
from urllib.parse import urlsplit

import pytest
from authlib.integrations.flask_client.apps import FlaskOAuth2App
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.pages import Page
from tests.sso.test_single_sign_on import _events, _path, sso_sign_in

FAILED = "Signing in with your Test council account did not work"


@pytest.fixture
def swap_id_token(monkeypatch):
    """``swap_id_token(change)``: eha receives ``change(the real id_token)`` instead of the real one."""

    def install(change):
        original = FlaskOAuth2App.fetch_access_token

        def fetch_access_token(self, *args, **kwargs):
            token = original(self, *args, **kwargs)
            token["id_token"] = change(token["id_token"])
            return token

        monkeypatch.setattr(FlaskOAuth2App, "fetch_access_token", fetch_access_token)

    return install


def _unverified(id_token):
    """The token's claims, read without checking (as an attacker reads them)."""
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _resigned(key, **changes):
    """A change that re-signs the real token's claims, with ``changes``, by ``key`` (the provider's own key: so
    only the changed claim is wrong)."""

    def change(id_token):
        claims = {**_unverified(id_token), **changes}
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    return change


def _assert_refused(client, response, check):
    assert response.status_code == 400
    page = Page(response)
    assert page.title.startswith("Error:")
    assert FAILED in page.text
    assert client.get("/").status_code == 302  # nobody is signed in
    failed = _events("sign_in_failed")[-1]
    assert failed.detail["reason"] == "invalid_response" and failed.outcome == "failed"
    assert failed.detail["check"] == check


def test_the_real_token_resigned_unchanged_by_the_providers_key_is_accepted(
    client, browser, alice, swap_id_token, signing_key
):
    """The control: re-signing changes nothing by itself, so each refusal below is for the one claim changed."""
    swap_id_token(_resigned(signing_key))
    response = sso_sign_in(client, browser, "sub-alice")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_claims_changed_after_signing_are_refused(client, browser, alice, swap_id_token):
    def tamper(id_token):
        header, _payload, signature = id_token.split(".")
        claims = {**_unverified(id_token), "sub": "sub-nadia"}
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"{header}.{payload}.{signature}"

    swap_id_token(tamper)
    _assert_refused(client, sso_sign_in(client, browser, "sub-alice"), "bad_signature")


def test_a_token_signed_by_another_key_under_the_providers_key_id_is_refused(
    client, browser, alice, swap_id_token, signing_key
):
    forger = RSAKey.generate_key(2048, parameters={"kid": signing_key.kid}, private=True)
    swap_id_token(_resigned(forger))
    _assert_refused(client, sso_sign_in(client, browser, "sub-alice"), "bad_signature")


def test_a_token_for_another_client_is_refused(client, browser, alice, swap_id_token, signing_key):
    swap_id_token(_resigned(signing_key, aud="another-client", azp="another-client"))
    _assert_refused(client, sso_sign_in(client, browser, "sub-alice"), "invalid_claim:aud")


def test_a_token_from_another_issuer_is_refused(client, browser, alice, swap_id_token, signing_key):
    swap_id_token(_resigned(signing_key, iss="https://login.elsewhere.example"))
    _assert_refused(client, sso_sign_in(client, browser, "sub-alice"), "invalid_claim:iss")


def test_an_expired_token_is_refused(client, browser, alice, swap_id_token, signing_key):
    now = int(time.time())
    swap_id_token(_resigned(signing_key, iat=now - 7200, exp=now - 3600))
    _assert_refused(client, sso_sign_in(client, browser, "sub-alice"), "expired_token")


def test_a_token_from_an_earlier_sign_in_is_refused_by_its_nonce(client, browser, alice, swap_id_token):
    kept = {}

    def keep(id_token):
        kept.setdefault("first", id_token)
        return kept["first"]  # the first sign-in's token, given again to every later one

    swap_id_token(keep)
    assert sso_sign_in(client, browser, "sub-alice").status_code == 302
    client.post("/sign-out")
    _assert_refused(client, sso_sign_in(client, browser, "sub-alice"), "invalid_claim:nonce")


def test_a_callback_replayed_after_signing_out_is_refused_by_its_state(client, browser, alice):
    start = client.get("/sign-in/sso/test")
    callback = browser.sign_in(start.headers["Location"], "sub-alice")
    assert client.get(_path(callback)).status_code == 302
    client.post("/sign-out")
    replayed = client.get(_path(callback))
    assert urlsplit(callback).query  # the same code and state, sent again
    _assert_refused(client, replayed, "mismatching_state")
