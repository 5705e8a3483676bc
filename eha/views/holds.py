"""Legal hold on a case or its family (issue 19): a manager places and lifts it, with a reason."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha.access import MANAGER_ONLY, case_route
from eha.forms.governance import HoldForm, LiftHoldForm, as_int
from eha.services import holds

bp = Blueprint("holds", __name__, url_prefix="/assessments/<caseref:ref>")


@case_route(bp, "/hold", methods=("GET", "POST"), need=MANAGER_ONLY, refused="legal_hold_placed")
def place(case):
    form = HoldForm()
    if form.validate_on_submit():
        holds.place(case, current_user, on=form.on.data, reason=form.reason.data)
        flash(_("The legal hold is in place: these records will not be disposed of while it stands"), "success")
        return redirect(url_for("holds.place", ref=case.ref))
    return render_template(
        "views/holds/show.html",
        case=case,
        form=form,
        holds=holds.holds_for(case),
        lift_form=LiftHoldForm(formdata=None),
    )


@case_route(bp, "/hold/lift", methods=("POST",), need=MANAGER_ONLY, refused="legal_hold_lifted")
def lift(case):
    form = LiftHoldForm()
    if not form.validate_on_submit():
        if as_int(form.hold_id.data) is None:
            abort(400)
        return render_template(
            "views/holds/show.html",
            case=case,
            form=HoldForm(formdata=None),
            holds=holds.holds_for(case),
            lift_form=form,
        )
    holds.lift(
        case,
        current_user,
        as_int(form.hold_id.data),
        reason=form.reason.data,
        expected_version=as_int(form.version.data),
    )
    flash(_("The legal hold has been lifted"), "success")
    return redirect(url_for("holds.place", ref=case.ref))
