"""Recording a TAF meeting: each invitee's attendance (a person on the case without an account too), the update
sent with apologies, the lead professional agreed at the meeting (someone else takes over the case at once), and
the case page moving on as soon as it is recorded."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import TafMember
from eha.models.audit import AuditEvent
from tests import factories
from tests.plans import helpers
from tests.plans.meeting_people import latest_meeting, participant, record_data, taf_case_with_grandmother


def _record_url(case, meeting):
    return f"/assessments/{case.ref}/meetings/{meeting.id}/record"


def test_a_case_persons_apologies_and_their_update_are_recorded_and_shown(
    client_request, signed_in, lead, nurse, health
):
    case, meeting, grandmother = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    gran = participant(meeting, "Maria Nowak")
    page = client_request.get(_record_url(case, meeting))
    assert page.one(f"textarea[name=update_{gran.id}]") is not None
    data = record_data(
        meeting,
        attendance={"Maria Nowak": "apologies", "Nia Nurse": "absent"},
        **{f"update_{gran.id}": "I can do the school run on Mondays and Thursdays."},
    )
    client_request.post(_record_url(case, meeting), data=data)
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    rows = page.words("tbody tr")
    assert any(
        r.startswith("Maria Nowak Maternal grandmother")
        and r.endswith("Sent apologies Their update: I can do the school run on Mondays and Thursdays.")
        for r in rows
    ), rows
    assert any(r.startswith("Nia Nurse") and r.endswith("Did not attend") for r in rows)
    assert any(r.startswith("Agnieszka Nowak") and r.endswith("Attended") for r in rows)
    # Changing the record starts from what was saved.
    page = client_request.get(_record_url(case, meeting))
    assert page.one(f"input[name=attendance_{gran.id}][checked]").get("value") == "apologies"
    assert "school run" in page.one(f"textarea[name=update_{gran.id}]").text_content()


def test_an_attended_case_person_is_shown_as_attending(client_request, signed_in, lead, nurse, health):
    case, meeting, grandmother = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    client_request.post(_record_url(case, meeting), data=record_data(meeting))
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    assert any(r.startswith("Maria Nowak Maternal grandmother") and r.endswith("Attended") for r in page.words("tr"))


def test_bad_apologies_updates_are_refused_with_the_input_kept(client_request, signed_in, lead, nurse, health):
    case, meeting, grandmother = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    gran = participant(meeting, "Maria Nowak")
    url = _record_url(case, meeting)
    data = record_data(meeting, **{f"update_{gran.id}": "I came after all"})
    page = client_request.post(url, data=data, expected_status=200)
    assert page.errors() == ["Select 'Sent apologies' for them, or delete their update"]
    assert "I came after all" in page.one(f"textarea[name=update_{gran.id}]").text_content()
    data = record_data(meeting, attendance={"Maria Nowak": "apologies"}, **{f"update_{gran.id}": "u" * 1001})
    page = client_request.post(url, data=data, expected_status=200)
    assert page.errors() == ["The update Maria Nowak sent must be 1000 characters or fewer"]
    data = record_data(meeting, attendance={"Maria Nowak": "maybe"})
    page = client_request.post(url, data=data, expected_status=200)
    assert page.errors() == ["Select an option from the list"]
    data = record_data(meeting, attendance={"Maria Nowak": "apologies"}, **{f"update_{gran.id}": "Sor\x00ry"})
    client_request.post(url, data=data)
    assert participant(latest_meeting(case), "Maria Nowak").apologies_update == "Sorry"


def test_the_lead_agreed_defaults_to_the_current_lead_and_keeps_them(client_request, signed_in, lead, nurse, health):
    case, meeting, grandmother = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    page = client_request.get(_record_url(case, meeting))
    options = page.select("input[name=lead_agreed]")
    assert [o.get("value") for o in options] == [str(lead.id), str(nurse.id)]
    assert page.one("input[name=lead_agreed][checked]").get("value") == str(lead.id)
    client_request.post(_record_url(case, meeting), data=record_data(meeting, lead_agreed=str(lead.id)))
    assert helpers.reload(case).lead_id == lead.id
    assert latest_meeting(case).lead_agreed_id == lead.id
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    assert "Lead professional agreed Lena Lead, Northtown Primary School" in page.words(".govuk-summary-list__row")
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lead_changed")) is None


def test_choosing_another_lead_at_the_meeting_hands_the_case_over(client_request, signed_in, lead, nurse, health):
    case, meeting, grandmother = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    client_request.post(_record_url(case, meeting), data=record_data(meeting, lead_agreed=str(nurse.id)))
    case = helpers.reload(case)
    assert case.lead_id == nurse.id
    assert latest_meeting(case).lead_agreed_id == nurse.id
    # The old lead stays in the team, so still sees the case.
    assert (
        db.session.scalar(
            sa.select(TafMember).where(TafMember.assessment_id == case.id, TafMember.user_id == lead.id)
        ).removed_at
        is None
    )
    page = client_request.get(f"/assessments/{case.ref}")
    assert "Nia Nurse, Northshire Health Visiting" in page.words(".govuk-summary-list__row")[1]
    assert "Lena Lead (Northtown Primary School) handed the case to Nia Nurse as lead professional" in page.text
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lead_changed"))
    assert (event.detail["from"], event.detail["to"], event.detail["on"]) == (
        lead.id,
        nurse.id,
        meeting.scheduled_for.date().isoformat(),
    )
    assert event.detail["reason_given"] is True
    signed_in(nurse)
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    assert "Lead professional agreed Nia Nurse, Northshire Health Visiting" in page.words(".govuk-summary-list__row")
    # Changing the record later starts from the lead now, so it does not hand the case back.
    page = client_request.get(_record_url(case, meeting))
    assert page.one("input[name=lead_agreed][checked]").get("value") == str(nurse.id)
    assert [o.get("value") for o in page.select("input[name=lead_agreed]")] == [str(nurse.id), str(lead.id)]
    client_request.post(_record_url(case, meeting), data=record_data(latest_meeting(case), lead_agreed=str(nurse.id)))
    assert helpers.reload(case).lead_id == nurse.id
    assert len(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "lead_changed")).all()) == 1


def test_a_lead_who_may_not_lead_is_refused(client_request, signed_in, lead, nurse, health, school):
    case, meeting, grandmother = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    outsider = factories.user(role="practitioner", agency=school, name="Otto Outsider")  # agreed, not in the TAF
    manager = factories.user(role="manager", agency=health, name="Mia Manager")
    for forged in (str(outsider.id), str(manager.id), "99999", "lead"):
        data = record_data(meeting, lead_agreed=forged)
        page = client_request.post(_record_url(case, meeting), data=data, expected_status=200)
        assert page.errors() == ["Select an option from the list"], forged
        assert "We agreed the plan" in page.text
    assert helpers.reload(case).lead_id == lead.id
    assert latest_meeting(case).status == "scheduled"


def test_the_case_page_moves_on_as_soon_as_the_taf_meeting_is_recorded(client_request, signed_in, lead, nurse, health):
    case, meeting, grandmother = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    before = client_request.get(f"/assessments/{case.ref}")
    assert "TAF meeting scheduled" in before.words(".govuk-tag")
    assert "First TAF meeting due" in before.text
    client_request.post(_record_url(case, meeting), data=record_data(meeting))
    page = client_request.get(f"/assessments/{case.ref}")
    assert "TAF meeting scheduled" not in page.text
    assert "First TAF meeting due" not in page.text
    assert "TAF meeting held" in page.words(".govuk-tag")
    assert "Plan to be agreed" in page.text
