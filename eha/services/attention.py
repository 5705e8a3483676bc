"""What needs a manager: the counts on a manager's home page, each with the condition that filters the case list
to exactly those cases (``/assessments?needs=CODE``). One query counts them all, whatever the number of cases."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from eha.extensions import db
from eha.i18n import N_
from eha.models.assessments import AccessGrant, Assessment
from eha.models.audit import AuditEvent
from eha.models.base import utcnow
from eha.models.plans import PlanAction, PlanVersion
from eha.workflow.states import ASSESSED, DRAFT, OPEN_STATES, PLAN_STATES, TAF_SCHEDULED

# Looking at a case is not working on it: these do not stop a case drifting.
LOOKING = (
    "case_viewed",
    "section_viewed",
    "plan_viewed",
    "pdf_downloaded",
    "history_viewed",
    "export",
    "case_refused",
    "forged_field",
)


def _open():
    return Assessment.state.in_(OPEN_STATES)


def _drifting(today):
    since = utcnow() - timedelta(days=current_app.config["EHA_DRIFT_DAYS"])
    recent = (
        sa.select(AuditEvent.id)
        .where(
            AuditEvent.assessment_id == Assessment.id,
            AuditEvent.occurred_at >= since,
            AuditEvent.action.not_in(LOOKING),
        )
        .correlate(Assessment)
        .exists()
    )
    return sa.and_(_open(), Assessment.started_at < since, ~recent)


def _long_plans(today):
    latest = (
        sa.select(sa.func.max(PlanVersion.number))
        .where(PlanVersion.assessment_id == Assessment.id)
        .correlate(Assessment)
        .scalar_subquery()
    )
    actions = (
        sa.select(sa.func.count(PlanAction.id))
        .join(PlanVersion, PlanVersion.id == PlanAction.plan_version_id)
        .where(PlanVersion.assessment_id == Assessment.id, PlanVersion.number == latest)
        .correlate(Assessment)
        .scalar_subquery()
    )
    return sa.and_(_open(), actions > current_app.config["EHA_PLAN_ACTIONS_WARNING"])


# code -> (what the home page says, the condition on Assessment for the list)
NEEDS = {
    "closure-sign-off": (
        N_("Closures waiting for your sign-off"),
        lambda today: sa.and_(_open(), Assessment.pending_closure_at.is_not(None)),
    ),
    "assessment-overdue": (
        N_("Assessments overdue"),
        lambda today: sa.and_(Assessment.state == DRAFT, Assessment.assessment_due_on < today),
    ),
    "first-taf-overdue": (
        N_("First TAF meetings overdue"),
        lambda today: sa.and_(Assessment.state.in_((ASSESSED, TAF_SCHEDULED)), Assessment.first_taf_due_on < today),
    ),
    "review-overdue": (
        N_("Reviews overdue"),
        lambda today: sa.and_(Assessment.state.in_(PLAN_STATES), Assessment.next_review_due_on < today),
    ),
    "drift": (None, _drifting),  # the label names the configured number of days
    "no-lead": (
        N_("Open cases without a lead professional"),
        lambda today: sa.and_(_open(), Assessment.lead_id.is_(None)),
    ),
    "long-plan": (None, _long_plans),
}


def label(code):
    """What the home page says for ``code``, in the page's language."""
    text = NEEDS[code][0]
    if text is not None:
        return gettext(text)
    if code == "drift":
        return gettext("Open cases with no activity for %(days)s days", days=current_app.config["EHA_DRIFT_DAYS"])
    return gettext("Plans with more than %(num)s actions", num=current_app.config["EHA_PLAN_ACTIONS_WARNING"])


def condition(code, today=None):
    """The SQL condition for ``code`` (None for a code that is not one of ``NEEDS``)."""
    if code not in NEEDS:
        return None
    return NEEDS[code][1](today or date.today())


def counts(today=None):
    """``[(code, label, count)]`` of every case (a manager sees them all), then the duty-to-share grants in force
    to review: two queries."""
    today = today or date.today()
    row = (
        sa.select(*[sa.func.coalesce(sa.func.sum(sa.case((condition(code, today), 1), else_=0)), 0) for code in NEEDS])
        .select_from(Assessment)
        .where(_open())
    )
    values = list(db.session.execute(row).one())
    grants = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AccessGrant)
        .where(AccessGrant.revoked_at.is_(None), AccessGrant.ends_on >= today)
    )
    found = [(code, label(code), n) for code, n in zip(NEEDS, values, strict=True)]
    return found, grants
