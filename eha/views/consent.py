"""The family's agreement to early help: record it, change it (a new record), withdraw it."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eha import access, audit
from eha.extensions import db
from eha.forms.consent import ConsentForm, WithdrawConsentForm
from eha.models.users import Agency
from eha.services import assessments as service
from eha.transaction import committing

bp = Blueprint("consent", __name__, url_prefix="/assessments/<ref>/consent")


def _agencies():
    return db.session.scalars(sa.select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)).all()


def _refuse(case, action):
    with committing():
        audit.record(action, assessment=case, outcome="refused", detail={"reason": "not allowed"})
    access.require(False)


@bp.route("", methods=["GET", "POST"])
@login_required
def edit(ref):
    posting = request.method == "POST"
    case = access.load_case_for_form(ref, current_user)
    if posting and not access.can_manage(current_user, case):
        _refuse(case, "consent_recorded")
    can_manage = access.can_manage(current_user, case)
    givers = service.consent_givers(case)
    current = case.current_consent
    data = {"legal_basis": case.legal_basis, "marker": service.latest_consent_marker(case)}
    if current is not None and current.withdrawn_on is None:
        data.update(agencies=[str(a) for a in current.agency_ids], withheld=current.withheld or "",
                    given_by=(f"carer-{current.carer_id}" if current.carer_id else f"child-{current.child_id}"))
    form = ConsentForm(data=data, givers=givers, agencies=_agencies())
    errors = None
    status = 200
    if posting:
        if form.validate():
            try:
                with committing():
                    service.record_consent(
                        case, current_user, given_by=form.given_by.data, given_on=form.given_on.data,
                        agency_ids=form.agencies.data, withheld=form.withheld.data,
                        legal_basis=form.legal_basis.data, marker=form.marker.data,
                    )
            except service.ConsentConflict:
                errors = [{"text": "Someone else changed the family's agreement after you opened this page. "
                                   "Check it below, then save again.", "href": "#given_by"}]
                status = 409
                form.marker.data = service.latest_consent_marker(case)
            else:
                flash("The family's agreement has been recorded", "success")
                return redirect(url_for("assessments.show", ref=case.ref))
        with committing():
            audit.record("consent_recorded", assessment=case, outcome="failed",
                         detail={"reason": "conflict" if status == 409 else "invalid input"})
    history = list(reversed(case.consents))
    return render_template("views/consent/edit.html", case=case, form=form, history=history, current=current,
                           can_manage=can_manage, extra_errors=errors, has_givers=bool(givers)), status


@bp.route("/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(ref):
    posting = request.method == "POST"
    case = access.load_case_for_form(ref, current_user)
    if posting and not access.can_manage(current_user, case):
        _refuse(case, "consent_withdrawn")
    if not posting:
        access.require(access.can_manage(current_user, case))
    current = case.current_consent
    if current is None or current.withdrawn_on is not None:
        if posting:
            with committing():
                audit.record("consent_withdrawn", assessment=case, outcome="failed",
                             detail={"reason": "no current agreement"})
        flash("There is no current agreement to withdraw", "info")
        return redirect(url_for(".edit", ref=case.ref))
    form = WithdrawConsentForm(data={"marker": service.latest_consent_marker(case)})
    errors = None
    status = 200
    if posting:
        if form.validate():
            if form.withdrawn_on.data < current.given_on:
                form.withdrawn_on.errors = ["Date agreement was withdrawn must be on or after the date agreed"]
            else:
                try:
                    with committing():
                        service.withdraw_consent(case, current_user, withdrawn_on=form.withdrawn_on.data,
                                                 notes=form.notes.data, marker=form.marker.data)
                except service.ConsentConflict:
                    status = 409
                    errors = [{"text": "Someone else changed the family's agreement after you opened this "
                                       "page. Check it, then save again.", "href": "#withdrawn_on"}]
                    form.marker.data = service.latest_consent_marker(case)
                else:
                    flash("The withdrawal of agreement has been recorded. Agencies in the team no longer "
                          "see this case.", "success")
                    return redirect(url_for("assessments.show", ref=case.ref))
        with committing():
            audit.record("consent_withdrawn", assessment=case, outcome="failed",
                         detail={"reason": "conflict" if status == 409 else "invalid input"})
    return render_template("views/consent/withdraw.html", case=case, form=form, current=current,
                           extra_errors=errors), status
