"""TAF and review meetings: who can be invited, scheduling, rescheduling, cancelling, recording a meeting as held,
and the Team Around the Family.

TAF members can only come from agencies within the family's current agreement (DESIGN.md section 4), so the
professionals offered are the active users of those agencies. Inviting a professional to a TAF meeting makes
them a TAF member.

Each user action is one ``@case_action``: one transaction that locks the case row first, then records its audit
event (the audit chain head), then fires the transition if any, so concurrent requests on a case queue instead of
deadlocking. Every check is made again once the case is locked: the loser of a race is refused with why.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified

from eha import access, audit, people
from eha.errors import Conflict, Invalid, NotAllowed, NotFound, NotPermitted, expect_version
from eha.extensions import db
from eha.formatting import format_date, format_datetime
from eha.i18n import N_
from eha.models.assessments import CasePerson, TafMember
from eha.models.base import utcnow
from eha.models.choices import ADMIN, INVITE_METHODS, MEETING_KINDS
from eha.models.meetings import Meeting, MeetingParticipant
from eha.models.users import User
from eha.notifications import events as notification_events
from eha.services import plans as plan_service
from eha.transaction import case_action
from eha.workflow import engine
from eha.workflow.effects import refresh_due
from eha.workflow.states import ASSESSED, PLAN_ACTIVE, REVIEW_SCHEDULED, STATE_LABELS, TAF_SCHEDULED
from eha.workflow.table import SCHEDULING

ATTENDANCE = {"attended": N_("Attended"), "apologies": N_("Sent apologies"), "absent": N_("Did not attend")}

# Which trigger scheduling a meeting of each kind fires, from which state. A family network meeting fires none:
# it is the family's own planning beside the TAF's, not a step of the workflow.
SCHEDULE_TRIGGERS = {"taf": (ASSESSED, "schedule_taf"), "review": (PLAN_ACTIVE, "schedule_review")}
FAMILY_NETWORK = "family_network"
# The stage shown for a case still "TAF meeting scheduled" once that meeting is recorded as held.
TAF_HELD = N_("TAF meeting held")


def _iso(value):
    """A date or time for an audit event's detail: the timeline puts it into words in the reader's language."""
    return value.isoformat() if value is not None else None


# A refused change to a meeting, by what was asked ("rescheduled" or "cancelled") and what the meeting is now.
NO_LONGER = {
    "rescheduled": _l("This case is closed: meetings can no longer be rescheduled."),
    "cancelled": _l("This case is closed: meetings can no longer be cancelled."),
}
NOT_SCHEDULED = {
    ("held", "rescheduled"): _l("This meeting has been held: only a scheduled meeting can be rescheduled."),
    ("held", "cancelled"): _l("This meeting has been held: only a scheduled meeting can be cancelled."),
    ("cancelled", "rescheduled"): _l("This meeting has been cancelled: only a scheduled meeting can be rescheduled."),
    ("cancelled", "cancelled"): _l("This meeting has been cancelled: only a scheduled meeting can be cancelled."),
}
CHANGED = _l("Someone else changed this meeting after you opened it. Your changes have not been saved.")


# --- reading: who can be invited, the meetings, the pages ---


def agreed_agency_ids(case):
    """Agencies the family's current (not withdrawn) agreement names; empty without one."""
    consent = case.current_consent
    if consent is None or consent.withdrawn_on is not None:
        return set()
    return consent.agency_ids


def invitable_query(case):
    """A select of who can be invited: active users (not administrators) of the agencies within the family's
    agreement (searched by the schedule page's picker once there are many)."""
    agency_ids = agreed_agency_ids(case)
    return sa.select(User).where(
        User.agency_id.in_(agency_ids) if agency_ids else sa.false(), User.active.is_(True), User.role != ADMIN
    )


def invitable_professionals(case):
    """Active users (not administrators) of the agencies within the family's agreement, by agency and name."""
    if not agreed_agency_ids(case):
        return []
    return db.session.scalars(invitable_query(case).order_by(User.name)).unique().all()


def family_members(case):
    """``[(value, label)]``: the family's carers and children, for invitations and attendance."""
    out = [(people.carer(c.id).value, f"{c.name} ({c.relationship_to_child})") for c in case.family.carers]
    out += [(people.child(c.id).value, c.name) for c in case.family.children]
    return out


def case_people(case):
    """The people on the case without an account who are on it now (not removed), by name."""
    return db.session.scalars(
        sa.select(CasePerson)
        .where(CasePerson.assessment_id == case.id, CasePerson.removed_at.is_(None))
        .order_by(CasePerson.name, CasePerson.id)
    ).all()


def _person_label(person):
    label = f"{person.name} ({person.role})"
    return label + (f", {person.organisation}" if person.organisation else "")


def people_choices(case):
    """``[(value, label)]``: the current people on the case without an account, "Maria Nowak (Grandmother)"."""
    return [(people.person(p.id).value, _person_label(p)) for p in case_people(case)]


def family_network_invitees(case):
    """The invitations a family network meeting starts from: the family and the family's network people."""
    return [v for v, _ in family_members(case)], [
        people.person(p.id).value for p in case_people(case) if p.kind == "network"
    ]


def stage_label(case, held=None):
    """The case's stage in words: its state's label, except that a case whose TAF meeting has been recorded as
    held says so (it stays ``taf_scheduled`` until the plan is agreed). ``held``: the ids ``taf_held_ids`` found
    for a list of cases (None: ask for this case alone)."""
    if case.state == TAF_SCHEDULED and (case.id in held if held is not None else _taf_held(case)):
        return TAF_HELD
    return STATE_LABELS.get(case.state, case.state)


def taf_held_ids(cases):
    """The ids of those of ``cases`` still ``taf_scheduled`` whose TAF meeting is held: one query for a page of
    cases, so a list shows each case's stage without a query per case."""
    waiting = [c.id for c in cases if c.state == TAF_SCHEDULED]
    if not waiting:
        return set()
    return set(
        db.session.scalars(
            sa.select(Meeting.assessment_id)
            .where(Meeting.assessment_id.in_(waiting), Meeting.kind == "taf", Meeting.status == "held")
            .distinct()
        )
    )


def _taf_held(case):
    found = sa.select(Meeting.id).where(
        Meeting.assessment_id == case.id, Meeting.kind == "taf", Meeting.status == "held"
    )
    return db.session.scalar(found.limit(1)) is not None


def _meetings(case):
    return sa.select(Meeting).where(Meeting.assessment_id == case.id).options(selectinload(Meeting.participants))


def meetings_for(case):
    return db.session.scalars(_meetings(case).order_by(Meeting.scheduled_for.desc(), Meeting.id.desc())).all()


def meeting_for(case, meeting_id):
    """The meeting ``meeting_id`` if it belongs to ``case``, else None."""
    return db.session.scalar(_meetings(case).where(Meeting.id == meeting_id))


def meeting_of(case, meeting_id):
    """The meeting ``meeting_id`` of ``case``, read afresh (a change compares against what is saved now);
    ``NotFound`` when it is not this case's."""
    meeting = db.session.scalar(
        _meetings(case).where(Meeting.id == meeting_id).execution_options(populate_existing=True)
    )
    if meeting is None:
        raise NotFound(_l("There is no such meeting on this case."), detail={"meeting": meeting_id})
    return meeting


def scheduled_review(case):
    """The review meeting waiting to be held, latest first."""
    return db.session.scalar(
        _meetings(case)
        .where(Meeting.kind == "review", Meeting.status == "scheduled")
        .order_by(Meeting.scheduled_for.desc(), Meeting.id.desc())
        .limit(1)
    )


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
        sa.select(sa.func.count())
        .select_from(Meeting)
        .where(Meeting.assessment_id == case.id, Meeting.kind == wanted, Meeting.status.in_(statuses))
    )
    return None if waiting else wanted


def page_context(case, user):
    """What the meetings pages show the user: whether they may change meetings, and a cancelled meeting the case
    is waiting to replace."""
    can_manage = access.can_manage(user, case) and case.is_open
    return {
        "can_manage": can_manage,
        "awaiting": awaiting_replacement(case),
        "can_schedule_network": can_manage and schedule_refusal(case, FAMILY_NETWORK) is None,
    }


def lead_agreed(meeting):
    """The user the meeting agreed should lead, or None."""
    return db.session.get(User, meeting.lead_agreed_id) if meeting.lead_agreed_id else None


def invitee_rows(meeting):
    """What the meeting page shows of each invitee: ``[{participant, who, how, needs, interpreter, attendance,
    apologies_update}]`` (attendance once held)."""
    return [
        {
            "participant": p,
            "who": p.agency_name or gettext("Family"),
            "how": INVITE_METHODS.get(p.invited_how, "Not recorded") if p.invited_how else "Not recorded",
            "needs": p.communication_needs,
            "interpreter": p.interpreter_language,
            "attendance": ATTENDANCE.get(attendance_of(p, meeting)) if meeting.status == "held" else None,
            "apologies_update": p.apologies_update if p.apologies else None,
        }
        for p in meeting.participants
    ]


def leaves_waiting(case, meeting):
    """True when cancelling ``meeting`` leaves the case waiting for a meeting of its kind."""
    return (case.state, meeting.kind) in ((TAF_SCHEDULED, "taf"), (REVIEW_SCHEDULED, "review"))


def recorded_on_review_page(case, meeting):
    """A scheduled review meeting of a case waiting for its review is recorded with the review itself."""
    return meeting.kind == "review" and meeting.status == "scheduled" and case.state == REVIEW_SCHEDULED


def invited_values(meeting):
    """The invitation checkboxes' values for ``meeting``'s participants (for the reschedule form): professionals,
    family, other people on the case."""
    values = [_person(p) for p in meeting.participants]
    return (
        [v.value for v in values if v.kind == "user"],
        [v.value for v in values if v.kind in ("carer", "child")],
        [v.value for v in values if v.kind == "person"],
    )


def attendance_of(participant, meeting):
    """``attended`` / ``apologies`` / ``absent`` once ``meeting`` is held; None before."""
    if participant.attended:
        return "attended"
    if participant.apologies:
        return "apologies"
    return "absent" if meeting.status == "held" else None


def asks_lead(meeting):
    """Whether recording ``meeting`` asks who the meeting agreed should lead (not at a family network meeting)."""
    return meeting.kind != FAMILY_NETWORK


def lead_candidates(case):
    """Who a meeting can agree should lead: the current lead, then the current TAF members who are active
    practitioners of an agency within the family's agreement."""
    from eha.services import lead as lead_service

    members = {m.user_id for m in case.taf_members if m.removed_at is None}
    return [lead_service.current_lead(case)] + [u for u in lead_service.eligible_leads(case) if u.id in members]


def lead_choices(case):
    """``[(user id, label)]`` for "Lead professional agreed at this meeting"; the current lead first."""
    return [
        (str(u.id), f"{u.name}, {u.agency.name}" + (" (the current lead professional)" if n == 0 else ""))
        for n, u in enumerate(lead_candidates(case))
    ]


def record_form_data(meeting):
    """The record form's answers for ``meeting`` as saved (attendance as ``attendance_<participant id>``)."""
    data = {
        "held_on": meeting.held_on,
        "notes": meeting.notes,
        "decisions": meeting.decisions,
        "next_review_on": meeting.next_review_on,
        "next_review_reason": meeting.next_review_reason,
        "version": str(meeting.version_id),
    }
    if (
        meeting.held_on is not None
        and meeting.scheduled_for is not None
        and meeting.held_on != meeting.scheduled_for.date()
    ):
        data["confirm_date"] = ["yes"]  # confirmed when it was first recorded
    for p in meeting.participants:
        data[f"attendance_{p.id}"] = attendance_of(p, meeting)
        data[f"update_{p.id}"] = p.apologies_update
    return data


def invitation_form_data(meeting):
    """The invitations form's answers for ``meeting`` as saved."""
    data = {"version": str(meeting.version_id)}
    for p in meeting.participants:
        data.update(
            {
                f"how_{p.id}": p.invited_how,
                f"needs_{p.id}": p.communication_needs,
                f"interpreter_{p.id}": p.interpreter_language,
            }
        )
    return data


def saved_rows(meeting):
    """``[(label, value)]``: what is saved for ``meeting`` now, for the conflict page."""
    rows = [
        ("Status", meeting.status.capitalize()),
        ("Date and time", format_datetime(meeting.scheduled_for)),
        ("Place", meeting.place or meeting.video_link),
    ]
    if meeting.status == "held":
        rows += [("Held on", format_date(meeting.held_on)), ("Notes", meeting.notes)]
    return rows


# --- checks, made on the page and again under the case lock ---


def schedule_refusal(case, kind):
    """Why a meeting of ``kind`` cannot be scheduled on ``case`` now, or None."""
    if not case.is_open:
        return _l("This case is closed: meetings can no longer be scheduled.")
    if kind == "review" and case.state == REVIEW_SCHEDULED and awaiting_replacement(case) == "review":
        return None
    if kind == FAMILY_NETWORK:
        return _family_network_refusal(case)
    if case.state in SCHEDULING[kind]:
        return None
    if kind == "taf":
        return _l("A TAF meeting can be scheduled once the assessment is complete.")
    if case.state == REVIEW_SCHEDULED:
        return _l("A review meeting is already scheduled: record it on the review page, or cancel it, first.")
    return "A review can be scheduled while the plan is active and no other review is waiting to be recorded."


def _family_network_refusal(case):
    consent = case.current_consent
    if consent is None or consent.withdrawn_on is not None:
        return _l(
            "A family network meeting can be arranged once the family's agreement is recorded (and not withdrawn)."
        )
    if case.state not in SCHEDULING[FAMILY_NETWORK]:
        return _l("A family network meeting can be arranged once the assessment is complete.")
    waiting = sa.select(Meeting.id).where(
        Meeting.assessment_id == case.id, Meeting.kind == FAMILY_NETWORK, Meeting.status == "scheduled"
    )
    if db.session.scalar(waiting.limit(1)) is not None:
        return _l("A family network meeting is already scheduled: record it, or cancel it, before arranging another.")
    return None


def check_schedulable(case, kind):
    refusal = schedule_refusal(case, kind)
    if refusal:
        raise NotAllowed(refusal, detail={"kind": kind})


def schedule_page(case, kind):
    """What the schedule page shows; ``NotAllowed`` when a meeting of ``kind`` cannot be scheduled now."""
    check_schedulable(case, kind)
    return {
        "has_agreement": bool(agreed_agency_ids(case)),
        "fires": SCHEDULE_TRIGGERS.get(kind, (None,))[0] == case.state,
        "replacement": awaiting_replacement(case) == kind,
    }


def check_recordable(case, meeting):
    if not case.is_open:
        raise NotAllowed(_l("This case is closed: meetings can no longer be recorded."), detail={"meeting": meeting.id})
    if meeting.status == "cancelled":
        raise NotAllowed(
            _l("This meeting was cancelled: it cannot be recorded as held."), detail={"meeting": meeting.id}
        )
    if recorded_on_review_page(case, meeting):
        raise NotAllowed(
            _l(
                "Record this review meeting on the review page, with the progress on each action and the family's view."
            ),
            detail={"meeting": meeting.id},
        )


def scheduled_meeting(case, meeting_id, verb):
    """The meeting to reschedule or cancel (``verb``: "rescheduled", "cancelled"): ``NotFound`` when it is not this
    case's, ``NotAllowed`` unless it is still scheduled on an open case."""
    meeting = meeting_of(case, meeting_id)
    if not case.is_open:
        raise NotAllowed(NO_LONGER[verb], detail={"meeting": meeting.id})
    if meeting.status != "scheduled":
        raise NotAllowed(
            NOT_SCHEDULED.get((meeting.status, verb), NOT_SCHEDULED[("cancelled", verb)]),
            detail={"meeting": meeting.id},
        )
    return meeting


def _unchanged_since_opened(case, meeting_id, expected_version, verb):
    """Under the case lock: the scheduled meeting, at the version the user opened (missing counts as stale)."""
    meeting = meeting_of(case, meeting_id)
    if not case.is_open:
        raise NotAllowed(NO_LONGER[verb], detail={"meeting": meeting.id})
    expect_version(expected_version, meeting.version_id)
    if meeting.status != "scheduled":
        raise Conflict(CHANGED)
    return meeting


# --- invitations ---


def _person(participant):
    if participant.user_id:
        return people.user(participant.user_id)
    if participant.carer_id:
        return people.carer(participant.carer_id)
    if participant.person_id:
        return people.person(participant.person_id)
    return people.child(participant.child_id)


def carer_needs(carer):
    """A carer's communication needs from their record: "Prefers Polish; needs an interpreter"."""
    if carer.preferred_language:
        return f"Prefers {carer.preferred_language}" + ("; needs an interpreter" if carer.interpreter_needed else "")
    return "Needs an interpreter" if carer.interpreter_needed else None


def person_needs(person):
    """A case person's communication needs from their record, with the interpreter they need."""
    parts = [person.communication_needs] if person.communication_needs else []
    if person.interpreter_language:
        parts.append(f"Needs an interpreter ({person.interpreter_language})")
    return "; ".join(parts) or None


def _wanted(case, user_ids, family_values, person_values=()):
    """``{PersonRef: participant}`` for those invited who may be: agreed professionals, the family and the people
    on the case now. Communication needs start from the carer's or person's record."""
    chosen = invitable_query(case).where(User.id.in_(list(user_ids)[:500])).options(joinedload(User.agency))
    professionals = {u.id: u for u in db.session.scalars(chosen).unique()} if user_ids else {}
    family = {people.carer(c.id): c for c in case.family.carers} | {people.child(c.id): c for c in case.family.children}
    wanted = {}
    for user_id in user_ids:
        user = professionals.get(user_id)
        if user is not None:
            wanted[people.user(user.id)] = MeetingParticipant(
                user_id=user.id, name=user.name, agency_name=user.agency.name
            )
    for ref in filter(None, map(people.PersonRef.parse, family_values)):
        person = family.get(ref)
        if person is not None:
            needs = carer_needs(person) if ref.kind == "carer" else None
            wanted[ref] = MeetingParticipant(
                name=person.name, communication_needs=needs, **{f"{ref.kind}_id": person.id}
            )
    on_case = {people.person(p.id): p for p in case_people(case)}
    for ref in filter(None, map(people.PersonRef.parse, person_values)):
        person = on_case.get(ref)
        if person is not None:
            wanted[ref] = MeetingParticipant(
                person_id=person.id,
                name=person.name,
                agency_name=person.organisation or person.role,
                communication_needs=person_needs(person),
            )
    return wanted


def _invite(case, meeting, by, user_ids, family_values, person_values=()):
    """Make ``meeting``'s invitations those asked for (that may be), keeping what is saved for those still
    invited; a TAF meeting's new professionals join the TAF."""
    wanted = _wanted(case, user_ids, family_values, person_values)
    present = set()
    for participant in list(meeting.participants):
        ref = _person(participant)
        if ref in wanted:
            present.add(ref)
        else:
            meeting.participants.remove(participant)
    added = [ref for ref in wanted if ref not in present]
    meeting.participants.extend(wanted[ref] for ref in added)
    if meeting.kind == "taf":
        _add_taf_members(case, by, [ref.id for ref in added if ref.kind == "user"])


def _add_taf_members(case, by, user_ids):
    existing = {m.user_id: m for m in case.taf_members}
    for user_id in user_ids:
        member = existing.get(user_id)
        if member is None:
            case.taf_members.append(TafMember(user_id=user_id, added_by_id=by.id))
        elif member.removed_at is not None:
            member.removed_at = member.removed_reason = member.removed_by_id = None


# --- the actions ---


@case_action
def schedule(
    case, by, *, kind, scheduled_for: datetime, place, video_link, user_ids, family_ids, person_ids=(), agenda=None
):
    """Schedule a meeting of ``kind`` with its invitations; from the state it belongs to, move the case on (a
    family network meeting never does)."""
    check_schedulable(case, kind)
    meeting = Meeting(
        assessment_id=case.id,
        kind=kind,
        status="scheduled",
        scheduled_for=scheduled_for,
        place=place or None,
        video_link=video_link or None,
        agenda=agenda or None,
        created_by_id=by.id,
    )
    db.session.add(meeting)
    _invite(case, meeting, by, user_ids, family_ids, person_ids)
    db.session.flush()
    audit.record(
        "meeting_scheduled",
        assessment=case,
        user=by,
        detail={
            "meeting": meeting.id,
            "kind": kind,
            "when": _iso(meeting.scheduled_for),  # the timeline's sentence, in the reader's language
            "text": f"Scheduled a {MEETING_KINDS[kind].lower()} for {format_datetime(meeting.scheduled_for)}",
        },
    )
    from_state, trigger = SCHEDULE_TRIGGERS.get(kind, (None, None))
    if case.state == from_state:
        engine.fire(case, trigger, by, meeting=meeting)
    notification_events.meeting_invitations(meeting)
    return meeting


@case_action
def reschedule(
    case,
    meeting_id,
    by,
    *,
    expected_version,
    scheduled_for,
    place,
    video_link,
    user_ids,
    family_ids,
    person_ids=(),
    agenda=None,
):
    """Move a scheduled meeting and change who is invited. Professionals no longer within the family's agreement
    (and people taken off the case) drop off the invitation; those still invited keep how they were invited and
    their needs; newly invited professionals at a TAF meeting join the TAF."""
    meeting = _unchanged_since_opened(case, meeting_id, expected_version, "rescheduled")
    meeting.scheduled_for = scheduled_for
    meeting.place = place or None
    meeting.video_link = video_link or None
    meeting.agenda = agenda or None
    _invite(case, meeting, by, user_ids, family_ids, person_ids)
    db.session.flush()
    audit.record(
        "meeting_scheduled",
        assessment=case,
        user=by,
        detail={
            "meeting": meeting.id,
            "kind": meeting.kind,
            "rescheduled": True,
            "when": _iso(meeting.scheduled_for),
            "text": f"Rescheduled the {meeting.kind_label.lower()} to {format_datetime(meeting.scheduled_for)}",
        },
    )
    notification_events.meeting_changed(meeting)
    return meeting


@case_action
def cancel(case, meeting_id, by, *, expected_version, reason):
    """Cancel a scheduled meeting; the reason is kept in the meeting's notes."""
    meeting = _unchanged_since_opened(case, meeting_id, expected_version, "cancelled")
    meeting.status = "cancelled"
    meeting.notes = f"Cancelled: {reason}"
    meeting.recorded_by_id = by.id
    db.session.flush()
    audit.record(
        "meeting_scheduled",
        assessment=case,
        user=by,
        detail={
            "meeting": meeting.id,
            "kind": meeting.kind,
            "cancelled": True,
            "when": _iso(meeting.scheduled_for),
            "text": f"Cancelled the {meeting.kind_label.lower()} of {format_datetime(meeting.scheduled_for)}",
        },
    )
    notification_events.meeting_cancelled(meeting)
    return meeting


def mark_held(
    meeting, by, *, held_on, attendance, notes, decisions, next_review_on, updates=None, next_review_reason=None
):
    """Write ``meeting`` as held (no checks: the caller's action makes them). ``attendance`` maps participant id to
    attended/apologies/absent; ``updates`` participant id to the written update sent with apologies (None: keep
    what is saved)."""
    meeting.status = "held"
    meeting.held_on = held_on
    meeting.notes = notes or None
    meeting.decisions = decisions or None
    meeting.next_review_on = next_review_on
    meeting.next_review_reason = (next_review_reason or None) if next_review_on else None
    meeting.recorded_by_id = by.id
    for participant in meeting.participants:
        status = attendance.get(participant.id)
        participant.attended = status == "attended"
        participant.apologies = status == "apologies"
        if updates is not None:
            participant.apologies_update = (updates.get(participant.id) or None) if participant.apologies else None
    db.session.flush()
    return meeting


def record_meeting(
    meeting,
    by,
    *,
    expected_version,
    held_on,
    attendance,
    notes,
    decisions,
    next_review_on,
    updates=None,
    next_review_reason=None,
):
    """For the review page (``eha.services.reviews``), inside its own transaction: check the version it was given,
    then ``mark_held`` (with the updates sent with apologies). Meetings pages use ``record``; both then call
    ``agree_lead``."""
    if expected_version is not None and expected_version != meeting.version_id:
        raise plan_service.StaleEdit()
    return mark_held(
        meeting,
        by,
        held_on=held_on,
        attendance=attendance,
        notes=notes,
        decisions=decisions,
        next_review_on=next_review_on,
        updates=updates,
        next_review_reason=next_review_reason,
    )


@case_action
def record(
    case,
    meeting_id,
    by,
    *,
    expected_version,
    held_on,
    attendance,
    notes,
    decisions,
    next_review_on,
    updates=None,
    lead_agreed_id=None,
    next_review_reason=None,
):
    """Record a meeting as held (or change its record), at the version the user opened. ``lead_agreed_id``: who
    the meeting agreed should lead (None: the current lead); someone else takes over the case in this same
    transaction, the old lead staying in the TAF."""
    meeting = meeting_of(case, meeting_id)
    check_recordable(case, meeting)
    expect_version(expected_version, meeting.version_id)
    mark_held(
        meeting,
        by,
        held_on=held_on,
        attendance=attendance,
        notes=notes,
        decisions=decisions,
        next_review_on=next_review_on,
        updates=updates,
        next_review_reason=next_review_reason,
    )
    audit.record(
        "meeting_recorded",
        assessment=case,
        user=by,
        detail={
            "meeting": meeting.id,
            "kind": meeting.kind,
            "held_on": _iso(held_on),
            "text": f"Recorded the {meeting.kind_label.lower()} held on {format_date(held_on)}",
        },
    )
    if asks_lead(meeting):
        agree_lead(case, meeting, by, lead_agreed_id)
    refresh_due(case)
    return meeting


def agree_lead(case, meeting, by, lead_agreed_id):
    """Note who the meeting (held, ``meeting.held_on`` set) agreed should lead; hand the case to them when it is
    someone else, in the caller's transaction, the old lead staying in the TAF, with the reason "Agreed at the
    <kind of meeting> on <date>" (``Invalid`` on ``lead_agreed`` when they may not lead it, on ``held_on`` when the
    handover cannot have that date)."""
    from eha.services import lead as lead_service

    current = lead_service.current_lead(case)
    if lead_agreed_id is None or lead_agreed_id == current.id:
        meeting.lead_agreed_id = current.id
        return
    if lead_agreed_id not in {u.id for u in lead_candidates(case)}:
        raise Invalid(
            _l("Select the lead professional from the current lead and the members of the Team Around the Family"),
            field="lead_agreed",
            detail={"to": lead_agreed_id},
        )
    reason = f"Agreed at the {meeting.kind_label.lower()} on {format_date(meeting.held_on)}"
    try:
        lead_service.change_lead(
            case, by, lead_agreed_id, reason, meeting.held_on, True, expected_version=case.version_id
        )
    except Invalid as error:  # a date the handover cannot have: say so on the held date
        raise Invalid(error.message, field="held_on" if error.field == "handed_over_on" else "lead_agreed") from error
    meeting.lead_agreed_id = lead_agreed_id
    db.session.flush()


@case_action
def update_invitations(case, meeting_id, by, *, expected_version, details):
    """Say how each invitee was invited, their communication needs and the interpreter booked for them.
    ``details`` maps participant id to ``(invited_how, communication_needs, interpreter_language)``."""
    meeting = meeting_of(case, meeting_id)
    check_invitations_open(case, meeting)
    expect_version(expected_version, meeting.version_id)
    for participant in meeting.participants:
        if participant.id in details:
            how, needs, interpreter = details[participant.id]
            participant.invited_how = how or None
            participant.communication_needs = needs or None
            participant.interpreter_language = interpreter or None
    flag_modified(meeting, "agenda")  # the participants changed: the meeting's version moves on with them
    db.session.flush()
    audit.record(
        "meeting_scheduled",
        assessment=case,
        user=by,
        detail={
            "meeting": meeting.id,
            "kind": meeting.kind,
            "invitations": True,
            "when": _iso(meeting.scheduled_for),
            "interpreters": sum(1 for p in meeting.participants if p.interpreter_language),
            "text": f"Updated the invitations to the {meeting.kind_label.lower()} "
            f"of {format_datetime(meeting.scheduled_for)}",
        },
    )
    return meeting


def check_invitations_open(case, meeting):
    """The invitations of a meeting can change while the case is open and the meeting is not cancelled."""
    if not case.is_open:
        raise NotAllowed(_l("This case is closed: meetings can no longer change."), detail={"meeting": meeting.id})
    if meeting.status == "cancelled":
        raise NotAllowed(
            _l("This meeting was cancelled: its invitations can no longer change."), detail={"meeting": meeting.id}
        )


# --- the Team Around the Family ---


def team(case):
    """The TAF: ``[{member, user, agency, within_agreement, open_actions}]``, current members first, by name."""
    agreed = agreed_agency_ids(case)
    members = (
        db.session.scalars(
            sa.select(TafMember)
            .where(TafMember.assessment_id == case.id)
            .options(selectinload(TafMember.user).joinedload(User.agency), selectinload(TafMember.removed_by))
        )
        .unique()
        .all()
    )
    owned = open_actions_by_owner(case)
    rows = [
        {
            "member": m,
            "user": m.user,
            "agency": m.user.agency,
            "within_agreement": m.user.agency_id in agreed,
            "open_actions": owned.get(m.user_id, 0),
        }
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
        sa.select(TafMember)
        .where(TafMember.assessment_id == case.id, TafMember.user_id == user_id, TafMember.removed_at.is_(None))
        .execution_options(populate_existing=True)
    )


def member_to_remove(case, user_id):
    """The current member ``user_id`` and how many open actions they own; ``NotFound`` when not in the team."""
    member = current_member(case, user_id) if isinstance(user_id, int) else None
    if member is None:
        raise NotFound(_l("They are not in the Team Around the Family."), detail={"user": user_id})
    return member, open_actions_by_owner(case).get(member.user_id, 0)


def removal_page(case, user, raw_user_id):
    """For the team page's ``?remove=<user id>``: the member to remove, if ``user`` may change the team."""
    if not (access.can_manage(user, case) and case.is_open):
        raise NotPermitted(_l("Only the lead professional or a manager can change the team of an open case."))
    user_id = int(raw_user_id) if raw_user_id.isascii() and raw_user_id.isdigit() and len(raw_user_id) < 10 else None
    return member_to_remove(case, user_id)


@case_action
def remove_member(case, user_id, by, *, reason):
    """Take a professional off the TAF, with why: they lose sight of the case on their next request. Their actions
    stay, to be given a new owner in the plan."""
    if not case.is_open:
        raise NotAllowed(_l("This case is closed: the team can no longer change."), detail={"user": user_id})
    member, _owned = member_to_remove(case, user_id)
    member.removed_at = utcnow()
    member.removed_reason = reason
    member.removed_by_id = by.id
    db.session.flush()
    audit.record(
        "taf_member_removed",
        assessment=case,
        user=by,
        detail={
            "user": user_id,
            "reason_given": bool(reason),
            "agency": member.user.agency_id,
            "text": "Removed a member from the Team Around the Family",
        },
    )
    return member


def removed_member_ids(case):
    """Users taken off this case's TAF (their open actions need a new owner)."""
    return set(
        db.session.scalars(
            sa.select(TafMember.user_id).where(TafMember.assessment_id == case.id, TafMember.removed_at.is_not(None))
        )
    )
