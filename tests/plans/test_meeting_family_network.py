"""A family network meeting (Family Help: family group decision making): the family and their own network plan
together. It is scheduled from the meetings page once the family's agreement is recorded, invites the family and
their network to start with, and neither counts as the TAF meeting or a review nor changes the case's stage or
what is due."""

from datetime import date

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.meetings import Meeting
from tests.plans import helpers
from tests.plans.meeting_people import case_person, latest_meeting, record_data, schedule

NETWORK = "/meetings/new?kind=family_network"


def _case_page(client_request, case):
    page = client_request.get(f"/assessments/{case.ref}")
    return page.words(".govuk-tag")[0], page.text


def test_the_meetings_page_offers_a_family_network_meeting_with_the_family_and_network_invited(
    client_request, signed_in, lead, nurse, health
):
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.plan(case, lead, status="signed")
    gran = case_person(case, lead, "Maria Nowak")
    gp = case_person(case, lead, "Dr Patel", kind="professional", role="GP")
    signed_in(lead)
    page = client_request.get(f"/assessments/{case.ref}/meetings")
    assert "Schedule a family network meeting" in page.words(".govuk-button-group a")
    page = client_request.get(f"/assessments/{case.ref}{NETWORK}")
    assert page.h1 == "Schedule a family network meeting"
    checked = {i.get("value") for i in page.select("input[type=checkbox][checked]")}
    carer, child = case.family.carers[0], case.family.children[0]
    assert checked == {f"carer:{carer.id}", f"child:{child.id}", f"person:{gran.id}"}
    assert f"person:{gp.id}" not in checked and f"user:{nurse.id}" not in checked


def test_a_family_network_meeting_does_not_change_the_stage_or_what_is_due(
    client_request, signed_in, lead, nurse, health
):
    case = helpers.assessed_case(lead, [health])
    gran = case_person(case, lead, "Maria Nowak")
    signed_in(lead)
    schedule(client_request, case, invite=[nurse])  # the TAF meeting, still to be held
    before = _case_page(client_request, case)
    assert before[0] == "TAF meeting scheduled" and "First TAF meeting due" in before[1]
    due = (helpers.reload(case).next_due_on, helpers.reload(case).next_due_label)
    transitions = db.session.query(AuditEvent).filter_by(assessment_id=case.id, action="transition").count
    moved = transitions()
    carer = case.family.carers[0]
    meeting = schedule(
        client_request,
        case,
        kind="family_network",
        when=date.today(),
        family=[f"carer:{carer.id}"],
        others=[f"person:{gran.id}"],
        agenda="What the family wants",
    )
    assert meeting.kind == "family_network"
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}/record")
    assert page.select("input[name=lead_agreed]") == []
    data = record_data(meeting, attendance={"Maria Nowak": "apologies"}, next_review_on=["", "", ""])
    client_request.post(f"/assessments/{case.ref}/meetings/{meeting.id}/record", data=data)
    assert latest_meeting(case).status == "held"
    case = helpers.reload(case)
    assert case.state == "taf_scheduled"
    assert (case.next_due_on, case.next_due_label) == due
    after = _case_page(client_request, case)
    assert after[0] == "TAF meeting scheduled" and "First TAF meeting due" in after[1]
    assert transitions() == moved == 1  # only the TAF meeting's scheduling moved the case on
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    assert page.h1 == "Family network meeting"


def test_a_family_network_meeting_on_an_active_plan_keeps_the_plan_active(
    client_request, signed_in, lead, nurse, health
):
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.plan(case, lead, status="signed")
    signed_in(lead)
    carer = case.family.carers[0]
    meeting = schedule(client_request, case, kind="family_network", family=[f"carer:{carer.id}"])
    assert meeting.status == "scheduled"
    assert helpers.reload(case).state == "plan_active"
    page = client_request.get(f"/assessments/{case.ref}/meetings")
    assert "Schedule a review" in page.words(".govuk-button-group a")


def test_a_family_network_meeting_needs_the_family_or_their_network(client_request, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    signed_in(lead)
    from tests.plans.meeting_people import schedule_data

    page = client_request.post(
        f"/assessments/{case.ref}{NETWORK}", data=schedule_data(invite=[nurse]), expected_status=200
    )
    assert page.errors() == ["Select who from the family or their network is invited"]
    assert helpers.count(Meeting) == 0


def test_a_family_network_meeting_waits_for_the_assessment_and_the_agreement(
    client_request, signed_in, lead, nurse, health
):
    case = helpers.assessed_case(lead, [health], state="draft")
    signed_in(lead)
    page = client_request.get(f"/assessments/{case.ref}{NETWORK}", expected_status=409)
    assert "once the assessment is complete" in page.text
    page = client_request.get(f"/assessments/{case.ref}/meetings")
    assert "Schedule a family network meeting" not in page.text
    case = helpers.assessed_case(lead, [health], name="The Other family")
    case.current_consent.withdrawn_on = date.today()  # set-up: the consent page owns withdrawing agreement
    db.session.commit()
    page = client_request.get(f"/assessments/{case.ref}{NETWORK}", expected_status=409)
    assert "once the family's agreement is recorded" in page.text
