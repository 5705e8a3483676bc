"""``flask notifications send`` and ``flask notifications send-digests [--date YYYY-MM-DD]``."""

from datetime import date

import click
from flask.cli import AppGroup

from eha.extensions import db

notifications_cli = AppGroup("notifications", help="Send queued notifications and the digests.")


def _report(outcome):
    click.echo(f"Sent {outcome.sent}, to retry later {outcome.retrying}, failed {outcome.failed}")


@notifications_cli.command("send")
def send_command():
    """Send every message that is due now (what the worker does every few seconds)."""
    from eha.notifications import worker

    _report(worker.deliver_all())


@notifications_cli.command("send-digests")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day (default today).")
def send_digests_command(day):
    """Queue the daily digests (and on the weekly digest's day the managers' one), then send what is due."""
    from eha.notifications import digests, worker

    day = day.date() if day else date.today()
    daily, weekly = digests.queue_digests(day)
    db.session.commit()
    click.echo(f"Queued {daily} daily and {weekly} weekly digests for {day.isoformat()}")
    _report(worker.deliver_all())
