"""Per-case security pages: "who has seen or changed this record", and duty-to-share access."""

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha import audit
from eha.access import HISTORY, MANAGER_ONLY, case_route, note_recorded
from eha.errors import Invalid
from eha.formatting import format_date
from eha.forms.grants import GrantForm, RevokeGrantForm
from eha.forms.pickers import finding, give_offer, picker_text
from eha.i18n import N_, current_language, translated
from eha.models.choices import ROLES
from eha.services import grants as grant_service
from eha.services.history import case_events
from eha.workflow import table as workflow_table

bp = Blueprint("history", __name__, url_prefix="/assessments/<caseref:ref>")


# The pages named in ``detail["page"]`` of a case's events (stored in English), as the history page shows them.
PAGES_SHOWN = {
    "duty to share": N_("duty to share"),
    "corrections": N_("corrections"),
    "subject access": N_("subject access"),
    "people-search": N_("people search"),
}


def _page_shown(page):
    return translated(PAGES_SHOWN[page]) if page in PAGES_SHOWN else page


def _step_shown(trigger):
    """A workflow step named in an event's detail, in the page's language ("agree plan" for one eha no longer has)."""
    spec = workflow_table.get(trigger) if isinstance(trigger, str) else None
    return spec.words_shown() if spec else str(trigger).replace("_", " ")


@case_route(bp, "/history", need=HISTORY, audit="history_viewed")
def show(case):
    return render_template(
        "views/history/show.html",
        case=case,
        page=case_events(case),
        label=audit.label_shown,
        page_shown=_page_shown,
        step_shown=_step_shown,
        roles=ROLES,
    )


def _grant_form(case):
    """The grant form, its practitioner picker offering those found (and the one chosen), and the page around it."""
    form = GrantForm()
    page = grant_service.grant_page(case, text=picker_text(form.user), chosen=form.user.data)
    give_offer(form.user, page.pop("offer"))
    return form, page


def _grants_page(case, form, page):
    return render_template(
        "views/history/access.html",
        case=case,
        form=form,
        **page,
        is_active=grant_service.is_active,
        revoke_form=RevokeGrantForm(formdata=None),
        max_days=grant_service.MAX_DAYS,
        example=date.today() + timedelta(days=28),
    )


@case_route(
    bp,
    "/access",
    methods=("GET", "POST"),
    need=MANAGER_ONLY,
    audit="case_viewed",
    audit_detail={"page": "duty to share"},
    refused="grant_created",
)
def access_grants(case):
    form, page = _grant_form(case)
    if finding():
        note_recorded()  # a search is not an attempt to grant: nothing to record
        return _grants_page(case, form, page)
    if form.validate_on_submit():
        try:
            grant = grant_service.create_grant(
                case, by=current_user, user=form.user_id, reason=form.reason.data, ends_on=form.ends_on.data
            )
        except Invalid as error:
            form.add_error(error)
        else:
            flash(
                _(
                    "%(name)s can see this case until %(date)s",
                    name=grant.user.name,
                    date=format_date(grant.ends_on, language=current_language()),
                ),
                "success",
            )
            return redirect(url_for("history.access_grants", ref=case.ref))
    return _grants_page(case, form, page)


@case_route(bp, "/access/revoke", methods=("POST",), need=MANAGER_ONLY, refused="grant_revoked")
def revoke_grant(case):
    form = RevokeGrantForm()
    if not form.validate():
        abort(400)
    grant = grant_service.revoke_grant(case, form.grant_id.data, by=current_user)
    flash(_("%(name)s's access under the duty to share has ended", name=grant.user.name), "success")
    return redirect(url_for("history.access_grants", ref=case.ref))
