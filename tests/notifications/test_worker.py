"""The worker: what arrives at a real SMTP server, retries with backoff, failure after the last try, a worker
killed mid-send, and two workers at once."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.base import utcnow
from eha.models.notifications import Notification
from eha.notifications import channels, outbox, worker
from tests.conftest import POSTGRES_URL
from tests.notifications import helpers
from tests.notifications.conftest import free_port


def _queue(n, prefix="m"):
    for i in range(n):
        outbox.enqueue(
            f"{prefix}:{i}", "action_owned", address=f"person{i}@example.org", subject=f"S{i}", body=f"Body {i}\n"
        )
    db.session.commit()


def _statuses():
    db.session.expire_all()
    return {row.key: row.status for row in helpers.rows()}


def test_an_invitation_arrives_with_a_plain_text_part_and_a_calendar_invitation(app, smtp, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    meeting = helpers.schedule(case, lead, [nurse])
    outcome = worker.deliver_due()
    assert (outcome.sent, outcome.failed) == (1, 0)
    [message] = smtp.messages
    assert smtp.envelopes[0].rcpt_tos == [nurse.email] and message["Subject"].startswith("Invitation:")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert case.ref in text and f"https://earlyhelp.northshire.example.gov.uk/assessments/{case.ref}/meetings/" in text
    [calendar_part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"
    [attachment] = [p for p in message.iter_attachments() if p.get_filename() == "invite.ics"]
    from icalendar import Calendar

    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert str(event["UID"]).startswith(f"eha-meeting-{meeting.id}@")
    [row] = helpers.rows()
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1


def test_an_unreachable_server_leaves_the_message_queued_with_backoff_then_failed(app):
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=free_port(),
        MAIL_USE_TLS=False,
        EHA_NOTIFICATIONS_CHANNEL="smtp",
        EHA_NOTIFICATIONS_MAX_ATTEMPTS=3,
        EHA_NOTIFICATIONS_RETRY_SECONDS=60,
    )
    _queue(1)
    start = utcnow()
    assert worker.deliver_due(now=start).retrying == 1
    [row] = helpers.rows()
    assert row.status == "queued" and "cannot reach the mail server" in row.last_error
    assert row.next_attempt_at == start + timedelta(seconds=60)
    assert worker.deliver_due(now=start + timedelta(seconds=30)).claimed == 0  # not due yet
    second = start + timedelta(seconds=61)
    assert worker.deliver_due(now=second).retrying == 1
    db.session.expire_all()
    assert helpers.rows()[0].next_attempt_at == second + timedelta(seconds=120)  # doubled
    assert worker.deliver_due(now=second + timedelta(seconds=121)).failed == 1
    db.session.expire_all()
    [row] = helpers.rows()
    assert (row.status, row.attempts) == ("failed", 3) and "cannot reach" in row.last_error
    assert worker.deliver_due(now=second + timedelta(days=1)).claimed == 0


def test_a_message_queued_while_the_server_is_down_arrives_when_it_is_back(app, smtp):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    _queue(1)
    start = utcnow()
    worker.deliver_due(now=start)
    assert smtp.envelopes == []
    app.config["MAIL_PORT"] = port
    assert worker.deliver_due(now=start + timedelta(minutes=2)).sent == 1
    assert len(smtp.envelopes) == 1 and _statuses() == {"m:0": "sent"}


class _KilledAfter:
    """A channel whose worker is killed (an exception nothing catches) just after handing over message ``n``."""

    def __init__(self, n):
        self.inner, self.n, self.count = channels.SmtpChannel(), n, 0

    def send(self, notification):
        self.inner.send(notification)
        self.count += 1
        if self.count == self.n:
            raise KeyboardInterrupt("worker killed")

    def close(self):
        self.inner.close()


def test_a_worker_killed_mid_send_resends_only_that_message_after_the_lease(app, smtp):
    app.config["EHA_NOTIFICATIONS_LEASE_SECONDS"] = 300
    _queue(3)
    start = utcnow()
    with pytest.raises(KeyboardInterrupt):
        worker.deliver_due(now=start, channel=_KilledAfter(2))
    db.session.rollback()
    assert _statuses() == {"m:0": "sent", "m:1": "sending", "m:2": "sending"}
    # A new worker straight away leaves the claimed rows alone: their worker may still be sending.
    assert worker.deliver_due(now=start + timedelta(seconds=10)).claimed == 0
    outcome = worker.deliver_due(now=start + timedelta(seconds=301))
    assert outcome.sent == 2
    assert _statuses() == {"m:0": "sent", "m:1": "sent", "m:2": "sent"}
    arrived = [e.rcpt_tos[0] for e in smtp.envelopes]
    # m:1 was handed over before the kill, so it arrives twice: the only duplicate.
    assert sorted(arrived) == [
        "person0@example.org",
        "person1@example.org",
        "person1@example.org",
        "person2@example.org",
    ]


def test_a_claim_takes_each_due_row_once(app):
    _queue(5)
    first = worker.claim(limit=3)
    second = worker.claim(limit=3)
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
    assert worker.claim(limit=3) == []


@pytest.mark.skipif(not POSTGRES_URL, reason="two workers racing need PostgreSQL")
@pytest.mark.postgres
def test_two_workers_on_postgresql_never_send_the_same_message_twice(app, smtp):
    _queue(60)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def work():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                total = worker.Outcome()
                for _ in range(20):
                    outcome = worker.deliver_due(limit=7)
                    total.add(outcome)
                    if not outcome.claimed:
                        break
                results.append(total.sent)
                db.session.remove()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and sum(results) == 60
    arrived = [e.rcpt_tos[0] for e in smtp.envelopes]
    assert len(arrived) == 60 and len(set(arrived)) == 60
    assert set(_statuses().values()) == {"sent"}


@pytest.mark.skipif(not POSTGRES_URL, reason="SKIP LOCKED is PostgreSQL's")
@pytest.mark.postgres
def test_a_second_worker_skips_rows_another_is_claiming(app):
    _queue(4)
    engine = db.engine
    with engine.connect() as other:
        locked = (
            other.execute(sa.select(Notification.id).order_by(Notification.id).limit(2).with_for_update())
            .scalars()
            .all()
        )
        claimed = worker.claim(limit=10)  # does not wait for the other transaction's locks
        assert set(claimed).isdisjoint(locked) and len(claimed) == 2
        other.rollback()
