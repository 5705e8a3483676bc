"""The few look-ups guards, effects and the panel share (each one query)."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eha.extensions import db
from eha.models.meetings import Meeting
from eha.models.plans import PlanVersion, Review


def latest_meeting(case, kind, status=None):
    query = sa.select(Meeting).where(Meeting.assessment_id == case.id, Meeting.kind == kind)
    if status:
        query = query.where(Meeting.status == status)
    return db.session.scalars(
        query.options(selectinload(Meeting.participants)).order_by(Meeting.id.desc()).limit(1)
    ).first()


def plan_versions(case):
    """Every plan version of the case, newest first, with actions and signatures loaded."""
    return db.session.scalars(
        sa.select(PlanVersion)
        .where(PlanVersion.assessment_id == case.id)
        .options(selectinload(PlanVersion.actions), selectinload(PlanVersion.signatures))
        .order_by(PlanVersion.number.desc())
    ).all()


def current_signed_plan(case):
    """The plan version in force: the newest one with status "signed"."""
    return db.session.scalars(
        sa.select(PlanVersion)
        .where(PlanVersion.assessment_id == case.id, PlanVersion.status == "signed")
        .options(selectinload(PlanVersion.actions))
        .order_by(PlanVersion.number.desc())
        .limit(1)
    ).first()


def latest_review(case):
    return db.session.scalars(
        sa.select(Review).where(Review.assessment_id == case.id).order_by(Review.id.desc()).limit(1)
    ).first()
