"""The family's agreement to early help: record it, change it (a new record), withdraw it."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eha.access import MANAGE, VIEW, case_route
from eha.errors import Invalid, NotAllowed, StaleEdit
from eha.forms.consent import CONSENT_CONTACT_LABELS, CONSENT_FORM_LABELS, ConsentForm, WithdrawConsentForm
from eha.services import consent as service

bp = Blueprint("consent", __name__, url_prefix="/assessments/<caseref:ref>/consent")


def _save(form, field, action, case, **values):
    """Run the service ``action``: True when saved; else the form shows why (the input kept, and on a conflict
    the marker moved on to what is saved now) and the status to answer with."""
    try:
        action(case, current_user, marker=form.marker.data, **values)
    except Invalid as error:
        form.add_error(error)
        return False, None, 200
    except StaleEdit as error:
        form.marker.data = service.latest_consent_marker(case)
        return False, [{"text": error.message, "href": f"#{field}"}], 409
    return True, None, 200


@case_route(bp, "", methods=("GET", "POST"), need={"GET": VIEW, "POST": MANAGE}, refused="consent_recorded")
def edit(case):
    page = service.consent_page(case, current_user)
    form = ConsentForm(data=page["data"], givers=page["givers"], agencies=page["agencies"])
    errors, status = None, 200
    if request.method == "POST" and form.validate():
        saved, errors, status = _save(
            form,
            "given_by",
            service.record_consent,
            case,
            given_by=form.given_by.data,
            given_on=form.given_on.data,
            agency_ids=form.agencies.data,
            withheld=form.withheld.data,
            legal_basis=form.legal_basis.data,
            how=form.how_given(),
        )
        if saved:
            flash(_("The family's agreement has been recorded"), "success")
            return redirect(url_for("assessments.show", ref=case.ref))
    return render_template(
        "views/consent/edit.html",
        case=case,
        form=form,
        history=page["history"],
        current=page["current"],
        can_manage=page["can_manage"],
        extra_errors=errors,
        has_givers=bool(page["givers"]),
        consent_forms=CONSENT_FORM_LABELS,
        consent_contacts=CONSENT_CONTACT_LABELS,
    ), status


@case_route(bp, "/withdraw", methods=("GET", "POST"), need=MANAGE, refused="consent_withdrawn")
def withdraw(case):
    current = case.current_consent
    if current is None or current.withdrawn_on is not None:
        if request.method == "POST":
            raise NotAllowed(_l("There is no current agreement to withdraw."))
        flash(_("There is no current agreement to withdraw"), "info")
        return redirect(url_for(".edit", ref=case.ref))
    form = WithdrawConsentForm(data={"marker": service.marker_of(current)})
    errors, status = None, 200
    if request.method == "POST" and form.validate():
        saved, errors, status = _save(
            form,
            "withdrawn_on",
            service.withdraw_consent,
            case,
            withdrawn_on=form.withdrawn_on.data,
            notes=form.notes.data,
        )
        if saved:
            flash(
                _("The withdrawal of agreement has been recorded. Agencies in the team no longer see this case."),
                "success",
            )
            return redirect(url_for("assessments.show", ref=case.ref))
        current = case.current_consent
    return render_template(
        "views/consent/withdraw.html", case=case, form=form, current=current, extra_errors=errors
    ), status
