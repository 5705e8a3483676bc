"""The plan's accessible web copy in Chromium: axe (WCAG 2.2 A/AA), one h1, a title that starts with it, no
sideways scrolling at 320 px, no CSP violations, in every edition the plan page links to (standard and large
print, English and a language whose catalogue may not be ready). Reached from the plan page's own links."""

import pytest

from tests import factories
from tests.browser.conftest import check_page, chromium_path
from tests.plans import helpers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="needs Chromium at $CHROMIUM_PATH or /usr/bin/chromium"),
]

LEAD = "wiktoria.lead.copy@example.org"


@pytest.fixture(scope="module")
def world(live_app):
    from eha.extensions import db

    with live_app.app_context():
        school = factories.agency(name="Copy Primary School")
        lead = factories.user(agency=school, name="Wiktoria Grzegorzewska-Łukasik", email=LEAD)
        case = helpers.assessed_case(lead, state="review_scheduled", name="The Wiśniewska-Łukasik family")
        carer = case.family.carers[0]
        carer.name = "Małgorzata Wiśniewska-Łukasik"
        carer.preferred_language = "polski"
        carer.interpreter_needed = True
        version = helpers.plan(case, lead, owners=[lead], actions=6, status="signed")
        db.session.commit()
        world = {"ref": case.ref, "digest": version.digest}
        db.session.remove()
    return world


def sign_in(page, email):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def test_the_accessible_copy_of_the_plan_passes_axe_in_each_edition(page, world):
    sign_in(page, LEAD)
    page.goto(f"/assessments/{world['ref']}/plan")
    check_page(page, "plan-with-editions")
    page.get_by_role("link", name="accessible web page").click()
    check_page(page, "plan-copy-family-language")
    assert page.locator("h1").inner_text() == page.locator("h1").inner_text().strip()
    assert "If you need an interpreter" in page.content()
    digest = page.locator("code.eha-digest").inner_text().replace(" ", "")
    assert digest == page.locator("meta[name='eha-plan-digest']").get_attribute("content")
    page.goto(f"/assessments/{world['ref']}/plan")
    page.get_by_role("link", name="accessible web page").locator("xpath=following-sibling::a[1]").click()
    check_page(page, "plan-copy-large-print")
    page.goto(f"/assessments/{world['ref']}/plan")
    page.get_by_text("Other languages").click()
    page.locator("#plan-editions").get_by_role("link", name="web page in English").first.click()
    check_page(page, "plan-copy-english")
    assert page.locator("html").get_attribute("lang") == "en-GB"
    page.goto(f"/assessments/{world['ref']}/plan")
    page.get_by_text("Other languages").click()
    page.locator("#plan-editions").get_by_role("link", name="web page in Arabic").first.click()
    check_page(page, "plan-copy-arabic")
