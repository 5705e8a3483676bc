"""Scheduling a TAF or review meeting and recording it as held."""

from datetime import date, timedelta

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import TafMember
from eha.models.audit import AuditEvent
from eha.models.meetings import Meeting
from tests import factories
from tests.plans import helpers


def schedule_data(when=None, *, place="Northtown Primary School", time="14:30", invite=(), family=()):
    when = when or date.today() + timedelta(days=7)
    data = {"date": [str(when.day), str(when.month), str(when.year)], "time": time, "place": place, "video_link": ""}
    data["professionals"] = [f"user:{u.id}" for u in invite]
    data["family"] = list(family)
    return data


def test_scheduling_a_taf_meeting_invites_agreed_professionals_and_moves_the_case_on(
    client, signed_in, lead, nurse, health
):
    case = helpers.assessed_case(lead, [health])
    signed_in(lead)
    page = client.get(f"/assessments/{case.ref}/meetings/new?kind=taf")
    assert page.status_code == 200
    assert "Nia Nurse" in page.text
    carer = case.family.carers[0]
    response = client.post(
        f"/assessments/{case.ref}/meetings/new?kind=taf",
        data=schedule_data(invite=[nurse], family=[f"carer:{carer.id}"]),
    )
    assert response.status_code == 302
    case = helpers.reload(case)
    assert case.state == "taf_scheduled"
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.assessment_id == case.id))
    assert {p.name for p in meeting.participants} == {"Nia Nurse", "Agnieszka Nowak"}
    assert db.session.scalar(sa.select(TafMember).where(TafMember.user_id == nurse.id)) is not None
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.assessment_id == case.id).order_by(AuditEvent.seq)
    ).all()
    assert actions[-2:] == ["meeting_scheduled", "transition"]


def test_a_taf_meeting_needs_a_date_a_place_and_an_agreed_agency_invitee(
    client_request, signed_in, lead, nurse, health
):
    case = helpers.assessed_case(lead)  # the family agreed only to the lead's own agency
    outsider = factories.user(agency=health, name="Oscar Outsider")
    signed_in(lead)
    url = f"/assessments/{case.ref}/meetings/new?kind=taf"
    page = client_request.post(
        url, data={"date": ["", "", ""], "time": "", "place": "", "video_link": ""}, expected_status=200
    )
    assert page.errors() == [
        "Enter the date of the meeting",
        "Enter the time of the meeting",
        "Enter where the meeting will be held or a video link",
    ]
    assert page.title.startswith("Error:")

    # Forged: a professional from an agency the family did not agree to is not even offered.
    page = client_request.post(url, data=schedule_data(invite=[outsider]), expected_status=200)
    assert "Select options from the list" in page.text
    page = client_request.post(url, data=schedule_data(), expected_status=200)
    assert page.errors() == ["Invite at least one professional from an agency the family agreed may be involved"]
    assert page.one("input[name=place]").get("value") == "Northtown Primary School"  # input kept
    assert helpers.reload(case).state == "assessed"
    assert helpers.count(Meeting) == 0
    assert helpers.count(TafMember) == 0


def test_the_schedule_page_says_when_there_is_no_agreement(client_request, signed_in, lead):
    case = helpers.assessed_case(lead)
    case.consents[0].withdrawn_on = date.today()
    db.session.commit()
    signed_in(lead)
    page = client_request.get(f"/assessments/{case.ref}/meetings/new?kind=taf")
    assert page.h1 == "Schedule a team around the family meeting"
    assert "the family has not agreed to any agencies being involved" in page.one("#professionals").text_content()


def test_bad_meeting_input_is_kept_and_never_a_500(client, signed_in, lead, health, nurse):
    case = helpers.assessed_case(lead, [health])
    signed_in(lead)
    cases = [
        {"date": ["31", "2", "2030"], "time": "14:30"},
        {"date": ["1", "1", "99999999999"], "time": "25:99"},
        {"date": ["1", "1"], "time": "x" * 50000},
        {"date": ["1", "1", "2030", "4"], "time": "14:30", "place": "x" * 50000},
        {"video_link": "javascript:alert(1)", "place": ""},
    ]
    for extra in cases:
        data = schedule_data(invite=[nurse])
        data.update(extra)
        response = client.post(f"/assessments/{case.ref}/meetings/new?kind=taf", data=data)
        assert response.status_code == 200, extra
        assert "There is a problem" in response.text
    assert helpers.count(Meeting) == 0


def test_forged_fields_on_scheduling_are_ignored(client, signed_in, lead, health, nurse):
    case = helpers.assessed_case(lead, [health])
    signed_in(lead)
    data = schedule_data(invite=[nurse])
    data.update(
        {"state": "closed", "lead_id": str(nurse.id), "assessment_id": "999", "status": "held", "kind": "review"}
    )
    assert client.post(f"/assessments/{case.ref}/meetings/new?kind=taf", data=data).status_code == 302
    case = helpers.reload(case)
    assert case.state == "taf_scheduled" and case.lead_id == lead.id
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting.assessment_id == case.id and meeting.status == "scheduled" and meeting.kind == "taf"


def test_only_the_lead_or_a_manager_may_schedule_but_taf_members_may_look(client, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    helpers.member(case, nurse)
    signed_in(nurse)
    assert client.get(f"/assessments/{case.ref}/meetings").status_code == 200
    assert (
        client.post(f"/assessments/{case.ref}/meetings/new?kind=taf", data=schedule_data(invite=[nurse])).status_code
        == 403
    )
    assert helpers.count(Meeting) == 0


def test_recording_a_meeting_as_held(client, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    signed_in(lead)
    client.post(f"/assessments/{case.ref}/meetings/new?kind=taf", data=schedule_data(invite=[nurse]))
    meeting = db.session.scalar(sa.select(Meeting))
    participant = meeting.participants[0]
    url = f"/assessments/{case.ref}/meetings/{meeting.id}/record"
    page = client.get(url)
    assert page.status_code == 200 and "Nia Nurse" in page.text
    held = date.today()
    data = {
        "held_on": [str(held.day), str(held.month), str(held.year)],
        f"attendance_{participant.id}": "attended",
        "notes": "Everyone came",
        "decisions": "Agree a plan",
        "confirm_date": "yes",  # scheduled for tomorrow, held today
        "version": str(meeting.version_id),
        "next_review_on": [str(held.day), str(held.month), str(held.year)],
    }
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "Date of the next review must be after the date the meeting was held" in response.text
    assert "Everyone came" in response.text
    later = held + timedelta(days=28)
    data["next_review_on"] = [str(later.day), str(later.month), str(later.year)]
    response = client.post(url, data=data)
    assert response.status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status == "held" and meeting.held_on == held and meeting.next_review_on == later
    assert meeting.participants[0].attended
    show = client.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    assert "Attended" in show.text and "Everyone came" in show.text


def test_recording_needs_someone_who_attended_and_a_past_date(client, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    signed_in(lead)
    client.post(f"/assessments/{case.ref}/meetings/new?kind=taf", data=schedule_data(invite=[nurse]))
    meeting = db.session.scalar(sa.select(Meeting))
    participant = meeting.participants[0]
    future = date.today() + timedelta(days=3)
    response = client.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/record",
        data={
            "held_on": [str(future.day), str(future.month), str(future.year)],
            f"attendance_{participant.id}": "apologies",
        },
    )
    assert response.status_code == 200
    assert "must be today or in the past" in response.text
    assert "Select who attended the meeting" in response.text
    assert "Enter the date of the next review" in response.text
    assert db.session.get(Meeting, meeting.id).status == "scheduled"


def test_a_stale_meeting_record_shows_a_conflict_keeping_input(client_request, client, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    signed_in(lead)
    client.post(f"/assessments/{case.ref}/meetings/new?kind=taf", data=schedule_data(invite=[nurse]))
    meeting = db.session.scalar(sa.select(Meeting))
    participant = meeting.participants[0]
    held, later = date.today(), date.today() + timedelta(days=20)
    page = client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/record",
        data={
            "held_on": [str(held.day), str(held.month), str(held.year)],
            f"attendance_{participant.id}": "attended",
            "next_review_on": [str(later.day), str(later.month), str(later.year)],
            "notes": "My careful notes",
            "confirm_date": "yes",
            "version": str(meeting.version_id + 5),
        },
        expected_status=409,
    )
    assert page.h1 == "Someone else has changed this meeting"
    assert page.one("textarea[name=notes]").text_content() == "My careful notes"
    assert page.one("input[name=version]").get("value") == str(meeting.version_id)  # save again from here
    assert db.session.get(Meeting, meeting.id).status == "scheduled"


def test_a_meeting_of_another_case_is_not_found(client, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    other = helpers.other_case(lead)
    signed_in(lead)
    client.post(f"/assessments/{other.ref}/meetings/new?kind=taf", data=schedule_data(invite=[lead]))
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting.assessment_id == other.id
    assert client.get(f"/assessments/{case.ref}/meetings/{meeting.id}").status_code == 404
    assert client.get(f"/assessments/{case.ref}/meetings/{meeting.id}/record").status_code == 404
    assert client.post(f"/assessments/{case.ref}/meetings/{meeting.id}/record", data={}).status_code == 404


def test_a_case_the_user_cannot_see_answers_404(client, signed_in, lead, nurse):
    case = helpers.assessed_case(lead)
    signed_in(nurse)
    assert client.get(f"/assessments/{case.ref}/meetings").status_code == 404
    assert client.post(f"/assessments/{case.ref}/meetings/new?kind=taf", data=schedule_data()).status_code == 404
