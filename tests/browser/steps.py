"""Journey steps through the UI, shared by the journeys and their keyboard and no-JavaScript runs."""

import re
from dataclasses import dataclass

from playwright.sync_api import expect

from tests.browser.conftest import check_page


@dataclass
class Family:
    """A family the journey creates; names are unique per journey so journeys never meet."""

    surname: str
    child_first: str = "Maja"
    dob: tuple = (14, 3, 2015)
    carer: str = "Ewa"

    @property
    def name(self):
        return f"The {self.surname} family"

    @property
    def child(self):
        return f"{self.child_first} {self.surname}"


def fill_date(scope, day, month, year):
    scope.get_by_label("Day").fill(str(day))
    scope.get_by_label("Month").fill(str(month))
    scope.get_by_label("Year").fill(str(year))


def date_group(page, legend):
    return page.get_by_role("group", name=re.compile(legend))


def find_child(page, family, *, check=None):
    """Start an assessment: search for the child and find no record."""
    page.goto("/assessments/new")
    expect(page.locator("h1")).to_have_text("Find the child")
    if check:
        check_page(page, f"{check}-find")
    page.get_by_label("Last name").fill(family.surname)
    fill_date(date_group(page, "Date of birth"), *family.dob)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No children on record match")).to_be_visible()
    if check:
        check_page(page, f"{check}-find-none")


def answer_safety(page, answer, *, check=None):
    expect(page.locator("h1")).to_have_text("Could the child be at risk of significant harm?")
    if check:
        check_page(page, f"{check}-safety")
    page.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Continue").click()


def create_family(page, family, *, check=None):
    expect(page.locator("h1")).to_have_text("About the family")
    if check:
        check_page(page, f"{check}-family")
    page.get_by_label("Family name").fill(family.name)
    page.get_by_label("Address", exact=True).fill("12 Mill Lane\nNorthshire")
    page.get_by_label("Postcode").fill("NS1 2AB")
    page.get_by_label("First name").fill(family.child_first)
    page.get_by_label("Last name").fill(family.surname)
    fill_date(date_group(page, "Date of birth"), *family.dob)
    page.get_by_label("Female", exact=True).check()
    page.get_by_label("School or early years setting").fill("Northshire Primary School")
    page.get_by_label("Full name").fill(f"{family.carer} {family.surname}")
    page.get_by_label("Relationship to the child").fill("Mother")
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_label("Preferred language").fill("Polish")
    page.get_by_role("group", name="Is an interpreter needed?").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator("h1")).to_contain_text(family.child)
    ref = re.search(r"EHA-\d{6}", page.locator("h1").inner_text()).group(0)
    return ref


ANSWER = "Talked it through with the family; they describe things improving since the spring."


def section_form(page):
    return page.locator("main form").filter(has=page.get_by_role("button", name="Save and continue"))


def fill_section(page):
    """Answer every question on a section page, whatever the form definition asks."""
    form = section_form(page)
    for box in form.locator(
        "textarea:visible, input[type=text]:visible:not([id$='-day']):not([id$='-month']):not([id$='-year'])"
    ).all():
        if not box.input_value():
            box.fill(ANSWER)
    for group in form.locator("fieldset:has(input[type=radio])").all():
        radios = group.locator("input[type=radio]")
        if not any(r.is_checked() for r in radios.all()):
            radios.nth(min(5, radios.count() - 1)).check()
    for group in form.locator("fieldset:has(input[type=checkbox])").all():
        boxes = group.locator("input[type=checkbox]")
        if not any(b.is_checked() for b in boxes.all()):
            boxes.first.check()
            if boxes.count() > 2:
                boxes.nth(2).check()
    for group in form.locator("fieldset:has(input[id$='-day'])").all():
        if not group.locator("input[id$='-day']").input_value():
            fill_date(group, 2, 3, 2026)


def open_task(page, title):
    page.locator(".govuk-task-list").get_by_role("link", name=title).click()
    expect(page.locator("h1")).to_have_text(title)


def task_status(page, title):
    item = page.locator(".govuk-task-list__item").filter(has=page.get_by_role("link", name=title))
    return item.locator(".govuk-task-list__status").inner_text().strip()


def task_titles(page):
    return [t.strip() for t in page.locator(".govuk-task-list__name-and-hint a").all_inner_texts()]


def record_agreement(page, carer_name, agencies, *, check=None):
    page.get_by_role("link", name=re.compile("the family's agreement")).click()
    expect(page.locator("h1")).to_have_text("The family's agreement")
    if check:
        check_page(page, f"{check}-consent")
    page.get_by_role("group", name="Who agreed?").get_by_label(re.compile(carer_name)).check()
    fill_date(date_group(page, "Date agreed"), 2, 3, 2026)
    group = page.get_by_role("group", name="Which agencies may be involved and see the case?")
    for agency in agencies:
        group.get_by_label(agency, exact=True).check()
    page.get_by_role("button", name="Save agreement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The family's agreement has been recorded")


def save_section(page, title, button="Save and continue"):
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    if summary.count():
        raise AssertionError(f"{title} was not saved: {summary.inner_text()}")


def start_assessment(page, family):
    """Journey 1's start, without the page checks: search, no record, safety "no", the family."""
    find_child(page, family)
    page.get_by_role("button", name="Create a new family").click()
    answer_safety(page, "No")
    return create_family(page, family)


def complete_every_section(page, ref):
    page.goto(f"/assessments/{ref}")
    titles = task_titles(page)
    open_task(page, titles[0])
    for title in titles:
        expect(page.locator("h1")).to_have_text(title)
        fill_section(page)
        save_section(page, title)
    expect(page.locator("h1")).to_contain_text(ref)


def assessed_case(page, family, agencies):
    """A case in "Assessed", built through the UI as journey 1 does; returns its reference."""
    ref = start_assessment(page, family)
    record_agreement(page, f"{family.carer} {family.surname}", agencies)
    complete_every_section(page, ref)
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Assessed")
    return ref
