"""Journey 9: under the duty to share, a manager gives a named practitioner access to a case, then ends it."""

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import MANAGER, SCHOOL_PRACTITIONER, sign_in
from tests.browser.steps import Family, date_group, fill_date, start_assessment

POLICE_OFFICER = "mark.evans@northshire-police.example.org"
REASON = "Police attended a domestic incident at the address; the officer needs the plan to safeguard Kofi."


def opens(page, ref):
    """What the practitioner sees when they type the case's address: its status code."""
    response = page.goto(f"/assessments/{ref}")
    return response.status


def test_manager_gives_and_ends_duty_to_share_access_and_the_grant_is_listed(browsing, console, demo_password):
    console.allow(r"status of 404")
    lead = browsing.new_page()
    sign_in(lead, SCHOOL_PRACTITIONER, demo_password)
    ref = start_assessment(lead, Family("Ferreira", child_first="Kofi", carer="Luana", dob=(3, 10, 2012)))

    officer = browsing.new_page()
    sign_in(officer, POLICE_OFFICER, demo_password)
    assert opens(officer, ref) == 404  # no agreement covers the police, and no grant yet
    expect(officer.locator("h1")).to_have_text("Page not found")
    check_page(officer, "j9-officer-not-found")

    manager = browsing.new_page()
    sign_in(manager, MANAGER, demo_password)
    manager.goto(f"/assessments/{ref}")
    manager.get_by_role("link", name="Give someone access without the family's agreement").click()
    expect(manager.locator("h1")).to_have_text("Access without the family's agreement")
    check_page(manager, "j9-access")

    manager.get_by_role("button", name="Give access").click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text("Select the practitioner to give access to")
    check_page(manager, "j9-access-errors")

    ends = date.today() + timedelta(days=14)
    # The practitioner picker is accessible-autocomplete over the JSON search (never a list of every user).
    manager.get_by_label("Who needs access").fill("mark ev")
    manager.get_by_role("option", name="Mark Evans, Northshire Police").click()
    check_page(manager, "j9-access-picker")
    manager.get_by_label("Why they need access without the family's agreement").fill(REASON)
    fill_date(date_group(manager, "When access ends"), ends.day, ends.month, ends.year)
    manager.get_by_role("button", name="Give access").click()
    expect(manager.locator(".govuk-notification-banner")).to_contain_text(
        f"Mark Evans can see this case until {ends.day} {ends:%B %Y}"
    )
    expect(manager.get_by_role("row").filter(has_text=REASON)).to_contain_text("Mark Evans")
    check_page(manager, "j9-access-given")

    assert opens(officer, ref) == 200
    expect(officer.locator("h1")).to_contain_text(ref)
    check_page(officer, "j9-officer-case")

    manager.get_by_role("button", name="End access for Mark Evans").click()
    expect(manager.locator(".govuk-notification-banner")).to_contain_text(
        "Mark Evans's access under the duty to share has ended"
    )
    expect(manager.get_by_role("row").filter(has_text=REASON)).to_contain_text("Ended")
    check_page(manager, "j9-access-ended")

    assert opens(officer, ref) == 404
    expect(officer.locator("h1")).to_have_text("Page not found")

    manager.goto("/reports")
    manager.get_by_role("link", name="Access without the family's agreement").click()
    expect(manager.locator("h1")).to_have_text("Access without the family's agreement")
    row = manager.get_by_role("row").filter(has=manager.get_by_role("link", name=ref))
    expect(row).to_contain_text("Mark Evans")
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text("Helen Brooks")
    expect(row).to_contain_text("Ended")
    check_page(manager, "j9-grants-report")
