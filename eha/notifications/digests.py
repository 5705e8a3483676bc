"""The daily and weekly digests.

Daily, to each lead professional and TAF member: what is due on their open cases in the next
``EHA_DIGEST_WORKING_DAYS`` working days (weekends and England and Wales bank holidays do not count, as for the
workflow's timescales) and what is overdue, as case references and links. Weekly, to managers: open cases, cases
with something overdue, reviews overdue, closures waiting for sign-off. One query per kind of item over all
cases, not one per case, so a run at 100,000 episodes stays a handful of queries; each digest is one outbox row
keyed by user and date, so running again the same day queues nothing more.
"""

from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from eha import people
from eha.access import agreement_names_agency
from eha.extensions import db
from eha.models.assessments import Assessment, TafMember
from eha.models.choices import CLOSED_ACTION_PROGRESS, MANAGER
from eha.models.notifications import Notification, NotificationPreference
from eha.models.plans import PlanAction, PlanVersion
from eha.models.users import User
from eha.notifications import messages, settings
from eha.notifications.outbox import enqueue
from eha.workflow import timescales
from eha.workflow.states import OPEN_STATES, PLAN_STATES

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True, order=True)
class Item:
    due_on: date
    ref: str
    what: str


@dataclass(frozen=True)
class WeeklySummary:
    open_cases: int
    overdue: int
    reviews_overdue: int
    sign_offs: int


def _wants(column, default):
    """Users who chose this digest, or made no choice while the council's default is on."""
    chosen = sa.select(column).where(NotificationPreference.user_id == User.id).scalar_subquery()
    return sa.func.coalesce(chosen, sa.true() if default else sa.false()).is_(True)


def _daily_readers():
    return sa.and_(User.active.is_(True), _wants(NotificationPreference.daily_digest, _default("DAILY")))


def _default(kind):
    defaults = settings.current()
    return defaults.daily_digest_default if kind == "DAILY" else defaults.weekly_digest_default


def _case_items(until):
    """``(user_id, Item)`` for each open case's next due date up to ``until``: to its lead and its TAF members."""
    due = sa.and_(Assessment.state.in_(OPEN_STATES), Assessment.next_due_on <= until)
    leads = sa.select(Assessment.lead_id, Assessment.ref, Assessment.next_due_label, Assessment.next_due_on).where(
        due, Assessment.lead_id.is_not(None)
    )
    members = (
        sa.select(TafMember.user_id, Assessment.ref, Assessment.next_due_label, Assessment.next_due_on)
        .join(Assessment, Assessment.id == TafMember.assessment_id)
        .join(User, User.id == TafMember.user_id)
        .where(due, TafMember.removed_at.is_(None), agreement_names_agency(User.agency_id))
    )
    for user_id, ref, label, due_on in db.session.execute(leads.union(members)):
        yield user_id, Item(due_on, ref, label or "Next step")


def _action_items(until):
    """``(user_id, Item)`` for each open action of a case's plan in force due up to ``until``, to its owner."""
    latest_signed = (
        sa.select(sa.func.max(PlanVersion.number))
        .where(PlanVersion.assessment_id == Assessment.id, PlanVersion.status == "signed")
        .correlate(Assessment)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(PlanAction.owner_user_id, Assessment.ref, PlanAction.due_on)
        .join(PlanVersion, PlanVersion.id == PlanAction.plan_version_id)
        .join(Assessment, Assessment.id == PlanVersion.assessment_id)
        .where(
            Assessment.state.in_(PLAN_STATES),
            PlanVersion.number == latest_signed,
            PlanAction.owner_user_id.is_not(None),
            PlanAction.due_on <= until,
            sa.or_(PlanAction.progress.is_(None), PlanAction.progress.not_in(CLOSED_ACTION_PROGRESS)),
        )
    )
    for user_id, ref, due_on in rows:
        yield user_id, Item(due_on, ref, "An action you own")


def daily_items(day):
    """``{user_id: sorted [Item]}`` for everyone with something due by the end of the window or overdue."""
    until = timescales.add_working_days(day, current_app.config["EHA_DIGEST_WORKING_DAYS"])
    found = {}
    for user_id, item in (*_case_items(until), *_action_items(until)):
        found.setdefault(user_id, set()).add(item)
    return {user_id: sorted(items) for user_id, items in found.items()}


def queue_daily(day):
    """Queue today's daily digests; returns how many were added."""
    items = daily_items(day)
    if not items:
        return 0
    readers = db.session.execute(
        sa.select(User.id, User.email, User.language).where(User.id.in_(list(items)), _daily_readers())
    ).all()
    working_days = current_app.config["EHA_DIGEST_WORKING_DAYS"]
    queued = 0
    for user_id, address, language in readers:
        overdue = [i for i in items[user_id] if i.due_on < day]
        due_soon = [i for i in items[user_id] if i.due_on >= day]
        message = messages.daily_digest(
            day, overdue, due_soon, working_days, messages.language_of(SimpleNamespace(language=language))
        )
        queued += enqueue(
            f"daily_digest:{day.isoformat()}:{people.user(user_id)}",
            "daily_digest",
            address=address,
            subject=message.subject,
            body=message.body,
            user_id=user_id,
        )
    return queued


def _count(*conditions):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Assessment).where(*conditions))


def weekly_summary(day):
    is_open = Assessment.state.in_(OPEN_STATES)
    return WeeklySummary(
        open_cases=_count(is_open),
        overdue=_count(is_open, Assessment.next_due_on < day),
        reviews_overdue=_count(Assessment.state.in_(PLAN_STATES), Assessment.next_review_due_on < day),
        sign_offs=_count(is_open, Assessment.pending_closure_at.is_not(None)),
    )


def queue_weekly(day):
    """Queue this week's digest to each manager who wants it; returns how many were added."""
    managers = db.session.execute(
        sa.select(User.id, User.email, User.language).where(
            User.role == MANAGER,
            User.active.is_(True),
            _wants(NotificationPreference.weekly_digest, _default("WEEKLY")),
        )
    ).all()
    if not managers:
        return 0
    summary = weekly_summary(day)
    written = {}
    year, week, _weekday = day.isocalendar()
    queued = 0
    for user_id, address, chosen in managers:
        language = messages.language_of(SimpleNamespace(language=chosen))
        message = written.get(language) or written.setdefault(language, messages.weekly_digest(day, summary, language))
        queued += enqueue(
            f"weekly_digest:{year}-W{week:02d}:{people.user(user_id)}",
            "weekly_digest",
            address=address,
            subject=message.subject,
            body=message.body,
            user_id=user_id,
        )
    return queued


def is_quiet(now=None):
    """True at night, at weekends and on bank holidays (London time), unless ``EHA_DIGESTS_ANY_TIME``."""
    config = current_app.config
    if config["EHA_DIGESTS_ANY_TIME"]:
        return False
    local = (now or datetime.now(LONDON)).astimezone(LONDON)
    in_hours = config["EHA_DIGEST_HOUR"] <= local.hour < config["EHA_DIGEST_QUIET_FROM"]
    return not (in_hours and timescales.is_working_day(local.date()))


def daily_run_done(day):
    """True once ``day``'s daily digests were queued (the worker's schedule then skips the work of a run)."""
    return db.session.scalar(
        sa.select(
            sa.exists().where(
                Notification.kind == "daily_digest", Notification.key.startswith(f"daily_digest:{day.isoformat()}:")
            )
        )
    )


def queue_digests(day, *, weekly=None, skip_done=False):
    """Queue ``day``'s daily digests and, on the weekly digest's day (or when ``weekly``), the managers' one.
    Returns ``(daily, weekly)`` counts. A day that is not a working day queues nothing unless
    ``EHA_DIGESTS_ANY_TIME``. ``skip_done``: do not look again once the day's daily digests were queued."""
    config = current_app.config
    if not config["EHA_DIGESTS_ANY_TIME"] and not timescales.is_working_day(day):
        return (0, 0)
    if weekly is None:
        weekly = day.weekday() == config["EHA_WEEKLY_DIGEST_WEEKDAY"]
    daily = 0 if skip_done and daily_run_done(day) else queue_daily(day)
    return daily, (queue_weekly(day) if weekly else 0)
