"""Journey 11: a manager does not sign off a closure, and the lead professional sees why on the case."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import MANAGER, SCHOOL_PRACTITIONER, sign_in, sign_out
from tests.browser.steps import Family, start_assessment

WHY = "The family still want help with mornings: talk to them before closing."


def status(page):
    return page.get_by_role("region", name="Where the case is").locator(".govuk-tag").first


def test_manager_rejects_a_closure_and_the_lead_sees_the_case_open_with_the_reason(page, demo_password):
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    ref = start_assessment(page, Family("Oyelaran", child_first="Bisi", carer="Funmi", dob=(28, 1, 2017)))

    page.goto(f"/assessments/{ref}")
    page.get_by_role("button", name="Close the case").click()
    expect(page.locator("h1")).to_have_text("Close the case")
    page.get_by_role("group", name="Why is the case closing?").get_by_label("Family moved out of area").check()
    page.get_by_label("Closure summary").fill("Mum says they are moving to Leeds next month.")
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent to a manager for sign-off")
    sign_out(page)

    sign_in(page, MANAGER, demo_password)
    page.goto(f"/assessments/{ref}")
    expect(page.get_by_text("Closure awaiting a manager's sign-off")).to_be_visible()
    check_page(page, "j11-manager-case")
    page.get_by_role("link", name="Do not sign off").click()
    expect(page.locator("h1")).to_have_text("Do not sign off the closure")
    check_page(page, "j11-reject")
    page.get_by_role("button", name="Send back to the lead professional").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the closure is not signed off")
    check_page(page, "j11-reject-error")
    page.get_by_label("Why are you not signing off the closure?").fill(WHY)
    page.get_by_role("button", name="Send back to the lead professional").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Closure not signed off")
    expect(page.get_by_text("Closure awaiting a manager's sign-off")).to_have_count(0)
    check_page(page, "j11-manager-rejected")
    sign_out(page)

    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    page.goto(f"/assessments/{ref}")
    expect(page.locator("h1")).to_contain_text(ref)
    expect(status(page)).to_have_text("Assessment in progress")
    expect(page.get_by_text("Closure awaiting a manager's sign-off")).to_have_count(0)
    timeline = page.get_by_role("list", name="What has happened")
    expect(
        timeline.get_by_role("listitem").filter(has_text=re.compile("Helen Brooks")).filter(has_text=WHY)
    ).to_have_count(1)
    # The lead can still work on the case, or ask again.
    expect(page.get_by_role("button", name="Close the case")).to_be_visible()
    check_page(page, "j11-lead-case")
