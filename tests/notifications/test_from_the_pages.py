"""What the lead does on the pages reaches people's inboxes: scheduling, moving and cancelling a TAF meeting, and
giving someone an action, each queue their messages in the same request, and the worker delivers them over SMTP."""

from datetime import date, timedelta

from icalendar import Calendar

from eha.notifications import worker
from tests.notifications import helpers
from tests.plans import helpers as plan_helpers
from tests.plans.meeting_people import case_person, latest_meeting, schedule, schedule_data


def _calendar(message):
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


def test_scheduling_moving_and_cancelling_on_the_pages_sends_calendar_invitations(
    client_request, signed_in, smtp, lead, nurse, health
):
    case = plan_helpers.assessed_case(lead, [health])
    gran = case_person(case, lead, "Maria Nowak", email="maria.nowak@example.net")
    signed_in(lead)
    meeting = schedule(client_request, case, invite=[nurse], others=[f"person:{gran.id}"])
    worker.deliver_all()
    assert sorted(m["To"] for m in smtp.messages) == ["maria.nowak@example.net", nurse.email]
    assert {str(_calendar(m)["METHOD"]) for m in smtp.messages} == {"REQUEST"}
    assert all(case.ref in m["Subject"] and "Nowak" not in m["Subject"] for m in smtp.messages)

    data = schedule_data(date.today() + timedelta(days=9), invite=[nurse], others=[f"person:{gran.id}"])
    client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/edit", data={**data, "version": str(meeting.version_id)}
    )
    worker.deliver_all()
    updates = smtp.messages[2:]
    assert len(updates) == 2
    assert {int(_calendar(m).walk("VEVENT")[0]["SEQUENCE"]) for m in updates} == {1}

    meeting = latest_meeting(case)
    client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/cancel",
        data={"reason": "The family asked to move it", "version": str(meeting.version_id)},
    )
    worker.deliver_all()
    cancellations = smtp.messages[4:]
    assert len(cancellations) == 2 and {str(_calendar(m)["METHOD"]) for m in cancellations} == {"CANCEL"}
    assert not any("asked to move" in m.get_body(("plain",)).get_content() for m in cancellations)


def test_giving_a_professional_an_action_on_the_plan_page_tells_them(client_request, signed_in, smtp, lead, nurse):
    case = plan_helpers.assessed_case(lead, [nurse.agency])
    signed_in(lead)
    schedule(client_request, case, invite=[nurse])  # the nurse joins the TAF
    worker.deliver_all()
    smtp.envelopes.clear()
    page = client_request.get(f"/assessments/{case.ref}/plan/actions/new")
    owners = [o.get("value") for o in page.select("input[name=owner]")]
    assert f"user:{nurse.id}" in owners, owners
    client_request.post(
        f"/assessments/{case.ref}/plan/actions/new",
        data={
            "need": plan_helpers.NEEDS[0],
            "what": "See the child at school about sleep",
            "owner": f"user:{nurse.id}",
            **plan_helpers.date_parts("due_on", date.today() + timedelta(days=21)),
            "success": "Less tired in class",
        },
    )
    worker.deliver_all()
    [message] = smtp.messages
    assert message["To"] == nurse.email and case.ref in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert f"/assessments/{case.ref}/plan" in body and "sleep" not in body
    assert [r.kind for r in helpers.rows("action_owned")] == ["action_owned"]
