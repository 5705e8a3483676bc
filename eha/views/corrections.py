"""Rectification (issue 19): the lead professional or a manager corrects a fact about a child, a parent or carer,
a member of the wider family network, or the household, and sees each fact's history (what it said before, who
changed it, when and why) beside it."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha.access import HISTORY, case_route
from eha.errors import StaleEdit
from eha.forms.governance import (
    CarerCorrectionForm,
    ChildCorrectionForm,
    FamilyCorrectionForm,
    NetworkCorrectionForm,
    as_int,
)
from eha.models.choices import CORRECTABLE_FIELDS, CORRECTABLE_RECORDS
from eha.services import corrections

bp = Blueprint("corrections", __name__, url_prefix="/assessments/<caseref:ref>/corrections")

FORMS = {
    "child": ChildCorrectionForm,
    "carer": CarerCorrectionForm,
    "family": FamilyCorrectionForm,
    "network": NetworkCorrectionForm,
}


@case_route(bp, "", need=HISTORY, audit="case_viewed", audit_detail={"page": "corrections"})
def index(case):
    family = case.family
    records = [("family", family, _("The household"))]
    records += [("child", child, child.name) for child in family.children]
    records += [("carer", carer, carer.name) for carer in family.carers]
    records += [("network", member, member.name) for member in family.network]
    return render_template(
        "views/corrections/index.html",
        case=case,
        records=records,
        fields=CORRECTABLE_FIELDS,
        history={(kind, row.id): corrections.history(kind, row.id) for kind, row, _title in records},
    )


def _page(case, kind, record, form, conflict=False):
    return render_template(
        "views/corrections/edit.html",
        case=case,
        kind=kind,
        kind_label=CORRECTABLE_RECORDS[kind],
        record=record,
        form=form,
        fields=CORRECTABLE_FIELDS[kind],
        history=corrections.history(kind, record.id),
        conflict=conflict,
    ), (409 if conflict else 200)


def _correct(case, kind, record_id=None):
    record = corrections.record_for(case, kind, record_id)
    data = {name: getattr(record, name) for name in CORRECTABLE_FIELDS[kind]}
    form = FORMS[kind](data={**data, "version": case.family.version_id})
    if form.validate_on_submit():
        try:
            corrections.correct(
                case,
                current_user,
                kind,
                record.id,
                form.changes(),
                reason=form.reason.data,
                expected_version=as_int(form.version.data),
            )
        except StaleEdit:
            return _page(case, kind, record, form, conflict=True)
        flash(_("The correction has been saved, with what it said before"), "success")
        return redirect(url_for("corrections.index", ref=case.ref))
    return _page(case, kind, record, form)


@case_route(bp, "/family", methods=("GET", "POST"), need=HISTORY, refused="fact_corrected")
def family(case):
    return _correct(case, "family")


@case_route(bp, "/child/<int:record_id>", methods=("GET", "POST"), need=HISTORY, refused="fact_corrected")
def child(case, record_id):
    return _correct(case, "child", record_id)


@case_route(bp, "/carer/<int:record_id>", methods=("GET", "POST"), need=HISTORY, refused="fact_corrected")
def carer(case, record_id):
    return _correct(case, "carer", record_id)


@case_route(bp, "/network/<int:record_id>", methods=("GET", "POST"), need=HISTORY, refused="fact_corrected")
def network(case, record_id):
    return _correct(case, "network", record_id)
