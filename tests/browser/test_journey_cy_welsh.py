"""Journey in Welsh (issue 18): a practitioner switches to Cymraeg with the footer link, starts an assessment,
meets an error on a section and comes back to the case page, every page in Welsh and passing axe; the choice
follows them to their next sign-in. At the end they switch back to English (the demo users are shared by the
journeys that follow)."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import HEALTH_PRACTITIONER
from tests.browser.steps import Family


def _html_lang(page):
    return page.locator("html").get_attribute("lang")


def _sign_in(page, email, password, sign_out_text):
    page.goto("/sign-in")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("button[type=submit]#submit").click()
    expect(page.get_by_role("button", name=sign_out_text)).to_be_visible()


def _fill_date(group, day, month, year):
    group.get_by_label("Diwrnod").fill(str(day))
    group.get_by_label("Mis").fill(str(month))
    group.get_by_label("Blwyddyn").fill(str(year))


def _start_in_welsh(page, family):
    page.get_by_role("link", name="Dechrau asesiad").first.click()
    expect(page.locator("h1")).to_have_text("Dod o hyd i’r plentyn")
    check_page(page, "jcy-find")
    page.get_by_label("Cyfenw").fill(family.surname)
    _fill_date(page.get_by_role("group", name="Dyddiad geni"), *family.dob)
    page.get_by_role("button", name="Chwilio").click()
    expect(page.get_by_role("heading", name="Does dim plant ar y cofnod yn cyfateb")).to_be_visible()
    page.get_by_role("button", name="Creu teulu newydd").click()

    expect(page.locator("h1")).to_have_text("A allai’r plentyn fod mewn perygl o niwed sylweddol?")
    check_page(page, "jcy-safety")
    page.get_by_label("Na", exact=True).check()
    page.get_by_role("button", name="Parhau").click()

    expect(page.locator("h1")).to_have_text("Ynglŷn â’r teulu")
    check_page(page, "jcy-family")
    page.get_by_label("Enw’r teulu").fill(family.name)
    page.get_by_label("Cyfeiriad", exact=True).fill("12 Heol y Felin\nNorthshire")
    page.get_by_label("Cod post").fill("NS1 2AB")
    page.get_by_label("Enw cyntaf").fill(family.child_first)
    page.get_by_label("Cyfenw").fill(family.surname)
    page.get_by_label("Benyw", exact=True).check()
    page.get_by_label("Enw llawn").fill(f"{family.carer} {family.surname}")
    page.get_by_label("Perthynas â’r plentyn").fill("Mam")
    page.get_by_label("Dewis iaith").fill("Cymraeg")
    page.get_by_role("group", name="A oes angen cyfieithydd?").get_by_label("Na", exact=True).check()
    # The date of birth typed in the search was carried over.
    expect(page.get_by_role("group", name="Dyddiad geni").get_by_label("Blwyddyn")).to_have_value(str(family.dob[2]))
    page.get_by_role("button", name="Dechrau’r asesiad").click()
    expect(page.locator("h1")).to_contain_text(family.child)
    return re.search(r"EHA-\d{6}", page.locator("h1").inner_text()).group(0)


def test_a_practitioner_works_in_welsh_from_the_footer_link(page, demo_password):
    family = Family("Pritchard", child_first="Elen", carer="Siân")
    _sign_in(page, HEALTH_PRACTITIONER, demo_password, "Sign out")
    try:
        page.get_by_role("link", name="Cymraeg").click()
        expect(page.locator("h1")).to_have_text("Fy achosion")
        assert _html_lang(page) == "cy"
        check_page(page, "jcy-my-cases")

        ref = _start_in_welsh(page, family)
        assert _html_lang(page) == "cy"
        expect(page.get_by_role("heading", name="Cofnodion a dogfennau")).to_be_visible()
        expect(page.locator(".govuk-summary-list__key", has_text="Cytundeb y teulu")).to_be_visible()
        check_page(page, "jcy-case-new")

        # A section with a required answer, saved empty: the error summary is in Welsh. The task list names the
        # section in the definition's Welsh ("Developmental needs").
        page.locator(".govuk-task-list").get_by_role("link", name=re.compile("^Anghenion datblygiadol")).first.click()
        expect(page.locator("h1")).to_contain_text("Anghenion datblygiadol")
        page.get_by_role("button", name="Cadw a pharhau").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        expect(summary.locator(".govuk-error-summary__title")).to_have_text("Mae problem wedi codi")
        expect(summary.locator("li").first).to_contain_text("Rhowch ")
        assert page.title().startswith("Gwall: ")
        check_page(page, "jcy-section-error")

        page.get_by_role("link", name="Yn ôl i’r achos").click()
        expect(page.locator("h1")).to_contain_text(ref)
        expect(page.locator(".govuk-task-list").get_by_text("Heb ddechrau").first).to_be_visible()
        check_page(page, "jcy-case")

        # The choice is remembered: on the next sign-in the pages are in Welsh without asking again.
        page.get_by_role("button", name="Allgofnodi").click()
        page.wait_for_url("**/sign-in**")
        page.context.clear_cookies()
        _sign_in(page, HEALTH_PRACTITIONER, demo_password, "Allgofnodi")
        assert _html_lang(page) == "cy"
        expect(page.locator("h1")).to_have_text("Fy achosion")
        page.goto(f"/assessments/{ref}")
        expect(page.get_by_role("heading", name="Cofnodion a dogfennau")).to_be_visible()
    finally:
        # Back to English for the journeys after this one (the choice is kept on the shared demo user).
        page.goto("/?lang=en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert _html_lang(page) == "en-GB"
