"""The plan, meeting and review pages in Chromium: axe (WCAG 2.2 A/AA), one h1, no sideways scrolling at
320 px, no CSP violations. Reuses the browser suite's live server; skipped without Chromium."""

from datetime import date, datetime, timedelta

import pytest

from tests import factories
from tests.browser.conftest import check_page, chromium_path
from tests.plans import helpers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="needs Chromium at $CHROMIUM_PATH or /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def world(live_app):
    from eha.extensions import db
    from eha.models.meetings import Meeting, MeetingParticipant
    from eha.models.plans import Review

    with live_app.app_context():
        school = factories.agency(name="Browser Primary School")
        health = factories.agency(name="Browser Health Visiting", kind="health")
        lead = factories.user(agency=school, name="Bea Lead", email="bea.lead.plans@example.org")
        nurse = factories.user(agency=health, name="Noor Nurse", email="noor.nurse.plans@example.org")
        case = helpers.assessed_case(lead, [health], state="review_scheduled", name="The Browser family")
        helpers.member(case, nurse)
        version = helpers.plan(case, lead, owners=[nurse, lead], actions=9, status="signed")
        held = Meeting(
            assessment_id=case.id,
            kind="review",
            status="held",
            held_on=date.today() - timedelta(days=40),
            scheduled_for=datetime.now() - timedelta(days=40),
            place="School",
            created_by_id=lead.id,
        )
        db.session.add(held)
        db.session.flush()
        db.session.add(
            Review(
                assessment_id=case.id,
                meeting_id=held.id,
                family_view="Better",
                family_score=5,
                practitioner_score=6,
                decision="continue",
                recorded_by_id=lead.id,
            )
        )
        meeting = Meeting(
            assessment_id=case.id,
            kind="review",
            status="scheduled",
            place="School",
            scheduled_for=datetime.now() + timedelta(days=1),
            created_by_id=lead.id,
        )
        meeting.participants.append(MeetingParticipant(user_id=nurse.id, name=nurse.name, agency_name=health.name))
        db.session.add(meeting)
        db.session.commit()
        world = {"ref": case.ref, "key": version.actions[0].key, "meeting": meeting.id, "held": held.id}
        db.session.remove()
    return world


def sign_in(page, email):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def test_plan_meeting_and_review_pages_are_accessible(page, world):
    sign_in(page, "bea.lead.plans@example.org")
    ref = world["ref"]
    pages = {
        "plan": f"/assessments/{ref}/plan",
        "plan-action-progress": f"/assessments/{ref}/plan/actions/{world['key']}/progress",
        "meetings": f"/assessments/{ref}/meetings",
        "meeting": f"/assessments/{ref}/meetings/{world['meeting']}",
        "meeting-schedule": f"/assessments/{ref}/meetings/new?kind=taf",
        "meeting-record": f"/assessments/{ref}/meetings/{world['held']}/record",
        "review-new": f"/assessments/{ref}/reviews/new",
        "reviews": f"/assessments/{ref}/reviews",
    }
    for name, url in pages.items():
        page.goto(url)
        check_page(page, f"plans-{name}")
    # With errors: the summary and the kept input.
    page.goto(pages["review-new"])
    page.get_by_role("button", name="Record the review").click()
    check_page(page, "plans-review-new-errors")
    # A draft's pages: change the plan, then add an action and record a signature.
    page.goto(pages["plan"])
    page.get_by_role("button", name="Change the plan").click()
    check_page(page, "plans-draft")
    page.goto(f"/assessments/{ref}/plan/actions/new")
    check_page(page, "plans-action-new")
    page.goto(f"/assessments/{ref}/plan/sign")
    check_page(page, "plans-sign")
