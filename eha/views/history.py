"""Per-case security pages: "who has seen or changed this record", and duty-to-share access."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eha import access, audit
from eha.extensions import db
from eha.forms.grants import GrantForm, RevokeGrantForm
from eha.forms.protected import note_forged_fields
from eha.models.audit import AuditEvent
from eha.models.choices import ROLES
from eha.services import grants as grant_service
from eha.services.grants import MAX_DAYS, GrantError
from eha.transaction import committing

bp = Blueprint("history", __name__)


@bp.get("/assessments/<ref>/history")
@login_required
def show(ref):
    case = access.load_case(ref, current_user, audit_action=None)
    if not access.can_view_history(current_user, case):
        audit.record("case_refused", assessment=case, outcome="refused", detail={"page": "history"})
        db.session.commit()
        access.require(False)
    audit.record("history_viewed", assessment=case)
    db.session.commit()
    page = db.paginate(
        sa.select(AuditEvent).where(AuditEvent.assessment_id == case.id).order_by(AuditEvent.seq.desc()),
        per_page=50, error_out=False,
    )
    return render_template("views/history/show.html", case=case, page=page, label=audit.label, roles=ROLES)


def _manager_only_case(ref):
    """A case page for managers: others who may see the case get 403, others 404 (via load_case)."""
    case = access.load_case(ref, current_user, audit_action=None)
    if not current_user.is_manager:
        audit.record("case_refused", assessment=case, outcome="refused", detail={"page": "duty to share"})
        db.session.commit()
        access.require(False)
    return case


@bp.route("/assessments/<ref>/access", methods=["GET", "POST"])
@login_required
def access_grants(ref):
    case = _manager_only_case(ref)
    form = GrantForm()
    form.set_users(grant_service.grantable_users())
    extra_errors = None
    if request.method == "POST":
        note_forged_fields(form, request, assessment=case)
    if form.validate_on_submit():
        try:
            with committing():
                grant = grant_service.create_grant(case, by=current_user, user=form.chosen_user(),
                                                   reason=form.reason.data, ends_on=form.ends_on.data)
            flash(f"{grant.user.name} can see this case until {grant.ends_on.day} {grant.ends_on:%B %Y}", "success")
            return redirect(url_for("history.access_grants", ref=case.ref))
        except GrantError as error:
            getattr(form, error.field).errors = list(getattr(form, error.field).errors) + [error.message]
    if request.method == "GET" or form.errors:
        audit.record("case_viewed", assessment=case, detail={"page": "duty to share"})
    db.session.commit()
    return render_template("views/history/access.html", case=case, form=form,
                           grants=grant_service.grants_for_case(case), is_active=grant_service.is_active,
                           revoke_form=RevokeGrantForm(formdata=None), max_days=MAX_DAYS,
                           example=date.today() + timedelta(days=28),
                           extra_errors=extra_errors)


@bp.post("/assessments/<ref>/access/revoke")
@login_required
def revoke_grant(ref):
    case = _manager_only_case(ref)
    form = RevokeGrantForm()
    note_forged_fields(form, request, assessment=case)
    if not form.validate():
        db.session.commit()
        abort(400)
    with committing():
        grant = grant_service.revoke_grant(case, form.grant_id.data, by=current_user)
        if grant is None:
            access.refuse(current_user, case.ref, {"grant_id": form.grant_id.data})
    flash(f"{grant.user.name}'s access under the duty to share has ended", "success")
    return redirect(url_for("history.access_grants", ref=case.ref))

