"""The "My cases" list: the open cases a user started, leads or is a TAF member of, by what is due soonest.

A fixed number of queries whatever the number of cases: a count, the page (family and lead joined), and
one ``selectinload`` for the children.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eha.access import visible_cases_filter
from eha.extensions import db
from eha.models.assessments import Assessment, TafMember
from eha.workflow.states import OPEN_STATES


def my_cases_filter(user):
    is_taf_member = sa.exists(
        sa.select(1).where(
            TafMember.assessment_id == Assessment.id,
            TafMember.user_id == user.id,
            TafMember.removed_at.is_(None),
        )
    )
    mine = [Assessment.started_by_id == user.id, Assessment.lead_id == user.id]
    if not user.is_manager:
        mine.append(is_taf_member)
    return sa.and_(visible_cases_filter(user), sa.or_(*mine), Assessment.state.in_(OPEN_STATES))


def my_cases(user, page=1, per_page=25):
    """A Flask-SQLAlchemy ``Pagination`` of the user's open cases: overdue first, then soonest due, undated last."""
    query = (
        sa.select(Assessment)
        .where(my_cases_filter(user))
        .options(selectinload(Assessment.subjects))
        .order_by(Assessment.next_due_on.is_(None), Assessment.next_due_on, Assessment.id)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)


def overdue(case, today=None):
    today = today or date.today()
    return case.next_due_on is not None and case.next_due_on < today
