"""The "My cases" list: the open cases a user started, leads or is a TAF member of, by what is due soonest.

For a TAF member, what is due on a case is their own action, not the lead's next step: the cases where they own
open actions come first, by their soonest own due date, then the rest by what is due on the case. A case the user
runs (its lead or, before there is one, the practitioner who started it) keeps the case's next step, which
already counts every owner's actions; the user's own actions on it are listed too.

A fixed number of queries whatever the number of cases: a count (bounded, ``eha.pagination.bounded_paginate``),
the page (family and lead joined, the user's
soonest own due date joined from one grouped subquery), one ``selectinload`` for the children and one query for
the user's own open actions on the page's cases.
"""

import functools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, load_only, raiseload, selectinload

from eha.access import among_ids, granted_case_ids, taf_case_ids, visible_to_staff
from eha.extensions import db
from eha.models.assessments import Assessment, AssessmentChild, TafMember
from eha.models.choices import CLOSED_ACTION_PROGRESS
from eha.models.families import Child, Family
from eha.models.plans import PlanAction, PlanVersion
from eha.models.users import User
from eha.pagination import bounded_paginate
from eha.statement_cache import per_user
from eha.workflow.states import OPEN_STATES


@dataclass(frozen=True)
class OwnAction:
    """One of the user's own open actions. ``agreed``: it is in the signed plan in force, so its progress page
    answers (an action in a draft nobody has signed yet is only on the plan page)."""

    key: str
    what: str
    due_on: date | None
    agreed: bool


@dataclass(frozen=True)
class CaseRow:
    case: Assessment
    runs: bool  # the user leads the case (or started it and there is no lead yet)
    own: list  # the user's open actions on it, soonest first

    @property
    def own_due_on(self):
        """The soonest due date among the user's own open actions, or None."""
        return next((a.due_on for a in self.own if a.due_on is not None), None)

    @property
    def yours_first(self):
        """What is due for the user on this case is their own action (a TAF member's case), not the case's."""
        return bool(self.own) and not self.runs


@dataclass(frozen=True)
class MyCases:
    page: object  # the Flask-SQLAlchemy pagination, for the pager
    rows: list


def my_case_ids(user):
    """The ids of the cases the user started, leads or (a practitioner) is a TAF member of while they may see it:
    "mine and visible" for a practitioner is started, led or TAF-with-the-agreement (a grant alone is not "my
    case"). A union of index ranges on the user's id, never a scan of every case."""
    parts = [
        sa.select(Assessment.id).where(Assessment.started_by_id == user.id),
        sa.select(Assessment.id).where(Assessment.lead_id == user.id),
    ]
    if not user.is_manager:
        parts.append(taf_case_ids(user))
        # A TAF member whose agency the agreement does not name still sees the case while a grant lasts.
        parts.append(
            sa.select(TafMember.assessment_id).where(
                TafMember.user_id == user.id,
                TafMember.removed_at.is_(None),
                TafMember.assessment_id.in_(granted_case_ids(user)),
            )
        )
    return sa.union(*parts)


def my_cases_filter(user):
    if not visible_to_staff(user):
        return sa.false()
    return sa.and_(among_ids(Assessment.id, my_case_ids(user)), Assessment.state.in_(OPEN_STATES))


def _runs(user):
    """The user runs the case: its lead, or before there is one, the practitioner who started it."""
    return sa.func.coalesce(Assessment.lead_id, Assessment.started_by_id, 0) == user.id


@functools.cache
def _current_version_number():
    """The number of the plan version that counts for ``PlanVersion``'s case: the latest signed one (the plan in
    force, as ``eha.services.plans`` reads it), or the draft before any version is signed. The same for every
    user, so built once per process: an expression is immutable, and building its alias and subqueries was a
    tenth of the page's CPU (issue 14)."""
    other = aliased(PlanVersion)

    def latest(status):
        return (
            sa.select(sa.func.max(other.number))
            .where(other.assessment_id == PlanVersion.assessment_id, other.status == status)
            .correlate(PlanVersion)
            .scalar_subquery()
        )

    return sa.func.coalesce(latest("signed"), latest("draft"))


def _own_open_actions(user, *columns):
    """``columns`` of the user's open actions in the current plan version of each case."""
    return (
        sa.select(*columns)
        .select_from(PlanAction)
        .join(PlanVersion, PlanAction.plan_version_id == PlanVersion.id)
        .where(
            PlanAction.owner_user_id == user.id,
            sa.or_(PlanAction.progress.is_(None), PlanAction.progress.not_in(CLOSED_ACTION_PROGRESS)),
            PlanVersion.number == _current_version_number(),
        )
    )


def _page_query(user):
    own = (
        _own_open_actions(
            user, PlanVersion.assessment_id.label("assessment_id"), sa.func.min(PlanAction.due_on).label("soonest")
        )
        .group_by(PlanVersion.assessment_id)
        .subquery("own")
    )
    yours = sa.and_(own.c.assessment_id.is_not(None), sa.not_(_runs(user)))
    own_due = sa.case((yours, own.c.soonest))
    return (
        sa.select(Assessment)
        .outerjoin(own, own.c.assessment_id == Assessment.id)
        .where(my_cases_filter(user))
        .order_by(
            sa.case((yours, 0), else_=1),
            own_due.is_(None),
            own_due,
            Assessment.next_due_on.is_(None),
            Assessment.next_due_on,
            Assessment.id,
        )
    )


def own_actions(user, case_ids):
    """``{case id: [OwnAction]}``: the user's open actions on these cases, soonest first (one query)."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        _own_open_actions(
            user, PlanVersion.assessment_id, PlanVersion.status, PlanAction.key, PlanAction.what, PlanAction.due_on
        )
        .where(PlanVersion.assessment_id.in_(case_ids))
        .order_by(PlanAction.due_on.is_(None), PlanAction.due_on, PlanAction.position)
    )
    found = {}
    for case_id, status, key, what, due_on in rows:
        found.setdefault(case_id, []).append(OwnAction(key, what, due_on, agreed=status == "signed"))
    return found


# What the page shows of each case: reference, family name, state, next due, children's names and the lead's
# name. Nothing else (no user rows beyond the lead's id and name, no agencies, no password hashes).
MY_CASES_OPTIONS = (
    load_only(
        Assessment.ref,
        Assessment.state,
        Assessment.next_due_on,
        Assessment.next_due_label,
        Assessment.family_id,
        Assessment.lead_id,
        Assessment.started_by_id,
        Assessment.version_id,
    ),
    joinedload(Assessment.family).load_only(Family.name),
    joinedload(Assessment.lead).load_only(User.name).raiseload(User.agency),
    raiseload(Assessment.started_by),
    selectinload(Assessment.subjects)
    .load_only(AssessmentChild.child_id)
    .joinedload(AssessmentChild.child)
    .load_only(Child.first_name, Child.last_name),
)


def my_cases(user):
    """A page (``?page=``) of the user's open cases: for a TAF member, the cases where they own open actions
    first, by their soonest own due date; then overdue first, then soonest due, undated last."""
    page = bounded_paginate(
        lambda: _page_query(user), Assessment.id, options=MY_CASES_OPTIONS, reuse_as=("my_cases", per_user(user))
    )
    own = own_actions(user, [case.id for case in page.items])
    rows = [
        CaseRow(case, runs=(case.lead_id or case.started_by_id) == user.id, own=own.get(case.id, []))
        for case in page.items
    ]
    return MyCases(page=page, rows=rows)
