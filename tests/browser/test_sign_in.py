"""Signing in: the page, the error state, and the home page behind it."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import SCHOOL_PRACTITIONER, sign_in, sign_out
from tests.browser.seed import LOCKOUT_EMAIL


def test_practitioner_signs_in_to_their_cases_and_signs_out(page, demo_password):
    sign_in(page, SCHOOL_PRACTITIONER, demo_password, check="sign-in")
    expect(page.locator("h1")).to_have_text("My cases")
    check_page(page, "home")
    sign_out(page)
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    check_page(page, "signed-out")


def test_wrong_password_shows_an_error_summary_and_keeps_the_email(page):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(LOCKOUT_EMAIL)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.get_by_label("Email address")).to_have_value(LOCKOUT_EMAIL)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    check_page(page, "sign-in-error")


def test_empty_sign_in_form_says_what_to_enter(page):
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your password")
    check_page(page, "sign-in-empty")


def test_signed_out_visitor_is_sent_to_sign_in(page):
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Sign in")
