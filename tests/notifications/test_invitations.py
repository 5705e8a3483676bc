"""Invitations to TAF meetings: an outbox row per invitee with an email, an iCalendar REQUEST, updates with a
raised SEQUENCE, a CANCEL; written in the meeting's own transaction and never twice."""

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.notifications import Notification
from eha.notifications import events, outbox
from eha.transaction import committing
from tests.notifications import helpers


def test_scheduling_queues_an_invitation_to_each_invitee_with_an_email(app, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    meeting = helpers.schedule(case, lead, [nurse])
    [row] = helpers.rows("invitation")
    assert (row.address, row.recipient_user_id, row.case_ref, row.status) == (nurse.email, nurse.id, case.ref, "queued")
    assert row.subject == f"Invitation: team around the family meeting for {case.ref}"
    assert f"/assessments/{case.ref}/meetings/{meeting.id}" in row.body
    # The carer has no email on record and the lead is the organiser: nobody else is written to.
    assert len(helpers.rows()) == 1


def test_the_invitation_is_an_icalendar_request_with_organiser_and_attendees(app, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    meeting = helpers.schedule(case, lead, [nurse])
    person = helpers.grandmother_invited(case, meeting, lead)
    db.session.execute(sa.delete(Notification))
    events.meeting_invitations(meeting)
    db.session.commit()
    invitations = helpers.rows("invitation")
    assert {r.address for r in invitations} == {nurse.email, person.email}
    calendar = helpers.calendar_of(invitations[0])
    event = helpers.event_of(invitations[0])
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"eha-meeting-{meeting.id}@northshire.example.gov.uk"
    assert str(event["ORGANIZER"]) == f"mailto:{lead.email}"
    assert {str(a) for a in event.get("ATTENDEE")} == {f"mailto:{nurse.email}", f"mailto:{person.email}"}
    assert event.decoded("DTSTART").replace(tzinfo=None) == meeting.scheduled_for
    assert str(event.decoded("DTSTART").tzinfo) == "Europe/London"
    assert (event.decoded("DTEND") - event.decoded("DTSTART")).total_seconds() == 3600
    assert int(event["SEQUENCE"]) == 0 and str(event["SUMMARY"]) == f"TAF meeting {case.ref}"
    assert calendar.walk("VTIMEZONE"), "Outlook needs the time zone described"


def test_no_family_name_or_place_is_in_any_message(app, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    meeting = helpers.schedule(case, lead, [nurse])
    helpers.grandmother_invited(case, meeting, lead)
    events.meeting_invitations(meeting)
    helpers.reschedule(case, meeting, lead, [nurse])
    db.session.commit()
    for row in helpers.rows():
        text = row.subject + row.body + (row.calendar or "")
        assert not any(name in text for name in (*helpers.FAMILY_NAMES, "Halina", "Mill Lane")), row.key


def test_rescheduling_sends_an_update_with_the_same_uid_and_a_higher_sequence(app, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    meeting = helpers.schedule(case, lead, [nurse])
    first = helpers.event_of(helpers.rows("invitation")[0])
    meeting = helpers.reschedule(case, meeting, lead, [nurse])
    [update] = helpers.rows("invitation_update")
    event = helpers.event_of(update)
    assert str(helpers.calendar_of(update)["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == str(first["UID"])
    assert int(event["SEQUENCE"]) > int(first["SEQUENCE"])
    assert event.decoded("DTSTART").replace(tzinfo=None) == meeting.scheduled_for
    assert update.subject.startswith("Changed:") and "It is now" in update.body


def test_someone_taken_off_the_invitation_is_sent_a_cancellation(app, lead, nurse, health):
    from tests import factories

    second = factories.user(agency=health, name="Sam Second", email="sam.second@health.example.org")
    case = helpers.assessed_case(lead, [health])
    meeting = helpers.schedule(case, lead, [nurse, second])
    helpers.reschedule(case, meeting, lead, [nurse])
    [cancel] = helpers.rows("invitation_cancel")
    assert cancel.address == second.email
    assert str(helpers.calendar_of(cancel)["METHOD"]) == "CANCEL"
    assert [r.address for r in helpers.rows("invitation_update")] == [nurse.email]


def test_cancelling_sends_method_cancel_to_everyone_invited(app, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    meeting = helpers.schedule(case, lead, [nurse])
    uid = str(helpers.event_of(helpers.rows("invitation")[0])["UID"])
    helpers.cancel(case, meeting, lead)
    [row] = helpers.rows("invitation_cancel")
    event = helpers.event_of(row)
    assert str(helpers.calendar_of(row)["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) >= 1
    assert row.subject.startswith("Cancelled:")


def test_queueing_the_same_event_twice_adds_nothing(app, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    meeting = helpers.schedule(case, lead, [nurse])
    assert events.meeting_invitations(meeting) == 0
    db.session.commit()
    assert len(helpers.rows()) == 1
    added = outbox.enqueue("same-key", "action_owned", address="a@example.org", subject="S", body="B")
    again = outbox.enqueue("same-key", "action_owned", address="b@example.org", subject="S2", body="B2")
    db.session.commit()
    assert (added, again) == (True, False)
    [row] = db.session.scalars(sa.select(Notification).where(Notification.key == "same-key")).all()
    assert row.address == "a@example.org"


def test_a_rolled_back_change_queues_nothing(app, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    with pytest.raises(RuntimeError), committing():
        outbox.enqueue("doomed", "action_owned", case=case, address="a@example.org", subject="S", body="B")
        raise RuntimeError("the change failed after the message was queued")
    assert helpers.rows() == []


def test_an_address_that_cannot_receive_mail_is_not_queued(app):
    assert not outbox.enqueue("bad", "action_owned", address="not an address", subject="S", body="B")
    assert not outbox.enqueue("none", "action_owned", address=None, subject="S", body="B")
    assert helpers.rows() == []
