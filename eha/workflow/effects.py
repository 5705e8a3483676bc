"""Effects: what a transition changes besides the state. Each takes ``(case, ctx)``; ``fire`` runs them after
the state has changed, in the same transaction. ``refresh_due`` keeps what is due next current."""

import sqlalchemy as sa

from eha.extensions import db
from eha.i18n import N_
from eha.models.assessments import AssessmentChild, ClosureReturn
from eha.models.choices import NEED_OUTCOMES
from eha.models.meetings import Meeting
from eha.models.plans import NeedOutcome, PlanAction, PlanVersion
from eha.models.users import User
from eha.workflow import timescales
from eha.workflow.states import ASSESSED, CLOSURE_REASONS, DRAFT, PLAN_STATES, STEPPED_UP, TAF_SCHEDULED

ASSESSMENT_DUE = N_("Assessment due")
FIRST_TAF_DUE = N_("First TAF meeting due")
PLAN_TO_AGREE = N_("Plan to be agreed")
REVIEW_DUE = N_("Review due")
ACTION_DUE = N_("Action due")


def _config(ctx, key):
    return ctx.config[key]


def _day(value):
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def mark_completed(case, ctx):
    case.completed_at = ctx.now
    case.first_taf_due_on = timescales.add_working_days(ctx.today, _config(ctx, "EHA_FIRST_TAF_DUE_WORKING_DAYS"))
    ctx.audit_detail["first_taf_due_on"] = case.first_taf_due_on.isoformat()


def note_meeting(case, ctx):
    meeting = ctx.found.get("meeting")
    if meeting is not None:
        if meeting.assessment_id is None:
            meeting.assessment_id = case.id
        if meeting.scheduled_for is not None:
            ctx.audit_detail["meeting_on"] = meeting.scheduled_for.isoformat()


def review_due_from_meeting(case, ctx):
    """The next review: the date agreed at the meeting, but never later than the review interval allows."""
    meeting = ctx.found.get("meeting")
    held_on = (meeting.held_on if meeting is not None else None) or ctx.today
    latest = timescales.add_weeks(held_on, _config(ctx, "EHA_REVIEW_INTERVAL_WEEKS"))
    agreed = meeting.next_review_on if meeting is not None else None
    case.next_review_due_on = min(agreed, latest) if agreed else latest
    ctx.audit_detail["next_review_due_on"] = case.next_review_due_on.isoformat()


def note_plan_version(case, ctx):
    version = ctx.found.get("plan_version")
    if version is not None:
        ctx.audit_detail["plan_version"] = version.number


def _clear_pending_closure(case):
    case.pending_closure_reason = None
    case.pending_closure_notes = None
    case.pending_closure_outcomes = None
    case.pending_closure_by_id = None
    case.pending_closure_at = None


def _close(case, ctx, reason, notes):
    case.closed_at = ctx.now
    requested_by = ctx.data.get("requested_by")
    case.closed_by_id = (requested_by or ctx.by).id
    case.closure_reason = reason
    case.closure_notes = notes or None
    _clear_pending_closure(case)
    # Each child may now start a new episode: the database allows one open episode per child.
    db.session.execute(
        sa.update(AssessmentChild)
        .where(AssessmentChild.assessment_id == case.id)
        .values(is_open=False)
        .execution_options(synchronize_session="fetch")
    )
    ctx.audit_detail["reason"] = reason


def record_closure(case, ctx):
    _close(case, ctx, ctx.data["reason"], ctx.data.get("notes"))
    if ctx.source in PLAN_STATES:
        record_outcomes(case, ctx)


# --- closure sign-off ---


def record_closure_request(case, ctx):
    """The lead professional's closure waits on the case for a manager's sign-off."""
    reason = ctx.data["reason"]
    case.pending_closure_reason = reason
    case.pending_closure_notes = ctx.data.get("notes") or None
    case.pending_closure_outcomes = ctx.data.get("outcomes") or {}
    case.pending_closure_by_id = ctx.by.id
    case.pending_closure_at = ctx.now
    ctx.audit_detail["reason"] = reason
    ctx.audit_detail["text"] = f"Asked a manager to sign off closing the case ({CLOSURE_REASONS.get(reason, reason)})"


def pending_closure_data(case):
    """What ``approve_closure`` closes with: the request waiting on the case."""
    requested_by = db.session.get(User, case.pending_closure_by_id) if case.pending_closure_by_id else None
    return {
        "reason": case.pending_closure_reason,
        "notes": case.pending_closure_notes,
        "outcomes": case.pending_closure_outcomes or {},
        "requested_by": requested_by,
    }


def record_sign_off(case, ctx):
    case.closure_approved_by_id = ctx.by.id
    ctx.audit_detail["requested_by"] = case.closed_by_id


def clear_closure_request(case, ctx):
    """A manager sends the closure back: the request goes, the reason why stays in the audit trail."""
    returned = ClosureReturn(
        assessment_id=case.id,
        closure_reason=case.pending_closure_reason,
        why=ctx.data["why"].strip(),
        returned_by_id=ctx.by.id,
        returned_at=ctx.now,
    )
    db.session.add(returned)
    db.session.flush()
    # The manager's words stay on the case (the timeline reads them from there), never in the audit trail.
    ctx.audit_detail.update(reason=case.pending_closure_reason, closure_return=returned.id, why_given=True)
    _clear_pending_closure(case)


def record_outcomes(case, ctx):
    outcomes = ctx.data.get("outcomes") or {}
    existing = {
        o.need_code: o for o in db.session.scalars(sa.select(NeedOutcome).where(NeedOutcome.assessment_id == case.id))
    }
    for code, entry in outcomes.items():
        outcome = entry.get("outcome") if isinstance(entry, dict) else entry
        if outcome not in NEED_OUTCOMES:
            continue
        comment = (entry.get("comment") if isinstance(entry, dict) else None) or None
        row = existing.get(code) or NeedOutcome(assessment_id=case.id, need_code=code)
        row.outcome = outcome
        row.comment = comment
        row.recorded_by_id = ctx.by.id
        db.session.add(row)
    ctx.audit_detail["outcomes"] = {
        code: (e.get("outcome") if isinstance(e, dict) else e) for code, e in outcomes.items()
    }


def record_step_up(case, ctx):
    on = ctx.data["on"]
    case.step_up_on = _day(on)
    case.step_up_team = ctx.data["team"].strip()
    case.step_up_reason = ctx.data["reason"].strip()
    _close(case, ctx, STEPPED_UP, ctx.data.get("notes"))
    ctx.audit_detail["team_given"] = bool(case.step_up_team)


def refresh_due_effect(case, ctx):
    refresh_due(case, ctx.config, ctx.today)


def refresh_due(case, config=None, today=None):
    """Set ``next_due_on`` and ``next_due_label`` from the case's state, its dates and its open actions.

    Call it after anything that changes a due date (a transition, editing the plan's actions).
    """
    if config is None:
        from flask import current_app

        config = current_app.config
    due = _due(case, config)
    if due is None or due[0] is None:
        case.next_due_on, case.next_due_label = None, None
    else:
        case.next_due_on, case.next_due_label = due
    return case.next_due_on


def _taf_held(case):
    """True once the TAF meeting is recorded as held: what is due next is agreeing the plan."""
    found = sa.select(Meeting.id).where(
        Meeting.assessment_id == case.id, Meeting.kind == "taf", Meeting.status == "held"
    )
    return db.session.scalar(found.limit(1)) is not None


def _due(case, config):
    """``(date, label)`` of what is due next in the case's state, or None."""
    state = case.state
    if state == DRAFT:
        if case.assessment_due_on is None and case.started_at is not None:
            case.assessment_due_on = timescales.add_working_days(
                _day(case.started_at), config["EHA_ASSESSMENT_DUE_WORKING_DAYS"]
            )
        return case.assessment_due_on, ASSESSMENT_DUE
    if state in (ASSESSED, TAF_SCHEDULED):
        if case.first_taf_due_on is None and case.completed_at is not None:
            case.first_taf_due_on = timescales.add_working_days(
                _day(case.completed_at), config["EHA_FIRST_TAF_DUE_WORKING_DAYS"]
            )
        return case.first_taf_due_on, PLAN_TO_AGREE if state == TAF_SCHEDULED and _taf_held(case) else FIRST_TAF_DUE
    if state in PLAN_STATES:
        candidates = []
        if case.next_review_due_on is not None:
            candidates.append((case.next_review_due_on, REVIEW_DUE))
        action_due = _earliest_open_action_due(case)
        if action_due is not None:
            candidates.append((action_due, ACTION_DUE))
        return min(candidates) if candidates else None
    return None  # closed: nothing is due


def _earliest_open_action_due(case):
    latest_signed = (
        sa.select(sa.func.max(PlanVersion.number))
        .where(PlanVersion.assessment_id == case.id, PlanVersion.status == "signed")
        .scalar_subquery()
    )
    return db.session.scalar(
        sa.select(sa.func.min(PlanAction.due_on))
        .join(PlanVersion, PlanAction.plan_version_id == PlanVersion.id)
        .where(
            PlanVersion.assessment_id == case.id,
            PlanVersion.number == latest_signed,
            PlanAction.due_on.is_not(None),
            sa.or_(PlanAction.progress.is_(None), PlanAction.progress.not_in(("done", "no_longer_needed"))),
        )
    )


def assessment_due_on(started_on, config):
    return timescales.add_working_days(started_on, config["EHA_ASSESSMENT_DUE_WORKING_DAYS"])
