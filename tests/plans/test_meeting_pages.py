"""Every meetings and team page keeps the page rules (one h1, the title starting with it, ids used once, forms
posting to routes), and says what a user needs on it."""

from datetime import date, datetime, timedelta

from eha.extensions import db
from eha.formatting import format_datetime
from eha.models.meetings import Meeting, MeetingParticipant
from tests.plans import helpers


def _meeting(case, by, attendee, *, status="scheduled", kind="taf"):
    meeting = Meeting(
        assessment_id=case.id,
        kind=kind,
        status=status,
        place="Northtown Primary School",
        video_link="https://meet.example.org/taf",
        created_by_id=by.id,
        scheduled_for=datetime.combine(date.today() + timedelta(days=3), datetime.min.time()).replace(
            hour=14, minute=30
        ),
    )
    meeting.participants.append(
        MeetingParticipant(user_id=attendee.id, name=attendee.name, agency_name=attendee.agency.name)
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def test_the_meetings_pages_for_the_lead(client_request, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health], state="taf_scheduled")
    helpers.member(case, nurse)
    meeting = _meeting(case, lead, nurse)
    signed_in(lead)
    base = f"/assessments/{case.ref}"
    when = format_datetime(meeting.scheduled_for)

    page = client_request.get(f"{base}/meetings")
    assert page.h1 == "Meetings"
    assert page.words("tbody tr")[0].startswith(f"Team Around the Family meeting {when} Scheduled 1")

    page = client_request.get(f"{base}/meetings/{meeting.id}")
    assert page.h1 == "Team Around the Family meeting"
    assert dict(zip(page.words("dt"), page.words("dd"), strict=True)) == {
        "Status": "Scheduled",
        "Date and time": when,
        "Place": "Northtown Primary School",
        "Video link": "https://meet.example.org/taf",
    }
    assert [a.get("href") for a in page.select(".govuk-button-group a")] == [
        f"{base}/meetings/{meeting.id}/record",
        f"{base}/meetings/{meeting.id}/invitations",
        f"{base}/meetings/{meeting.id}/edit",
        f"{base}/meetings/{meeting.id}/cancel",
    ]

    page = client_request.get(f"{base}/meetings/{meeting.id}/invitations")
    assert page.h1 == "Invitations to the team around the family meeting"

    page = client_request.get(f"{base}/meetings/{meeting.id}/edit")
    assert page.h1 == "Reschedule the team around the family meeting"
    assert page.one("input[name=time]").get("value") == "14:30"
    assert page.one("input[name=professionals][checked]").get("value") == f"user:{nurse.id}"

    page = client_request.get(f"{base}/meetings/{meeting.id}/cancel")
    assert page.h1 == "Cancel the team around the family meeting"
    warning = page.one(".govuk-warning-text").text_content()
    assert "The case is waiting for this team around the family meeting" in warning

    page = client_request.get(f"{base}/meetings/{meeting.id}/record")
    assert page.h1 == "Record the team around the family meeting"

    page = client_request.get(f"{base}/team")
    assert page.h1 == "Team Around the Family"
    page = client_request.get(f"{base}/team?remove={nurse.id}")
    assert page.h1 == "Remove Nia Nurse from the team"


def test_the_record_of_a_held_meeting_shows_who_came(client_request, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health], state="taf_scheduled")
    meeting = helpers.held_taf(case, lead, nurse)
    signed_in(lead)
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    assert page.words("tbody tr") == [
        (
            "Nia Nurse Northshire Health Visiting Not recorded "
            "Communication needs: none recorded Interpreter booked: none Attended"
        )
    ]
    assert page.words(".govuk-button-group a") == [
        "Change the record of the meeting",
        "Record how people were invited",
    ]
