"""Workflow steps from the case page: the buttons (POST a trigger), closing, stepping up, closure sign-off.

Every route loads the case through ``access.load_case`` and writes exactly one audit event: the transition
(or the request, approval or rejection), or the refused attempt.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eha import access, audit
from eha.definitions import needs_identified
from eha.definitions.store import definition_for
from eha.extensions import db
from eha.forms.closure import RejectClosureForm, StepUpForm, close_form
from eha.transaction import committing
from eha.workflow import engine, table
from eha.workflow.guards import need_labels
from eha.workflow.states import PLAN_STATES, STATE_LABELS, closure_reasons_for

bp = Blueprint("closure", __name__, url_prefix="/assessments/<ref>")

SUCCESS = {
    "complete_assessment": "The assessment is complete",
    "agree_plan": "The plan is agreed and active",
    "close": "The case is closed",
    "step_up": "The case is closed: stepped up to children's social care",
}


def case_url(case):
    return url_for("assessments.show", ref=case.ref)


def _failed(case, trigger, reasons, outcome="failed", action="transition"):
    """Roll back whatever was attempted and record the attempt on its own."""
    db.session.rollback()
    with committing():
        audit.record(action, assessment=case, outcome=outcome,
                     detail={"trigger": trigger, "from": case.state, "reasons": list(reasons)[:20]})


def _not_allowed(case, trigger, message, status=409):
    _failed(case, trigger, [message], outcome="refused")
    return render_template("views/workflow/not_allowed.html", case=case, message=message,
                           back=case_url(case)), status


@bp.post("/transitions/<trigger>")
@login_required
def fire(ref, trigger):
    case = access.load_case(ref, current_user, audit_action=None)
    spec = table.get(trigger)
    if spec is None:
        return _not_allowed(case, trigger[:40], "There is no such step for a case.")
    try:
        with committing():
            engine.fire(case, trigger, current_user)
    except engine.TransitionNotAllowed as exc:
        return _not_allowed(case, trigger, exc.message, exc.status)
    except engine.GuardFailed as exc:
        _failed(case, trigger, exc.messages)
        for message in exc.messages:
            flash(message, "error")
        return redirect(case_url(case))
    flash(SUCCESS.get(trigger, f"The case is now: {STATE_LABELS[case.state]}"), "success")
    return redirect(case_url(case))


def _needs(case):
    labels = need_labels(case)
    codes = needs_identified(definition_for(case), case.answers_by_section())
    return [(code, labels.get(code, code)) for code in codes]


@bp.route("/close", methods=["GET", "POST"])
@login_required
def close(ref):
    posting = request.method == "POST"
    case = access.load_case_for_form(ref, current_user)
    if not case.is_open or not access.can_manage(current_user, case):
        message = ("This case is closed already." if not case.is_open
                   else "Only the lead professional or a manager can close the case.")
        if posting:
            return _not_allowed(case, "close", message)
        return render_template("views/workflow/not_allowed.html", case=case, message=message,
                               back=case_url(case)), 409
    from_plan = case.state in PLAN_STATES
    needs = _needs(case) if from_plan else []
    form = close_form(closure_reasons_for(case.state), needs)
    sign_off = engine.needs_sign_off(current_user)
    errors = None
    if posting:
        if form.validate():
            outcomes = form.outcomes() if from_plan else {}
            try:
                with committing():
                    if sign_off:
                        engine.request_closure(case, current_user, form.reason.data, form.notes.data, outcomes)
                    else:
                        engine.fire(case, "close", current_user, reason=form.reason.data, notes=form.notes.data,
                                    outcomes=outcomes)
            except engine.TransitionNotAllowed as exc:
                return _not_allowed(case, "close", exc.message, exc.status)
            except engine.GuardFailed as exc:
                _failed(case, "close", exc.messages)
                errors = [{"text": m, "href": "#reason"} for m in exc.messages]
            else:
                flash("Closure sent to a manager for sign-off" if sign_off else SUCCESS["close"], "success")
                return redirect(case_url(case))
        else:
            _failed(case, "close", ["invalid input"])
    return render_template("views/closure/close.html", case=case, form=form, from_plan=from_plan,
                           sign_off=sign_off, extra_errors=errors)


@bp.route("/step-up", methods=["GET", "POST"])
@login_required
def step_up(ref):
    posting = request.method == "POST"
    case = access.load_case_for_form(ref, current_user)
    if not case.is_open or not access.can_manage(current_user, case):
        message = ("This case is closed already." if not case.is_open
                   else "Only the lead professional or a manager can step the case up.")
        if posting:
            return _not_allowed(case, "step_up", message)
        return render_template("views/workflow/not_allowed.html", case=case, message=message,
                               back=case_url(case)), 409
    form = StepUpForm()
    errors = None
    if posting:
        if form.validate():
            try:
                with committing():
                    engine.fire(case, "step_up", current_user, on=form.on.data, team=form.team.data,
                                reason=form.reason.data)
            except engine.TransitionNotAllowed as exc:
                return _not_allowed(case, "step_up", exc.message, exc.status)
            except engine.GuardFailed as exc:
                _failed(case, "step_up", exc.messages)
                errors = [{"text": m, "href": "#on"} for m in exc.messages]
            else:
                flash(SUCCESS["step_up"], "success")
                return redirect(case_url(case))
        else:
            _failed(case, "step_up", ["invalid input"])
    return render_template("views/closure/step_up.html", case=case, form=form, extra_errors=errors)


@bp.post("/close/approve")
@login_required
def approve(ref):
    case = access.load_case(ref, current_user, audit_action=None)
    try:
        with committing():
            engine.approve_closure(case, current_user)
    except engine.TransitionNotAllowed as exc:
        return _not_allowed(case, "close", exc.message, exc.status)
    except engine.GuardFailed as exc:
        _failed(case, "close", exc.messages)
        for message in exc.messages:
            flash(message, "error")
        return redirect(case_url(case))
    flash("Closure signed off: the case is closed", "success")
    return redirect(case_url(case))


@bp.route("/close/reject", methods=["GET", "POST"])
@login_required
def reject(ref):
    posting = request.method == "POST"
    case = access.load_case_for_form(ref, current_user)
    if not current_user.is_manager or not case.pending_closure_reason:
        message = ("Only a manager can decide on a closure." if not current_user.is_manager
                   else "There is no closure waiting for sign-off on this case.")
        if posting:
            return _not_allowed(case, "close", message)
        return render_template("views/workflow/not_allowed.html", case=case, message=message,
                               back=case_url(case)), 409
    form = RejectClosureForm()
    if posting:
        if form.validate():
            try:
                with committing():
                    engine.reject_closure(case, current_user, form.reason.data)
            except engine.TransitionNotAllowed as exc:
                return _not_allowed(case, "close", exc.message, exc.status)
            flash("Closure not signed off: the lead professional will see why", "success")
            return redirect(case_url(case))
        _failed(case, "close", ["invalid input"], action="closure_rejected")
    return render_template("views/closure/reject.html", case=case, form=form)
