"""TAF and review meetings: who can be invited, scheduling, recording a meeting as held.

TAF members can only come from agencies within the family's current agreement (DESIGN.md section 4), so the
professionals offered are the active users of those agencies. Inviting a professional to a TAF meeting makes
them a TAF member. These functions add and flush; the caller commits (with the workflow trigger, if any).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eha.extensions import db
from eha.models.assessments import TafMember
from eha.models.choices import ADMIN
from eha.models.meetings import Meeting, MeetingParticipant
from eha.models.users import User
from eha.services.plans import StaleEdit

ATTENDANCE = {"attended": "Attended", "apologies": "Sent apologies", "absent": "Did not attend"}


def agreed_agency_ids(case):
    """Agencies the family's current (not withdrawn) agreement names; empty without one."""
    consent = case.current_consent
    if consent is None or consent.withdrawn_on is not None:
        return set()
    return consent.agency_ids


def invitable_professionals(case):
    """Active users (not administrators) of the agencies within the family's agreement, by agency and name."""
    agency_ids = agreed_agency_ids(case)
    if not agency_ids:
        return []
    return db.session.scalars(
        sa.select(User)
        .where(User.agency_id.in_(agency_ids), User.active.is_(True), User.role != ADMIN)
        .order_by(User.name)
    ).unique().all()


def family_members(case):
    """``[(value, label)]``: the family's carers and children, for invitations and attendance."""
    out = [(f"carer:{c.id}", f"{c.name} ({c.relationship_to_child})") for c in case.family.carers]
    out += [(f"child:{c.id}", c.name) for c in case.family.children]
    return out


def meetings_for(case):
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.assessment_id == case.id)
        .options(selectinload(Meeting.participants))
        .order_by(Meeting.scheduled_for.desc(), Meeting.id.desc())
    ).all()


def meeting_for(case, meeting_id):
    """The meeting ``meeting_id`` if it belongs to ``case``, else None (the view answers 404)."""
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id, Meeting.assessment_id == case.id)
        .options(selectinload(Meeting.participants))
    )


def scheduled_review(case):
    """The review meeting waiting to be held, latest first."""
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.assessment_id == case.id, Meeting.kind == "review", Meeting.status == "scheduled")
        .options(selectinload(Meeting.participants))
        .order_by(Meeting.scheduled_for.desc(), Meeting.id.desc())
        .limit(1)
    )


def schedule_meeting(case, by, *, kind, scheduled_for: datetime, place, video_link, user_ids, family_ids):
    """Add a scheduled meeting with its invited participants. Only agreed professionals are kept."""
    allowed = {u.id: u for u in invitable_professionals(case)}
    meeting = Meeting(
        assessment_id=case.id, kind=kind, status="scheduled", scheduled_for=scheduled_for,
        place=place or None, video_link=video_link or None, created_by_id=by.id,
    )
    for user_id in user_ids:
        user = allowed.get(user_id)
        if user is not None:
            meeting.participants.append(
                MeetingParticipant(user_id=user.id, name=user.name, agency_name=user.agency.name)
            )
    carers = {f"carer:{c.id}": c for c in case.family.carers}
    children = {f"child:{c.id}": c for c in case.family.children}
    for value in family_ids:
        if value in carers:
            meeting.participants.append(MeetingParticipant(carer_id=carers[value].id, name=carers[value].name))
        elif value in children:
            meeting.participants.append(MeetingParticipant(child_id=children[value].id, name=children[value].name))
    db.session.add(meeting)
    if kind == "taf":
        _add_taf_members(case, by, [p.user_id for p in meeting.participants if p.user_id])
    db.session.flush()
    return meeting


def _add_taf_members(case, by, user_ids):
    existing = {m.user_id: m for m in case.taf_members}
    for user_id in user_ids:
        member = existing.get(user_id)
        if member is None:
            case.taf_members.append(TafMember(user_id=user_id, added_by_id=by.id))
        elif member.removed_at is not None:
            member.removed_at = None


def record_meeting(meeting, by, *, expected_version, held_on, attendance, notes, decisions, next_review_on):
    """Record ``meeting`` as held. ``attendance`` maps participant id to attended/apologies/absent."""
    if expected_version is not None and expected_version != meeting.version_id:
        raise StaleEdit()
    meeting.status = "held"
    meeting.held_on = held_on
    meeting.notes = notes or None
    meeting.decisions = decisions or None
    meeting.next_review_on = next_review_on
    meeting.recorded_by_id = by.id
    for participant in meeting.participants:
        status = attendance.get(participant.id)
        participant.attended = status == "attended"
        participant.apologies = status == "apologies"
    db.session.flush()
    return meeting
