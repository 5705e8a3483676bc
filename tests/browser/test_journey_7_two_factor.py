"""Journey 7: a practitioner sets up two-factor sign-in from the account page, then signs in with a code.

The live server runs with EHA_REQUIRE_MFA off, so two-factor sign-in is the user's own choice here. The
journey uses an account of its own (made in ``two_factor_user``) so no other journey has to type codes.
"""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import check_page

EMAIL = "two.factor@northshire-primary.example.org"
WRONG_CODE = "The security code is wrong or has already been used"


@pytest.fixture
def two_factor_user(live_app):
    """A practitioner with no authenticator app set up (reset on each run)."""
    from eha.auth.passwords import hash_password
    from eha.extensions import db
    from eha.models.users import Agency, User

    with live_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == EMAIL))
        if user is None:
            school = db.session.scalar(sa.select(Agency).where(Agency.name == "Northshire Primary School"))
            user = User(
                email=EMAIL,
                name="Morgan Ellery",
                role="practitioner",
                agency=school,
                job_title="Teacher",
                password_hash=hash_password(live_app.config["EHA_DEMO_PASSWORD"]),
            )
            db.session.add(user)
        user.totp_secret = None
        user.totp_enrolled_at = None
        user.totp_last_step = None
        db.session.commit()
        db.session.remove()
    return EMAIL


def enter_password(page, email, password):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def enter_code(page, code):
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()


def test_practitioner_sets_up_two_factor_sign_in_and_then_needs_a_code(page, two_factor_user, demo_password):
    enter_password(page, two_factor_user, demo_password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # no code asked for yet

    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.locator("h1")).to_have_text("Set up your authenticator app")
    check_page(page, "j7-set-up")
    page.get_by_text("I cannot scan the QR code").click()
    key = page.get_by_text(re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$"))
    expect(key).to_be_visible()
    shown = key.inner_text().strip()
    assert all(len(group) == 4 for group in shown.split(" ")[:-1]), shown  # typed by hand, in fours
    check_page(page, "j7-set-up-key")
    totp = pyotp.TOTP(shown.replace(" ", ""))

    # A mistyped code first: the error says what to do, the page keeps its key.
    enter_code(page, f"{(int(totp.now()) + 1) % 1_000_000:06d}")
    expect(page.locator(".govuk-error-summary")).to_contain_text(WRONG_CODE)
    check_page(page, "j7-set-up-wrong-code")

    enrol_code = totp.now()
    enter_code(page, enrol_code)
    expect(page.locator("h1")).to_have_text("Two-factor sign-in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Two-factor sign-in is set up")
    check_page(page, "j7-set-up-done")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in**")
    enter_password(page, two_factor_user, demo_password)
    expect(page.locator("h1")).to_have_text("Enter your security code")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)  # not signed in until the code
    check_page(page, "j7-security-code")
    # Nothing but the code pages is open to a half-signed-in session.
    page.goto("/")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # Codes work once: the code just used to set up the app is refused.
    page.goto("/sign-in/security-code")
    enter_code(page, enrol_code)
    expect(page.locator(".govuk-error-summary")).to_contain_text(WRONG_CODE)
    expect(page.locator("h1")).to_have_text("Enter your security code")
    check_page(page, "j7-security-code-wrong")

    # The app's next code: the server accepts one 30-second step of clock difference, so the journey need
    # not wait for the step after the one whose code was just used.
    next_code = totp.at(time.time() + 30)
    assert next_code != enrol_code
    enter_code(page, next_code)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    check_page(page, "j7-signed-in")
