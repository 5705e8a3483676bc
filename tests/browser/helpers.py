"""Steps the journeys share: signing in and out, reading the page as a user would."""

from playwright.sync_api import expect

from tests.browser.conftest import check_page

SCHOOL_PRACTITIONER = "sarah.okafor@northshire-primary.example.org"
HEALTH_PRACTITIONER = "priya.shah@northshire-health.example.org"
EARLY_HELP_WORKER = "jamie.clarke@northshire-earlyhelp.example.org"
HOUSING_OFFICER = "ayse.demir@northshire-homes.example.org"
MANAGER = "helen.brooks@northshire-earlyhelp.example.org"


def sign_in(page, email, password, *, check=None):
    page.goto("/sign-in")
    if check:
        check_page(page, check)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in**")


def h1(page):
    return page.locator("h1").inner_text().strip()
