"""The family's plan: actions, changing a signed plan, signatures, progress on actions."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha.access import MANAGE, UPDATE_OWN_ACTION, VIEW, case_route, note_recorded
from eha.errors import Invalid, StaleEdit
from eha.forms.pickers import finding, give_offer, picker_text
from eha.forms.plans import ActionForm, ProgressForm, SignatureForm, parse_version
from eha.services import pickers
from eha.services import plans as service
from eha.workflow.table import PLANNING

bp = Blueprint("plans", __name__, url_prefix="/assessments/<caseref:ref>")

PLANNER = MANAGE.during(PLANNING, service.PLANNING_MESSAGE)


@case_route(bp, "/plan", need=VIEW, audit="plan_viewed")
def show(case):
    return render_template("views/plans/show.html", case=case, **service.plan_page(case, current_user))


@case_route(bp, "/plan/change", need=PLANNER, methods=("POST",), refused="plan_changed")
def change(case):
    """Start a new draft version from the signed one (the signed version stays frozen)."""
    number = service.start_new_version(case, current_user)
    flash(
        _("Version %(number)s of the plan is a draft: change it, then everyone signs it again", number=number),
        "success",
    )
    return redirect(url_for("plans.show", ref=case.ref))


# --- actions on the draft ---


def _on_get(data):
    """A form's saved values, for the page as opened only: a POST is read from what was sent, so a field left out
    (the version) stays missing instead of taking the saved value."""
    return data if request.method == "GET" else None


def _action_form(case, data=None, action=None):
    """The action form; "Who will do it?" lists the case's people, or is a search once there are many of them."""
    needs, _owners = service.action_choices(case, action)
    form = ActionForm(needs=needs, due_bounds=service.action_due_bounds(case), data=_on_get(data))
    give_offer(form.owner, pickers.offer_for("owner", case, picker_text(form.owner), form.owner.data, action=action))
    return form


def _searched(case, form, action=None):
    """The page again after the owner search (nothing saved, nothing to record), or None if it was not one."""
    if not finding():
        return None
    note_recorded()
    return _action_page(case, form, action)


def _action_page(case, form, action=None, conflict=None, status=200):
    return render_template("views/plans/action.html", case=case, form=form, action=action, conflict=conflict), status


def _done(case, change, message):
    if change.unsigned:
        message += _(". The signatures on this draft were removed because the plan changed: ask everyone to sign again")
    flash(message, "success")
    return redirect(url_for("plans.show", ref=case.ref))


def _action_fields(form):
    return {
        "need_code": form.need.data,
        "what": form.what.data,
        "owner": form.owner.data,
        "due_on": form.due_on.data,
        "success": form.success.data,
    }


@case_route(bp, "/plan/actions/new", need=PLANNER, methods=("GET", "POST"), refused="plan_changed")
def action_new(case):
    service.check_can_add_action(case)
    form = _action_form(case)
    searched = _searched(case, form)
    if searched is not None:
        return searched
    if form.validate_on_submit():
        try:
            change = service.add_action(case, current_user, **_action_fields(form))
        except Invalid as error:
            form.add_error(error)
        else:
            return _done(case, change, _("Action added"))
    return _action_page(case, form)


@case_route(bp, "/plan/actions/<key:key>/edit", need=PLANNER, methods=("GET", "POST"), refused="plan_changed")
def action_edit(case, key):
    action, data = service.action_to_change(case, key)
    form = _action_form(case, data=data, action=action)
    searched = _searched(case, form, action)
    if searched is not None:
        return searched
    if form.validate_on_submit():
        try:
            change = service.change_action(
                case, key, current_user, expected_version=parse_version(form.version.data), **_action_fields(form)
            )
        except Invalid as error:
            form.add_error(error)
        except StaleEdit:
            # Someone saved this action after the user opened it: show theirs and keep the user's input.
            action, saved = service.action_conflict(case, key)
            form.version.data = str(action.version_id)
            return _action_page(case, form, action, conflict=saved, status=409)
        else:
            return _done(case, change, _("Action changed"))
    return _action_page(case, form, action)


@case_route(bp, "/plan/actions/<key:key>/delete", need=PLANNER, methods=("POST",), refused="plan_changed")
def action_delete(case, key):
    change = service.remove_action(case, key, current_user, expected_version=parse_version(request.form.get("version")))
    return _done(case, change, _("Action removed: %(what)s", what=change.what[:80]))


# --- signatures ---


def _sign_page(case, form, version, conflict=False, status=200):
    return render_template("views/plans/sign.html", case=case, form=form, version=version, conflict=conflict), status


@case_route(bp, "/plan/sign", need=PLANNER, methods=("GET", "POST"), refused="plan_signed")
def sign(case):
    version, data = service.sign_page(case, request.args.get("signer"))
    form = SignatureForm(signers=[(s.value, s.label) for s in service.signers(case)], data=_on_get(data))
    if form.validate_on_submit():
        try:
            name, number, signed = service.sign(
                case,
                current_user,
                expected_version=parse_version(form.version.data),
                expected_number=parse_version(form.plan.data),
                signer=form.signer.data,
                name=form.name.data,
                role=form.role.data,
                signed_on=form.signed_on.data,
                method=form.method.data,
            )
        except Invalid as error:
            form.add_error(error)
        except StaleEdit:
            version, data = service.sign_page(case)
            form.version.data, form.plan.data = data["version"], data["plan"]
            return _sign_page(case, form, version, conflict=True, status=409)
        else:
            flash(
                _("Version %(number)s of the plan is signed", number=number)
                if signed
                else _("Signature recorded for %(name)s", name=name),
                "success",
            )
            return redirect(url_for("plans.show", ref=case.ref))
    return _sign_page(case, form, version)


@case_route(bp, "/plan/finalise", need=PLANNER, methods=("POST",), refused="plan_signed")
def finalise(case):
    """Freeze a draft that has every signature it needs (signing normally does this by itself)."""
    number = service.finalise(case, current_user)
    flash(_("Version %(number)s of the plan is signed", number=number), "success")
    return redirect(url_for("plans.show", ref=case.ref))


# --- progress on an action (TAF members update the actions they own) ---


@case_route(
    bp, "/plan/actions/<key:key>/progress", need=UPDATE_OWN_ACTION, methods=("GET", "POST"), refused="action_updated"
)
def action_progress(case, key):
    page = service.progress_page(case, key, current_user)
    action = page["action"]
    form = ProgressForm(
        data=_on_get(
            {"progress": action.progress, "comment": action.progress_comment, "version": str(action.version_id)}
        )
    )
    if form.validate_on_submit():
        try:
            service.update_progress(
                case,
                key,
                current_user,
                expected_version=parse_version(form.version.data),
                progress=form.progress.data,
                comment=form.comment.data,
            )
        except StaleEdit:
            page = service.progress_page(case, key, current_user)
            form.version.data = str(page["action"].version_id)
            return render_template("views/plans/progress.html", case=case, form=form, conflict=True, **page), 409
        flash(_("Progress recorded"), "success")
        return redirect(url_for("plans.show", ref=case.ref))
    return render_template("views/plans/progress.html", case=case, form=form, **page)
