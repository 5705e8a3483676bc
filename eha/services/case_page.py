"""The workflow panel on the case page: the state, what is due, a closure awaiting sign-off, the steps the user
may take now (from the transition table) and the timeline."""

from datetime import date

import sqlalchemy as sa
from flask import url_for

from eha.extensions import db
from eha.models.choices import NEED_OUTCOMES
from eha.models.plans import NeedOutcome
from eha.models.users import User
from eha.services import meetings
from eha.services.timeline import timeline
from eha.workflow import engine, guards, table, timescales
from eha.workflow.states import CLOSURE_REASONS, STATE_TAG_CLASSES


def button(case, spec):
    """A step as the case page offers it: a link to the page that collects its data, or a POST button."""
    endpoint, extra = spec.page or ("closure.fire", {"trigger": spec.name})
    return {
        "trigger": spec.name,
        "text": spec.label,
        "href": url_for(endpoint, ref=case.ref, **extra),
        "method": "post" if spec.post or spec.page is None else "get",
        "kind": spec.kind,
    }


def buttons(case, user):
    """One entry per step the case page offers the user now."""
    return [button(case, spec) for spec in engine.available_triggers(case, user, offered_only=True)]


def _pending_closure(case, user):
    if not case.pending_closure_reason:
        return None
    requester = db.session.get(User, case.pending_closure_by_id) if case.pending_closure_by_id else None
    decisions = [
        button(case, spec) for spec in engine.available_triggers(case, user) if table.CLOSURE_PENDING in spec.requires
    ]
    return {
        "reason": CLOSURE_REASONS.get(case.pending_closure_reason, case.pending_closure_reason),
        "notes": case.pending_closure_notes,
        "by": requester.name if requester else None,
        "at": case.pending_closure_at,
        "decisions": decisions,
    }


def _need_outcomes(case):
    """``[(need label, outcome label, comment)]`` recorded at closure, in the definition's order of needs."""
    recorded = {
        o.need_code: o for o in db.session.scalars(sa.select(NeedOutcome).where(NeedOutcome.assessment_id == case.id))
    }
    if not recorded:
        return []
    labels = guards.need_labels(case)
    order = [code for code in labels if code in recorded] + sorted(set(recorded) - set(labels))
    return [
        (
            labels.get(code, code),
            NEED_OUTCOMES.get(recorded[code].outcome, recorded[code].outcome),
            recorded[code].comment,
        )
        for code in order
    ]


def _closure(case):
    if case.is_open:
        return None
    return {
        "reason": CLOSURE_REASONS.get(case.closure_reason, case.closure_reason),
        "at": case.closed_at,
        "notes": case.closure_notes,
        "outcomes": _need_outcomes(case),
        "step_up": {"on": case.step_up_on, "team": case.step_up_team, "reason": case.step_up_reason}
        if case.step_up_on
        else None,
    }


def _due(case, today):
    label, due_on, overdue = timescales.due_status(case, today)
    if not label:
        return None
    return {
        "label": label,
        "on": due_on,
        "overdue": overdue,
        "days": timescales.working_days_between(today, due_on) if due_on else None,
    }


def build_panel(case, user, today=None):
    today = today or date.today()
    return {
        "ref": case.ref,
        "state": case.state,
        "state_label": meetings.stage_label(case),
        "state_tag_class": STATE_TAG_CLASSES.get(case.state, ""),
        "due": _due(case, today),
        "pending_closure": _pending_closure(case, user),
        "closure": _closure(case),
        "buttons": buttons(case, user),
        "timeline": timeline(case),
        "help_href": url_for("help.workflow"),
    }
