"""The date a meeting was held: a date other than the one it was scheduled for is confirmed, a future one is
refused, and the case page moves on as soon as the TAF meeting is recorded."""

from datetime import date, timedelta

import sqlalchemy as sa

from eha.extensions import db
from eha.formatting import format_date
from eha.models.meetings import Meeting
from tests.plans import helpers
from tests.plans.test_meetings import schedule_data


def parts(value):
    return [str(value.day), str(value.month), str(value.year)]


def a_taf_meeting(client, signed_in, lead, nurse, health, when):
    case = helpers.assessed_case(lead, [health])
    signed_in(lead)
    assert (
        client.post(
            f"/assessments/{case.ref}/meetings/new?kind=taf", data=schedule_data(when, invite=[nurse])
        ).status_code
        == 302
    )
    meeting = db.session.scalar(sa.select(Meeting))
    data = {
        "held_on": parts(date.today()),
        f"attendance_{meeting.participants[0].id}": "attended",
        "next_review_on": parts(date.today() + timedelta(days=28)),
        "notes": "Everyone came",
        "version": str(meeting.version_id),
    }
    return case, meeting, f"/assessments/{case.ref}/meetings/{meeting.id}/record", data


def status_of(meeting):
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id).status


def test_a_held_date_other_than_the_scheduled_one_is_confirmed(client, client_request, signed_in, lead, nurse, health):
    scheduled = date.today() + timedelta(days=7)
    case, meeting, url, data = a_taf_meeting(client, signed_in, lead, nurse, health, scheduled)
    page = client_request.post(url, data=data, expected_status=200)
    assert page.errors() == [
        f"The meeting was scheduled for {format_date(scheduled)}. Check the date it was held, then confirm it"
    ]
    assert page.title.startswith("Error:") and "Everyone came" in page.text
    assert page.select("input[name=confirm_date]") and status_of(meeting) == "scheduled"
    data["confirm_date"] = "forged"
    client_request.post(url, data=data, expected_status=200)
    assert status_of(meeting) == "scheduled"
    data["confirm_date"] = "yes"
    client_request.post(url, data=data)
    assert status_of(meeting) == "held"


def test_a_meeting_held_on_its_scheduled_day_needs_no_confirmation(
    client, client_request, signed_in, lead, nurse, health
):
    case, meeting, url, data = a_taf_meeting(client, signed_in, lead, nurse, health, date.today())
    assert client_request.get(url).select("input[name=confirm_date]") == []
    client_request.post(url, data=data)
    assert status_of(meeting) == "held"


def test_a_held_date_in_the_future_is_refused_even_when_confirmed(
    client, client_request, signed_in, lead, nurse, health
):
    case, meeting, url, data = a_taf_meeting(client, signed_in, lead, nurse, health, date.today())
    data.update({"held_on": parts(date.today() + timedelta(days=1)), "confirm_date": "yes"})
    page = client_request.post(url, data=data, expected_status=200)
    assert "Date the meeting was held must be today or in the past" in page.errors()
    data["held_on"] = ["31", "2", "2026"]
    page = client_request.post(url, data=data, expected_status=200)
    assert any("real date" in e for e in page.errors()) and status_of(meeting) == "scheduled"


def test_after_the_taf_meeting_the_case_page_says_the_next_step(client, client_request, signed_in, lead, nurse, health):
    case, meeting, url, data = a_taf_meeting(client, signed_in, lead, nurse, health, date.today())
    before = client_request.get(f"/assessments/{case.ref}")
    assert "First TAF meeting due" in before.text
    client_request.post(url, data=data)
    page = client_request.get(f"/assessments/{case.ref}")
    # The case stays "TAF meeting scheduled" until the plan is agreed; what is due says the next step at once.
    assert "First TAF meeting due" not in page.text
    assert f"Plan to be agreed: {format_date(helpers.reload(case).first_taf_due_on)}" in page.text
    assert "Plan to be agreed" in page.words(".govuk-summary-list__key")
