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
    response = client.post(
        f"/assessments/{plan_active.ref}/close",
        data={
            "reason": "outcomes_met",
            "notes": "Goals met",
            "outcome_sf_education": "met",
            "outcome_sf_relationships": "partly_met",
            "checked_not_done": "yes",  # the plan's actions are open
        },
    )
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
    _ask_for_sign_off(plan_active, lead)
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
    response = client.post(
        f"/assessments/{case.ref}/step-up",
        data={
            "on": [str(today.day), str(today.month), str(today.year)],
            "team": "Children's Front Door (MASH)",
            "reason": "Disclosure at school",
        },
    )
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


def test_the_timeline_leaves_out_views_and_puts_the_newest_first(app, client, signed_in, plan_active, people):
    from eha.services.timeline import timeline

    signed_in(people[0])
    client.get(f"/assessments/{plan_active.ref}")
    with app.test_request_context():
        entries = timeline(plan_active).items
    assert [e.trigger for e in entries if e.action == "transition"] == [
        "agree_plan",
        "schedule_taf",
        "complete_assessment",
    ]
    assert all(e.action != "case_viewed" for e in entries)
    assert entries[0].text.endswith("Sarah Okafor (Northshire Primary School) agreed the plan")
    assert sa


# --- closure sign-off: rows of the table, so fire() checks and records them like every step ---


def _events(case, action):
    from eha.extensions import db
    from eha.models.audit import AuditEvent

    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.assessment_id == case.id, AuditEvent.action == action)
        .order_by(AuditEvent.seq)
    ).all()


def _failed_transitions(case):
    return [e for e in _events(case, "transition") if e.outcome != "success"]


def _ask_for_sign_off(case, lead):
    with committing():
        build.fire(case, "request_closure", lead, reason="stepped_down", outcomes=build.outcomes_for(case))


def test_a_closure_missing_outcomes_is_shown_on_the_form_and_recorded_once(
    client_request, signed_in, plan_active, people
):
    signed_in(people[2])  # a manager closes without sign-off; the form has no outcome question answered wrongly
    before = audit_count(plan_active)
    page = client_request.post(
        f"/assessments/{plan_active.ref}/close", data={"reason": "outcomes_met"}, expected_status=200
    )
    assert "Select an outcome for the need 'Getting a good education'" in page.errors()
    assert page.one("input[name=reason][value=outcomes_met]").get("checked") is not None  # the input kept
    assert audit_count(plan_active) == before + 1
    [failed] = _failed_transitions(plan_active)
    assert failed.detail["reason"] == "invalid input"


def test_a_guard_the_form_cannot_check_is_recorded_once_with_its_messages(
    client_request, signed_in, plan_active, people, app
):
    lead = people[0]
    app.config["EHA_CLOSURE_SIGN_OFF"] = True
    _ask_for_sign_off(plan_active, lead)
    app.config["EHA_CLOSURE_SIGN_OFF"] = False  # now the lead closes directly, but a closure awaits sign-off
    signed_in(lead)
    before = audit_count(plan_active)
    page = client_request.post(
        f"/assessments/{plan_active.ref}/close",
        data={
            "reason": "moved_out",
            "outcome_sf_education": "met",
            "outcome_sf_relationships": "met",
            "checked_not_done": "yes",  # the plan's actions are open
        },
        expected_status=409,
    )
    assert "A manager has been asked to sign off closing this case: they decide now." in page.text
    assert audit_count(plan_active) == before + 1
    assert _failed_transitions(plan_active)[-1].detail["trigger"] == "close"
    assert state_in_db(plan_active) == "plan_active"


def test_a_lead_cannot_ask_for_sign_off_twice(client_request, signed_in, plan_active, people):
    lead = people[0]
    _ask_for_sign_off(plan_active, lead)
    signed_in(lead)
    page = client_request.post(
        f"/assessments/{plan_active.ref}/close",
        data={
            "reason": "moved_out",
            "outcome_sf_education": "met",
            "outcome_sf_relationships": "met",
            "checked_not_done": "yes",  # the plan's actions are open
        },
        expected_status=409,
    )
    assert "already" in page.text
    assert audit_count(plan_active, "closure_requested") == 1


def test_only_a_manager_signs_off_or_sends_back_a_closure(client_request, signed_in, plan_active, people):
    lead, _nurse, manager = people
    _ask_for_sign_off(plan_active, lead)
    signed_in(lead)
    client_request.post(f"/assessments/{plan_active.ref}/close/approve", expected_status=403)
    client_request.get(f"/assessments/{plan_active.ref}/close/reject", expected_status=403)
    client_request.post(f"/assessments/{plan_active.ref}/transitions/approve_closure", expected_status=403)
    assert state_in_db(plan_active) == "plan_active"
    assert [e.outcome for e in _failed_transitions(plan_active)] == ["refused", "refused"]

    signed_in(manager)
    page = client_request.get(f"/assessments/{plan_active.ref}")
    assert page.words(".govuk-inset-text .govuk-button") == ["Sign off the closure"]
    assert page.words(".govuk-inset-text a.govuk-link") == ["Do not sign off"]
    client_request.post(f"/assessments/{plan_active.ref}/close/approve")
    assert state_in_db(plan_active) == "closed"


def test_with_no_closure_waiting_there_is_nothing_to_sign_off(client_request, signed_in, plan_active, people):
    manager = people[2]
    signed_in(manager)
    page = client_request.get(f"/assessments/{plan_active.ref}/close/reject", expected_status=409)
    assert "There is no closure waiting for sign-off on this case." in page.text
    client_request.post(f"/assessments/{plan_active.ref}/close/approve", expected_status=409)
    client_request.post(f"/assessments/{plan_active.ref}/close/reject", data={"reason": "No"}, expected_status=409)
    assert [e.outcome for e in _failed_transitions(plan_active)] == ["refused"]  # the approval
    rejections = _events(plan_active, "closure_rejected")
    assert [(e.outcome, e.detail["reason"]) for e in rejections] == [
        ("refused", "There is no closure waiting for sign-off on this case.")
    ] * 2  # the page and the POST
    assert state_in_db(plan_active) == "plan_active"


def test_the_help_page_and_diagram_show_closure_sign_off(client_request, client, signed_in, people):
    signed_in(people[0])
    page = client_request.get("/help/workflow")
    steps = page.words("table tbody th")
    assert {"Ask a manager to sign off closing the case", "Sign off the closure", "Do not sign off"} <= set(steps)
    assert "request_closure / reject_closure" in client.get("/help/workflow.svg").get_data(as_text=True)
