"""Control characters in the sign-in and security code fields are refused with a form error, never a 500.

A penetration test put a NUL in the sign-in email and password: PostgreSQL cannot hold a NUL in text, and the
sign-in page answered 500.
"""

import pyotp
import pytest

from eha.extensions import db
from eha.models.base import utcnow
from tests import factories

CONTROL_CHARACTERS = ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\x85", "\x9f"]
EMAIL_ERROR = "Enter an email address in the correct format, like name@example.com"
PASSWORD_ERROR = "Password must only include letters, numbers, spaces and symbols"


@pytest.mark.parametrize("character", CONTROL_CHARACTERS)
def test_a_control_character_in_the_email_is_a_form_error_that_keeps_the_email(client, practitioner, character):
    page = client.post(
        "/sign-in",
        data={"email": f"{practitioner.email[:4]}{character}{practitioner.email[4:]}", "password": factories.PASSWORD},
    )
    assert page.status_code == 200
    assert "<title>Error:" in page.text and EMAIL_ERROR in page.text
    assert f'value="{practitioner.email}"' in page.text
    assert character not in page.text
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("character", CONTROL_CHARACTERS + ["\t", "\n"])
def test_a_control_character_in_the_password_is_a_form_error(client, practitioner, character):
    page = client.post("/sign-in", data={"email": practitioner.email, "password": factories.PASSWORD + character})
    assert page.status_code == 200
    assert "<title>Error:" in page.text and PASSWORD_ERROR in page.text
    assert f'value="{practitioner.email}"' in page.text
    assert client.get("/").status_code == 302


def test_a_nul_only_email_and_password_are_form_errors(client):
    page = client.post("/sign-in", data={"email": "\x00", "password": "\x00"})
    assert page.status_code == 200
    assert EMAIL_ERROR in page.text and PASSWORD_ERROR in page.text


@pytest.mark.parametrize("body", [{"email": 1, "password": 2}, {"email": ["a@b.c"], "password": {"x": 1}}, [1, 2]])
def test_a_json_body_is_treated_as_an_empty_form(client, body):
    page = client.post("/sign-in", json=body)
    assert page.status_code == 200
    assert "Enter your email address" in page.text


class TestTheSecurityCodeField:
    @pytest.fixture
    def app_settings(self):
        return {"EHA_REQUIRE_MFA": True}

    @pytest.mark.parametrize(
        "code",
        ["12\x003456", "123\x01456", "123\t456", "12345\x1b6", "\x00\x00\x00", "١٢٣٤٥٦", "１２３４５６", "12345\u00b2"],
    )
    def test_control_characters_and_other_digits_are_a_form_error(self, client, practitioner, code):
        practitioner.totp_secret = pyotp.random_base32()
        practitioner.totp_enrolled_at = utcnow()
        db.session.commit()
        client.post("/sign-in", data={"email": practitioner.email, "password": factories.PASSWORD})
        page = client.post("/sign-in/security-code", data={"code": code})
        assert page.status_code == 200
        assert "<title>Error:" in page.text
        assert "\x00" not in page.text
        assert client.get("/").status_code == 302
