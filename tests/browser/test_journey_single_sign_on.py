"""Single sign-on in a real browser: Chromium, eha on loopback and the real OpenID provider (oidc-provider, started
by the test). A user an administrator created signs in through the provider and lands on My cases (linked by email
the first time); signing out ends eha's session and the provider's; a first sign-in under an administrator's rule
creates the account; anyone else is told plainly they have no account. eha's pages pass axe; the provider's are
the provider's."""

import json
import re
import threading

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import Browsing, _free_port, check_page
from tests.sso.provider import ACCOUNTS, node_or_skip

ALICE = ACCOUNTS["sub-alice"]["email"]
NADIA = ACCOUNTS["sub-nadia"]["email"]
BUTTON = "Sign in with your Test council account"


@pytest.fixture(scope="module")
def sso_site(tmp_path_factory):
    """eha with the test provider configured, on its own port and SQLite file, and the provider itself."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from eha import create_app
    from eha.demo import ensure_agencies, ensure_users
    from eha.extensions import db
    from eha.models.users import Agency, User
    from tests.sso.provider import OpenIDProvider

    node_or_skip()
    port = _free_port()
    origin = f"http://127.0.0.1:{port}"
    provider = OpenIDProvider(
        redirect_uris=[f"{origin}/sign-in/sso/test/callback"],
        post_logout_redirect_uris=[f"{origin}/sign-in?signed_out=1"],
    )
    path = tmp_path_factory.mktemp("sso-browser-db") / "eha.sqlite3"
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
        WTF_CSRF_ENABLED=True,
        EHA_SIGN_IN_RATE_LIMIT="1000 per minute",
        EHA_OIDC_PROVIDERS=json.dumps([provider.settings()]),
        EHA_BASE_URL=origin,
        EHA_MAIL_DIR=str(tmp_path_factory.mktemp("sso-browser-mail")),
    )
    with app.app_context():
        upgrade()
        ensure_users(ensure_agencies())
        school = db.session.scalar(sa.select(Agency).where(Agency.name == "Northshire Primary School"))
        db.session.add(User(email=ALICE, name="Alice Adams", role="practitioner", agency=school, password_hash="!"))
        db.session.commit()
        db.session.remove()
    # The administrator's rule, as they would make it: health.example.nhs.uk's first sign-ins may make accounts.
    made = app.test_cli_runner().invoke(
        args=["sso", "allow-accounts", "--provider", "test", "--domain", "health.example.nhs.uk",
              "--role", "practitioner", "--agency", "Northshire Community Health"]
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="eha-sso-server", daemon=True)
    thread.start()
    yield app, origin, provider
    server.shutdown()
    thread.join(timeout=5)
    provider.stop()


@pytest.fixture
def sso_page(chromium, sso_site):
    _app, origin, provider = sso_site
    browsing = Browsing(chromium, origin)
    # The provider's own pages are not eha's (its logout page asks for a web font it cannot reach offline).
    browsing.watch.allow(provider.issuer.replace(".", r"\."))
    browsing.watch.allow(r"on https://fonts\.googleapis\.com/")
    page = browsing.new_page()
    yield page
    problems = browsing.watch.unexpected()
    browsing.close()
    assert not problems, "console errors or CSP violations:\n" + "\n".join(problems)


def _through_the_provider(page, login, *, mfa=True):
    page.goto("/sign-in")
    page.get_by_role("button", name=BUTTON).click()
    expect(page.locator("h1")).to_have_text("Sign in to the test identity provider")
    page.get_by_label("Username").fill(login)
    if mfa:
        page.get_by_label("I used a second factor").check()
    page.get_by_role("button", name="Sign in").click()


def _events(app, action):
    from eha.extensions import db
    from eha.models.audit import AuditEvent

    with app.app_context():
        return [
            (e.user_id, e.detail) for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action))
        ]


def test_a_user_signs_in_through_the_provider_lands_on_my_cases_and_signs_out_of_both(sso_page, sso_site):
    app, origin, _provider = sso_site
    page = sso_page
    page.goto("/sign-in")
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
    check_page(page, "sso-sign-in")

    _through_the_provider(page, "sub-alice")
    page.wait_for_url(f"{origin}/")
    expect(page.locator("h1")).to_have_text("My cases")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    check_page(page, "sso-my-cases")
    assert len(_events(app, "sso_linked")) == 1  # linked by email, the first time only

    page.get_by_role("button", name="Sign out").click()
    # eha's session ends, then its page sends the browser on to the provider's end-session page.
    expect(page.get_by_role("button", name="Yes, sign me out")).to_be_visible()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(re.escape(f"{origin}/sign-in?signed_out=1")))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    check_page(page, "sso-signed-out")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Sign in")

    # The provider's session ended too: the button asks for the username again, and the link is kept.
    _through_the_provider(page, "sub-alice")
    page.wait_for_url(f"{origin}/")
    expect(page.locator("h1")).to_have_text("My cases")
    assert len(_events(app, "sso_linked")) == 1


def test_a_first_sign_in_under_an_administrators_rule_creates_the_account(sso_page, sso_site):
    app, origin, _provider = sso_site
    _through_the_provider(sso_page, "sub-nadia")
    sso_page.wait_for_url(f"{origin}/")
    expect(sso_page.locator("h1")).to_have_text("My cases")
    ((_user, detail),) = _events(app, "sso_account_created")
    assert detail["provider"] == "test" and detail["role"] == "practitioner"


def test_someone_with_no_account_and_no_rule_is_told_plainly(sso_page, sso_site):
    _app, origin, _provider = sso_site
    sso_page.eha_browsing.watch.allow(r"/sign-in/sso/test/callback\?.*status of 400")  # the refusal's own status
    _through_the_provider(sso_page, "sub-stranger")
    expect(sso_page.locator(".govuk-error-summary")).to_contain_text("You do not have an eha account yet")
    expect(sso_page).to_have_title(re.compile(r"^Error: Sign in"))
    check_page(sso_page, "sso-no-account")
    sso_page.goto("/")
    expect(sso_page.locator("h1")).to_have_text("Sign in")
