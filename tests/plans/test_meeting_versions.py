"""A change to a meeting is made at the version the user opened. Leaving the version field out of the form is a
stale version, never a way round the check (penetration test finding): the conflict page, the input kept."""

from datetime import date, datetime, timedelta

import pytest

from eha.extensions import db
from eha.models.meetings import Meeting, MeetingParticipant
from tests.plans import helpers


def _scheduled(case, by, attendee):
    meeting = Meeting(
        assessment_id=case.id,
        kind="taf",
        status="scheduled",
        place="Northtown Primary School",
        scheduled_for=datetime.now() + timedelta(days=3),
        created_by_id=by.id,
    )
    meeting.participants.append(
        MeetingParticipant(user_id=attendee.id, name=attendee.name, agency_name=attendee.agency.name)
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def _parts(value):
    return [str(value.day), str(value.month), str(value.year)]


def _reschedule(meeting, nurse):
    return {
        "date": _parts(date.today() + timedelta(days=9)),
        "time": "10:15",
        "place": "The new community room",
        "video_link": "",
        "professionals": [f"user:{nurse.id}"],
    }


def _cancel(meeting, nurse):
    return {"reason": "My careful reason"}


def _record(meeting, nurse):
    return {
        "held_on": _parts(date.today()),
        "next_review_on": _parts(date.today() + timedelta(days=28)),
        f"attendance_{meeting.participants[0].id}": "attended",
        "notes": "My careful notes",
        "confirm_date": "yes",  # scheduled for another day
    }


@pytest.mark.parametrize(
    ("action", "data", "typed"),
    [
        ("edit", _reschedule, "The new community room"),
        ("cancel", _cancel, "My careful reason"),
        ("record", _record, "My careful notes"),
    ],
)
def test_a_change_without_its_version_is_stale_and_keeps_the_input(
    client_request, signed_in, lead, nurse, health, action, data, typed
):
    case = helpers.assessed_case(lead, [health], state="taf_scheduled")
    meeting = _scheduled(case, lead, nurse)
    signed_in(lead)

    page = client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/{action}", data=data(meeting, nurse), expected_status=409
    )

    assert page.h1 == "Someone else has changed this meeting"
    assert typed in page.html  # in the form again, to save once checked
    assert page.one("input[name=version]").get("value") == str(meeting.version_id)
    assert "Northtown Primary School" in page.text  # what is saved now
    db.session.expire_all()
    saved = db.session.get(Meeting, meeting.id)
    assert (saved.status, saved.place, saved.notes) == ("scheduled", "Northtown Primary School", None)


def test_with_the_version_it_opened_the_change_is_saved(client_request, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health], state="taf_scheduled")
    meeting = _scheduled(case, lead, nurse)
    signed_in(lead)
    page = client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/cancel",
        data={**_cancel(meeting, nurse), "version": str(meeting.version_id)},
    )
    assert page.location.endswith(f"/meetings/{meeting.id}")
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "cancelled"


def test_a_meeting_cancelled_meanwhile_cannot_be_recorded_as_held(client_request, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health], state="taf_scheduled")
    meeting = _scheduled(case, lead, nurse)
    signed_in(lead)
    version = meeting.version_id
    client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/cancel",
        data={**_cancel(meeting, nurse), "version": str(version)},
    )
    page = client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/record",
        data={**_record(meeting, nurse), "version": str(version)},
        expected_status=409,
    )
    assert "This meeting was cancelled: it cannot be recorded as held." in page.text
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "cancelled"
