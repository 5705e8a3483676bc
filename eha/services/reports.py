"""Reports for early help managers: cases by state, the access review, duty-to-share grants (read only)."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.audit import AuditEvent
from eha.models.base import utcnow
from eha.models.users import User
from eha.pagination import page_number, paginate
from eha.services import grants as grant_service
from eha.workflow.states import STATES

# Audit actions that mean "opened a case" for the access review.
CASE_OPENING_ACTIONS = ("case_viewed", "section_viewed", "plan_viewed", "pdf_downloaded", "history_viewed", "export")
REVIEW_DAYS = 90


def cases_by_state():
    """``([(state, count)] in the workflow's order, total)``."""
    counts = dict(db.session.execute(sa.select(Assessment.state, sa.func.count()).group_by(Assessment.state)).all())
    return [(state, counts.get(state, 0)) for state in STATES], sum(counts.values())


def access_review_query(since):
    opened = (
        sa.select(
            AuditEvent.user_id.label("user_id"),
            sa.func.count(sa.distinct(AuditEvent.assessment_id)).label("cases_opened"),
        )
        .where(
            AuditEvent.action.in_(CASE_OPENING_ACTIONS),
            AuditEvent.outcome == "success",
            AuditEvent.assessment_id.is_not(None),
            AuditEvent.occurred_at >= since,
        )
        .group_by(AuditEvent.user_id)
        .subquery()
    )
    cases_opened = sa.func.coalesce(opened.c.cases_opened, 0)
    return (
        sa.select(User, cases_opened.label("cases_opened"))
        .outerjoin(opened, opened.c.user_id == User.id)
        .order_by(cases_opened.desc(), sa.func.lower(User.name), User.id)
    )


class RowPage:
    """A page of rows (``(user, cases opened)``, not scalars), shaped like Flask-SQLAlchemy's pagination for the
    ``pagination`` component; the page number is ``eha.pagination``'s, so it is always a bounded one."""

    def __init__(self, stmt, total, per_page=None):
        self.per_page = per_page or current_app.config["EHA_PAGE_SIZE"]
        self.page, self.total = page_number(), total
        self.pages = max(1, -(-total // self.per_page))
        self.items = db.session.execute(stmt.limit(self.per_page).offset((self.page - 1) * self.per_page)).all()
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1


def access_review():
    """A page of everyone with an account, with how many cases each opened in the last ``REVIEW_DAYS`` days."""
    since = utcnow() - timedelta(days=REVIEW_DAYS)
    return RowPage(access_review_query(since), db.session.scalar(sa.select(sa.func.count()).select_from(User)))


def grants():
    """A page of every duty-to-share grant, current ones first."""
    return paginate(grant_service.all_grants())
