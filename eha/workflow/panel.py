"""The workflow panel on the case page: state, what is due, pending closure, the buttons, the timeline."""

from datetime import date

from flask import url_for

from eha.extensions import db
from eha.models.users import User
from eha.workflow import engine, timescales
from eha.workflow.states import CLOSURE_REASONS, STATE_LABELS, STATE_TAG_CLASSES
from eha.workflow.timeline import timeline

# Triggers that need data go to the page that collects it: (endpoint, extra url arguments).
DATA_PAGES = {
    "schedule_taf": ("meetings.new", {"kind": "taf"}),
    "schedule_review": ("meetings.new", {"kind": "review"}),
    "record_review": ("reviews.new", {}),
    "close": ("closure.close", {}),
    "step_up": ("closure.step_up", {}),
}




def buttons(case, user):
    """One entry per trigger the user may press now: a POST form (``method == "post"``) or a link."""
    out = []
    for name, label in engine.available_triggers(case, user):
        if name == "close" and case.pending_closure_reason and not user.is_manager:
            continue  # already asked: a manager decides now
        if name in DATA_PAGES:
            endpoint, extra = DATA_PAGES[name]
            href = url_for(endpoint, ref=case.ref, **extra)
            out.append({"trigger": name, "text": label, "method": "get", "href": href,
                        "secondary": name in ("close", "step_up"), "warning": name == "step_up"})
        else:
            out.append({"trigger": name, "text": label, "method": "post",
                        "href": url_for("closure.fire", ref=case.ref, trigger=name),
                        "secondary": False, "warning": False})
    return out


def build_panel(case, user, today=None):
    today = today or date.today()
    label, due_on, overdue = timescales.due_status(case, today)
    pending = None
    if case.pending_closure_reason:
        requester = db.session.get(User, case.pending_closure_by_id) if case.pending_closure_by_id else None
        pending = {
            "reason": CLOSURE_REASONS.get(case.pending_closure_reason, case.pending_closure_reason),
            "notes": case.pending_closure_notes,
            "by": requester.name if requester else None,
            "at": case.pending_closure_at,
            "can_decide": user.is_manager,
            "approve_href": url_for("closure.approve", ref=case.ref),
            "reject_href": url_for("closure.reject", ref=case.ref),
        }
    closure = None
    if not case.is_open:
        closure = {
            "reason": CLOSURE_REASONS.get(case.closure_reason, case.closure_reason),
            "at": case.closed_at,
            "notes": case.closure_notes,
            "step_up": {"on": case.step_up_on, "team": case.step_up_team, "reason": case.step_up_reason}
            if case.step_up_on else None,
        }
    return {
        "ref": case.ref,
        "state": case.state,
        "state_label": STATE_LABELS.get(case.state, case.state),
        "state_tag_class": STATE_TAG_CLASSES.get(case.state, ""),
        "due": {"label": label, "on": due_on, "overdue": overdue,
                "days": timescales.working_days_between(today, due_on) if due_on else None} if label else None,
        "pending_closure": pending,
        "closure": closure,
        "buttons": buttons(case, user),
        "timeline": timeline(case),
        "help_href": url_for("help.workflow"),
    }
