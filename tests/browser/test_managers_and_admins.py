"""Managers' and administrators' pages: the case history, reports, and user, agency and form administration."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import MANAGER, SCHOOL_PRACTITIONER, sign_in, sign_out
from tests.browser.steps import Family, start_assessment

ADMIN = "ade.bello@northshire.example.gov.uk"


def test_manager_sees_who_has_seen_a_case_and_reads_the_reports(page, demo_password):
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    ref = start_assessment(page, Family("Novak", child_first="Petra", carer="Jana"))
    sign_out(page)

    sign_in(page, MANAGER, demo_password)
    page.get_by_role("link", name="All cases", exact=True).click()
    expect(page.get_by_role("link", name=ref)).to_be_visible()
    check_page(page, "manager-all-cases")
    page.goto(f"/assessments/{ref}/history")
    expect(page.locator("h1")).to_have_text("Who has seen or changed this record")
    expect(page.locator("main")).to_contain_text("Sarah Okafor")
    check_page(page, "manager-history")
    page.get_by_role("link", name="Reports").click()
    expect(page.locator("h1")).to_have_text("Reports")
    check_page(page, "manager-reports")


def test_administrator_manages_users_agencies_and_forms_but_sees_no_case(page, console, demo_password):
    console.allow(r"status of 403")
    sign_in(page, ADMIN, demo_password)
    assert page.goto("/assessments").status == 403
    check_page(page, "admin-no-cases")
    page.get_by_role("link", name="Users").first.click()
    expect(page.locator("h1")).to_have_text("Users")
    check_page(page, "admin-users")
    page.goto("/admin/users/new")
    expect(page.locator("h1")).to_have_text("Add a user")
    page.locator("main form").get_by_role("button").last.click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "admin-new-user-errors")
    page.get_by_role("link", name="Agencies").first.click()
    expect(page.locator("h1")).to_have_text("Agencies")
    check_page(page, "admin-agencies")
    page.get_by_role("link", name=re.compile("^Forms$")).first.click()
    expect(page.locator("h1")).to_have_text("Assessment form definitions")
    check_page(page, "admin-forms")
