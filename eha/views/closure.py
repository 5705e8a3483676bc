"""Workflow steps from the case page: the buttons (POST a trigger), closing, stepping up, closure sign-off.

Each step goes through ``eha.services.workflow.run``: one transaction, one audit event (the step, or the
refused or failed attempt).
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eha.access import MANAGE, MANAGER_ONLY, case_route
from eha.errors import GuardFailed
from eha.forms.closure import RejectClosureForm, StepUpForm, close_form
from eha.services import workflow
from eha.workflow.states import OPEN_STATES

bp = Blueprint("closure", __name__, url_prefix="/assessments/<caseref:ref>")

CLOSED_ALREADY = _l("This case is closed already.")
WHILE_OPEN = MANAGE.during(OPEN_STATES, CLOSED_ALREADY)


def _to_case(case, *messages, category="success"):
    for message in messages:
        flash(str(message), category)  # a lazy message, put into words now (the session keeps text)
    return redirect(url_for("assessments.show", ref=case.ref))


def _from_case_page(case, trigger):
    """A step pressed on the case page: back to it, with the success message or what is missing."""
    try:
        return _to_case(case, workflow.run(case, trigger, current_user))
    except GuardFailed as error:
        return _to_case(case, *error.messages, category="error")


def _from_its_page(case, trigger, href, **data):
    """A step whose data its own page collected: ``(redirect, None)``, or ``(None, errors)`` for the form."""
    try:
        return _to_case(case, workflow.run(case, trigger, current_user, **data)), None
    except GuardFailed as error:
        return None, [{"text": text, "href": href} for text in error.messages]


@case_route(bp, "/transitions/<trigger>", methods=("POST",), need=MANAGE, refused="transition")
def fire(case, trigger):
    return _from_case_page(case, workflow.step(trigger).name)


@case_route(bp, "/close", methods=("GET", "POST"), need=WHILE_OPEN, audit="case_viewed", refused="transition")
def close(case):
    page = workflow.closing_page(case, current_user)
    form = close_form(page["reasons"], page["needs"], page["not_done"])
    errors = None
    if form.validate_on_submit():
        outcomes = form.outcomes() if page["from_plan"] else {}
        done, errors = _from_its_page(
            case, page["trigger"], "#reason", reason=form.reason.data, notes=form.notes.data, outcomes=outcomes
        )
        if done:
            return done
    return render_template(
        "views/closure/close.html",
        case=case,
        form=form,
        from_plan=page["from_plan"],
        sign_off=page["sign_off"],
        not_done=page["not_done"],
        extra_errors=errors,
    )


@case_route(bp, "/step-up", methods=("GET", "POST"), need=WHILE_OPEN, audit="case_viewed", refused="transition")
def step_up(case):
    form = StepUpForm()
    errors = None
    if form.validate_on_submit():
        done, errors = _from_its_page(
            case, "step_up", "#on", on=form.on.data, team=form.team.data, reason=form.reason.data
        )
        if done:
            return done
    return render_template("views/closure/step_up.html", case=case, form=form, extra_errors=errors)


@case_route(bp, "/close/approve", methods=("POST",), need=MANAGER_ONLY, refused="transition")
def approve(case):
    return _from_case_page(case, "approve_closure")


@case_route(
    bp, "/close/reject", methods=("GET", "POST"), need=MANAGER_ONLY, audit="case_viewed", refused="closure_rejected"
)
def reject(case):
    workflow.require_open_to(case, "reject_closure", current_user)
    form = RejectClosureForm()
    if form.validate_on_submit():
        return _to_case(case, workflow.run(case, "reject_closure", current_user, why=form.reason.data))
    return render_template("views/closure/reject.html", case=case, form=form)
