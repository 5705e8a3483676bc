"""Every page of the TAF, plan and review journeys: who may see it, and one audit event per look."""

from datetime import date, datetime, timedelta

import pytest

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.meetings import Meeting, MeetingParticipant
from tests import factories
from tests.plans import helpers


@pytest.fixture
def world(app, lead, nurse, health):
    """A case with a review scheduled: a signed plan with one action owned by the nurse (a TAF member)."""
    case = helpers.assessed_case(lead, [health], state="review_scheduled")
    helpers.member(case, nurse)
    version = helpers.plan(case, lead, owners=[nurse], actions=1, status="signed")
    meeting = Meeting(
        assessment_id=case.id,
        kind="review",
        status="scheduled",
        scheduled_for=datetime.now() + timedelta(days=1),
        place="School",
        created_by_id=lead.id,
    )
    meeting.participants.append(MeetingParticipant(user_id=nurse.id, name=nurse.name, agency_name=health.name))
    db.session.add(meeting)
    db.session.commit()
    return {"case": case, "key": version.actions[0].key, "meeting": meeting.id}


VIEW_PAGES = [
    "/assessments/{ref}/plan",
    "/assessments/{ref}/plan/actions/{key}/progress",
    "/assessments/{ref}/meetings",
    "/assessments/{ref}/meetings/{meeting}",
    "/assessments/{ref}/reviews",
]
MANAGE_PAGES = [
    "/assessments/{ref}/meetings/new?kind=taf",
    "/assessments/{ref}/meetings/{meeting}/record",
    "/assessments/{ref}/reviews/new",
]


def url(template, world):
    return template.format(ref=world["case"].ref, key=world["key"], meeting=world["meeting"])


@pytest.mark.parametrize("page", VIEW_PAGES + MANAGE_PAGES)
def test_each_look_writes_exactly_one_audit_event(client, signed_in, world, lead, page):
    signed_in(lead)
    before = helpers.count(AuditEvent)
    response = client.get(url(page, world))
    assert response.status_code in (200, 302)
    assert helpers.count(AuditEvent) == before + 1


@pytest.mark.parametrize("page", VIEW_PAGES)
def test_taf_members_can_look(client, signed_in, world, nurse, page):
    signed_in(nurse)
    assert client.get(url(page, world)).status_code == 200


@pytest.mark.parametrize("page", MANAGE_PAGES)
def test_taf_members_cannot_manage(client, signed_in, world, nurse, page):
    signed_in(nurse)
    assert client.get(url(page, world)).status_code == 403
    assert client.post(url(page, world), data={}).status_code == 403


@pytest.mark.parametrize("page", VIEW_PAGES + MANAGE_PAGES)
def test_people_outside_the_case_and_administrators_get_404(client, signed_in, world, page):
    for user in (factories.user(name="Sam Stranger"), factories.user(role="admin")):
        signed_in(user)
        assert client.get(url(page, world)).status_code == 404
        if page in MANAGE_PAGES or page.endswith("/progress"):
            assert client.post(url(page, world), data={}).status_code == 404


def test_meetings_are_scheduled_only_when_the_workflow_allows(client, signed_in, lead):
    draft = helpers.assessed_case(lead, state="draft")
    signed_in(lead)
    when = date.today() + timedelta(days=1)
    data = {"date": [str(when.day), str(when.month), str(when.year)], "time": "10:00", "place": "Hall"}
    assert client.get(f"/assessments/{draft.ref}/meetings/new?kind=taf").status_code == 409
    assert client.post(f"/assessments/{draft.ref}/meetings/new?kind=taf", data=data).status_code == 409
    assert client.post(f"/assessments/{draft.ref}/meetings/new?kind=review", data=data).status_code == 409
    assert helpers.count(Meeting) == 0


def test_finalising_needs_every_signature(client, signed_in, lead):
    case = helpers.assessed_case(lead, state="taf_scheduled")
    helpers.plan(case, lead, actions=1)
    signed_in(lead)
    assert client.post(f"/assessments/{case.ref}/plan/finalise").status_code == 409


def test_a_scheduled_review_meeting_is_recorded_on_the_review_page(client, signed_in, world, lead):
    signed_in(lead)
    url_ = f"/assessments/{world['case'].ref}/meetings/{world['meeting']}/record"
    assert client.get(url_).headers["Location"].endswith("/reviews/new")
    assert client.post(url_, data={}).status_code == 409


def count_queries(app, client, path):
    import sqlalchemy as sa

    seen = []

    def before(*args):
        seen.append(1)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return len(seen)


def test_the_plan_page_makes_the_same_number_of_queries_for_2_or_20_actions(
    app, client, signed_in, lead, nurse, health
):
    small = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.member(small, nurse)
    helpers.plan(small, lead, owners=[nurse, lead], actions=2, status="signed")
    big = helpers.other_case(lead)
    big.state = "plan_active"
    db.session.commit()
    helpers.member(big, nurse)
    helpers.plan(big, lead, owners=[nurse, lead], actions=20, status="signed")
    signed_in(lead)
    for path in ("/assessments/{}/plan", "/assessments/{}/reviews", "/assessments/{}/meetings"):
        client.get(path.format(small.ref))  # warm up
        assert count_queries(app, client, path.format(small.ref)) == count_queries(app, client, path.format(big.ref))
