"""Every row of the transition table: the happy path, and each guard failing with its message and nothing
changed (state, audit trail)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eha.demo import cases as build
from eha.errors import GuardFailed, NotAllowed, NotPermitted
from eha.extensions import db
from eha.models.assessments import AssessmentChild, ClosureReturn, SectionAnswer
from eha.models.audit import AuditEvent
from eha.models.plans import NeedOutcome, PlanSignature
from eha.transaction import committing
from eha.workflow import timescales
from eha.workflow.engine import fire
from tests.workflow.helpers import audit_count, state_in_db, team, transition_events


@pytest.fixture
def people(app):
    return team(app)


@pytest.fixture
def case(people):
    lead, nurse, _manager = people
    with committing():
        made = build.new_case(lead, agencies=[nurse.agency])
    return made


def refused(case, trigger, by, message, **data):
    """Fire and expect GuardFailed with ``message``; check nothing changed."""
    state = state_in_db(case)
    events = audit_count(case)
    with pytest.raises(GuardFailed) as failure:
        with committing():
            fire(case, trigger, by, **data)
    assert message in failure.value.messages, failure.value.messages
    assert state_in_db(case) == state
    assert audit_count(case) == events
    return failure.value.messages


def fired(case, trigger, by, **data):
    before = len(transition_events(case))
    with committing():
        fire(case, trigger, by, **data)
    events = transition_events(case)
    assert len(events) == before + 1
    assert events[-1].detail["trigger"] == trigger
    return events[-1]


# --- complete_assessment ---


def test_completing_the_assessment_moves_it_to_assessed_and_sets_the_first_taf_due_date(case, people):
    lead = people[0]
    event = fired(case, "complete_assessment", lead)
    assert state_in_db(case) == "assessed"
    assert event.detail == {
        "trigger": "complete_assessment",
        "from": "draft",
        "to": "assessed",
        "first_taf_due_on": case.first_taf_due_on.isoformat(),
    }
    assert case.completed_at is not None
    assert case.first_taf_due_on == timescales.add_working_days(date.today(), 10)
    assert (case.next_due_label, case.next_due_on) == ("First TAF meeting due", case.first_taf_due_on)


def test_the_assessment_cannot_be_completed_without_the_familys_agreement(people):
    lead, nurse, _ = people
    with committing():
        case = build.new_case(lead, agencies=[nurse.agency], consent=False)
    refused(case, "complete_assessment", lead, "Record the family's agreement before completing the assessment")


def test_the_assessment_cannot_be_completed_once_agreement_is_withdrawn(case, people):
    with committing():
        case.current_consent.withdrawn_on = date.today()
    messages = refused(
        case,
        "complete_assessment",
        people[0],
        "The family has withdrawn their agreement: record a new agreement before completing the assessment",
    )
    assert len(messages) == 1


def test_the_assessment_cannot_be_completed_with_a_required_question_unanswered(case, people):
    with committing():
        row = db.session.scalar(
            sa.select(SectionAnswer).where(
                SectionAnswer.assessment_id == case.id, SectionAnswer.section_key == "analysis"
            )
        )
        answers = dict(row.answers)
        answers["worried-about"] = "  "
        row.answers = answers
    refused(
        case,
        "complete_assessment",
        people[0],
        "Complete the section 'Analysis': 'What are we worried about?' is not answered",
    )


def test_the_assessment_cannot_be_completed_without_a_child(case, people):
    with committing():
        db.session.execute(sa.delete(AssessmentChild).where(AssessmentChild.assessment_id == case.id))
    db.session.expire_all()
    refused(case, "complete_assessment", people[0], "Add at least one child the assessment is about")


def test_the_assessment_cannot_be_completed_without_a_need_identified(people):
    lead, nurse, _ = people
    with committing():
        case = build.new_case(lead, agencies=[nurse.agency], needs=())
    refused(case, "complete_assessment", lead, "Identify at least one need in the section 'Needs identified'")


def test_every_failing_guard_is_reported_at_once(people):
    lead, nurse, _ = people
    with committing():
        case = build.new_case(lead, agencies=[nurse.agency], needs=(), consent=False)
    messages = refused(
        case, "complete_assessment", lead, "Record the family's agreement before completing the assessment"
    )
    assert "Identify at least one need in the section 'Needs identified'" in messages


# --- schedule_taf ---


def test_scheduling_the_taf_meeting_needs_a_meeting_with_date_place_and_an_agreed_agency(case, people):
    lead, nurse, _ = people
    with committing():
        build.to_assessed(case, lead)
    refused(
        case, "schedule_taf", lead, "Schedule the TAF meeting: enter its date, where it will be held and who is invited"
    )
    with committing():
        meeting = build.schedule_meeting(case, lead, kind="taf", invite=[nurse], place=None)
    refused(case, "schedule_taf", lead, "Enter where the TAF meeting will be held or a video link", meeting=meeting)
    with committing():
        meeting.video_link = "https://meet.example.org/taf"
    event = fired(case, "schedule_taf", lead, meeting=meeting)
    assert state_in_db(case) == "taf_scheduled"
    assert event.detail["meeting_on"] == meeting.scheduled_for.isoformat()


def test_a_taf_meeting_must_invite_an_agency_within_the_familys_agreement(case, people, app):
    from tests import factories

    lead, _nurse, _ = people
    police = factories.user(agency=factories.agency(name="Northshire Police", kind="police"))
    with committing():
        build.to_assessed(case, lead)
        meeting = build.schedule_meeting(case, lead, kind="taf", invite=[police])
    refused(
        case,
        "schedule_taf",
        lead,
        "Invite at least one professional from an agency the family agreed may be involved",
        meeting=meeting,
    )


# --- agree_plan ---


@pytest.fixture
def taf_scheduled(case, people):
    lead, nurse, _ = people
    with committing():
        meeting = build.to_taf_scheduled(case, lead, [nurse])
    return case, meeting


def _plan(case, lead, nurse, **overrides):
    action = {"what": "Weekly check-in", "owner": nurse, "success": "Attendance above 95%", **overrides}
    return build.plan_version(
        case, lead, [action, {"what": "Bedtime routine", "owner": "Laura Bennett", "success": "Fewer arguments"}]
    )


def test_agreeing_the_plan_needs_the_meeting_held_and_a_signed_plan(taf_scheduled, people):
    case, meeting = taf_scheduled
    lead, nurse, _ = people
    messages = refused(case, "agree_plan", lead, "Record the TAF meeting as held, with who attended")
    assert "Write the plan: add at least one action" in messages
    with committing():
        build.hold_meeting(meeting, lead, next_review_on=date.today() + timedelta(weeks=4))
        version = _plan(case, lead, nurse, due_on=None)
    messages = refused(case, "agree_plan", lead, "Action 1: enter by when")
    assert "Sign the plan: the lead professional and a parent, carer or the young person sign it" in messages
    with committing():
        version.actions[0].due_on = date.today() + timedelta(days=10)
        build.sign_plan(case, version, lead, carer=False)
    refused(
        case, "agree_plan", lead, "Sign the plan: the lead professional and a parent, carer or the young person sign it"
    )
    with committing():
        build.sign_plan(case, version, lead)
    event = fired(case, "agree_plan", lead)
    assert state_in_db(case) == "plan_active"
    assert event.detail["plan_version"] == 1
    assert case.next_review_due_on == date.today() + timedelta(weeks=4)
    # The first action is due before the review: it is what is due next.
    assert (case.next_due_label, case.next_due_on) == ("Action due", date.today() + timedelta(days=10))


def test_a_plan_signed_without_a_parent_carer_or_young_person_cannot_be_agreed(taf_scheduled, people):
    case, meeting = taf_scheduled
    lead, nurse, _ = people
    with committing():
        build.hold_meeting(meeting, lead)
        version = _plan(case, lead, nurse)
        build.sign_plan(case, version, lead)
        db.session.execute(sa.delete(PlanSignature).where(PlanSignature.signer_kind == "carer"))
    db.session.expire_all()
    refused(case, "agree_plan", lead, "Record the signature of a parent, carer or the young person on the plan")


def test_the_plan_needs_a_lead_professional(taf_scheduled, people):
    case, meeting = taf_scheduled
    lead, nurse, manager = people
    with committing():
        build.hold_meeting(meeting, lead)
        build.sign_plan(case, _plan(case, lead, nurse), lead)
        case.lead_id = None
    refused(case, "agree_plan", manager, "Choose a lead professional for the family")


def test_the_review_date_agreed_at_the_meeting_is_capped_at_the_review_interval(taf_scheduled, people):
    case, meeting = taf_scheduled
    lead, nurse, _ = people
    with committing():
        build.hold_meeting(meeting, lead, next_review_on=meeting.scheduled_for.date() + timedelta(weeks=12))
        build.sign_plan(case, _plan(case, lead, nurse), lead)
    fired(case, "agree_plan", lead)
    assert case.next_review_due_on == meeting.held_on + timedelta(weeks=6)


# --- schedule_review and record_review ---


@pytest.fixture
def plan_active(case, people):
    lead, nurse, _ = people
    with committing():
        build.to_plan_active(case, lead, [nurse])
    return case


def test_scheduling_a_review_needs_a_review_meeting_with_a_date(plan_active, people):
    lead, nurse, _ = people
    refused(plan_active, "schedule_review", lead, "Schedule the review meeting: enter its date")
    with committing():
        meeting = build.schedule_meeting(plan_active, lead, kind="review", invite=[nurse])
    fired(plan_active, "schedule_review", lead, meeting=meeting)
    assert state_in_db(plan_active) == "review_scheduled"


def test_recording_a_review_needs_the_meeting_held_progress_on_every_open_action_and_the_familys_view(
    plan_active, people
):
    case = plan_active
    lead, nurse, _ = people
    with committing():
        meeting = build.schedule_meeting(case, lead, kind="review", invite=[nurse])
        fire(case, "schedule_review", lead, meeting=meeting)
    refused(
        case,
        "record_review",
        lead,
        "Record the review: progress on each action, the family's view and the scaling scores",
    )
    with committing():
        review = build.review(case, meeting, lead, family_view=" ")
        # Progress on the second action is missing.
        from eha.models.plans import ActionUpdate

        second = db.session.scalars(
            sa.select(ActionUpdate).where(ActionUpdate.review_id == review.id).order_by(ActionUpdate.id)
        ).all()[1]
        db.session.delete(second)
        case_actions = build.db.session.scalars(sa.select(build.PlanAction).order_by(build.PlanAction.id)).all()
        case_actions[1].progress = None
    messages = refused(
        case, "record_review", lead, "Record the review meeting as held, with who attended", review=review
    )
    assert "Enter the family's view of how things are going" in messages
    assert "Record progress on action 2: Use the bedtime routine we agreed every school night" in messages
    with committing():
        build.hold_meeting(meeting, lead)
        review.family_view = "Mornings are easier."
        from eha.models.plans import ActionUpdate as AU

        db.session.add(
            AU(
                assessment_id=case.id,
                action_key=case_actions[1].key,
                review_id=review.id,
                progress="on_track",
                by_id=lead.id,
            )
        )
    fired(case, "record_review", lead, review=review)
    assert state_in_db(case) == "plan_active"


def test_a_changed_plan_must_be_signed_again_before_the_review_is_recorded(plan_active, people):
    case = plan_active
    lead, nurse, _ = people
    with committing():
        meeting = build.schedule_meeting(case, lead, kind="review", invite=[nurse])
        fire(case, "schedule_review", lead, meeting=meeting)
        build.hold_meeting(meeting, lead)
        review = build.review(case, meeting, lead, plan_changed=True)
        build.plan_version(case, lead, [{"what": "New action", "owner": nurse}], number=2)
    refused(
        case,
        "record_review",
        lead,
        "The plan changed: sign the revised plan (version 2) with the family before recording the review",
        review=review,
    )


def test_a_changed_plan_needs_a_version_signed_since_the_review_was_scheduled(plan_active, people):
    case = plan_active
    lead, nurse, _ = people
    with committing():
        meeting = build.schedule_meeting(case, lead, kind="review", invite=[nurse])
        fire(case, "schedule_review", lead, meeting=meeting)
        build.hold_meeting(meeting, lead)
        review = build.review(case, meeting, lead, plan_changed=True)
    refused(
        case,
        "record_review",
        lead,
        "The plan changed: select Change the plan on the plan page, make the changes and sign the revised "
        "plan with the family before recording the review",
        review=review,
    )


def test_a_review_with_a_revised_signed_plan_is_recorded_against_the_version_reviewed(plan_active, people):
    case = plan_active
    lead, nurse, _ = people
    with committing():
        meeting = build.schedule_meeting(case, lead, kind="review", invite=[nurse])
        fire(case, "schedule_review", lead, meeting=meeting)
    with committing():
        build.record_a_review(case, lead, meeting, revise=True)
    assert state_in_db(case) == "plan_active"
    assert transition_events(case)[-1].detail["plan_version"] == 2


# --- close ---


def test_closing_from_draft_needs_a_reason_allowed_from_draft(case, people):
    manager = people[2]
    refused(case, "close", manager, "Select why the case is closing")
    refused(
        case,
        "close",
        manager,
        "Outcomes met cannot be chosen for a case in this state: select one of the reasons shown",
        reason="outcomes_met",
    )
    event = fired(case, "close", manager, reason="created_in_error")
    assert state_in_db(case) == "closed"
    assert event.detail["reason"] == "created_in_error"
    assert case.closed_by_id == manager.id
    assert case.next_due_on is None
    assert not db.session.scalar(sa.select(AssessmentChild.is_open).where(AssessmentChild.assessment_id == case.id))


def test_closing_from_a_plan_state_needs_an_outcome_for_each_need(plan_active, people):
    manager = people[2]
    refused(
        plan_active,
        "close",
        manager,
        "Select an outcome for the need 'Getting a good education'",
        reason="outcomes_met",
    )
    fired(
        plan_active,
        "close",
        manager,
        reason="outcomes_met",
        notes="All done",
        outcomes=build.outcomes_for(plan_active, "met"),
    )
    rows = db.session.scalars(sa.select(NeedOutcome).where(NeedOutcome.assessment_id == plan_active.id)).all()
    assert {(r.need_code, r.outcome) for r in rows} == {("sf-education", "met"), ("sf-relationships", "met")}


def test_a_lead_professional_cannot_close_alone_when_sign_off_is_on(plan_active, people):
    lead = people[0]
    refused(
        plan_active,
        "close",
        lead,
        "A manager must sign off the closure: ask for it instead of closing the case yourself",
        reason="outcomes_met",
        outcomes=build.outcomes_for(plan_active),
    )


def test_a_closure_requested_by_the_lead_closes_when_a_manager_signs_it_off(plan_active, people):
    lead, _nurse, manager = people
    with pytest.raises(GuardFailed):
        with committing():
            fire(plan_active, "request_closure", lead, reason="outcomes_met", notes="Done", outcomes={})
    with committing():
        fire(
            plan_active,
            "request_closure",
            lead,
            reason="outcomes_met",
            notes="Done",
            outcomes=build.outcomes_for(plan_active),
        )
    assert state_in_db(plan_active) == "plan_active"
    assert plan_active.pending_closure_reason == "outcomes_met"
    assert audit_count(plan_active, "closure_requested") == 1
    with pytest.raises(NotAllowed, match="already"):
        fire(plan_active, "request_closure", lead, reason="moved_out", outcomes=build.outcomes_for(plan_active))
    db.session.rollback()
    with committing():
        fire(plan_active, "approve_closure", manager)
    assert state_in_db(plan_active) == "closed"
    assert plan_active.closure_approved_by_id == manager.id
    assert plan_active.closed_by_id == lead.id
    assert plan_active.pending_closure_reason is None


def test_a_manager_can_send_a_closure_back(plan_active, people):
    lead, _nurse, manager = people
    with committing():
        fire(
            plan_active,
            "request_closure",
            lead,
            reason="stepped_down",
            outcomes=build.outcomes_for(plan_active, "partly_met"),
        )
    with pytest.raises(NotPermitted, match="Only a manager can sign off a closure"):
        fire(plan_active, "approve_closure", lead)
    db.session.rollback()
    refused(plan_active, "reject_closure", manager, "Enter why the closure is not signed off", why=" ")
    with committing():
        fire(plan_active, "reject_closure", manager, why="Please record the school's ongoing support first")
    assert plan_active.pending_closure_reason is None
    assert state_in_db(plan_active) == "plan_active"
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.assessment_id == plan_active.id, AuditEvent.action == "closure_rejected")
    ).all()
    # The manager's words are kept on the case; the trail says only that a reason was given (issue 19).
    assert "Please record" not in str(event.detail) and event.detail["why_given"] is True
    returned = db.session.get(ClosureReturn, event.detail["closure_return"])
    assert (returned.assessment_id, returned.why) == (
        plan_active.id,
        "Please record the school's ongoing support first",
    )
    assert event.detail["reason"] == "stepped_down"
    for trigger in ("approve_closure", "reject_closure"):
        with pytest.raises(NotAllowed, match="There is no closure waiting for sign-off"):
            fire(plan_active, trigger, manager, why="Again")
        db.session.rollback()


def test_closing_without_sign_off_configured_lets_the_lead_close(plan_active, people, app):
    app.config["EHA_CLOSURE_SIGN_OFF"] = False
    fired(plan_active, "close", people[0], reason="moved_out", outcomes=build.outcomes_for(plan_active, "not_met"))
    assert state_in_db(plan_active) == "closed"


# --- step_up ---


@pytest.mark.parametrize("stage", ["draft", "assessed", "plan_active"])
def test_a_case_can_be_stepped_up_from_any_open_state(case, people, stage):
    lead, nurse, _ = people
    with committing():
        if stage == "assessed":
            build.to_assessed(case, lead)
        elif stage == "plan_active":
            build.to_plan_active(case, lead, [nurse])
    refused(
        case,
        "step_up",
        lead,
        "Enter the team the family was referred to",
        on=date.today() + timedelta(days=1),
        reason="Disclosure",
    )
    refused(
        case,
        "step_up",
        lead,
        "Date of the referral must be today or in the past",
        on=date.today() + timedelta(days=1),
        team="MASH",
        reason="Disclosure",
    )
    event = fired(case, "step_up", lead, on=date.today(), team="Children's Front Door (MASH)", reason="Disclosure")
    assert event.detail["from"] == stage
    assert state_in_db(case) == "closed"
    assert case.closure_reason == "stepped_up"
    assert (case.step_up_team, case.step_up_reason) == ("Children's Front Door (MASH)", "Disclosure")


# --- not allowed ---


def test_a_trigger_not_in_the_table_from_this_state_is_not_allowed(case, people):
    lead = people[0]
    with pytest.raises(NotAllowed) as refusal:
        fire(case, "agree_plan", lead)
    assert refusal.value.message == "You cannot agree the plan now: the case is 'Assessment in progress'."


def test_a_closed_case_is_final(case, people):
    manager = people[2]
    with committing():
        fire(case, "close", manager, reason="created_in_error")
    for trigger in ("complete_assessment", "close", "step_up"):
        with pytest.raises(NotAllowed, match="This case is closed"):
            fire(case, trigger, manager, reason="moved_out")
        db.session.rollback()


def test_only_the_lead_professional_or_a_manager_may_run_the_workflow(case, people):
    nurse = people[1]
    with pytest.raises(NotPermitted, match="Only the lead professional or a manager"):
        fire(case, "complete_assessment", nurse)


def test_the_database_refuses_an_unknown_state(case):
    with pytest.raises(sa.exc.IntegrityError):
        with committing():
            db.session.execute(sa.text("UPDATE assessments SET state = 'limbo' WHERE id = :id"), {"id": case.id})
    assert state_in_db(case) == "draft"
