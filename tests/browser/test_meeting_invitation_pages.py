"""The TAF meeting pages issue 12 adds, in Chromium: the invitations page, the meeting page listing each invitee
(a person on the case without an account too) and the record page with the lead agreed; a family network meeting
scheduled from the meetings page. axe (WCAG 2.2 A/AA), one h1, no sideways scrolling at 320 px."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import check_page, chromium_path
from tests.browser.steps import date_group, fill_date
from tests.plans import helpers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="needs Chromium at $CHROMIUM_PATH or /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def world(live_app):
    from eha.extensions import db
    from eha.models.assessments import CasePerson
    from eha.models.meetings import Meeting, MeetingParticipant

    with live_app.app_context():
        school = factories.agency(name="Invitations Primary School")
        health = factories.agency(name="Invitations Health Visiting", kind="health")
        lead = factories.user(agency=school, name="Ivy Lead", email="ivy.lead.meetings@example.org")
        nurse = factories.user(agency=health, name="Nell Nurse", email="nell.nurse.meetings@example.org")
        case = helpers.assessed_case(lead, [health], state="taf_scheduled", name="The Invitations family")
        helpers.member(case, nurse)
        gran = CasePerson(assessment_id=case.id, kind="network", name="Maria Nowak", role="Grandmother")
        db.session.add(gran)
        db.session.flush()
        meeting = Meeting(
            assessment_id=case.id,
            kind="taf",
            status="scheduled",
            place="School",
            agenda="Welcome\nWhat is going well\nThe plan",
            scheduled_for=datetime.now().replace(hour=9, minute=0, second=0, microsecond=0),
            created_by_id=lead.id,
        )
        carer = case.family.carers[0]
        meeting.participants += [
            MeetingParticipant(user_id=nurse.id, name=nurse.name, agency_name=health.name),
            MeetingParticipant(carer_id=carer.id, name=carer.name, communication_needs="Prefers Polish"),
            MeetingParticipant(person_id=gran.id, name=gran.name, agency_name="Grandmother"),
        ]
        db.session.add(meeting)
        db.session.commit()
        world = {"ref": case.ref, "meeting": meeting.id, "carer": carer.name}
        db.session.remove()
    return world


def sign_in(page, email):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def test_the_lead_records_the_invitations_and_the_meeting_with_a_new_lead(page, world):
    sign_in(page, "ivy.lead.meetings@example.org")
    ref, meeting = world["ref"], world["meeting"]
    page.goto(f"/assessments/{ref}/meetings/{meeting}")
    check_page(page, "meeting-invitees")
    page.get_by_role("button", name="Record how people were invited").click()
    check_page(page, "meeting-invitations")
    page.get_by_role("group", name="How was Maria Nowak invited?").get_by_label("By letter").check()
    page.get_by_role("group", name=f"How was {world['carer']} invited?").get_by_label("By phone").check()
    page.get_by_label("Interpreter booked: language (optional)").nth(1).fill("Polish")
    page.get_by_role("button", name="Save the invitations").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitations updated")
    expect(page.locator("tbody")).to_contain_text("Interpreter booked: Polish")

    page.get_by_role("button", name="Record the meeting as held").click()
    today = datetime.now().date()
    fill_date(date_group(page, "Date the meeting was held"), today.day, today.month, today.year)
    page.get_by_role("group", name="Nell Nurse").get_by_label("Attended").check()
    page.get_by_role("group", name=world["carer"]).get_by_label("Attended").check()
    page.get_by_role("group", name="Maria Nowak").get_by_label("Sent apologies").check()
    page.get_by_label("Update Maria Nowak sent with their apologies (optional)").fill("I can do Mondays.")
    page.get_by_role("group", name="Lead professional agreed at this meeting").get_by_label("Nell Nurse").check()
    review = today + timedelta(days=35)
    fill_date(date_group(page, "Date of the next review"), review.day, review.month, review.year)
    check_page(page, "meeting-record-lead")
    page.get_by_role("button", name="Save the record of the meeting").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded")
    expect(page.locator("tbody")).to_contain_text("Their update: I can do Mondays.")
    check_page(page, "meeting-held-invitees")

    page.goto(f"/assessments/{ref}")
    expect(page.locator("main")).to_contain_text("TAF meeting held")
    expect(page.locator("main")).to_contain_text("Nell Nurse, Invitations Health Visiting")

    # The new lead schedules the family network meeting (the old one no longer manages the case).
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "nell.nurse.meetings@example.org")
    page.goto(f"/assessments/{ref}/meetings")
    page.get_by_role("button", name="Schedule a family network meeting").click()
    check_page(page, "meeting-family-network")
    expect(
        page.get_by_role("group", name="Who else on the case is invited?").get_by_label("Maria Nowak", exact=False)
    ).to_be_checked()
