"""Journey 19: information governance.

A manager answers a mother's subject access request: finds Donna Marsh, sees her three cases, opens the request
with the date it was received (due one calendar month later); the lead professional marks her ex-partner and her
father to withhold, with the exemption and why; the manager reviews and approves the marks and downloads a ZIP
whose PDF and JSON cover the three cases without them and say what was withheld under which exemption. The
lead professional corrects Kai's date of birth and the correction's history shows beside it. The footer's
accessibility statement, privacy notice and cookies page pass axe.
"""

import io
import json
import re
import zipfile

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import check_page
from tests.browser.helpers import MANAGER, SCHOOL_PRACTITIONER, sign_in, sign_out
from tests.browser.steps import date_group, fill_date


def _seed(live_app):
    import sqlalchemy as sa

    from eha.demo import ensure_agencies, ensure_users
    from eha.demo.retention import MOTHER_FAMILY, ensure_demo_retention
    from eha.extensions import db
    from eha.models.assessments import Assessment
    from eha.models.families import Family

    with live_app.app_context():
        ensure_demo_retention(ensure_users(ensure_agencies()))
        db.session.commit()
        family = db.session.scalar(sa.select(Family).where(Family.name == MOTHER_FAMILY))
        refs = sorted(db.session.scalars(sa.select(Assessment.ref).where(Assessment.family_id == family.id)))
        db.session.remove()
    return refs


def test_a_mothers_subject_access_request_with_a_redacted_third_party(browsing, live_app, demo_password):
    refs = _seed(live_app)
    page = browsing.new_page()
    sign_in(page, MANAGER, demo_password)
    page.get_by_role("link", name="Subject access").click()
    expect(page.locator("h1")).to_have_text("Subject access requests")
    check_page(page, "j19-sar-list")
    page.get_by_label("Find the person by name").fill("Donna Marsh")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text="Donna Marsh")
    for ref in refs:
        expect(row).to_contain_text(ref)
    check_page(page, "j19-sar-found")
    row.get_by_role("link", name=re.compile("Open a request")).click()
    expect(page.locator("h1")).to_have_text("Open a subject access request")
    page.get_by_role("button", name="Open the request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date the request was received")
    check_page(page, "j19-sar-open-errors")
    fill_date(date_group(page, "When the request was received"), 3, 11, 2026)
    page.get_by_role("button", name="Open the request").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("due 3 December 2026")
    check_page(page, "j19-sar-request")

    request_url = page.url
    sign_out(page)

    # The lead professional knows who is who: she marks the ex-partner and the grandfather to withhold.
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    page.goto(f"/assessments/{refs[-1]}/subject-access")
    expect(page.locator("h1")).to_have_text("Subject access: what to withhold")
    check_page(page, "j19-sar-mark")
    page.get_by_role("button", name="Withhold their personal data").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whose personal data must be withheld")
    check_page(page, "j19-sar-mark-errors")
    for name, why in (("Gary Pike", "Lily's father: no agreement to share"), ("Ray Marsh", "Grandfather's own news")):
        page.get_by_label(re.compile(name)).check()
        page.get_by_label(re.compile("Another person's personal data")).check()
        page.get_by_label(re.compile("Why it must be withheld")).fill(why)
        page.get_by_role("button", name="Withhold their personal data").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{name}'s personal data will be withheld")
    expect(page.get_by_role("table")).to_contain_text("no agreement to share")
    page.get_by_role("button", name=re.compile("Send my marks for review")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("with a manager for review")
    check_page(page, "j19-sar-marked")
    sign_out(page)

    sign_in(page, MANAGER, demo_password)
    page.goto(request_url)
    expect(page.locator("main")).to_contain_text("2 people are marked to withhold")
    expect(page.get_by_role("table")).to_contain_text("Grandfather's own news")
    check_page(page, "j19-sar-review")
    page.get_by_role("button", name="Approve the redactions").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the export (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read()))
    json_name = next(n for n in archive.namelist() if n.endswith(".json"))
    pdf_name = next(n for n in archive.namelist() if n.endswith(".pdf"))
    data = json.loads(archive.read(json_name))
    assert [c["ref"] for c in data["cases"]] == refs
    text = json.dumps(data, ensure_ascii=False)
    assert "Donna Marsh" in text and "Gary Pike" not in text and "Ray Marsh" not in text
    pdf = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(archive.read(pdf_name))).pages)
    assert "Everything held about Donna Marsh" in pdf and "Pike" not in pdf
    assert "What has been withheld" in " ".join(pdf.split())
    # The manager's other governance pages pass the same checks.
    page.goto("/retention")
    expect(page.locator("h1")).to_have_text("Retention and disposal")
    check_page(page, "j19-retention")
    page.goto(f"/assessments/{refs[0]}/hold")
    expect(page.locator("h1")).to_have_text("Legal hold")
    check_page(page, "j19-hold")


def test_a_corrected_date_of_birth_shows_its_history(browsing, live_app, demo_password):
    refs = _seed(live_app)
    page = browsing.new_page()
    sign_in(page, SCHOOL_PRACTITIONER, demo_password)
    page.goto(f"/assessments/{refs[-1]}")
    page.get_by_role("link", name=re.compile("Correct the record")).click()
    expect(page.locator("h1")).to_have_text("Correct the record")
    check_page(page, "j19-corrections")
    page.get_by_role("link", name="Correct Kai Marsh's details").click()
    group = date_group(page, "Date of birth")
    fill_date(group, 15, 2, 2013)
    page.get_by_label("Why this is being corrected").fill("Donna showed us Kai's birth certificate")
    check_page(page, "j19-correct-kai")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The correction has been saved")
    fact = page.locator(".govuk-summary-list__row").filter(has_text="Date of birth").filter(has_text="15 February 2013")
    expect(fact).to_contain_text("Was “14 February 2013”")
    expect(fact).to_contain_text("Sarah Okafor")
    expect(fact).to_contain_text("birth certificate")
    check_page(page, "j19-corrected")


def test_the_footer_pages_pass_axe(browsing):
    page = browsing.new_page()
    page.goto("/sign-in")
    for link, heading, name in (
        ("Accessibility statement", "Accessibility statement", "j19-accessibility"),
        ("Privacy", "Privacy notice", "j19-privacy"),
        ("Cookies", "Cookies", "j19-cookies"),
    ):
        page.get_by_role("contentinfo").get_by_role("link", name=link, exact=True).click()
        expect(page.locator("h1")).to_contain_text(heading)
        check_page(page, name)
