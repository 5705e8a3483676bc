"""Random triggers by random users (Hypothesis stateful testing) never break the workflow's invariants:
the state is always a known one, closed is final, every state change has exactly one audit event, and no plan
is active without a signed plan version."""

from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from eha.demo import cases as build
from eha.errors import DomainError
from eha.extensions import db
from eha.models.meetings import Meeting
from eha.models.plans import PlanVersion
from eha.transaction import committing
from eha.workflow import queries, table
from eha.workflow.engine import fire
from eha.workflow.states import CLOSED, PLAN_ACTIVE, STATES, closure_reasons_for
from eha.workflow.table import TRIGGERS
from tests import factories
from tests.workflow.helpers import state_in_db, team, transition_events

TRIGGER_NAMES = [t.name for t in TRIGGERS]


def _prepare(case, trigger, lead, nurse, outcome):
    """Create what the trigger needs, as a lead professional would before pressing the button."""
    if trigger == "schedule_taf":
        return {"meeting": build.schedule_meeting(case, lead, kind="taf", invite=[nurse])}
    if trigger == "agree_plan":
        meeting = queries.latest_meeting(case, "taf")
        if meeting is not None and meeting.status != "held":
            build.hold_meeting(meeting, lead)
        latest = (
            db.session.scalar(sa.select(sa.func.max(PlanVersion.number)).where(PlanVersion.assessment_id == case.id))
            or 0
        )
        version = build.plan_version(
            case,
            lead,
            [{"what": "Weekly check-in", "owner": nurse}, {"what": "Bedtime routine", "owner": "Laura Bennett"}],
            number=latest + 1,
        )
        build.sign_plan(case, version, lead)
        return {}
    if trigger == "schedule_review":
        return {"meeting": build.schedule_meeting(case, lead, kind="review", invite=[nurse])}
    if trigger == "record_review":
        meeting = queries.latest_meeting(case, "review") or build.schedule_meeting(case, lead, kind="review")
        build.hold_meeting(meeting, lead)
        return {"review": build.review(case, meeting, lead)}
    if trigger in ("close", "request_closure"):
        reasons = [code for code, _ in closure_reasons_for(case.state)]
        return {
            "reason": reasons[outcome % len(reasons)] if reasons else "outcomes_met",
            "outcomes": build.outcomes_for(case, ("met", "partly_met", "not_met")[outcome % 3]),
        }
    if trigger == "reject_closure":
        return {"why": "Not yet"}
    if trigger == "step_up":
        return {"on": date.today(), "team": "MASH", "reason": "Disclosure"}
    return {}


class Workflow(RuleBasedStateMachine):
    people = None
    counter = 0
    reached = set()

    def __init__(self):
        super().__init__()
        lead, nurse, manager, stranger = self.people
        Workflow.counter += 1
        with committing():
            self.case = build.new_case(
                lead,
                family_name=f"Family {Workflow.counter}",
                children=((f"Child{Workflow.counter}", "Test", date(2016, 1, 1)),),
                agencies=[nurse.agency],
            )
        self.changes = 0
        self.was_closed = False

    @rule(
        trigger=st.sampled_from(TRIGGER_NAMES), who=st.integers(0, 3), prepare=st.booleans(), outcome=st.integers(0, 5)
    )
    def press(self, trigger, who, prepare, outcome):
        lead, nurse, manager, _stranger = self.people
        user = self.people[who]
        before = state_in_db(self.case)
        try:
            with committing():
                data = _prepare(self.case, trigger, lead, nurse, outcome) if prepare else {}
                fire(self.case, trigger, user, **data)
        except DomainError:
            assert state_in_db(self.case) == before
        else:
            spec = table.get(trigger)
            self.changes += spec.audit == "transition"
            Workflow.reached.add(state_in_db(self.case))
            assert state_in_db(self.case) != before or trigger == "record_review" or spec.dest is None
        db.session.expire_all()

    @rule(who=st.integers(0, 3), outcome=st.integers(0, 5))
    def take_the_next_step(self, who, outcome):
        """Press the forward step for the current state with its data ready, so walks get deep."""
        state = state_in_db(self.case)
        forward = [t.name for t in table.triggers_from(state) if t.dest not in (None, CLOSED)]
        if forward:
            self.press(forward[0], who, True, outcome)

    @invariant()
    def state_is_known(self):
        assert state_in_db(self.case) in STATES

    @invariant()
    def closed_is_final(self):
        state = state_in_db(self.case)
        if self.was_closed:
            assert state == CLOSED
        self.was_closed = state == CLOSED

    @invariant()
    def every_change_has_exactly_one_audit_event(self):
        events = transition_events(self.case)
        assert len(events) == self.changes
        for earlier, later in zip(events, events[1:], strict=False):
            assert later.detail["from"] == earlier.detail["to"]
        if events:
            assert events[-1].detail["to"] == state_in_db(self.case)

    @invariant()
    def no_active_plan_without_a_signed_version(self):
        if state_in_db(self.case) == PLAN_ACTIVE:
            assert (
                db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(PlanVersion)
                    .where(PlanVersion.assessment_id == self.case.id, PlanVersion.status == "signed")
                )
                >= 1
            )


def test_random_triggers_by_random_users_keep_the_workflow_invariants(app):
    lead, nurse, manager = team(app)
    stranger = factories.user(agency=factories.agency(name="Northshire Police", kind="police"))
    Workflow.people = (lead, nurse, manager, stranger)
    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=25, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
    # The random walks got past the first step and reached the end.
    assert {"assessed", "taf_scheduled", "plan_active"} <= Workflow.reached, Workflow.reached
    assert Meeting
