"""Reports for early help managers: cases by state, the access review, duty-to-share grants."""

import functools
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.audit import AuditEvent
from eha.models.base import utcnow
from eha.models.users import User
from eha.services import grants as grant_service
from eha.workflow.states import STATES

bp = Blueprint("reports", __name__, url_prefix="/reports")

# Audit actions that mean "opened a case" for the access review.
CASE_OPENING_ACTIONS = ("case_viewed", "section_viewed", "plan_viewed", "pdf_downloaded", "history_viewed", "export")
REVIEW_DAYS = 90


def manager_only(view):
    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_manager:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def _page_arg():
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.get("")
@manager_only
def index():
    counts = dict(db.session.execute(sa.select(Assessment.state, sa.func.count()).group_by(Assessment.state)).all())
    by_state = [(state, counts.get(state, 0)) for state in STATES]
    return render_template("views/reports/index.html", by_state=by_state, total=sum(counts.values()))


def access_review_query(since):
    opened = (
        sa.select(AuditEvent.user_id.label("user_id"),
                  sa.func.count(sa.distinct(AuditEvent.assessment_id)).label("cases_opened"))
        .where(AuditEvent.action.in_(CASE_OPENING_ACTIONS), AuditEvent.outcome == "success",
               AuditEvent.assessment_id.is_not(None), AuditEvent.occurred_at >= since)
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
    """A page of rows (not scalars), shaped like Flask-SQLAlchemy's pagination for the template."""

    def __init__(self, stmt, page, per_page, total):
        self.page, self.per_page, self.total = page, per_page, total
        self.pages = max(1, -(-total // per_page))
        self.items = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num, self.next_num = page - 1, page + 1


@bp.get("/access-review")
@manager_only
def access_review():
    since = utcnow() - timedelta(days=REVIEW_DAYS)
    per_page = current_app.config["EHA_PAGE_SIZE"]
    page = RowPage(access_review_query(since), _page_arg(), per_page,
                   db.session.scalar(sa.select(sa.func.count()).select_from(User)))
    return render_template("views/reports/access_review.html", page=page, days=REVIEW_DAYS)


@bp.get("/grants")
@manager_only
def grants():
    page = db.paginate(grant_service.all_grants(), page=_page_arg(), per_page=current_app.config["EHA_PAGE_SIZE"],
                       error_out=False)
    return render_template("views/reports/grants.html", page=page, is_active=grant_service.is_active)
