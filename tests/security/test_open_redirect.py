"""After signing in, ``next`` only ever leads to a page of this service.

A penetration test sent ``/sign-in?next=%2F%09%2Fevil.example%2Fphish`` and was redirected to
``//evil.example/phish`` (browsers drop the tab), also through the two-factor step; a newline in ``next`` gave a
500. Every payload below must land on the home page, through both steps.
"""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import time_machine

from eha.extensions import db
from eha.models.base import utcnow
from tests import factories

PAYLOADS = [
    "//evil.example/phish",
    "/\t/evil.example/phish",
    "/\n/evil.example/phish",
    "/\r\n/evil.example/phish",
    "\n//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\u00a0/evil.example",
    "/\u3000/evil.example",
    "/\u2028/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "https://evil.example/phish",
    "https:evil.example",
    "http:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "evil.example",
    "%2F%2Fevil.example",
    "///evil.example",
    "/\\\\evil.example",
    "https://localhost@evil.example",
    "\x00",
]


def _landing(location):
    """Where a browser ends up: the ``next`` passed on to the second step, or the redirect itself."""
    parts = urlsplit(location)
    if parts.path == "/sign-in/security-code":
        return parse_qs(parts.query)["next"][0]
    return location


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sign_in_redirects_home_for_every_off_site_next(client, practitioner, payload):
    response = client.post(
        "/sign-in", query_string={"next": payload}, data={"email": practitioner.email, "password": factories.PASSWORD}
    )
    if "\x00" in payload:  # a NUL anywhere in the query is refused before any page runs
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "query",
    [
        "next=%2F%09%2Fevil.example%2Fphish",
        "next=%2F%0A%2Fevil.example",
        "next=%252F%252Fevil.example",
        "next=%5C%5Cevil.example",
        "next=%2F%5Cevil.example",
    ],
)
def test_the_raw_requests_from_the_penetration_test_go_home(client, practitioner, query):
    response = client.post(f"/sign-in?{query}", data={"email": practitioner.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/assessments", "/assessments?state=open&page=2", "/healthz"])
def test_a_page_of_the_service_is_still_where_sign_in_leads(client, practitioner, target):
    response = client.post(
        "/sign-in", query_string={"next": target}, data={"email": practitioner.email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == target


class TestThroughTheTwoFactorStep:
    @pytest.fixture
    def app_settings(self):
        return {"EHA_REQUIRE_MFA": True}

    @pytest.fixture
    def totp(self, practitioner):
        practitioner.totp_secret = pyotp.random_base32()
        practitioner.totp_enrolled_at = utcnow()
        db.session.commit()
        return pyotp.TOTP(practitioner.totp_secret)

    def test_every_payload_is_dropped_at_both_steps(self, app, practitioner, totp):
        # Each payload needs a fresh code (a code works once): a minute apart on a frozen clock.
        start = datetime.now().astimezone() + timedelta(minutes=1)
        for index, payload in enumerate(p for p in PAYLOADS if "\x00" not in p):
            moment = start + timedelta(minutes=index)
            with time_machine.travel(moment, tick=False):
                client = app.test_client()
                password = client.post(
                    "/sign-in",
                    query_string={"next": payload},
                    data={"email": practitioner.email, "password": factories.PASSWORD},
                )
                assert password.status_code == 302, payload
                assert password.headers["Location"].startswith("/sign-in/security-code"), payload
                assert _landing(password.headers["Location"]) == "/", payload
                # The attacker's link can also point straight at the second step.
                code = client.post(
                    "/sign-in/security-code", query_string={"next": payload}, data={"code": totp.at(moment)}
                )
                assert code.status_code == 302, payload
                assert code.headers["Location"] == "/", payload
                assert client.get("/").status_code == 200

    def test_a_page_of_the_service_survives_both_steps(self, client, practitioner, totp):
        password = client.post(
            "/sign-in",
            query_string={"next": "/assessments?state=open"},
            data={"email": practitioner.email, "password": factories.PASSWORD},
        )
        next_url = _landing(password.headers["Location"])
        assert next_url == "/assessments?state=open"
        code = client.post("/sign-in/security-code", query_string={"next": next_url}, data={"code": totp.now()})
        assert code.headers["Location"] == "/assessments?state=open"
