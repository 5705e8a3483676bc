"""Journey 4: two reviews with progress and scaling, then closure with outcomes, signed off by a manager."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import MANAGER, SCHOOL_PRACTITIONER, sign_in, sign_out
from tests.browser.steps import date_group, fill_date
from tests.browser.test_journey_2_plan import SHARED


def workflow_step(page, name):
    page.get_by_role("link", name=name).or_(page.get_by_role("button", name=name)).first.click()


def review(page, ref, family, *, number, progress, scores, decision):
    today = date.today()
    page.goto(f"/assessments/{ref}")
    workflow_step(page, "Schedule a review")
    fill_date(date_group(page, "Date of the meeting"), today.day, today.month, today.year)
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Where will it be held?").fill("Northshire Family Hub")
    page.get_by_role("group", name="Which professionals are invited?").get_by_label("Priya Shah", exact=False).check()
    page.get_by_role("group", name="Which family members are invited?").get_by_label(
        f"{family.carer} {family.surname}", exact=False
    ).check()
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("scheduled")

    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("h1")).to_have_text("Record the review")
    if number == 1:
        check_page(page, "j4-review")
        page.get_by_role("button", name="Record the review").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the family's view")
        check_page(page, "j4-review-errors")
    fill_date(date_group(page, "Date the meeting was held"), today.day, today.month, today.year)
    page.get_by_role("group", name=re.compile("Priya Shah")).get_by_label("Attended").check()
    page.get_by_role("group", name=re.compile(f"{family.carer} {family.surname}")).get_by_label("Attended").check()
    actions = page.get_by_role("group", name=re.compile(r"^Action \d+:"))
    assert actions.count() >= 1
    for group in actions.all():
        group.get_by_label(progress, exact=True).check()
    page.get_by_label("The family's view").fill(f"Review {number}: mornings are calmer; still some late nights.")
    page.get_by_role("group", name=re.compile("The family's score")).get_by_label(str(scores[0]), exact=True).check()
    page.get_by_role("group", name=re.compile("Your score")).get_by_label(str(scores[1]), exact=True).check()
    page.get_by_role("group", name="What happens next?").get_by_label(decision).check()
    if decision == "Continue with the plan":
        nxt = today + timedelta(days=42)
        fill_date(date_group(page, "Date of the next review"), nxt.day, nxt.month, nxt.year)
    page.get_by_role("button", name="Record the review").click()


def test_lead_reviews_twice_closes_with_outcomes_and_a_manager_signs_off(page, plan_case, demo_password):
    ref, family = plan_case
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)

    review(page, ref, family, number=1, progress="On track", scores=(4, 5), decision="Continue with the plan")
    page.goto(f"/assessments/{ref}")
    expect(page.locator(".govuk-tag").first).to_have_text("Plan active")

    review(page, ref, family, number=2, progress="Done", scores=(8, 7), decision="Close the early help episode")
    expect(page.locator("h1")).to_have_text("Close the case")
    check_page(page, "j4-close")
    page.get_by_role("group", name="Why is the case closing?").locator("input[type=radio]").first.check()
    for group in page.get_by_role("group", name=re.compile(r"^Outcome for")).all():
        group.get_by_label("Met", exact=True).check()
    page.get_by_label("Closure summary").fill("Both actions done; the family feel able to carry on alone.")
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent to a manager for sign-off")
    check_page(page, "j4-awaiting-sign-off")
    sign_out(page)

    sign_in(page, MANAGER, demo_password)
    page.goto(f"/assessments/{ref}")
    check_page(page, "j4-manager-case")
    page.get_by_role("button", name="Sign off the closure").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Closed")
    check_page(page, "j4-closed")
    SHARED.pop("plan_case", None)  # closed now: a later journey needing an active plan builds its own
