"""Journey 6: two people edit the same section; the second to save sees the conflict page and loses nothing."""

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import MANAGER, SCHOOL_PRACTITIONER, sign_in
from tests.browser.steps import Family, open_task, record_agreement, start_assessment, task_titles


def test_second_save_of_the_same_section_shows_both_versions_and_keeps_the_typed_answer(
    browsing, console, demo_password
):
    console.allow(r"status of 409")
    family = Family("Haddad", child_first="Yusuf", carer="Rania")
    first = browsing.new_page()
    sign_in(first, SCHOOL_PRACTITIONER, demo_password)
    ref = start_assessment(first, family)
    record_agreement(first, f"{family.carer} {family.surname}", ["Northshire Early Help Service"])
    section = task_titles(first)[0]

    second = browsing.new_page()
    sign_in(second, MANAGER, demo_password)
    second.goto(f"/assessments/{ref}")
    open_task(second, section)
    open_task(first, section)

    theirs = "Health: seen by the GP in March; asthma well controlled."
    mine = "Health: the school nurse has not seen Yusuf this year."
    first.locator("main form textarea").first.fill(theirs)
    first.get_by_role("button", name="Save and come back later").click()
    expect(first.locator(".govuk-notification-banner")).to_contain_text("your answers have been saved")

    second.locator("main form textarea").first.fill(mine)
    second.get_by_role("button", name="Save and come back later").click()
    expect(second.locator("h1")).to_have_text("Someone else has changed this section")
    expect(second.get_by_role("cell", name=theirs)).to_be_visible()
    expect(second.get_by_role("cell", name=mine)).to_be_visible()
    expect(second.locator("main form textarea").first).to_have_value(mine)
    check_page(second, "j6-conflict")

    # Saving again from the conflict page, having seen theirs, keeps the second person's answer.
    second.get_by_role("button", name="Save and come back later").click()
    expect(second.locator(".govuk-notification-banner")).to_contain_text("your answers have been saved")
    first.reload()
    open_task(first, section)
    expect(first.locator("main form textarea").first).to_have_value(mine)
