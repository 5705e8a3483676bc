"""Building meetings and actions with the real services, and queueing their messages as the services will."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from icalendar import Calendar

from eha.extensions import db
from eha.models.assessments import CasePerson
from eha.models.meetings import MeetingParticipant
from eha.models.notifications import Notification
from eha.notifications import events
from eha.services import meetings as meeting_service
from eha.transaction import committing
from tests.plans import helpers as plan_helpers

FAMILY_NAMES = ("Nowak", "Zofia", "Agnieszka")


def when(days=7, hour=14):
    return datetime.combine(date.today() + timedelta(days=days), time(hour, 30))


def schedule(case, lead, invite, *, family=True, days=7):
    """``meeting_service.schedule`` and, in its transaction, ``events.meeting_invitations`` (the one-line hook)."""
    carers = [f"carer:{c.id}" for c in case.family.carers] if family else []
    with committing():
        meeting = meeting_service.schedule(
            case,
            lead,
            kind="taf",
            scheduled_for=when(days),
            place="Family Hub, Mill Lane",
            video_link="",
            user_ids=[u.id for u in invite],
            family_ids=carers,
        )
        events.meeting_invitations(meeting)
    return meeting


def reschedule(case, meeting, lead, invite, *, days=14):
    with committing():
        meeting = meeting_service.reschedule(
            case,
            meeting.id,
            lead,
            expected_version=meeting.version_id,
            scheduled_for=when(days, hour=10),
            place="Family Hub, Mill Lane",
            video_link="",
            user_ids=[u.id for u in invite],
            family_ids=[],
        )
        events.meeting_changed(meeting)
    return meeting


def cancel(case, meeting, lead):
    with committing():
        meeting = meeting_service.cancel(
            case, meeting.id, lead, expected_version=meeting.version_id, reason="The family asked to move it"
        )
        events.meeting_cancelled(meeting)
    return meeting


def grandmother_invited(case, meeting, lead):
    """A person without an account on the case, invited to ``meeting``. (The pages for this are another change's:
    here the rows are written as that service will.)"""
    person = CasePerson(
        assessment_id=case.id,
        kind="network",
        name="Halina Nowak",
        role="Maternal grandmother",
        email="halina@example.org",
        added_by_id=lead.id,
    )
    db.session.add(person)
    db.session.flush()
    meeting.participants.append(MeetingParticipant(person_id=person.id, name=person.name))
    db.session.commit()
    return person


def rows(kind=None):
    select = sa.select(Notification).order_by(Notification.id)
    if kind:
        select = select.where(Notification.kind == kind)
    return db.session.scalars(select).all()


def calendar_of(row):
    return Calendar.from_ical(row.calendar)


def event_of(row):
    [event] = calendar_of(row).walk("VEVENT")
    return event


assessed_case = plan_helpers.assessed_case
