"""Journey 5: safety first. "Yes" to the safety question sends the practitioner to the front door; a draft
case can be stepped up to children's social care."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import SCHOOL_PRACTITIONER, sign_in
from tests.browser.steps import Family, answer_safety, date_group, fill_date, find_child, start_assessment


def test_yes_to_the_safety_question_shows_the_front_door_and_creates_no_case(page, demo_password):
    family = Family("Adeyemi", child_first="Tobi")
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    find_child(page, family)
    page.get_by_role("button", name="Create a new family").click()

    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select yes if the child could be at risk of significant harm"
    )
    check_page(page, "safety-error")

    answer_safety(page, "Yes")
    expect(page.locator("h1")).to_have_text("Contact the front door now")
    expect(page.get_by_text("Children's Front Door (MASH)")).to_be_visible()
    expect(page.get_by_text("No case has been created here.")).to_be_visible()
    check_page(page, "front-door")

    page.goto("/assessments?q=Adeyemi")
    expect(page.get_by_text("EHA-")).to_have_count(0)


def test_practitioner_steps_a_draft_case_up_to_childrens_social_care(page, demo_password):
    family = Family("Mensah", child_first="Kofi", carer="Abena")
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    ref = start_assessment(page, family)
    page.get_by_role("link", name="Step up to children's social care").or_(
        page.get_by_role("button", name="Step up to children's social care")
    ).first.click()
    expect(page.locator("h1")).to_have_text("Step up to children's social care")
    page.get_by_role("button", name="Record the step-up and close the case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the team the family was referred to")
    check_page(page, "j5-step-up-errors")

    today = date.today()
    fill_date(date_group(page, "Date of the referral"), today.day, today.month, today.year)
    page.get_by_label("Team referred to").fill("Children's Front Door (MASH)")
    page.get_by_label("Why is the case being stepped up?").fill(
        "Kofi told his teacher he is frightened to go home; the front door accepted the referral."
    )
    page.get_by_role("button", name="Record the step-up and close the case").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("stepped up to children's social care")
    expect(page.locator("h1")).to_contain_text(ref)
    expect(page.locator(".govuk-tag").first).to_have_text("Closed")
    expect(page.get_by_text("Children's Front Door (MASH) on")).to_be_visible()
    check_page(page, "j5-stepped-up")
