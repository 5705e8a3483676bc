"""``flask notifications send`` and ``send-digests``, the Huey queue (SQLite by default, Redis when set), and
``flask demo`` queueing its meetings' invitations."""

import socket
from datetime import date, timedelta

import pytest

from eha.extensions import db
from eha.notifications import outbox, tasks
from eha.workflow.effects import refresh_due
from eha.workflow.timescales import add_working_days, is_working_day
from tests.notifications import helpers
from tests.plans import helpers as plan_helpers

REDIS_URL = "redis://127.0.0.1:6379/5"


def test_send_sends_what_is_due_and_says_how_it_went(app, smtp):
    for i in range(3):
        outbox.enqueue(f"k{i}", "action_owned", address=f"p{i}@example.org", subject="S", body="B")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 3, to retry later 0, failed 0" in result.output
    assert len(smtp.envelopes) == 3


def test_send_digests_for_a_date_queues_and_sends_them(app, smtp, lead, nurse, health):
    case = plan_helpers.assessed_case(lead, [health], state="plan_active")
    plan_helpers.member(case, nurse)
    plan_helpers.plan(case, lead, owners=[nurse], status="signed")
    refresh_due(case)
    db.session.commit()
    day = add_working_days(date.today() + timedelta(days=30), -2)
    while not is_working_day(day):
        day += timedelta(days=1)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notifications", "send-digests", "--date", day.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"Queued 2 daily and 0 weekly digests for {day.isoformat()}" in result.output
    assert sorted(e.rcpt_tos[0] for e in smtp.envelopes) == sorted([lead.email, nurse.email])
    again = runner.invoke(args=["notifications", "send-digests", "--date", day.isoformat()])
    assert "Queued 0 daily" in again.output and len(smtp.envelopes) == 2


def test_send_digests_refuses_a_date_that_is_not_one(app):
    result = app.test_cli_runner().invoke(args=["notifications", "send-digests", "--date", "2026-02-30"])
    assert result.exit_code == 2 and "Invalid value for '--date'" in result.output


def test_the_embedded_queue_is_a_sqlite_file_and_redis_is_used_when_set(tmp_path):
    embedded = tasks.make_huey({"HUEY_SQLITE_PATH": str(tmp_path / "q" / "huey.sqlite3")})
    assert type(embedded).__name__ == "SqliteHuey" and (tmp_path / "q").is_dir()
    assert type(tasks.make_huey({"HUEY_REDIS_URL": REDIS_URL})).__name__ == "RedisHuey"
    assert type(tasks.make_huey({"REDIS_URL": REDIS_URL})).__name__ == "RedisHuey"


def _redis_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_a_delivery_task_queued_in_redis_sends_the_outbox(app, smtp, monkeypatch):
    queue = tasks.make_huey({"HUEY_REDIS_URL": REDIS_URL})
    queue.flush()
    monkeypatch.setattr(tasks, "flask_app", lambda: app)
    deliver = queue.task()(tasks.deliver.func)
    outbox.enqueue("k", "action_owned", address="p@example.org", subject="S", body="B")
    db.session.commit()
    result = deliver()
    assert len(queue) == 1  # waiting in Redis for a consumer
    task = queue.dequeue()
    queue.execute(task)
    assert result.get() == 1 and len(smtp.envelopes) == 1
    queue.flush()


def test_flask_demo_queues_its_meetings_invitations_once(app, demo_loaded):
    runner = app.test_cli_runner()  # `flask demo` has run once
    invitations = helpers.rows("invitation")
    assert invitations and all(r.calendar and "METHOD:REQUEST" in r.calendar for r in invitations)
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert len(helpers.rows("invitation")) == len(invitations)
    result = runner.invoke(args=["notifications", "send"])
    assert f"Sent {len(invitations)}," in result.output


def test_the_schedule_queues_digests_in_working_hours_only(app, monkeypatch):
    from datetime import datetime

    from eha.notifications import digests

    calls = []
    monkeypatch.setattr(tasks, "flask_app", lambda: app)
    monkeypatch.setattr(digests, "queue_digests", lambda day, **kw: calls.append((day, kw)) or (0, 0))
    monkeypatch.setattr(digests, "is_quiet", lambda now=None: True)
    assert tasks.queue_digests.call_local() == (0, 0) and calls == []
    monkeypatch.setattr(digests, "is_quiet", lambda now=None: False)
    tasks.queue_digests.call_local()
    assert calls == [(datetime.now(digests.LONDON).date(), {"skip_done": True})]
