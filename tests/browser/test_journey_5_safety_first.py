"""Journey 5: a practitioner who thinks the child may be at risk of significant harm is sent to the front door."""

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import SCHOOL_PRACTITIONER, sign_in
from tests.browser.steps import Family, answer_safety, find_child


def test_yes_to_the_safety_question_shows_the_front_door_and_creates_no_case(page, demo_password):
    family = Family("Adeyemi", child_first="Tobi")
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    find_child(page, family)
    page.get_by_role("button", name="Create a new family").click()

    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select yes if the child could be at risk of significant harm")
    check_page(page, "safety-error")

    answer_safety(page, "Yes")
    expect(page.locator("h1")).to_have_text("Contact the front door now")
    expect(page.get_by_text("Children's Front Door (MASH)")).to_be_visible()
    expect(page.get_by_text("No case has been created here.")).to_be_visible()
    check_page(page, "front-door")

    page.goto("/assessments?q=Adeyemi")
    expect(page.get_by_text("EHA-")).to_have_count(0)
