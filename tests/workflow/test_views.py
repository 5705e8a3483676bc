"""The workflow from the browser: buttons from the table, 409 for steps not allowed, closure and step-up pages,
manager sign-off, the timeline; one audit event per request."""

import html
from datetime import date

import pytest
import sqlalchemy as sa

from eha.demo import cases as build
from eha.transaction import committing
from tests.workflow.helpers import audit_count, state_in_db, team


@pytest.fixture
def people(app):
    return team(app)


@pytest.fixture
def case(people):
    lead, nurse, _ = people
    with committing():
        made = build.new_case(lead, agencies=[nurse.agency])
    return made


@pytest.fixture
def plan_active(case, people):
    lead, nurse, _ = people
    with committing():
        build.to_plan_active(case, lead, [nurse])
    return case


def text(response):
    """The page as a reader sees the words (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def test_the_case_page_offers_the_lead_exactly_the_steps_allowed_now(client, signed_in, case, people):
    signed_in(people[0])
    page = text(client.get(f"/assessments/{case.ref}"))
    assert f'action="/assessments/{case.ref}/transitions/complete_assessment"' in page
    assert "Complete the assessment" in page
    assert f'href="/assessments/{case.ref}/close"' in page
    assert f'href="/assessments/{case.ref}/step-up"' in page
    assert "Agree the plan" not in page
    assert "Assessment due" in page


def test_a_taf_member_sees_the_case_but_no_workflow_buttons(client, signed_in, plan_active, people):
    signed_in(people[1])
    page = text(client.get(f"/assessments/{plan_active.ref}"))
    assert "Plan active" in page
    assert "/transitions/" not in page
    assert "Close the case" not in page


def test_completing_the_assessment_from_the_case_page(client, signed_in, case, people):
    signed_in(people[0])
    before = audit_count(case)
    response = client.post(f"/assessments/{case.ref}/transitions/complete_assessment")
    assert response.status_code == 302
    assert state_in_db(case) == "assessed"
    assert audit_count(case) == before + 1
    page = text(client.get(response.headers["Location"]))
    assert "The assessment is complete" in page
    assert "completed the assessment" in page  # on the timeline


def test_a_failed_guard_shows_an_error_summary_on_the_case_page_and_changes_nothing(client, signed_in, people):
    lead, nurse, _ = people
    with committing():
        case = build.new_case(lead, agencies=[nurse.agency], consent=False)
    signed_in(lead)
    before = audit_count(case)
    response = client.post(f"/assessments/{case.ref}/transitions/complete_assessment")
    assert response.status_code == 302
    assert state_in_db(case) == "draft"
    assert audit_count(case) == before + 1  # the refused attempt, and nothing else
    page = text(client.get(response.headers["Location"]))
    assert "govuk-error-summary" in page
    assert "Record the family's agreement before completing the assessment" in page
    assert "<title>Error:" in page


def test_a_step_not_allowed_from_the_state_answers_409_with_the_reason(client, signed_in, case, people):
    signed_in(people[0])
    response = client.post(f"/assessments/{case.ref}/transitions/agree_plan")
    assert response.status_code == 409
    assert "You cannot agree the plan now: the case is 'Assessment in progress'." in text(response)
    response = client.post(f"/assessments/{case.ref}/transitions/no_such_step")
    assert response.status_code == 409
    assert state_in_db(case) == "draft"


def test_someone_who_may_not_see_the_case_gets_404(client, signed_in, case, people):
    signed_in(people[1])  # not a TAF member yet
    assert client.post(f"/assessments/{case.ref}/transitions/complete_assessment").status_code == 404
    assert client.get(f"/assessments/{case.ref}/close").status_code == 404


def test_a_lead_professionals_closure_waits_for_a_manager(client, signed_in, plan_active, people):
    lead, _nurse, manager = people
    signed_in(lead)
    page = text(client.get(f"/assessments/{plan_active.ref}/close"))
    assert "Outcomes met" in page and "Created in error" not in page
    assert "Outcome for 'Getting a good education'" in page
    missing = client.post(f"/assessments/{plan_active.ref}/close", data={"reason": "outcomes_met"})
    assert missing.status_code == 200
    assert "Select an outcome for the need 'Getting a good education'" in text(missing)
    response = client.post(f"/assessments/{plan_active.ref}/close", data={
        "reason": "outcomes_met", "notes": "Goals met",
        "outcome_sf_education": "met", "outcome_sf_relationships": "partly_met",
    })
    assert response.status_code == 302
    assert state_in_db(plan_active) == "plan_active"
    page = text(client.get(f"/assessments/{plan_active.ref}"))
    assert "Closure awaiting a manager's sign-off" in page
    assert f'href="/assessments/{plan_active.ref}/close"' not in page  # asked once; the manager decides

    signed_in(manager)
    page = text(client.get(f"/assessments/{plan_active.ref}"))
    assert f'action="/assessments/{plan_active.ref}/close/approve"' in page
    assert client.post(f"/assessments/{plan_active.ref}/close/approve").status_code == 302
    assert state_in_db(plan_active) == "closed"
    page = text(client.get(f"/assessments/{plan_active.ref}"))
    assert "closed the case (outcomes met)" in page


def test_a_manager_can_refuse_to_sign_off_with_a_reason(client, signed_in, plan_active, people):
    lead, _nurse, manager = people
    with committing():
        build.fire(plan_active, "request_closure", lead, reason="stepped_down", outcomes=build.outcomes_for(plan_active))
    signed_in(manager)
    empty = client.post(f"/assessments/{plan_active.ref}/close/reject", data={"reason": ""})
    assert "Enter why the closure is not signed off" in text(empty)
    response = client.post(f"/assessments/{plan_active.ref}/close/reject", data={"reason": "Not yet"})
    assert response.status_code == 302
    page = text(client.get(f"/assessments/{plan_active.ref}"))
    assert "did not sign off closing the case: Not yet" in page
    assert "awaiting a manager" not in page


def test_stepping_up_from_draft(client, signed_in, case, people):
    signed_in(people[0])
    bad = client.post(f"/assessments/{case.ref}/step-up", data={"on": ["31", "2", "2026"]})
    assert bad.status_code == 200
    assert "Date of the referral must be a real date" in text(bad)
    today = date.today()
    response = client.post(f"/assessments/{case.ref}/step-up", data={
        "on": [str(today.day), str(today.month), str(today.year)],
        "team": "Children's Front Door (MASH)", "reason": "Disclosure at school",
    })
    assert response.status_code == 302
    assert state_in_db(case) == "closed"
    page = text(client.get(f"/assessments/{case.ref}"))
    assert "stepped the case up to children's social care" in page
    assert client.get(f"/assessments/{case.ref}/step-up").status_code == 409


def test_the_help_page_shows_the_diagram_drawn_from_the_table(client, signed_in, people):
    signed_in(people[0])
    page = text(client.get("/help/workflow"))
    assert 'src="/help/workflow.svg"' in page
    assert "Complete the assessment" in page and "Step up to children's social care" in page
    assert " style=" not in page
    svg = client.get("/help/workflow.svg")
    assert svg.mimetype == "image/svg+xml"
    body = svg.get_data(as_text=True)
    for state in ("draft", "assessed", "taf_scheduled", "plan_active", "review_scheduled", "closed"):
        assert f'id="state-{state}"' in body
    assert "style=" not in body


def test_the_docs_diagram_is_the_one_the_table_draws():
    from pathlib import Path

    from eha.workflow.diagram import render

    assert (Path(__file__).resolve().parents[2] / "docs" / "workflow.svg").read_text() == render()


def test_the_timeline_leaves_out_views_and_puts_the_newest_first(client, signed_in, plan_active, people):
    from eha.services.timeline import timeline

    signed_in(people[0])
    client.get(f"/assessments/{plan_active.ref}")
    entries = timeline(plan_active)
    assert [e.trigger for e in entries if e.action == "transition"] == [
        "agree_plan", "schedule_taf", "complete_assessment"]
    assert all(e.action != "case_viewed" for e in entries)
    assert entries[0].text.endswith("Sarah Okafor (Northshire Primary School) agreed the plan")
    assert sa  # noqa: B018
