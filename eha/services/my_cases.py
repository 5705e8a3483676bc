"""The "My cases" list: the open cases a user started, leads or is a TAF member of, by what is due soonest.

A fixed number of queries whatever the number of cases: a count, the page (family and lead joined), and
one ``selectinload`` for the children.
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eha.access import visible_cases_filter
from eha.models.assessments import Assessment, TafMember
from eha.pagination import paginate
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


def my_cases(user):
    """A page (``?page=``) of the user's open cases: overdue first, then soonest due, undated last."""
    query = (
        sa.select(Assessment)
        .where(my_cases_filter(user))
        .options(selectinload(Assessment.subjects))
        .order_by(Assessment.next_due_on.is_(None), Assessment.next_due_on, Assessment.id)
    )
    return paginate(query)
