"""An administrator decides at /admin/single-sign-on which first sign-ins may create accounts; the provider
settings are checked when the app starts. No running provider is needed here."""

import json

import pytest

from eha import create_app
from tests import factories
from tests.pages import Page

PROVIDER = {"name": "council", "label": "Council account", "issuer": "https://login.council.example", "client_id": "x"}


@pytest.fixture
def app_settings():
    return {"EHA_OIDC_PROVIDERS": json.dumps([{**PROVIDER, "client_secret": "a-secret"}])}


@pytest.fixture
def health(app):
    return factories.agency("Northshire Community Health", kind="health")


def _form(health, **changes):
    return {"provider": "council", "email_domain": "health.example.nhs.uk", "role": "practitioner",
            "agency": str(health.id), **changes}  # fmt: skip


def test_an_administrator_adds_and_removes_a_rule(app, client_request, signed_in, admin, health):
    signed_in(admin)
    page = client_request.get("/admin/single-sign-on")
    assert page.h1 == "Single sign-on"
    assert [i.get("value") for i in page.select("input[name=provider]")] == ["council"]
    assert str(health.id) in [o.get("value") for o in page.select("select[name=agency] option")]
    client_request.post("/admin/single-sign-on", data=_form(health, email_domain=" Health.Example.NHS.uk "))
    page = client_request.get("/admin/single-sign-on")
    assert "health.example.nhs.uk" in page.words("table td")
    listed = app.test_cli_runner().invoke(args=["sso", "rules"])
    assert "health.example.nhs.uk\tpractitioner\tNorthshire Community Health" in listed.output.replace("council\t", "")
    form = page.one("form[action^='/admin/single-sign-on/rules/']")
    client_request.post(form.get("action"))
    assert "There are no rules" in client_request.get("/admin/single-sign-on").text


def test_a_second_rule_for_the_same_domain_is_refused_with_the_input_kept(client_request, signed_in, admin, health):
    signed_in(admin)
    client_request.post("/admin/single-sign-on", data=_form(health))
    page = client_request.post("/admin/single-sign-on", data=_form(health, role="manager"), expected_status=200)
    assert page.errors() == ["There is already a rule for this email domain and provider"]
    assert page.one("input[name=email_domain]").get("value") == "health.example.nhs.uk"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"email_domain": "not a domain"}, "Enter an email domain in the correct format, like northshire.gov.uk"),
        ({"email_domain": "x" * 300}, "Email domain must be 253 characters or fewer"),
        ({"email_domain": "nhs..uk"}, "Enter an email domain in the correct format, like northshire.gov.uk"),
        ({"provider": "forged"}, "Select an option from the list"),
        ({"role": "superuser"}, "Select an option from the list"),
        ({"agency": "99999"}, "Select an active agency"),
    ],
)
def test_bad_input_gets_an_error_not_a_500(client_request, signed_in, admin, health, changes, error):
    signed_in(admin)
    page = client_request.post("/admin/single-sign-on", data=_form(health, **changes), expected_status=200)
    assert page.title.startswith("Error:")
    assert any(error in message for message in page.errors()), page.errors()


def test_only_administrators_see_the_page(client, signed_in, manager):
    signed_in(manager)
    assert client.get("/admin/single-sign-on").status_code == 404
    assert client.post("/admin/single-sign-on/rules/1/remove").status_code == 404


def test_removing_a_rule_that_is_gone_is_not_found(client, signed_in, admin):
    signed_in(admin)
    assert client.post("/admin/single-sign-on/rules/424242/remove").status_code == 404


def test_without_providers_the_page_says_so(app, client, signed_in, admin):
    app.extensions["eha_sso"].providers = ()
    app.jinja_env.globals["sso_providers"] = ()
    signed_in(admin)
    page = Page(client.get("/admin/single-sign-on"))
    assert "No single sign-on provider is set up" in page.text
    assert not page.select("input[name=email_domain]")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({**PROVIDER, "name": "Bad Name", "client_secret": "s"}, "lower-case letters"),
        ({**PROVIDER, "client_secret_env": "EHA_TEST_SECRET_THAT_IS_NOT_SET"}, "no client secret"),
        ({"name": "x", "client_secret": "s"}, "has no issuer, client_id"),
        (
            {**PROVIDER, "client_secret": "s", "issuer": "https://login.microsoftonline.com/common/v2.0"},
            "single-tenant",
        ),
        (
            {**PROVIDER, "client_secret": "s", "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"},
            "single-tenant",
        ),
    ],
)
def test_bad_provider_settings_stop_the_app_starting(database_url, entry, problem):
    with pytest.raises(RuntimeError, match=problem):
        create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, EHA_OIDC_PROVIDERS=json.dumps([entry]))


def test_the_client_secret_can_come_from_the_environment(database_url, monkeypatch):
    monkeypatch.setenv("EHA_TEST_OIDC_SECRET", "from-the-environment")
    entry = {**PROVIDER, "client_secret_env": "EHA_TEST_OIDC_SECRET"}
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, EHA_OIDC_PROVIDERS=json.dumps([entry]))
    assert app.extensions["eha_sso"].by_name["council"].client_secret == "from-the-environment"
