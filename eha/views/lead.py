"""Change of lead professional: the lead or a manager hands the case to another practitioner."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha.access import MANAGE, case_route, note_recorded
from eha.errors import Invalid, StaleEdit
from eha.forms.lead import ChangeLeadForm
from eha.forms.pickers import finding, give_offer, picker_text
from eha.forms.plans import parse_version
from eha.services import lead as service
from eha.workflow.states import OPEN_STATES

bp = Blueprint("lead", __name__, url_prefix="/assessments/<caseref:ref>")

CHANGE_LEAD = MANAGE.during(OPEN_STATES, service.CLOSED)


def _form(case, **kwargs):
    """The form and the page around it: the new lead's picker offers the practitioners found (or all, if few)."""
    form = ChangeLeadForm(old_lead=service.current_lead(case), **kwargs)
    page = service.page_context(case, text=picker_text(form.new_lead), chosen=form.new_lead.data)
    give_offer(form.new_lead, page.pop("offer"))
    return form, page


def _render(case, form, page, conflict=False):
    return render_template("views/lead/change.html", case=case, form=form, conflict=conflict, **page), (
        409 if conflict else 200
    )


@case_route(bp, "/lead", methods=("GET", "POST"), need=CHANGE_LEAD, audit="case_viewed", refused="lead_changed")
def change(case):
    """Who the case is handed to, from when, why, and whether the old lead stays in the TAF."""
    if request.method == "GET":
        data = {"version": str(case.version_id), "keep_old": "yes", "handed_over_on": date.today()}
        return _render(case, *_form(case, data=data))
    form, page = _form(case)
    if finding():
        note_recorded()  # a search for the new lead is not an attempt to change it: nothing to record
        return _render(case, form, page)
    if not form.validate():
        return _render(case, form, page)
    try:
        new = service.change_lead(
            case,
            current_user,
            form.new_lead_id,
            form.reason.data,
            form.handed_over_on.data,
            form.keep_old.data == "yes",
            expected_version=parse_version(form.version.data),
        )
    except Invalid as error:
        form.add_error(error)
        return _render(case, form, page)
    except StaleEdit:
        form.version.data = str(case.version_id)
        return _render(case, form, page, conflict=True)
    flash(_("%(name)s is now the lead professional", name=new.name), "success")
    return redirect(url_for("assessments.show", ref=case.ref))
