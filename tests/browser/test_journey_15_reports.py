"""Journey 15: a manager sees what needs them, opens each report, filters one, downloads its CSV and the returns."""

import re
from datetime import date, timedelta

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import MANAGER, sign_in

ACADEMY_TEACHER = "tomasz.nowak@northshire-academy.example.org"
NURSE = "priya.shah@northshire-health.example.org"


def _seed(app):
    """Two cases led by the academy's teacher: one helped last year and closed, one whose assessment is overdue."""
    import sqlalchemy as sa

    from eha.demo import cases as build
    from eha.extensions import db
    from eha.models.users import User
    from eha.transaction import committing

    with app.app_context():
        users = {u.email: u for u in db.session.scalars(sa.select(User))}
        teacher, nurse, manager = users[ACADEMY_TEACHER], users[NURSE], users[MANAGER]
        with committing():
            helped = build.new_case(
                teacher,
                family_name="Adebayo",
                children=(("Tayo", "Adebayo", date(2014, 3, 1)),),
                agencies=[nurse.agency],
                started_on=date.today() - timedelta(days=200),
            )
            _version, meeting = build.to_review_scheduled(helped, teacher, [nurse])
            build.record_a_review(helped, teacher, meeting)
            build.fire(
                helped, "close", manager, reason="outcomes_met", notes="Met.", outcomes=build.outcomes_for(helped)
            )
            helped.closed_at = helped.closed_at - timedelta(days=60)
            late = build.new_case(
                teacher,
                family_name="Fenwick",
                children=(("Rosa", "Fenwick", date(2016, 6, 6)),),
                agencies=[nurse.agency],
                started_on=date.today() - timedelta(days=45),
            )
            late.assessment_due_on = date.today() - timedelta(days=15)
            build.effects.refresh_due(late)
        refs = helped.ref, late.ref
        db.session.remove()
    return refs


def test_a_manager_reads_the_reports_filters_and_downloads(live_app, browsing, demo_password):
    _helped, late = _seed(live_app)
    page = browsing.new_page()
    sign_in(page, MANAGER, demo_password)
    expect(page.get_by_role("heading", name="What needs you")).to_be_visible()
    check_page(page, "j15-home")
    page.get_by_role("link", name="Assessments overdue").click()
    expect(page.locator("main")).to_contain_text("Showing only: Assessments overdue")
    expect(page.get_by_role("link", name=late)).to_be_visible()
    check_page(page, "j15-overdue-list")

    page.goto("/reports")
    check_page(page, "j15-reports")
    titles = page.locator("main ul").first.get_by_role("link").all_inner_texts()
    assert len(titles) == 10
    for title in titles:
        page.goto("/reports")
        page.get_by_role("link", name=title, exact=True).click()
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator("figure svg[role=img]")).to_be_visible()
        check_page(page, f"j15-{page.url.rsplit('/', 1)[-1]}")

    page.goto("/reports/caseload")
    page.get_by_text("Filter this report").click()
    page.get_by_label("Period", exact=True).select_option(label="The last 6 months")
    page.get_by_label("Lead professional's agency", exact=True).select_option(label="Northshire Academy")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"period=6m.*lead_agency=\d+"))
    expect(page.get_by_role("row").filter(has_text="Tomasz Nowak")).to_contain_text("1")
    check_page(page, "j15-caseload-filtered")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Open cases by lead professional” (CSV)").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.splitlines() == ["Lead professional,Agency,Open cases", "Tomasz Nowak,Northshire Academy,1"]

    # Her own period: a mistake is shown on the date input, with what she typed kept; then the report for it.
    page.goto("/reports/closures")
    page.get_by_text("Filter this report").click()
    page.get_by_label("Period", exact=True).select_option(label="Dates I choose (below)")
    for legend, (day, month, year) in (
        ("The start of the period", ("31", "2", "2025")),
        ("The end of the period", ("30", "11", "2025")),
    ):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The start of the period must be a real date")
    start = page.get_by_role("group", name="The start of the period")
    expect(start.get_by_label("Day")).to_have_value("31")
    check_page(page, "j15-period-error")
    start.get_by_label("Day").fill("1")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("main")).to_contain_text("From 1 February 2025 to 30 November 2025.")
    check_page(page, "j15-closures-own-period")
    with page.expect_download() as download:
        page.get_by_role("link", name="as an Excel workbook (.xlsx)").first.click()
    assert download.value.suggested_filename == "closures-reasons-2025-02-01-to-2025-11-30.xlsx"
    with open(download.value.path(), "rb") as workbook:  # the saved download has no .xlsx name
        sheet = load_workbook(workbook).active
    assert [c.value for c in sheet[1]] == ["Reason", "Cases"]

    page.goto("/reports/returns")
    check_page(page, "j15-returns")
    for name, header in (
        ("Standard Safeguarding Dataset", "earl_episode_id,earl_person_id"),
        ("Ofsted ILACS Annex A", "Child Unique ID,Gender"),
        ("Supporting Families outcomes", "family_id,case_ref"),
    ):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).first.click()
        assert open(download.value.path(), encoding="utf-8").readline().startswith(header)
