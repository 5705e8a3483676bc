"""Journey 1 with the keyboard only: Tab, Shift+Tab, Space and Enter, with visible focus throughout.

Choosing "No" in a yes/no radio group also takes the Down arrow, as it does for every keyboard user.
"""

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import STATS, check_page
from tests.browser.helpers import SCHOOL_PRACTITIONER
from tests.browser.keyboard import Keyboard
from tests.browser.steps import ANSWER, Family, task_titles

AGENCY = "Northshire Community Health"


def sign_in(keys, password):
    keys.page.goto("/sign-in")
    keys.type_into("Email address", SCHOOL_PRACTITIONER)
    keys.type_into("Password", password, exact=True)
    keys.activate("Sign in", tags=("button",))
    expect(keys.page.locator("h1")).to_have_text("My cases")


def sign_out(keys):
    keys.activate("Sign out", tags=("button",))
    expect(keys.page.locator("h1")).to_have_text("Sign in")


def fill_section_by_keyboard(keys):
    """Walk the section's form in tab order, answering every empty question, then save and continue."""
    dates = {"day": "2", "month": "3", "year": "2026"}
    while True:
        info = keys.press("Tab")
        assert info is not None, f"focus left the page on {keys.page.url}"
        if info["tag"] == "button" and info["label"] == "Save and continue":
            with keys.page.expect_navigation():
                keys.page.keyboard.press("Enter")
            return
        if not info["inSectionForm"]:
            continue
        part = re.search(r"-(day|month|year)$", info["id"])
        if info["tag"] in ("textarea", "input") and info["type"] in ("text", "textarea", "") and not info["value"]:
            keys.page.keyboard.insert_text(dates[part.group(1)] if part else ANSWER)
        elif info["type"] == "radio" and not info["groupChecked"]:
            keys.page.keyboard.press("Space")
        elif info["type"] == "checkbox" and info["firstInGroup"] and not info["groupChecked"]:
            keys.page.keyboard.press("Space")


def test_keyboard_user_completes_an_assessment_over_two_visits(page, demo_password):
    family = Family("Okonkwo", child_first="Ada", carer="Ngozi", dob=(9, 11, 2016))
    keys = Keyboard(page)
    sign_in(keys, demo_password)

    keys.activate("Start an assessment")
    expect(page.locator("h1")).to_have_text("Find the child")
    keys.type_into("Last name", family.surname)
    keys.date("date_of_birth", *family.dob)
    keys.activate("Search", tags=("button",))
    expect(page.get_by_role("heading", name="No children on record match")).to_be_visible()
    keys.activate("Create a new family", tags=("button",))

    expect(page.locator("h1")).to_have_text("Could the child be at risk of significant harm?")
    keys.choose("No")
    keys.activate("Continue", tags=("button",))

    expect(page.locator("h1")).to_have_text("About the family")
    keys.type_into("Family name", family.name)
    keys.type_into("Postcode", "NS2 4DQ")
    keys.type_into("First name", family.child_first)
    keys.type_into("Last name", family.surname)
    keys.date("child_date_of_birth", *family.dob)
    keys.choose("Male")
    keys.type_into("Full name", f"{family.carer} {family.surname}")
    keys.type_into("Relationship to the child", "Mother")
    keys.choose("No")  # Is an interpreter needed?
    keys.activate("Start the assessment", tags=("button",))
    expect(page.locator("h1")).to_contain_text(family.child)
    ref = re.search(r"EHA-\d{6}", page.locator("h1").inner_text()).group(0)

    keys.activate("the family's agreement")
    expect(page.locator("h1")).to_have_text("The family's agreement")
    keys.choose(f"{family.carer} {family.surname}", exact=False)
    today = date.today()
    keys.date("given_on", today.day, today.month, today.year)
    keys.check(AGENCY)
    keys.activate("Save agreement", tags=("button",))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("agreement has been recorded")

    sections = task_titles(page)
    half = len(sections) // 2
    keys.activate(sections[0])
    for title in sections[:half]:
        expect(page.locator("h1")).to_have_text(title)
        fill_section_by_keyboard(keys)
    expect(page.locator("h1")).to_have_text(sections[half])
    keys.activate("Back to the case")
    sign_out(keys)

    sign_in(keys, demo_password)
    keys.activate(ref)
    keys.activate(sections[half])
    for title in sections[half:]:
        expect(page.locator("h1")).to_have_text(title)
        fill_section_by_keyboard(keys)
    expect(page.locator("h1")).to_contain_text(ref)
    keys.activate("Complete the assessment", tags=("button",))
    expect(page.locator(".govuk-tag").first).to_have_text("Assessed")
    check_page(page, "keyboard-case-assessed")
    STATS["keyboard_presses"] = STATS.get("keyboard_presses", 0) + keys.presses
