"""Journey 1: a school practitioner starts and completes an early help assessment over two visits.

Run twice: with JavaScript, and with JavaScript disabled (everything must work without it). The
keyboard-only run is in test_keyboard.py.
"""

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import SCHOOL_PRACTITIONER, sign_in, sign_out
from tests.browser.steps import (
    Family,
    answer_safety,
    create_family,
    fill_section,
    find_child,
    open_task,
    record_agreement,
    save_section,
    section_form,
    task_status,
    task_titles,
)

AGENCIES = ["Northshire Community Health", "Northshire Early Help Service"]
DRAFT_NOTE = "Started; more to ask the family next week."


def journey_1(page, family, password, prefix):
    sign_in(page, SCHOOL_PRACTITIONER, password)
    find_child(page, family, check=prefix)
    page.get_by_role("button", name="Create a new family").click()
    answer_safety(page, "No", check=prefix)
    ref = create_family(page, family, check=prefix)
    check_page(page, f"{prefix}-case-new")

    record_agreement(page, f"{family.carer} {family.surname}", AGENCIES, check=prefix)
    sections = task_titles(page)
    assert len(sections) >= 5
    half = len(sections) // 2

    # First visit: the first half of the sections, then one saved as a draft to come back to.
    # A section with a required answer, saved empty, says what is missing (v2's first sections ask nothing required).
    open_task(page, next(title for title in sections if title.startswith("Developmental needs")))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, f"{prefix}-section-error")
    page.goto(f"/assessments/{ref}")
    open_task(page, sections[0])
    check_page(page, f"{prefix}-section-first")
    for index, title in enumerate(sections[:half]):
        expect(page.locator("h1")).to_have_text(title)
        fill_section(page)
        save_section(page, title)
        if index + 1 < len(sections):
            expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{title}: saved")
    expect(page.locator("h1")).to_have_text(sections[half])
    section_form(page).locator("textarea:visible").first.fill(DRAFT_NOTE)
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator("h1")).to_contain_text(ref)
    assert task_status(page, sections[0]) == "Completed"
    # Completed or In progress, as the definition's required fields decide; either way, started.
    assert task_status(page, sections[half]) != "Not started"
    assert task_status(page, sections[-1]) == "Not started"
    check_page(page, f"{prefix}-case-half-done")
    sign_out(page)

    # Second visit: the draft kept its answer; finish every section, then complete the assessment.
    sign_in(page, SCHOOL_PRACTITIONER, password)
    page.get_by_role("link", name=ref).first.click()
    open_task(page, sections[half])
    expect(section_form(page).locator("textarea:visible").first).to_have_value(DRAFT_NOTE)
    for title in sections[half:]:
        expect(page.locator("h1")).to_have_text(title)
        fill_section(page)
        save_section(page, title)
    expect(page.locator("h1")).to_contain_text(ref)
    assert all(task_status(page, title) == "Completed" for title in sections)
    check_page(page, f"{prefix}-case-ready")

    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Assessed")
    check_page(page, f"{prefix}-case-assessed")
    return ref


def test_school_practitioner_completes_an_assessment_over_two_visits(page, demo_password):
    journey_1(page, Family("Kowalska"), demo_password, "j1")


def test_the_whole_assessment_works_without_javascript(browsing, demo_password):
    page = browsing.new_page(java_script_enabled=False)
    assert page.evaluate("() => document.documentElement.classList.contains('govuk-frontend-supported')") is False
    journey_1(page, Family("Lindqvist", child_first="Elsa", carer="Karin"), demo_password, "j1-nojs")
