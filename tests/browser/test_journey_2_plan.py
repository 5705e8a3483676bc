"""Journey 2: the lead professional runs the TAF meeting, builds and agrees the plan, and prints it."""

import io
import re
from datetime import date

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import check_page
from tests.browser.helpers import SCHOOL_PRACTITIONER, sign_in
from tests.browser.steps import Family, assessed_case, date_group, fill_date

NURSE_ACTION = "See the child at school about sleep and mornings"
FAMILY_ACTION = "Use the morning routine chart every school day"
# Journeys 3 and 4 carry on with the case journey 2 builds, when it has run (see plan_case).
SHARED = {}
AGENCIES = ["Northshire Community Health", "Northshire Early Help Service"]


def plan_journey(page, family, prefix=None):
    """From an assessed case to an active, signed plan; checks each page when given a ``prefix``."""

    def check(name):
        if prefix:
            check_page(page, f"{prefix}-{name}")

    ref = assessed_case(page, family, AGENCIES)
    today = date.today()

    page.get_by_role("link", name="Schedule the TAF meeting").or_(
        page.get_by_role("button", name="Schedule the TAF meeting")
    ).first.click()
    check("schedule")
    fill_date(date_group(page, "Date of the meeting"), today.day, today.month, today.year)
    page.get_by_label("Time").fill("15:30")
    page.get_by_label("Where will it be held?").fill("Northshire Primary School, meeting room 2")
    page.get_by_role("group", name="Which professionals are invited?").get_by_label("Priya Shah", exact=False).check()
    page.get_by_role("group", name="Which family members are invited?").get_by_label(
        f"{family.carer} {family.surname}", exact=False
    ).check()
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("scheduled")
    check("meeting")

    page.get_by_role("button", name="Record the meeting as held").click()
    check("record-meeting")
    fill_date(date_group(page, "Date the meeting was held"), today.day, today.month, today.year)
    page.get_by_role("group", name="Priya Shah").get_by_label("Attended").check()
    page.get_by_role("group", name=f"{family.carer} {family.surname}").get_by_label("Attended").check()
    page.get_by_label("Notes").fill("Mum described mornings as the hardest part of the day.")
    page.get_by_label("Decisions").fill("School nurse to see the child; Mum to try the morning routine chart.")
    review = date.fromordinal(today.toordinal() + 35)
    fill_date(date_group(page, "Date of the next review"), review.day, review.month, review.year)
    page.get_by_role("button", name="Save the record of the meeting").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded")

    page.goto(f"/assessments/{ref}/plan")
    check("plan-empty")
    add_action(
        page,
        owner="Priya Shah",
        what=NURSE_ACTION,
        success="Less tired in class, by the child's own account",
        due=today.toordinal() + 28,
    )
    add_action(
        page,
        owner=f"Family: {family.carer} {family.surname}",
        what=FAMILY_ACTION,
        success="On time for school four days a week",
        due=today.toordinal() + 28,
    )
    check("plan-draft")

    for signer in ("lead professional", f"{family.carer} {family.surname}"):
        page.get_by_role("button", name="Record a signature").click()
        page.get_by_role("group", name="Who is signing?").get_by_label(signer, exact=False).first.check()
        fill_date(date_group(page, "Date signed"), today.day, today.month, today.year)
        page.get_by_label("In person on screen").check()
        page.get_by_role("button", name="Record the signature").click()
        expect(page.locator("h1")).to_have_text("The plan")
    expect(page.get_by_text("Version 1: Signed")).to_be_visible()
    check("plan-signed")

    page.get_by_role("link", name="Agree the plan on the case page").click()
    page.get_by_role("button", name="Agree the plan").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Plan active")
    check("case-plan-active")
    return ref


def test_lead_professional_schedules_the_taf_agrees_a_signed_plan_and_prints_it(page, demo_password):
    family = Family("Nowicki", child_first="Lena", carer="Marta")
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    ref = plan_journey(page, family, prefix="j2")
    SHARED["plan_case"] = (ref, family)

    # The family's copy: the signed plan as a PDF, with the reference and both actions in it.
    page.goto(f"/assessments/{ref}/plan")
    link = page.get_by_role("link", name=re.compile(r"Print version 1 of the plan"))
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    text = pdf_text(response.body())
    assert ref in text
    assert NURSE_ACTION in text
    assert FAMILY_ACTION in text


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def add_action(page, *, owner, what, success, due):
    page.get_by_role("button", name="Add an action").click()
    expect(page.locator("h1")).to_contain_text("action")
    needs = page.get_by_role("group", name="Which need does this action address?")
    if needs.count():
        needs.locator("input[type=radio]").first.check()
    page.get_by_label("What will be done?").fill(what)
    page.get_by_role("group", name="Who will do it?").get_by_label(owner, exact=False).check()
    by = date.fromordinal(due)
    fill_date(date_group(page, "By when?"), by.day, by.month, by.year)
    page.get_by_label("How will we know it worked?").fill(success)
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(page.locator("h1")).to_have_text("The plan")
    expect(page.get_by_role("cell", name=what)).to_be_visible()
