"""Subject access redactions on a case (issue 19): the case's lead professional (or a manager) marks each third
party whose personal data must be withheld from a request covering the case, with the exemption relied on and
why, and sends the marks to a manager for review."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eha.access import HISTORY, case_route
from eha.errors import NotFound
from eha.forms.governance import VersionForm, WithholdForm, as_int
from eha.models.choices import SAR_EXEMPTIONS, SAR_STATUSES
from eha.services import subject_access as sars

bp = Blueprint("sar_redactions", __name__, url_prefix="/assessments/<caseref:ref>/subject-access")


def _page(case, forms=None, status=200):
    """The page; ``forms`` {request id: the form posted back with its errors} (the base template's error summary
    shows the one posted)."""
    requests = sars.requests_covering(case)
    posted = next(iter((forms or {}).values()), None)
    forms = forms or {}
    for sar, people in requests:
        forms.setdefault(sar.id, WithholdForm(formdata=None)).set_people(people)
    return render_template(
        "views/subject_access/case.html",
        case=case,
        form=posted,
        requests=requests,
        forms=forms,
        reference=sars.reference,
        exemptions=SAR_EXEMPTIONS,
        statuses=SAR_STATUSES,
    ), status


def _request_on(case, sar_id):
    for sar, people in sars.requests_covering(case):
        if sar.id == sar_id:
            return sar, people
    raise NotFound(_l("There is no such subject access request waiting for redactions on this case."))


@case_route(bp, "", need=HISTORY, audit="case_viewed", audit_detail={"page": "subject access"})
def index(case):
    return _page(case)


@case_route(bp, "/<int:sar_id>/withhold", methods=("POST",), need=HISTORY, refused="sar_redactions_marked")
def withhold(case, sar_id):
    sar, people = _request_on(case, sar_id)
    form = WithholdForm()
    form.set_people(people)
    if not form.validate_on_submit():
        return _page(case, {sar.id: form})
    person = sars.withhold(
        sar,
        case,
        current_user,
        form.person.data,
        exemption=form.exemption.data,
        reason=form.reason.data,
        expected_version=as_int(form.version.data),
    )
    flash(
        _("%(name)s's personal data will be withheld from %(ref)s", name=person.name, ref=sars.reference(sar)),
        "success",
    )
    return redirect(url_for("sar_redactions.index", ref=case.ref))


@case_route(
    bp, "/<int:sar_id>/redactions/<int:redaction_id>/release", methods=("POST",), need=HISTORY,
    refused="sar_redaction_released",
)  # fmt: skip
def release(case, sar_id, redaction_id):
    sar, _people = _request_on(case, sar_id)
    form = VersionForm()
    form.validate_on_submit()
    sars.release(sar, case, current_user, redaction_id, expected_version=as_int(form.version.data))
    flash(_("That person's personal data is no longer withheld"), "success")
    return redirect(url_for("sar_redactions.index", ref=case.ref))


@case_route(bp, "/<int:sar_id>/send", methods=("POST",), need=HISTORY, refused="sar_sent_for_review")
def send(case, sar_id):
    sar, _people = _request_on(case, sar_id)
    form = VersionForm()
    form.validate_on_submit()
    sars.send_for_review(sar, case, current_user, expected_version=as_int(form.version.data))
    flash(_("The redactions on %(ref)s are with a manager for review", ref=sars.reference(sar)), "success")
    return redirect(url_for("sar_redactions.index", ref=case.ref))
