"""Reviews of the plan: progress on each open action, the family's view, scaling, and the decision.

``record_review`` is one ``@case_action``: it marks the review meeting held (attendance, the updates sent with
apologies), writes the Review and its ActionUpdates, audits it, fires ``record_review`` and hands the case to the
lead agreed at the meeting, so a failed guard or a lead who may not lead leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from eha import audit
from eha.definitions import scaling_scores
from eha.definitions.store import definition_for
from eha.errors import NotAllowed, expect_version
from eha.extensions import db
from eha.formatting import format_date, format_timestamp
from eha.models.choices import REVIEW_DECISIONS
from eha.models.meetings import Meeting
from eha.models.plans import ActionUpdate, PlanVersion, Review
from eha.models.users import User
from eha.services import plans
from eha.services.meetings import agree_lead, record_meeting, scheduled_review
from eha.transaction import case_action
from eha.workflow import engine
from eha.workflow.states import REVIEW_SCHEDULED

NO_REVIEW_MESSAGE = _l("There is no review meeting waiting to be recorded: schedule a review first.")


def review_to_record(case):
    """The scheduled review meeting and the actions to review; NotAllowed unless a review is scheduled."""
    meeting = scheduled_review(case) if case.state == REVIEW_SCHEDULED else None
    if meeting is None:
        raise NotAllowed(NO_REVIEW_MESSAGE)
    return meeting, actions_to_review(case, meeting)


def actions_to_review(case, meeting):
    """The open actions of the plan in force, and of the version it replaced when it was signed for this review.

    (When the plan changed at the review and the revision is already signed, the actions of the version that
    was reviewed still need their progress recorded.)
    """
    signed = db.session.scalars(
        sa.select(PlanVersion)
        .where(PlanVersion.assessment_id == case.id, PlanVersion.status.in_(("signed", "superseded")))
        .order_by(PlanVersion.number.desc())
        .limit(2)
    ).all()
    if not signed:
        return []
    candidates = list(signed[0].actions)
    if (
        len(signed) > 1
        and meeting is not None
        and signed[0].signed_at is not None
        and meeting.created_at is not None
        and signed[0].signed_at >= meeting.created_at
    ):
        keys = {a.key for a in candidates}
        candidates += [a for a in signed[1].actions if a.key not in keys]
    return [a for a in candidates if a.is_open]


@dataclass(frozen=True)
class OwnerUpdate:
    """The latest progress an action's owner recorded since the last review, for the lead to confirm or change."""

    progress: str
    comment: str | None
    recorded: str  # "Recorded by Dr Priya Shah (Health visiting) on 3 December 2026"


def owner_updates(case, actions):
    """``{action key: OwnerUpdate}`` for each of ``actions`` whose latest progress was recorded outside a review
    (by its owner, from the action's progress page): the review form starts from it."""
    keys = [a.key for a in actions]
    if not keys:
        return {}
    rows = db.session.scalars(
        sa.select(ActionUpdate)
        .where(ActionUpdate.assessment_id == case.id, ActionUpdate.action_key.in_(keys))
        .order_by(ActionUpdate.at.desc(), ActionUpdate.id.desc())
    ).all()
    latest = {}
    for row in rows:
        latest.setdefault(row.action_key, row)
    ids = {u.by_id for u in latest.values() if u.by_id}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    return {
        key: OwnerUpdate(update.progress, update.comment, recorded_label(users.get(update.by_id), update.at))
        for key, update in latest.items()
        if update.review_id is None
    }


def recorded_label(user, at):
    who = f"{user.name} ({user.agency.name})" if user is not None else "someone no longer on the system"
    return f"Recorded by {who} on {format_timestamp(at, with_time=False)}"


@case_action
def _check_still_scheduled(case, meeting, expected_version):
    db.session.refresh(meeting)  # as stored now, after the case lock: another review may have been recorded
    if meeting.status != "scheduled" or meeting.assessment_id != case.id:
        raise NotAllowed(
            _l("Someone else recorded this review while you were filling it in. Your answers have not been saved."),
        )
    expect_version(expected_version, meeting.version_id)


@case_action
def record_review(
    case,
    meeting,
    by,
    *,
    expected_version,
    held_on,
    attendance,
    family_view,
    family_score,
    practitioner_score,
    decision,
    plan_changed,
    next_review_on,
    progress,
    notes=None,
    updates=None,
    lead_agreed_id=None,
    next_review_reason=None,
):
    """Record the review of ``meeting`` (seen at ``expected_version``): the meeting held (``updates``: participant
    id -> the update sent with apologies), the Review, the progress on each action (``progress``: key ->
    (progress, comment)), then ``record_review`` fired; last, ``lead_agreed_id`` (None: the current lead) takes
    over when it is someone else, so the review is the old lead's step."""
    _check_still_scheduled(case, meeting, expected_version)
    record_meeting(
        meeting,
        by,
        expected_version=expected_version,
        held_on=held_on,
        attendance=attendance,
        notes=notes,
        decisions=None,
        next_review_on=next_review_on,
        updates=updates,
        next_review_reason=next_review_reason,
    )
    review = Review(
        assessment_id=case.id,
        meeting_id=meeting.id,
        family_view=family_view,
        family_score=family_score,
        practitioner_score=practitioner_score,
        decision=decision,
        plan_changed=bool(plan_changed),
        recorded_by_id=by.id,
    )
    db.session.add(review)
    db.session.flush()
    for key, (value, comment) in progress.items():
        plans.record_progress(case, key, by, progress=value, comment=comment, review=review)
    _audit_review(case, meeting, review, by)
    engine.fire(case, "record_review", by, review=review)
    agree_lead(case, meeting, by, lead_agreed_id)
    return review


def _audit_review(case, meeting, review, by):
    audit.record(
        "meeting_recorded",
        assessment=case,
        user=by,
        detail={
            "meeting": meeting.id,
            "kind": "review",
            "review": review.id,
            "decision": review.decision,
            "held_on": meeting.held_on.isoformat()
            if meeting.held_on
            else None,  # the timeline's sentence, in the reader's language
            "text": f"Recorded the review held on {format_date(meeting.held_on)}: "
            f"{REVIEW_DECISIONS[review.decision].lower()}",
        },
    )


def reviews_for(case):
    return db.session.scalars(
        sa.select(Review).where(Review.assessment_id == case.id).order_by(Review.created_at, Review.id)
    ).all()


def scaling_over_time(case, reviews):
    """Rows ``(label, date, family score, practitioner score)``: the assessment's scores, then each review's."""
    rows = []
    scores = scaling_scores(definition_for(case), case.answers_by_section())
    if scores.get("family") is not None or scores.get("practitioner") is not None:
        when = case.completed_at.date() if case.completed_at else None
        rows.append(("Assessment", when, scores.get("family"), scores.get("practitioner")))
    meeting_dates = {}
    meeting_ids = [r.meeting_id for r in reviews if r.meeting_id]
    if meeting_ids:
        meeting_dates = dict(
            db.session.execute(sa.select(Meeting.id, Meeting.held_on).where(Meeting.id.in_(meeting_ids))).all()
        )
    for number, review in enumerate(reviews, start=1):
        when = meeting_dates.get(review.meeting_id) or review.created_at.date()
        rows.append((f"Review {number}", when, review.family_score, review.practitioner_score))
    return rows
