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
from eha.workflow.states import REVIEW_SCHEDULED, TAF_SCHEDULED

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


class NotScheduled(Exception):
    """The meeting is no longer scheduled (held or cancelled): it cannot be rescheduled or cancelled."""


def _check_scheduled(meeting, expected_version):
    if expected_version is not None and expected_version != meeting.version_id:
        raise StaleEdit()
    if meeting.status != "scheduled":
        raise NotScheduled()


def invited_values(meeting):
    """The invitation checkboxes' values for ``meeting``'s participants (for the reschedule form)."""
    professionals = [f"user:{p.user_id}" for p in meeting.participants if p.user_id]
    family = [f"carer:{p.carer_id}" if p.carer_id else f"child:{p.child_id}"
              for p in meeting.participants if p.carer_id or p.child_id]
    return professionals, family


def reschedule_meeting(case, meeting, by, *, expected_version, scheduled_for, place, video_link, user_ids,
                       family_ids):
    """Move a scheduled meeting and change who is invited. Professionals no longer within the family's agreement
    drop off the invitation; newly invited professionals at a TAF meeting join the TAF. Returns the new invitees'
    names."""
    _check_scheduled(meeting, expected_version)
    meeting.scheduled_for = scheduled_for
    meeting.place = place or None
    meeting.video_link = video_link or None
    allowed = {u.id: u for u in invitable_professionals(case)}
    carers = {f"carer:{c.id}": c for c in case.family.carers}
    children = {f"child:{c.id}": c for c in case.family.children}
    wanted_users = [allowed[i] for i in dict.fromkeys(user_ids) if i in allowed]
    wanted_family = [v for v in dict.fromkeys(family_ids) if v in carers or v in children]
    keep = {f"user:{u.id}" for u in wanted_users} | set(wanted_family)
    present = set()
    for participant in list(meeting.participants):
        value = (f"user:{participant.user_id}" if participant.user_id else
                 f"carer:{participant.carer_id}" if participant.carer_id else f"child:{participant.child_id}")
        if value in keep:
            present.add(value)
        else:
            meeting.participants.remove(participant)
    added = []
    for user in wanted_users:
        if f"user:{user.id}" not in present:
            meeting.participants.append(MeetingParticipant(user_id=user.id, name=user.name,
                                                           agency_name=user.agency.name))
            added.append(user.id)
    for value in wanted_family:
        if value not in present:
            person = carers.get(value) or children[value]
            kind = "carer_id" if value in carers else "child_id"
            meeting.participants.append(MeetingParticipant(name=person.name, **{kind: person.id}))
    if meeting.kind == "taf":
        _add_taf_members(case, by, added)
    db.session.flush()
    return meeting


def cancel_meeting(meeting, by, *, expected_version, reason):
    """Cancel a scheduled meeting; the reason is kept in the meeting's notes."""
    _check_scheduled(meeting, expected_version)
    meeting.status = "cancelled"
    meeting.notes = f"Cancelled: {reason}"
    meeting.recorded_by_id = by.id
    db.session.flush()
    return meeting


def awaiting_replacement(case):
    """The kind of meeting the case is waiting for when its scheduled one was cancelled, else None.

    A ``taf_scheduled`` case needs a scheduled (or held) TAF meeting; a ``review_scheduled`` case a scheduled
    review meeting. Scheduling the replacement fires no trigger: the case is already in the right state.
    """
    wanted = {TAF_SCHEDULED: "taf", REVIEW_SCHEDULED: "review"}.get(case.state)
    if wanted is None:
        return None
    statuses = ("scheduled", "held") if wanted == "taf" else ("scheduled",)
    waiting = db.session.scalar(
        sa.select(sa.func.count()).select_from(Meeting)
        .where(Meeting.assessment_id == case.id, Meeting.kind == wanted, Meeting.status.in_(statuses))
    )
    return None if waiting else wanted


def team(case):
    """The TAF: ``[{member, user, agency, within_agreement, open_actions}]``, current members first, by name."""
    agreed = agreed_agency_ids(case)
    members = db.session.scalars(
        sa.select(TafMember).where(TafMember.assessment_id == case.id)
        .options(selectinload(TafMember.user).joinedload(User.agency))
    ).unique().all()
    owned = open_actions_by_owner(case)
    rows = [
        {"member": m, "user": m.user, "agency": m.user.agency, "within_agreement": m.user.agency_id in agreed,
         "open_actions": owned.get(m.user_id, 0)}
        for m in members
    ]
    return sorted(rows, key=lambda r: (r["member"].removed_at is not None, r["user"].name.lower()))


def open_actions_by_owner(case):
    """``{user id: number of open actions}`` in the plan version in force (or the draft, before one is signed)."""
    from eha.workflow import queries

    version = queries.current_signed_plan(case)
    if version is None:
        versions = queries.plan_versions(case)
        version = versions[0] if versions else None
    counts = {}
    for action in version.actions if version is not None else ():
        if action.owner_user_id and action.is_open:
            counts[action.owner_user_id] = counts.get(action.owner_user_id, 0) + 1
    return counts


def current_member(case, user_id):
    """The case's current (not removed) TAF member for ``user_id``, or None."""
    return db.session.scalar(
        sa.select(TafMember).where(TafMember.assessment_id == case.id, TafMember.user_id == user_id,
                                   TafMember.removed_at.is_(None))
    )


def remove_member(member, by, now):
    """Take ``member`` off the TAF: they lose sight of the case on their next request. Their actions stay,
    to be given a new owner in the plan."""
    member.removed_at = now
    db.session.flush()
    return member


def removed_member_ids(case):
    """Users taken off this case's TAF (their open actions need a new owner)."""
    return set(db.session.scalars(
        sa.select(TafMember.user_id).where(TafMember.assessment_id == case.id, TafMember.removed_at.is_not(None))
    ))
