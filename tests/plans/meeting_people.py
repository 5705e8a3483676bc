"""Set-up shared by the TAF meeting tests: people on a case without an account, and a scheduled TAF meeting
reached through the schedule page.

People on the case are added by another page (the case people pages); these tests only need them to exist, so
``case_person`` writes the row as that page would. Everything the meetings pages own is done through them.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import CasePerson
from eha.models.choices import MEETING_KINDS
from eha.models.meetings import Meeting
from tests.plans import helpers


def case_person(case, by, name, *, kind="network", role="Maternal grandmother", removed=False, **fields):
    """A person on ``case`` without an account (test set-up of data the case people pages own)."""
    person = CasePerson(assessment_id=case.id, kind=kind, name=name, role=role, added_by_id=by.id, **fields)
    if removed:
        person.removed_at = datetime.now()
    db.session.add(person)
    db.session.commit()
    return person


def parts(value):
    return [str(value.day), str(value.month), str(value.year)]


def schedule_data(when=None, *, invite=(), family=(), others=(), agenda=""):
    when = when or date.today() + timedelta(days=7)
    return {
        "date": parts(when),
        "time": "14:30",
        "place": "Northtown Family Hub",
        "video_link": "",
        "professionals": [f"user:{u.id}" for u in invite],
        "family": list(family),
        "people": list(others),
        "agenda": agenda,
    }


def latest_meeting(case):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Meeting).where(Meeting.assessment_id == case.id).order_by(Meeting.id.desc()).limit(1)
    )


def schedule(client_request, case, *, kind="taf", **data):
    """Schedule a meeting of ``kind`` on the schedule page; the meeting saved."""
    page = client_request.post(f"/assessments/{case.ref}/meetings/new?kind={kind}", data=schedule_data(**data))
    assert f"{MEETING_KINDS[kind]} scheduled" in client_request.get(page.location).text
    return latest_meeting(case)


def taf_case_with_grandmother(client_request, signed_in, lead, nurse, health, *, when=None, agenda=""):
    """An assessed case with a grandmother on it; the lead schedules the TAF meeting inviting the nurse, the
    mother and the grandmother."""
    case = helpers.assessed_case(lead, [health])
    grandmother = case_person(case, lead, "Maria Nowak", communication_needs="Hard of hearing: a hearing loop")
    signed_in(lead)
    carer = case.family.carers[0]
    meeting = schedule(
        client_request,
        case,
        when=when or date.today(),
        invite=[nurse],
        family=[f"carer:{carer.id}"],
        others=[f"person:{grandmother.id}"],
        agenda=agenda,
    )
    return helpers.reload(case), meeting, grandmother


def participant(meeting, name):
    return next(p for p in meeting.participants if p.name == name)


def record_data(meeting, *, attendance=None, held_on=None, **extra):
    """The record form's answers: everyone attended unless ``attendance`` ({name: status}) says otherwise."""
    attendance = attendance or {}
    data = {
        "held_on": parts(held_on or date.today()),
        "next_review_on": parts(date.today() + timedelta(days=28)),
        "notes": "We agreed the plan's first steps",
        "version": str(meeting.version_id),
    }
    for p in meeting.participants:
        data[f"attendance_{p.id}"] = attendance.get(p.name, "attended")
    data.update(extra)
    return data
