"""Journey 13: a school's safeguarding lead assesses each child of a family of three (issue 13).

Kofi is 15 and gives the family's agreement after the practitioner records her judgement that he is competent;
Esi is 7 and is refused as the one agreeing; Ama has an education, health and care plan. Each child has their own
facts, developmental needs and voice. The lead completes the assessment and prints it: the PDF shows each child's
answers under their name.
"""

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import SCHOOL_PRACTITIONER, sign_in
from tests.browser.steps import (
    Family,
    date_group,
    fill_date,
    fill_section,
    open_task,
    save_section,
    start_assessment,
    task_titles,
)
from tests.browser.test_journey_2_plan import pdf_text

AGENCIES = ["Northshire Community Health"]
TODAY = date.today()
FAMILY = Family("Mensah", child_first="Kofi", dob=(10, 6, TODAY.year - 15), carer="Abena")
KOFI, AMA, ESI = "Kofi Mensah", "Ama Mensah", "Esi Mensah"
BROTHER_AND_SISTERS = {AMA: (4, 2, TODAY.year - 10), ESI: (1, 1, TODAY.year - 7)}
VOICES = {
    KOFI: "I want to get back to football and stop worrying about Mum.",
    AMA: "My speech group helps. The dinner hall is too loud.",
    ESI: "Esi drew her family and a big sun over the house.",
}
SUMMARIES = {
    KOFI: "Kofi is a young carer for his mother and is missing school.",
    AMA: "Ama is making progress with the support in her EHC plan.",
    ESI: "Esi is settled and happy in Year 2.",
}
SEN = {KOFI: "No special educational needs", AMA: "Education, health and care (EHC) plan", ESI: "SEN support"}


AMAS_NHS_NUMBER = "450 557 7104"


def add_children(page, ref):
    """Ama is added with her NHS number; typing the same number for Esi is caught: it is already Ama's (a number
    on record for another family's child is tests/assessments/test_consistent_identifier.py)."""
    for name, born in BROTHER_AND_SISTERS.items():
        page.goto(f"/assessments/{ref}/family")
        page.get_by_role("link", name="Add a child").click()
        page.get_by_label("First name").fill(name.split()[0])
        page.get_by_label("Last name").fill("Mensah")
        fill_date(date_group(page, "Date of birth"), *born)
        page.get_by_label("Female", exact=True).check()
        page.get_by_label("School or early years setting").fill("Northshire Primary School")
        page.get_by_label("NHS number").fill(AMAS_NHS_NUMBER)
        page.get_by_role("button", name="Save").click()
        if name == ESI:
            expect(page.locator(".govuk-error-summary")).to_contain_text(f"{AMA} in this household already has")
            expect(page.get_by_label("First name")).to_have_value("Esi")
            check_page(page, "journey13-nhs-number-caught")
            page.get_by_label("NHS number").fill("")
            page.get_by_role("button", name="Save").click()
        expect(page.locator("main")).to_contain_text(name)


def agree(page):
    page.get_by_role("link", name=re.compile("the family's agreement")).click()
    expect(page.locator("h1")).to_have_text("The family's agreement")
    who = page.get_by_role("group", name="Who agreed?")
    expect(who).to_contain_text(f"{KOFI} (the young person, 15)")
    expect(who).to_contain_text(f"{ESI} (child, 7)")
    expect(page.locator("main")).not_to_contain_text(f"{ESI} (the young person")
    check_page(page, "j13-consent")

    # Esi is 7: she cannot be the one agreeing.
    who.get_by_label(re.compile(ESI)).check()
    fill_date(date_group(page, "Date agreed"), TODAY.day, TODAY.month, TODAY.year)
    page.get_by_role("button", name="Save agreement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("A child under 12 cannot give agreement")
    check_page(page, "j13-consent-too-young")

    # Kofi is 15: he agrees, once the practitioner records that she judges him competent and why.
    page.get_by_role("group", name="Who agreed?").get_by_label(re.compile(KOFI)).check()
    page.get_by_role("group", name=re.compile("do you judge them competent")).get_by_label("Yes", exact=True).check()
    page.get_by_label("If a young person agreed: how did you judge this?").fill(
        "Kofi explained back what early help is and who would see his information."
    )
    page.get_by_role("group", name="How was agreement given?").get_by_label("In writing").check()
    page.get_by_role("group", name="Where was agreement given?").get_by_label("In person").check()
    page.get_by_role("group", name="Was an interpreter used?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Was the family given the privacy notice?").get_by_label("Yes", exact=True).check()
    group = page.get_by_role("group", name="Which agencies may be involved and see the case?")
    for agency in AGENCIES:
        group.get_by_label(agency, exact=True).check()
    page.get_by_role("button", name="Save agreement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The family's agreement has been recorded")


def own_answers(page, title):
    """What this page asks of one child, answered for that child."""
    child = title.split(": ", 1)[1] if ": " in title else None
    if title.startswith("About the child:"):
        page.get_by_role("group", name="Special educational needs").get_by_label(SEN[child], exact=True).check()
        page.get_by_label("What do they like to be called?").fill(child.split()[0])
    elif title.startswith("Developmental needs:"):
        page.get_by_label("Summary of the child's developmental needs").fill(SUMMARIES[child])
    elif title.startswith("Voice of the child:"):
        page.get_by_label(re.compile("What does the child say about their life")).fill(VOICES[child])


def complete_each_childs_sections(page, ref):
    page.goto(f"/assessments/{ref}")
    titles = task_titles(page)
    for section in ("About the child", "Developmental needs", "Voice of the child"):
        assert [t for t in titles if t.startswith(f"{section}:")] == [f"{section}: {n}" for n in (KOFI, AMA, ESI)]
    check_page(page, "j13-task-list")
    open_task(page, titles[0])
    for title in titles:
        expect(page.locator("h1")).to_have_text(title)
        if title == f"About the child: {AMA}":
            check_page(page, "j13-about-the-child")
        own_answers(page, title)
        fill_section(page)
        save_section(page, title)
    expect(page.locator("h1")).to_contain_text(ref)


def test_each_child_of_three_is_assessed_and_printed(page, demo_password):
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    ref = start_assessment(page, FAMILY)
    add_children(page, ref)
    page.goto(f"/assessments/{ref}")
    agree(page)
    complete_each_childs_sections(page, ref)
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Assessed")

    response = page.request.get(f"/assessments/{ref}/assessment.pdf")
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    text = pdf_text(response.body())
    for name in (KOFI, AMA, ESI):
        for section in ("About the child", "Developmental needs", "Voice of the child"):
            assert f"{section}: {name}" in text
        assert VOICES[name] in text and SUMMARIES[name] in text
    assert "Education, health and care (EHC) plan" in text
    assert "Judged competent to agree Yes" in text and "In writing, In person" in text
    # Each child's voice is printed under their own name, not another's.
    assert text.index(f"Voice of the child: {AMA}") < text.index(VOICES[AMA]) < text.index(f"Voice of the child: {ESI}")
