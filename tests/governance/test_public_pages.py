"""The accessibility statement, privacy notice and cookies page: public, linked from every page's footer, and the
cookies page names exactly the cookies eha sets."""

from eha.models.assessments import DEFAULT_LEGAL_BASIS


def test_the_footer_links_to_the_three_pages_and_they_are_public(client_request):
    page = client_request.get("/sign-in")
    footer = page.words("footer a")
    assert {"Accessibility statement", "Privacy", "Cookies"} <= set(footer)
    accessibility = client_request.get("/accessibility")
    assert accessibility.h1.startswith("Accessibility statement")
    assert "WCAG 2.2" in accessibility.text and "partially compliant" in accessibility.text
    assert (
        "Non-accessible content" in accessibility.text and "Equality Advisory and Support Service" in accessibility.text
    )
    privacy = client_request.get("/privacy")
    assert privacy.h1 == "Privacy notice" and " ".join(DEFAULT_LEGAL_BASIS.split()) in privacy.text
    assert "[square brackets]" in privacy.text and "one calendar month" in privacy.text
    cookies = client_request.get("/cookies")
    assert cookies.h1 == "Cookies" and "strictly necessary" in cookies.text


def test_the_cookies_page_names_the_cookies_a_sign_in_sets(app, client, client_request, practitioner):
    from eha.auth.passwords import hash_password
    from eha.extensions import db

    practitioner.password_hash = hash_password("a long enough password 1")
    db.session.commit()
    response = client.post("/sign-in", data={"email": practitioner.email, "password": "a long enough password 1"})
    assert response.status_code == 302
    set_names = {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}
    named = set(client_request.get("/cookies").words("table tbody tr td:first-child"))
    assert set_names and set_names <= named
    assert named == {"eha_session", "eha_device"}
