"""Invitations to a TAF meeting: people on the case without an account are invited on the schedule page; the
invitations page says how each was invited, their communication needs and the interpreter booked; the meeting
page lists them with the agenda; rescheduling keeps what was saved."""

from datetime import date, timedelta

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.meetings import Meeting
from tests.plans import helpers
from tests.plans.meeting_people import (
    case_person,
    latest_meeting,
    participant,
    schedule,
    schedule_data,
    taf_case_with_grandmother,
)


def _invitations_data(meeting, **per_name):
    """Answers for the invitations page: ``per_name`` maps a name to (how, needs, interpreter)."""
    data = {"version": str(meeting.version_id)}
    for p in meeting.participants:
        how, needs, interpreter = per_name.get(p.name, ("", p.communication_needs or "", ""))
        data.update({f"how_{p.id}": how, f"needs_{p.id}": needs, f"interpreter_{p.id}": interpreter})
    return data


def test_people_on_the_case_are_offered_and_invited_on_the_schedule_page(
    client_request, signed_in, lead, nurse, health
):
    case = helpers.assessed_case(lead, [health])
    case_person(case, lead, "Maria Nowak")
    case_person(case, lead, "Dr Patel", kind="professional", role="GP", organisation="Mill Lane Surgery")
    case_person(case, lead, "Old Neighbour", removed=True)
    signed_in(lead)
    page = client_request.get(f"/assessments/{case.ref}/meetings/new?kind=taf")
    offered = page.words("#people-fieldset label, fieldset:has(input[name=people]) label")
    assert "Maria Nowak (Maternal grandmother)" in offered
    assert "Dr Patel (GP), Mill Lane Surgery" in offered
    assert not any("Old Neighbour" in label for label in offered)
    assert page.one("textarea[name=agenda]") is not None


def test_the_meeting_page_lists_each_invitee_with_their_needs_and_the_agenda(
    client_request, signed_in, lead, nurse, health
):
    case, meeting, grandmother = taf_case_with_grandmother(
        client_request, signed_in, lead, nurse, health, agenda="Welcome\nWhat is working well\nNext steps"
    )
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    rows = {row.split(" ")[0] + " " + row.split(" ")[1]: row for row in page.words("tbody tr")}
    # Communication needs start from the carer's record (preferred language) and the person's record.
    assert "Prefers Polish" in rows["Agnieszka Nowak"]
    assert rows["Maria Nowak"].startswith(
        "Maria Nowak Maternal grandmother Not recorded Communication needs: Hard of hearing"
    )
    assert rows["Nia Nurse"].startswith(
        "Nia Nurse Northshire Health Visiting Not recorded Communication needs: none recorded"
    )
    assert page.words("h2 + p.govuk-body")[:1] == ["Welcome"]
    assert "What is working well" in page.text and "Next steps" in page.text


def test_the_invitations_page_records_how_each_was_invited_and_the_interpreter_booked(
    client_request, signed_in, lead, nurse, health
):
    case, meeting, grandmother = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    url = f"/assessments/{case.ref}/meetings/{meeting.id}/invitations"
    page = client_request.get(url)
    assert page.h1 == "Invitations to the team around the family meeting"
    mother = participant(meeting, "Agnieszka Nowak")
    assert page.one(f"textarea[name=needs_{mother.id}]").text_content().strip() == "Prefers Polish"
    data = _invitations_data(
        meeting,
        **{
            "Agnieszka Nowak": ("phone", "Prefers Polish", "Polish"),
            "Maria Nowak": ("letter", "Hard of hearing: a hearing loop", ""),
            "Nia Nurse": ("email", "", ""),
        },
    )
    page = client_request.post(url, data=data)
    assert page.location.endswith(f"/meetings/{meeting.id}")
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    assert "Invitations updated" in page.text
    rows = page.words("tbody tr")
    assert "Agnieszka Nowak Family By phone Communication needs: Prefers Polish Interpreter booked: Polish" in rows
    assert (
        "Maria Nowak Maternal grandmother By letter "
        "Communication needs: Hard of hearing: a hearing loop Interpreter booked: none"
    ) in rows
    assert (
        "Nia Nurse Northshire Health Visiting By email Communication needs: none recorded Interpreter booked: none"
    ) in rows
    event = db.session.query(AuditEvent).filter_by(action="meeting_scheduled").order_by(AuditEvent.id.desc()).first()
    assert event.detail["invitations"] is True and event.detail["interpreters"] == 1


def test_rescheduling_keeps_each_invitees_saved_details(client_request, signed_in, lead, nurse, health):
    case, meeting, grandmother = taf_case_with_grandmother(
        client_request, signed_in, lead, nurse, health, when=date.today() + timedelta(days=3)
    )
    client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/invitations",
        data=_invitations_data(meeting, **{"Maria Nowak": ("in_person", "Hearing loop", "")}),
    )
    meeting = latest_meeting(case)
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}/edit")
    assert page.one("input[name=people][checked]").get("value") == f"person:{grandmother.id}"
    carer = case.family.carers[0]
    data = schedule_data(
        date.today() + timedelta(days=10),
        invite=[nurse],
        family=[f"carer:{carer.id}"],
        others=[f"person:{grandmother.id}"],
        agenda="A new agenda",
    )
    client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/edit", data={**data, "version": str(meeting.version_id)}
    )
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    assert (
        "Maria Nowak Maternal grandmother In person Communication needs: Hearing loop Interpreter booked: none"
    ) in page.words("tbody tr")
    assert "A new agenda" in page.text


def test_bad_input_on_the_schedule_page_is_refused_with_the_input_kept(client_request, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    removed = case_person(case, lead, "Old Neighbour", removed=True)
    other = helpers.other_case(lead)
    elsewhere = case_person(other, lead, "Someone Else")
    signed_in(lead)
    url = f"/assessments/{case.ref}/meetings/new?kind=taf"

    page = client_request.post(url, data=schedule_data(invite=[nurse], agenda="x" * 5001), expected_status=200)
    assert page.errors() == ["Agenda must be 5000 characters or fewer"]
    assert "x" * 5001 in page.one("textarea[name=agenda]").text_content()

    for forged in (f"person:{elsewhere.id}", f"person:{removed.id}", "person:99999", "person:x"):
        page = client_request.post(url, data=schedule_data(invite=[nurse], others=[forged]), expected_status=200)
        assert page.errors() == ["Select options from the list"], forged
    assert helpers.count(Meeting) == 0

    meeting = schedule(client_request, case, invite=[nurse], agenda="Wel\x00come")
    assert meeting.agenda == "Welcome"


def test_bad_input_on_the_invitations_page_is_refused_with_the_input_kept(
    client_request, signed_in, lead, nurse, health
):
    case, meeting, grandmother = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    url = f"/assessments/{case.ref}/meetings/{meeting.id}/invitations"
    gran = participant(meeting, "Maria Nowak")

    cases = (
        ({f"how_{gran.id}": "carrier_pigeon"}, "Select an option from the list"),
        ({f"interpreter_{gran.id}": "P" * 101}, "The language of the interpreter booked for Maria Nowak must be"),
        ({f"needs_{gran.id}": "n" * 1001}, "Maria Nowak's communication needs must be 1000 characters or fewer"),
    )
    for change, message in cases:
        data = {**_invitations_data(meeting), **change}
        page = client_request.post(url, data=data, expected_status=200)
        assert len(page.errors()) == 1 and page.errors()[0].startswith(message[:40]), page.errors()
    page = client_request.post(
        url, data={**_invitations_data(meeting), f"needs_{gran.id}": "n" * 1001}, expected_status=200
    )
    assert "n" * 1001 in page.one(f"textarea[name=needs_{gran.id}]").text_content()

    data = {**_invitations_data(meeting), f"interpreter_{gran.id}": "Pol\x00ish", f"how_{gran.id}": "text"}
    client_request.post(url, data=data)
    assert participant(latest_meeting(case), "Maria Nowak").interpreter_language == "Polish"

    # A version the page no longer has: someone saved the invitations meanwhile.
    page = client_request.post(url, data={**data, f"interpreter_{gran.id}": "Czech"}, expected_status=409)
    assert page.h1 == "Someone else has changed this meeting"
    assert "Czech" in page.one(f"input[name=interpreter_{gran.id}]").get("value")
    assert participant(latest_meeting(case), "Maria Nowak").interpreter_language == "Polish"

    client_request.get(f"/assessments/{case.ref}/meetings/99999/invitations", expected_status=404)


def test_the_invitations_page_needs_the_csrf_token(csrf_app):
    from tests import factories

    health = factories.agency(name="Health", kind="health")
    lead = factories.user(role="practitioner", agency=factories.agency(name="School"), name="Lena Lead")
    nurse = factories.user(role="practitioner", agency=health, name="Nia Nurse")
    case = helpers.assessed_case(lead, [health], state="taf_scheduled")
    meeting = helpers.held_taf(case, lead, nurse)
    client = csrf_app.test_client()
    factories.sign_in(client, lead)
    response = client.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/invitations",
        data={"version": str(meeting.version_id), f"how_{meeting.participants[0].id}": "email"},
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).participants[0].invited_how is None


def test_a_cancelled_meetings_invitations_cannot_change(client_request, signed_in, lead, nurse, health):
    case, meeting, grandmother = taf_case_with_grandmother(
        client_request, signed_in, lead, nurse, health, when=date.today() + timedelta(days=3)
    )
    client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/cancel",
        data={"reason": "The family is unwell", "version": str(meeting.version_id)},
    )
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}/invitations", expected_status=409)
    assert "This meeting was cancelled" in page.text
