"""Journey 8: the lead professional changes a signed plan (version 1 stays printable and checkable), then the
family withdraws agreement and the TAF member from another agency loses the case at once.

Both parts use one case with an active plan, built through the UI as journey 2 builds it; run alone, the
second part builds its own.
"""

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import HEALTH_PRACTITIONER, SCHOOL_PRACTITIONER, sign_in
from tests.browser.steps import Family, date_group, fill_date
from tests.browser.test_journey_2_plan import FAMILY_ACTION, NURSE_ACTION, pdf_text, plan_journey

CASE = {}
CHANGED_ACTION = "Use the morning routine chart on school days, with a sticker for each one done"


def active_plan_case(browsing, demo_password):
    if "case" not in CASE:
        family = Family("Quispe", child_first="Yara", carer="Rosa", dob=(17, 8, 2013))
        page = browsing.new_page()
        sign_in(page, SCHOOL_PRACTITIONER, demo_password)
        CASE["case"] = (plan_journey(page, family), family)
        page.context.close()
        browsing.contexts.remove(page.context)
    return CASE["case"]


def sign_plan(page, signer):
    page.get_by_role("button", name="Record a signature").click()
    expect(page.locator("h1")).to_have_text("Record a signature on the plan")
    page.get_by_role("group", name="Who is signing?").get_by_label(signer, exact=False).first.check()
    today = date.today()
    fill_date(date_group(page, "Date signed"), today.day, today.month, today.year)
    page.get_by_label("In person on screen").check()
    page.get_by_role("button", name="Record the signature").click()
    expect(page.locator("h1")).to_have_text("The plan")


def test_lead_changes_a_signed_plan_and_version_1_stays_printable_and_verifiable(browsing, demo_password):
    ref, family = active_plan_case(browsing, demo_password)
    page = browsing.new_page()
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    page.goto(f"/assessments/{ref}/plan")
    expect(page.get_by_text("Version 1: Signed")).to_be_visible()
    digest = page.get_by_text("Digest (SHA-256) of the signed content").locator("code").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", digest), digest

    page.get_by_role("button", name="Change the plan").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 2 of the plan is a draft")
    expect(page.get_by_text("Version 2: Draft")).to_be_visible()
    check_page(page, "j8-plan-v2-draft")

    row = page.get_by_role("row").filter(has_text=FAMILY_ACTION)
    row.get_by_role("link", name=re.compile(r"^Change action \d+$")).click()
    check_page(page, "j8-change-action")
    page.get_by_label("What will be done?").fill(CHANGED_ACTION)
    page.get_by_role("button", name="Save the action").click()
    expect(page.locator("h1")).to_have_text("The plan")
    expect(page.get_by_role("cell", name=CHANGED_ACTION)).to_be_visible()

    sign_plan(page, "lead professional")
    sign_plan(page, f"{family.carer} {family.surname}")
    expect(page.get_by_text("Version 2: Signed")).to_be_visible()
    earlier = page.get_by_role("listitem").filter(has_text=re.compile(r"^\s*Version 1: Superseded"))
    expect(earlier).to_contain_text(digest[:12])
    check_page(page, "j8-plan-v2-signed")

    # Version 1, as printed for the family before the change, is still there word for word.
    link = earlier.get_by_role("link", name="Print version 1")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    text = pdf_text(response.body())
    assert FAMILY_ACTION in text and NURSE_ACTION in text
    assert CHANGED_ACTION not in text
    assert digest in re.sub(r"\s+", "", text).lower()

    # Someone holding the old printout checks its code: genuine, but superseded.
    page.get_by_role("link", name="Check a printed plan against the record").click()
    expect(page.locator("h1")).to_have_text("Check a printed plan")
    check_page(page, "j8-verify")
    page.get_by_label("Code printed on the plan").fill(" ".join(digest[i : i + 8] for i in range(0, 64, 8)).upper())
    page.get_by_role("button", name="Check the code").click()
    expect(page.get_by_text("This code matches a signed plan")).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"{ref}, version 1")
    expect(page.locator("main")).to_contain_text("superseded by version 2")
    check_page(page, "j8-verify-superseded")


def test_agreement_withdrawn_ends_the_taf_members_access(browsing, console, demo_password):
    console.allow(r"status of 404")
    ref, _family = active_plan_case(browsing, demo_password)

    nurse = browsing.new_page()
    sign_in(nurse, HEALTH_PRACTITIONER, demo_password)
    assert nurse.goto(f"/assessments/{ref}").status == 200  # in the TAF, and the agreement covers health
    expect(nurse.locator("h1")).to_contain_text(ref)

    lead = browsing.new_page()
    sign_in(lead, SCHOOL_PRACTITIONER, demo_password)
    lead.goto(f"/assessments/{ref}")
    lead.get_by_role("link", name=re.compile("the family's agreement")).click()
    expect(lead.locator("h1")).to_have_text("The family's agreement")
    check_page(lead, "j8-consent")
    lead.get_by_role("link", name="Record that the family has withdrawn agreement").click()
    expect(lead.locator("h1")).to_have_text("Record that agreement was withdrawn")
    check_page(lead, "j8-withdraw")
    lead.get_by_role("button", name="Record withdrawal").click()
    expect(lead.locator(".govuk-error-summary")).to_contain_text("Enter the date agreement was withdrawn")
    check_page(lead, "j8-withdraw-errors")
    today = date.today()
    fill_date(date_group(lead, "Date agreement was withdrawn"), today.day, today.month, today.year)
    lead.get_by_label("Notes").fill("Mum phoned: the family no longer want the health service involved.")
    lead.get_by_role("button", name="Record withdrawal").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("The withdrawal of agreement has been recorded")
    expect(lead.locator("h1")).to_contain_text(ref)
    check_page(lead, "j8-case-after-withdrawal")

    # The nurse's very next request to the case, or to its plan, is answered as if it did not exist.
    for address in (f"/assessments/{ref}", f"/assessments/{ref}/plan"):
        response = nurse.goto(address)
        assert response.status == 404, address
        expect(nurse.locator("h1")).to_have_text("Page not found")
    check_page(nurse, "j8-nurse-not-found")
    nurse.goto("/")
    assert ref not in nurse.locator("main").inner_text()
