"""Each email in its reader's language (issue 18): a user who chose Welsh is written to in Welsh, everyone else
(and people without an account) in English; the words are fixed when the message is queued."""

import sqlalchemy as sa

from eha.extensions import db
from eha.formatting import format_datetime
from eha.models.notifications import Notification
from eha.notifications import digests, events
from eha.workflow.timescales import add_working_days
from tests import mailbox
from tests.notifications import helpers
from tests.notifications.test_digests import ACTION_DUE, _digest_for, _working_day_on_or_after, active_case  # noqa: F401


def _welsh(user):
    user.language = "cy"
    db.session.commit()


def test_an_invitation_is_in_welsh_for_a_welsh_reader_and_english_for_the_others(app, lead, nurse, health):
    _welsh(nurse)
    case = helpers.assessed_case(lead, [health])
    meeting = helpers.schedule(case, lead, [nurse])
    person = helpers.grandmother_invited(case, meeting, lead)
    db.session.execute(sa.delete(Notification))
    events.meeting_invitations(meeting)
    db.session.commit()
    by_address = {row.address: row for row in helpers.rows("invitation")}

    welsh = by_address[nurse.email]
    assert welsh.subject == f"Gwahoddiad: cyfarfod tîm o amgylch y teulu ar gyfer {case.ref}"
    assert format_datetime(meeting.scheduled_for, language="cy") in welsh.body
    assert "Nid yw’r e-bost hwn yn cynnwys unrhyw fanylion am y teulu" in welsh.body
    assert str(helpers.event_of(welsh)["SUMMARY"]) == f"Cyfarfod TAF {case.ref}"

    english = by_address[person.email]
    assert english.subject == f"Invitation: team around the family meeting for {case.ref}"
    assert "This email does not include any details of the family" in english.body
    assert str(helpers.event_of(english)["SUMMARY"]) == f"TAF meeting {case.ref}"


def test_the_daily_digest_is_in_the_readers_language(app, active_case, lead, nurse):  # noqa: F811
    _welsh(nurse)
    day = _working_day_on_or_after(add_working_days(ACTION_DUE, -3))
    digests.queue_digests(day, weekly=False)
    db.session.commit()
    [for_nurse] = _digest_for(nurse)
    [for_lead] = _digest_for(lead)
    assert for_nurse.subject.startswith("Cymorth cynnar: 0 yn hwyr, 2 i’w gwneud yn fuan")
    assert "Cam gweithredu sy’n eiddo i chi" in for_nurse.body
    assert for_lead.subject.startswith("Early help: 0 overdue, 1 due soon")


def test_a_password_reset_email_is_in_welsh_for_a_welsh_user(app, client, practitioner, mail_dir):
    _welsh(practitioner)
    client.post("/account/reset-password", data={"email": practitioner.email})
    [message] = mailbox.messages(mail_dir)
    assert message["Subject"].startswith("Ailosod eich cyfrinair")
    body = mailbox.body(message)
    assert "yn dod i ben ymhen 60 munud" in body and mailbox.link_in(message)
