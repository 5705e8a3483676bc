"""The events that send messages: each function queues its messages in the caller's transaction.

The services call these as the last step of the change (see the README for where): a meeting scheduled,
rescheduled or cancelled; an action given a new owner; the family withdrawing agreement; a subject access request
opened on a case. Each message's key names the event and the recipient, so calling one twice for the same event
queues nothing more.
"""

from types import SimpleNamespace

import sqlalchemy as sa

from eha import access, people
from eha.extensions import db
from eha.models.assessments import Assessment, TafMember
from eha.models.meetings import Meeting
from eha.models.notifications import Notification
from eha.models.users import User
from eha.notifications import ical, messages, settings
from eha.notifications.outbox import enqueue, usable_address

INVITE = "invitation"
UPDATE = "invitation_update"
CANCEL = "invitation_cancel"
INVITATION_KINDS = (INVITE, UPDATE)


def _domain():
    return settings.current().sender_domain or "eha.invalid"


def _invitees(meeting):
    """``[(PersonRef, email)]``: the invited professionals and people without an account who have an email."""
    found = []
    for participant in meeting.participants:
        if participant.user_id and participant.user is not None and participant.user.active:
            found.append((people.user(participant.user_id), participant.user.email))
        elif participant.person_id and participant.person is not None and participant.person.is_current:
            found.append((people.person(participant.person_id), participant.person.email))
    return [(ref, address) for ref, address in found if usable_address(address)]


def _organiser(case, meeting):
    user = case.lead or db.session.get(User, meeting.created_by_id)
    return (user.email, user.name)


def _columns(ref):
    return {"user_id": ref.id} if ref.kind == "user" else {"person_id": ref.id}


def _earlier_recipients(meeting):
    """Who was sent an invitation or an update to ``meeting`` before: ``{PersonRef: address}``."""
    rows = db.session.execute(
        sa.select(Notification.recipient_user_id, Notification.recipient_person_id, Notification.address).where(
            Notification.kind.in_(INVITATION_KINDS),
            sa.or_(*(Notification.key.like(f"{kind}:{meeting.id}:%") for kind in INVITATION_KINDS)),
        )
    )
    return {
        (people.user(user_id) if user_id else people.person(person_id)): address
        for user_id, person_id, address in rows
        if user_id or person_id
    }


def _languages(recipients):
    """``{PersonRef: language}``: each account holder's own choice; people without an account get English."""
    user_ids = [ref.id for ref, _address in recipients if ref.kind == "user"]
    chosen = (
        dict(db.session.execute(sa.select(User.id, User.language).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    return {
        ref: messages.language_of(SimpleNamespace(language=chosen.get(ref.id))) if ref.kind == "user" else "en"
        for ref, _address in recipients
    }


def _queue(meeting, case, change, recipients, attendees):
    method = "CANCEL" if change == CANCEL else "REQUEST"
    languages = _languages(recipients)
    written = {}  # language -> (message, calendar): each written once
    queued = 0
    for ref, address in recipients:
        language = languages[ref]
        if language not in written:
            message = messages.invitation(meeting, case.ref, change, language)
            calendar = ical.meeting_calendar(
                meeting,
                method=method,
                case_ref=case.ref,
                sequence=meeting.version_id - 1,
                organiser=_organiser(case, meeting),
                attendees=attendees,
                link=message.link,
                domain=_domain(),
                language=language,
            )
            written[language] = (message, calendar)
        message, calendar = written[language]
        queued += enqueue(
            f"{change}:{meeting.id}:v{meeting.version_id}:{ref}",
            change,
            address=address,
            subject=message.subject,
            body=message.body,
            case=case,
            calendar=calendar,
            **_columns(ref),
        )
    return queued


def meeting_invitations(meeting):
    """Queue the invitations to a meeting just scheduled (``meeting_service.schedule``); returns how many."""
    db.session.flush()
    case = db.session.get(Assessment, meeting.assessment_id)
    invitees = _invitees(meeting)
    return _queue(meeting, case, INVITE, invitees, [address for _ref, address in invitees])


def meeting_changed(meeting):
    """Queue updates (same UID, higher SEQUENCE) after ``meeting_service.reschedule``: invitees new to the meeting
    get it as their invitation, and anyone no longer invited gets a cancellation."""
    db.session.flush()
    case = db.session.get(Assessment, meeting.assessment_id)
    invitees = _invitees(meeting)
    earlier = _earlier_recipients(meeting)
    current = {ref for ref, _address in invitees}
    dropped = [(ref, address) for ref, address in earlier.items() if ref not in current]
    attendees = [address for _ref, address in invitees]
    told = [(ref, address) for ref, address in invitees if ref in earlier]
    new = [(ref, address) for ref, address in invitees if ref not in earlier]
    return (
        _queue(meeting, case, UPDATE, told, attendees)
        + _queue(meeting, case, INVITE, new, attendees)
        + _queue(meeting, case, CANCEL, dropped, attendees)
    )


def meeting_cancelled(meeting):
    """Queue a METHOD:CANCEL to everyone invited (and everyone told before) after ``meeting_service.cancel``."""
    db.session.flush()
    case = db.session.get(Assessment, meeting.assessment_id)
    recipients = dict(_earlier_recipients(meeting)) | dict(_invitees(meeting))
    return _queue(meeting, case, CANCEL, list(recipients.items()), list(recipients.values()))


def action_owned(case, action, by):
    """Tell an action's owner, when they have an account and are not the one who wrote it, that they own it."""
    if not action.owner_user_id or action.owner_user_id == by.id:
        return False
    owner = db.session.get(User, action.owner_user_id)
    if owner is None or not owner.active:
        return False
    message = messages.action_owned(case.ref, action.due_on, messages.language_of(owner))
    return enqueue(
        f"action_owned:{action.key}:{people.user(owner.id)}",
        "action_owned",
        address=owner.email,
        subject=message.subject,
        body=message.body,
        case=case,
        user_id=owner.id,
    )


def access_ended(case, consent):
    """After the family withdrew ``consent``: tell each TAF member who can no longer see the case."""
    db.session.flush()
    members = db.session.scalars(
        sa.select(TafMember).where(TafMember.assessment_id == case.id, TafMember.removed_at.is_(None))
    ).all()
    queued = 0
    for member in members:
        user = member.user
        if not user.active or access.can_see(user, case):
            continue
        message = messages.access_ended(case.ref, messages.language_of(user))
        queued += enqueue(
            f"access_ended:{consent.id}:{people.user(user.id)}",
            "access_ended",
            address=user.email,
            subject=message.subject,
            body=message.body,
            case=case,
            user_id=user.id,
        )
    return queued


def subject_access_opened(sar, cases):
    """Tell the lead professional of each case a subject access request covers, once per request and case."""
    queued = 0
    for case in cases:
        lead = case.lead
        if lead is None or not lead.active:
            continue
        message = messages.subject_access(case.ref, messages.language_of(lead))
        queued += enqueue(
            f"subject_access:{sar.id}:{case.id}:{people.user(lead.id)}",
            "subject_access",
            address=lead.email,
            subject=message.subject,
            body=message.body,
            case=case,
            user_id=lead.id,
        )
    return queued


def invite_to_scheduled_meetings(cases):
    """Queue the invitations of the scheduled meetings of ``cases`` (``flask demo``); nothing twice."""
    ids = [case.id for case in cases]
    meetings = db.session.scalars(
        sa.select(Meeting).where(Meeting.assessment_id.in_(ids), Meeting.status == "scheduled").order_by(Meeting.id)
    ).all()
    return sum(meeting_invitations(meeting) for meeting in meetings)
