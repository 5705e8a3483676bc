"""The worker's queue and schedule, with Huey.

Why Huey: it is an established task queue with periodic tasks, retries and a consumer process
(``huey_consumer``), small enough for one council's server, and it runs on SQLite (``SqliteHuey``, a file in
``instance/``) as well as on Redis, so the embedded default needs no extra service while a larger install points
it at Redis (``HUEY_REDIS_URL`` or ``REDIS_URL``) with no change of code. Celery would need a broker even in
development. Huey only wakes the worker: the messages themselves live in the ``notifications`` table (the
outbox), written with the change that causes them, so a lost Huey queue loses no message.

Run it with ``huey_consumer eha.notifications.tasks.huey`` (``make run`` does, beside gunicorn).
"""

import os
from datetime import datetime

from huey import RedisHuey, SqliteHuey, crontab

from config import INSTANCE_DIR


def make_huey(environ=os.environ):
    url = environ.get("HUEY_REDIS_URL") or environ.get("REDIS_URL")
    if url:
        return RedisHuey("eha", url=url)
    path = environ.get("HUEY_SQLITE_PATH") or str(INSTANCE_DIR / "huey.sqlite3")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return SqliteHuey("eha", filename=path)


huey = make_huey()
_app = None


def flask_app():
    """The app the consumer works in, made once per process (the configuration comes from ``EHA_CONFIG``)."""
    global _app
    if _app is None:
        from eha import create_app

        _app = create_app()
    return _app


@huey.task()
def deliver():
    """Send one batch of what is due."""
    from eha.notifications import worker

    with flask_app().app_context():
        return worker.deliver_due().claimed


@huey.periodic_task(crontab(minute="*"))
def deliver_every_few_seconds():
    """Huey's schedule goes by the minute: each minute queues a delivery every EHA_NOTIFICATIONS_POLL_SECONDS."""
    poll = max(1, flask_app().config["EHA_NOTIFICATIONS_POLL_SECONDS"])
    deliver()
    for delay in range(poll, 60, poll):
        deliver.schedule(delay=delay)


@huey.periodic_task(crontab(minute="*/15"))
def queue_digests():
    """Queue the day's digests once the working day has started (idempotent: a second run queues nothing)."""
    from eha.extensions import db
    from eha.notifications import digests

    with flask_app().app_context():
        now = datetime.now(digests.LONDON)
        if digests.is_quiet(now):
            return (0, 0)
        counts = digests.queue_digests(now.date(), skip_done=True)
        db.session.commit()
        return counts


@huey.periodic_task(crontab(minute="*"))
def link_audit_events():
    """Link the audit events written since the last run into the chain (the web servers do it too, after their
    responses; this covers quiet spells). Never waits for another chainer at work."""
    from eha import audit

    with flask_app().app_context():
        run = audit.chain_pending(wait=False)
        if run.problem:
            flask_app().logger.error("audit chain: event %s not linked: %s", run.refused.seq, run.problem)
        return run.linked
