"""Security headers, CSRF and error pages on every response."""

import pytest

from tests import factories


def assert_baseline_headers(response):
    csp = response.headers["Content-Security-Policy"]
    script_src = next(part for part in csp.split("; ") if part.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_signed_out_pages_carry_the_security_headers(client):
    response = client.get("/sign-in")
    assert_baseline_headers(response)


def test_signed_in_pages_are_never_cached(client, practitioner, signed_in):
    signed_in(practitioner)
    response = client.get("/")
    assert response.status_code == 200
    assert_baseline_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_inline_script_gov_uk_needs_carries_the_per_response_nonce(client):
    first = client.get("/sign-in")
    second = client.get("/sign-in")
    nonce = first.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in first.get_data(as_text=True)
    assert nonce not in second.headers["Content-Security-Policy"]


def test_session_cookie_is_http_only_and_same_site_lax(client, practitioner):
    response = client.post("/sign-in", data={"email": practitioner.email, "password": factories.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development and tests run over http


def test_production_sends_hsts_and_secure_cookies(database_url):
    from eha import create_app

    app = create_app(
        "production",
        SECRET_KEY="y" * 40,
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nowhere/eha",
        DEBUG=False,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        EHA_BASE_URL="https://earlyhelp.example.gov.uk",
        MAIL_SERVER="smtp.example.gov.uk",
        EHA_AUDIT_KEY="a" * 40,
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    response = app.test_client().get("/sign-in")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_a_post_without_a_csrf_token_is_refused(csrf_app):
    user = factories.user()
    client = csrf_app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "The form you sent had expired" in response.get_data(as_text=True)


def test_a_post_with_the_forms_csrf_token_is_accepted(csrf_app):
    user = factories.user()
    client = csrf_app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_unknown_pages_get_a_house_style_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert "govuk-template" in page


def test_server_errors_show_a_page_not_a_stack_trace(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in page
    assert "secret internals" not in page and "Traceback" not in page


@pytest.mark.parametrize("path", ["/healthz", "/sign-in"])
def test_public_pages_need_no_sign_in(client, path):
    assert client.get(path).status_code == 200
