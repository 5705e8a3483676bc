"""Signing in through a real OpenID provider (oidc-provider on loopback): the code flow with PKCE, state, nonce and
the ID token checked by Authlib; users matched by issuer and subject; accounts created only under an
administrator's rule; the provider's second factor; signing out of both; passwords turned off per agency."""

import json
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.base import utcnow
from eha.models.users import User
from tests import factories
from tests.pages import Page
from tests.sso.conftest import ALICE, APP_ORIGIN
from tests.sso.provider import ProviderBrowser


def _path(address):
    parts = urlsplit(address)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sso_sign_in(client, browser, login, mfa=False, provider="test", next_url=None):
    """Press the sign-in button, sign in at the provider, come back: eha's response to the callback."""
    start = client.get(f"/sign-in/sso/{provider}" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    authorize = start.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    callback = browser.sign_in(authorize, login, mfa=mfa)
    assert callback.startswith(f"{APP_ORIGIN}/sign-in/sso/{provider}/callback?")
    return client.get(_path(callback))


def _events(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()


def test_the_sign_in_page_offers_the_provider(client_request):
    page = client_request.get("/sign-in")
    button = page.one("a.govuk-button[href^='/sign-in/sso/test']")
    assert "Sign in with your Test council account" in button.text_content()


def test_a_user_signs_in_through_the_provider_and_lands_on_my_cases(client, client_request, browser, alice):
    response = sso_sign_in(client, browser, "sub-alice")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client_request.get("/")
    assert page.h1 == "My cases"
    assert [e.user_id for e in _events("sso_linked")] == [alice.id]
    signed_in = _events("sign_in")[-1]
    assert signed_in.user_id == alice.id and signed_in.detail == {"method": "sso", "provider": "test"}


def test_after_the_first_link_only_the_subject_counts_not_the_email(app, client, browser, alice):
    assert sso_sign_in(client, browser, "sub-alice").status_code == 302
    other = app.test_client()
    impostor = sso_sign_in(other, ProviderBrowser(APP_ORIGIN), "sub-alice-impostor")
    assert impostor.status_code == 400
    assert "already linked to a different Test council account" in Page(impostor).text
    assert other.get("/").status_code == 302  # not signed in
    assert _events("sign_in_failed")[-1].detail["reason"] == "linked_to_another_subject"


def test_the_link_survives_a_change_of_email_address_in_eha(client, browser, alice):
    assert sso_sign_in(client, browser, "sub-alice").status_code == 302
    client.post("/sign-out")
    alice.email = "alice.adams-new@northshire.example.gov.uk"  # an administrator's correction
    db.session.commit()
    again = sso_sign_in(client, browser, "sub-alice")
    assert again.status_code == 302 and again.headers["Location"] == "/"
    assert _events("sign_in")[-1].user_id == alice.id


def test_no_account_is_created_without_an_administrators_rule(client, browser):
    response = sso_sign_in(client, browser, "sub-stranger")
    assert response.status_code == 400
    page = Page(response)
    assert page.title.startswith("Error:")
    assert "You do not have an eha account yet" in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    assert _events("sign_in_failed")[-1].detail == {"reason": "no_account", "provider": "test", "method": "sso"}


def test_an_unverified_email_address_links_nobody(client, browser):
    factories.user(email="bob.brown@northshire.example.gov.uk")
    response = sso_sign_in(client, browser, "sub-unverified")
    assert response.status_code == 400
    assert _events("sign_in_failed")[-1].detail["reason"] == "no_email"


def test_an_administrators_rule_lets_a_first_sign_in_create_the_account(app, client, client_request, browser):
    factories.agency("Northshire Community Health", kind="health")
    result = app.test_cli_runner().invoke(
        args=[
            "sso",
            "allow-accounts",
            "--provider",
            "test",
            "--domain",
            "health.example.nhs.uk",
            "--role",
            "practitioner",
            "--agency",
            "Northshire Community Health",
        ]
    )
    assert result.exit_code == 0, result.output
    response = sso_sign_in(client, browser, "sub-nadia")
    assert response.status_code == 302
    assert client_request.get("/").h1 == "My cases"
    nadia = db.session.scalar(sa.select(User).where(User.email == "nadia.new@health.example.nhs.uk"))
    assert (nadia.name, nadia.role, nadia.agency.name) == ("Nadia New", "practitioner", "Northshire Community Health")
    # The rule is for that domain only.
    stranger = sso_sign_in(app.test_client(), ProviderBrowser(APP_ORIGIN), "sub-stranger")
    assert stranger.status_code == 400


def test_the_cli_refuses_a_rule_for_an_unknown_provider_or_a_bad_domain(app):
    factories.agency("Health")
    runner = app.test_cli_runner()
    base = ["sso", "allow-accounts", "--role", "practitioner", "--agency", "Health"]
    assert runner.invoke(args=[*base, "--provider", "nope", "--domain", "nhs.uk"]).exit_code == 2
    assert runner.invoke(args=[*base, "--provider", "test", "--domain", "not a domain"]).exit_code == 2


def _enrolled(user):
    user.totp_secret = pyotp.random_base32()
    user.totp_enrolled_at = utcnow()
    db.session.commit()


def test_the_providers_second_factor_means_eha_asks_for_none(client, browser, alice):
    _enrolled(alice)
    response = sso_sign_in(client, browser, "sub-alice", mfa=True)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_without_the_providers_second_factor_eha_asks_for_its_own(client, browser, alice):
    _enrolled(alice)
    response = sso_sign_in(client, browser, "sub-alice", mfa=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in/security-code")
    assert client.get("/").status_code == 302  # half signed in reaches nothing


def test_next_is_kept_through_the_provider(client, browser, alice):
    response = sso_sign_in(client, browser, "sub-alice", next_url="/assessments")
    assert response.headers["Location"] == "/assessments"


def test_signing_out_ends_the_eha_session_and_the_providers(client, browser, alice):
    sso_sign_in(client, browser, "sub-alice")
    signed_out = client.post("/sign-out")
    assert signed_out.status_code == 200
    page = Page(signed_out)
    assert page.h1 == "You have signed out of eha"
    refresh = page.one("meta[http-equiv='refresh']").get("content")
    logout_url = refresh.split("url=", 1)[1]
    assert logout_url.startswith(browser_issuer(client)) and "id_token_hint=" in logout_url
    assert client.get("/").status_code == 302  # eha's session has ended
    back = browser.sign_out(logout_url)
    assert back.startswith(f"{APP_ORIGIN}/sign-in?signed_out=1")
    # The provider's session has ended too: signing in again asks for the username.
    start = client.get("/sign-in/sso/test")
    page_at_provider = browser.visit(start.headers["Location"])
    assert not isinstance(page_at_provider, str)
    assert "Sign in to the test identity provider" in page_at_provider.text


def browser_issuer(client):
    return json.loads(client.application.config["EHA_OIDC_PROVIDERS"])[0]["issuer"]


def test_a_forged_state_is_refused_and_signs_nobody_in(client, browser, alice):
    start = client.get("/sign-in/sso/test")
    callback = browser.sign_in(start.headers["Location"], "sub-alice")
    query = parse_qs(urlsplit(callback).query)
    forged = client.get(f"/sign-in/sso/test/callback?code={query['code'][0]}&state=forged-state-value")
    assert forged.status_code == 400
    assert "did not work" in Page(forged).text
    assert client.get("/").status_code == 302
    # A callback from another browser (no state of its own in its session) is refused the same way.
    assert factories_app_client(client).get(_path(callback)).status_code == 400


def factories_app_client(client):
    return client.application.test_client()


def test_the_provider_answering_with_an_error_is_a_clear_message(client):
    client.get("/sign-in/sso/test")
    response = client.get("/sign-in/sso/test/callback?error=access_denied&state=whatever")
    assert response.status_code == 400
    assert "You did not finish signing in with your Test council account" in Page(response).text


def test_an_unknown_provider_is_not_found(client):
    assert client.get("/sign-in/sso/nobody").status_code == 404
    assert client.get("/sign-in/sso/nobody/callback?code=x&state=y").status_code == 404


def test_an_agency_can_turn_password_sign_in_off(app, client, client_request, signed_in, browser, alice):
    admin = factories.user(role="admin")
    signed_in(admin)
    agency = alice.agency
    form = {"name": agency.name, "kind": agency.kind, "active": "yes", "password_sign_in": "no"}
    client_request.post(f"/admin/agencies/{agency.id}", data=form)
    client.post("/sign-out")
    refused = client.post("/sign-in", data={"email": ALICE, "password": factories.PASSWORD})
    assert refused.status_code == 200
    assert "signs in to eha with single sign-on" in Page(refused).text
    assert client.get("/").status_code == 302
    # A wrong password still gets the usual answer, so the message tells nobody without it anything.
    wrong = client.post("/sign-in", data={"email": ALICE, "password": "not the password"})
    assert "Enter a correct email address and password" in Page(wrong).text
    assert sso_sign_in(client, browser, "sub-alice").status_code == 302
    assert client.get("/").status_code == 200


class TestSeveralProviders:
    @pytest.fixture
    def app_settings(self, oidc_provider):
        # The second provider's configured issuer is not the one its metadata and tokens name.
        wrong = oidc_provider.settings(
            name="wrong-issuer",
            label="Health partner account",
            issuer="https://login.health-partner.example",
            metadata_url=f"{oidc_provider.issuer}/.well-known/openid-configuration",
        )
        return {"EHA_OIDC_PROVIDERS": json.dumps([oidc_provider.settings(), wrong])}

    def test_each_provider_has_its_button(self, client_request):
        page = client_request.get("/sign-in")
        labels = [a.text_content().strip() for a in page.select("#sso a.govuk-button")]
        assert labels == ["Sign in with your Test council account", "Sign in with your Health partner account"]

    def test_an_id_token_from_another_issuer_than_configured_is_refused(self, client, browser, alice):
        response = sso_sign_in(client, browser, "sub-alice", provider="wrong-issuer")
        assert response.status_code == 400
        assert client.get("/").status_code == 302
        assert _events("sign_in_failed")[-1].detail["reason"] in {"invalid_response", "wrong_issuer"}
