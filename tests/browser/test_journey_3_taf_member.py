"""Journey 3: a TAF member from another agency sees only their case and updates the action they own."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import HEALTH_PRACTITIONER, SCHOOL_PRACTITIONER, sign_in
from tests.browser.steps import Family, start_assessment
from tests.browser.test_journey_2_plan import NURSE_ACTION


def listed_refs(page):
    return sorted(set(re.findall(r"EHA-\d{6}", page.locator("main").inner_text())))


def test_taf_member_updates_their_action_and_cannot_open_another_case(browsing, console, plan_case, demo_password):
    console.allow(r"status of 404")
    ref, _family = plan_case
    # Another case, started by the school, that the health practitioner is not part of.
    school = browsing.new_page()
    sign_in(school, SCHOOL_PRACTITIONER, demo_password)
    other_ref = start_assessment(school, Family("Sato", child_first="Hana", carer="Yumi"))

    page = browsing.new_page()
    sign_in(page, HEALTH_PRACTITIONER, demo_password)
    # Other journeys may give her cases of their own; the school's other case is never among them.
    assert ref in listed_refs(page) and other_ref not in listed_refs(page), page.locator("main").inner_text()
    check_page(page, "j3-home")
    page.get_by_role("link", name="All cases").click()
    assert ref in listed_refs(page) and other_ref not in listed_refs(page)
    check_page(page, "j3-all-cases")

    page.get_by_role("link", name=ref).first.click()
    expect(page.locator("h1")).to_contain_text(ref)
    check_page(page, "j3-case")
    page.goto(f"/assessments/{ref}/plan")
    row = page.get_by_role("row").filter(has_text=NURSE_ACTION)
    expect(row.get_by_role("link", name=re.compile("Update progress"))).to_have_count(1)
    # Only the action she owns offers her an update.
    expect(page.get_by_role("link", name=re.compile("Update progress"))).to_have_count(1)
    row.get_by_role("link", name=re.compile("Update progress")).click()
    check_page(page, "j3-progress")
    page.get_by_role("group", name="How is this action going?").get_by_label("On track").check()
    page.get_by_label("Comment (optional)").fill("Seen twice; bedtime is now earlier on school nights.")
    page.get_by_role("button", name="Save progress").click()
    expect(page.locator("h1")).to_have_text("The plan")
    expect(page.get_by_role("row").filter(has_text=NURSE_ACTION)).to_contain_text("On track")

    for address in (f"/assessments/{other_ref}", f"/assessments/{other_ref}/plan", "/assessments/EHA-999999"):
        response = page.goto(address)
        assert response.status == 404, address
        expect(page.locator("h1")).to_have_text("Page not found")
    check_page(page, "j3-not-found")
