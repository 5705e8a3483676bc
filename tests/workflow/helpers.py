"""Builders for workflow tests: cases at each state, made with the same builders as the demo."""

from datetime import date

import sqlalchemy as sa

from eha.demo import cases as build
from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.transaction import committing
from tests import factories


def team(app):
    """A lead professional (school), a nurse (health) and a manager, as committed users."""
    school = factories.agency(name="Northshire Primary School", kind="school")
    health = factories.agency(name="Northshire Community Health", kind="health")
    lead = factories.user(agency=school, name="Sarah Okafor")
    nurse = factories.user(agency=health, name="Priya Shah")
    manager = factories.user(
        role="manager", agency=factories.agency(name="Early Help Service", kind="early_help"), name="Helen Brooks"
    )
    return lead, nurse, manager


def audit_count(case=None, action=None):
    query = sa.select(sa.func.count()).select_from(AuditEvent)
    if case is not None:
        query = query.where(AuditEvent.assessment_id == case.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return db.session.scalar(query)


def transition_events(case):
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.assessment_id == case.id, AuditEvent.action == "transition", AuditEvent.outcome == "success")
        .order_by(AuditEvent.seq)
    ).all()


def state_in_db(case):
    """The state as stored (committed), read on a fresh connection."""
    with db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT state FROM assessments WHERE id = :id"), {"id": case.id}).scalar()


def new_cases(lead, agencies, n, start=0):
    """``n`` cases led by ``lead`` with these agencies agreed, committed as the app commits them: families
    "Family {start}"… with one child each."""
    with committing():
        return [
            build.new_case(
                lead,
                family_name=f"Family {start + i}",
                children=((f"Child{start + i}", "Test", date(2015, 1, 1)),),
                agencies=agencies,
            )
            for i in range(n)
        ]
