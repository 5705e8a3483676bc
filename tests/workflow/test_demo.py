"""The demo has a case in every state, built through fire(), and running it again adds nothing."""

import sqlalchemy as sa

from eha.demo import load_demo
from eha.extensions import db
from eha.models.assessments import Assessment
from eha.workflow.states import STATES


def test_the_demo_has_cases_in_every_state_and_is_idempotent(app):
    first = load_demo()
    states = {a["state"] for a in first["assessments"]}
    assert set(STATES) <= states
    pending = db.session.scalars(sa.select(Assessment).where(Assessment.pending_closure_reason.is_not(None))).all()
    assert len(pending) == 1 and pending[0].state == "plan_active"
    assert {
        c.closure_reason for c in db.session.scalars(sa.select(Assessment).where(Assessment.state == "closed"))
    } >= {"outcomes_met", "stepped_up"}
    second = load_demo()
    assert [a["ref"] for a in second["assessments"]] == [a["ref"] for a in first["assessments"]]
