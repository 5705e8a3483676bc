"""No implausible dates (issue 13 item 5): an action's due date between the plan being made and the horizon; a
next review within the review interval unless the lead says why; the child last spoken with after their birth."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eha.extensions import db
from eha.formatting import format_date
from eha.models.assessments import Assessment
from eha.models.meetings import Meeting
from eha.models.plans import PlanAction
from tests.assessments import helpers as case_helpers
from tests.plans import helpers
from tests.plans.test_meeting_dates import a_taf_meeting, parts


def _action(client_request, case, lead, due, expected_status=302):
    return client_request.post(
        f"/assessments/{case.ref}/plan/actions/new",
        data={
            "need": helpers.NEEDS[0],
            "what": "Walk Zofia to school",
            "owner": f"user:{lead.id}",
            **helpers.date_parts("due_on", due),
            "success": "Zofia is at school on time",
        },
        expected_status=expected_status,
    )


@pytest.fixture
def planning(app, client_request, signed_in, lead):
    case = helpers.assessed_case(lead, state="taf_scheduled")
    signed_in(lead)
    return case


def _actions():
    db.session.expire_all()
    return db.session.scalars(sa.select(PlanAction.what)).all()


def test_an_action_due_before_the_plan_was_made_is_refused_with_the_input_kept(client_request, planning, lead):
    page = _action(client_request, planning, lead, date.today() - timedelta(days=1), expected_status=200)
    assert page.errors() == [
        f"The date it will be done by must be the same as or after {format_date(date.today())}, when the plan was made"
    ]
    assert "Walk Zofia to school" in page.text and _actions() == []


def test_an_action_due_more_than_a_year_ahead_is_refused(client_request, planning, lead):
    limit = date.today() + timedelta(days=365)
    page = _action(client_request, planning, lead, limit + timedelta(days=1), expected_status=200)
    assert page.errors() == [f"The date it will be done by must be the same as or before {format_date(limit)}"]
    _action(client_request, planning, lead, limit)
    assert _actions() == ["Walk Zofia to school"]


@pytest.mark.parametrize("app_settings", [{"EHA_ACTION_HORIZON_DAYS": 30}])
def test_the_horizon_is_a_setting(client_request, planning, lead):
    page = _action(client_request, planning, lead, date.today() + timedelta(days=31), expected_status=200)
    assert "must be the same as or before" in page.errors()[0]


def test_a_later_action_may_be_due_from_the_day_the_plan_was_first_made(client_request, planning, lead):
    _action(client_request, planning, lead, date.today())
    assert _actions() == ["Walk Zofia to school"]


def _held(meeting):
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def test_a_next_review_beyond_six_weeks_needs_the_reason_why(client, client_request, signed_in, lead, nurse, health):
    case, meeting, url, data = a_taf_meeting(client, signed_in, lead, nurse, health, date.today())
    data["next_review_on"] = parts(date.today() + timedelta(weeks=6, days=1))
    page = client_request.post(url, data=data, expected_status=200)
    assert page.errors() == [
        "The next review is more than 6 weeks after the meeting: enter why it is later than usual, or choose an "
        "earlier date"
    ]
    assert page.one("#next_review_reason") is not None and "Everyone came" in page.text
    assert _held(meeting).status == "scheduled"
    data["next_review_reason"] = "The summer holidays: the school is closed"
    client_request.post(url, data=data)
    saved = _held(meeting)
    assert saved.status == "held" and saved.next_review_reason == "The summer holidays: the school is closed"
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    assert "The summer holidays: the school is closed" in page.text


def test_a_next_review_within_six_weeks_needs_no_reason(client, client_request, signed_in, lead, nurse, health):
    case, meeting, url, data = a_taf_meeting(client, signed_in, lead, nurse, health, date.today())
    data["next_review_on"] = parts(date.today() + timedelta(weeks=6))
    assert not client_request.get(url).select("#next_review_reason")
    client_request.post(url, data=data)
    assert _held(meeting).status == "held" and _held(meeting).next_review_reason is None


@pytest.mark.parametrize("app_settings", [{"EHA_REVIEW_INTERVAL_WEEKS": 4}])
def test_the_review_interval_is_a_setting(client, client_request, signed_in, lead, nurse, health):
    case, meeting, url, data = a_taf_meeting(client, signed_in, lead, nurse, health, date.today())
    data["next_review_on"] = parts(date.today() + timedelta(weeks=5))
    page = client_request.post(url, data=data, expected_status=200)
    assert "more than 4 weeks after the meeting" in page.errors()[0]


def _voice(client, case, seen):
    return client.post(
        f"/assessments/{case.ref}/sections/voice-of-child/children/{case.children[0].id}",
        data={"version": "0", "action": "draft", "date-seen": parts(seen)},
    )


def test_the_child_cannot_have_been_spoken_with_before_they_were_born(client_request, signed_in, lead):
    case = case_helpers.case(lead, dob=date(2015, 3, 27))
    signed_in(lead)
    page = client_request.post(
        f"/assessments/{case.ref}/sections/voice-of-child/children/{case.children[0].id}",
        data={"version": "0", "action": "draft", "date-seen": ["26", "3", "2015"]},
        expected_status=200,
    )
    assert page.errors() == [
        "The date you last spoke with the child must be the same as or after 27 March 2015, when the child was born"
    ]
    assert page.one("#date-seen-day").get("value") == "26"
    client_request.post(
        f"/assessments/{case.ref}/sections/voice-of-child/children/{case.children[0].id}",
        data={"version": "0", "action": "draft", "date-seen": ["27", "3", "2015"]},
    )


def test_the_child_cannot_have_been_spoken_with_in_the_future(client_request, signed_in, lead):
    case = case_helpers.case(lead)
    signed_in(lead)
    tomorrow = date.today() + timedelta(days=1)
    page = client_request.post(
        f"/assessments/{case.ref}/sections/voice-of-child/children/{case.children[0].id}",
        data={"version": "0", "action": "draft", "date-seen": parts(tomorrow)},
        expected_status=200,
    )
    assert page.errors() == ["The date you last spoke with the child must be today or in the past"]


dates = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(parts),
    st.lists(
        st.sampled_from(["", "0", "31", "2", "-1", "99999999999", "x", "\x00", "２０２６"]), min_size=3, max_size=3
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(due=dates)
def test_whatever_due_date_is_typed_is_never_a_server_error_and_only_plausible_ones_are_saved(
    client, planning, lead, due
):
    response = client.post(
        f"/assessments/{planning.ref}/plan/actions/new",
        data={
            "need": helpers.NEEDS[0],
            "what": "Fuzzed",
            "owner": f"user:{lead.id}",
            "due_on": due,
            "success": "It worked",
        },
    )
    assert response.status_code in (200, 302), response.status_code
    db.session.expire_all()
    for saved in db.session.scalars(sa.select(PlanAction.due_on)):
        assert date.today() <= saved <= date.today() + timedelta(days=365)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(review=dates, reason=st.one_of(st.just(""), st.text(max_size=30), st.just("ğ" * 3000)))
def test_whatever_next_review_is_typed_is_never_a_server_error(client, signed_in, lead, nurse, health, review, reason):
    db.session.expire_all()
    meeting = db.session.scalar(sa.select(Meeting))
    if meeting is None:  # the first example: a case with a TAF meeting to record (later ones change its record)
        a_taf_meeting(client, signed_in, lead, nurse, health, date.today())
        meeting = db.session.scalar(sa.select(Meeting))
    ref = db.session.get(Assessment, meeting.assessment_id).ref
    url = f"/assessments/{ref}/meetings/{meeting.id}/record"
    data = {
        "held_on": parts(date.today()),
        f"attendance_{meeting.participants[0].id}": "attended",
        "version": str(meeting.version_id),
    }
    response = client.post(url, data={**data, "next_review_on": review, "next_review_reason": reason})
    assert response.status_code in (200, 302, 409), response.status_code
    held = _held(meeting)
    if held.status == "held" and held.next_review_on > held.held_on + timedelta(weeks=6):
        assert held.next_review_reason
