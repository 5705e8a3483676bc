"""The family's details on a case: household, children, parents and carers, wider network, agencies."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from eha import access, audit
from eha.extensions import db
from eha.forms.families import CarerForm, ChildForm, EditFamilyForm, InvolvedAgencyForm, NetworkMemberForm
from eha.models.families import Carer, Child, InvolvedAgency, NetworkMember
from eha.models.users import Agency
from eha.services import assessments as service
from eha.transaction import committing

bp = Blueprint("families", __name__, url_prefix="/assessments/<ref>/family")

PARTS = {
    # what: (form, model, family relationship, page title for adding, page title for changing)
    "child": (ChildForm, Child, "children", "Add a child", "Change a child's details"),
    "carer": (CarerForm, Carer, "carers", "Add a parent or carer", "Change a parent or carer's details"),
    "network": (NetworkMemberForm, NetworkMember, "network", "Add someone from the wider family network",
                "Change a wider family network member"),
    "agency": (InvolvedAgencyForm, InvolvedAgency, "involved_agencies", "Add an agency already involved",
               "Change an agency already involved"),
}


@bp.get("")
@login_required
def show(ref):
    with committing():
        case = access.load_case(ref, current_user)
    return render_template("views/families/show.html", case=case, family=case.family,
                           can_edit=access.can_edit_assessment(current_user, case))


def _load_for_change(ref):
    posting = request.method == "POST"
    case = access.load_case_for_form(ref, current_user)
    if not access.can_edit_assessment(current_user, case):
        if posting:
            with committing():
                audit.record("family_updated", assessment=case, outcome="refused", detail={"reason": "not allowed"})
        abort(403)
    return case, posting


def _failed(case, reason):
    with committing():
        audit.record("family_updated", assessment=case, outcome="failed", detail={"reason": reason})


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit_family(ref):
    case, posting = _load_for_change(ref)
    family = case.family
    form = EditFamilyForm(obj=family, data={"version": str(family.version_id)})
    errors = None
    status = 200
    if posting:
        if form.validate():
            if form.version.data != str(family.version_id):
                status = 409
                errors = [{"text": f"Someone else changed the family's details after you opened this page. They "
                                   f"are now: {family.name}; {family.address or 'no address'}; "
                                   f"{family.postcode or 'no postcode'}. Your changes are below: check them and "
                                   "save again.", "href": "#name"}]
                form.version.data = str(family.version_id)
            else:
                try:
                    with committing():
                        service.update_family(case, current_user, "family", data=form.data)
                except StaleDataError:
                    status = 409
                    errors = [{"text": "Someone else changed the family's details at the same moment. Check "
                                       "your changes and save again.", "href": "#name"}]
                else:
                    flash("The family's details have been saved", "success")
                    return redirect(url_for(".show", ref=case.ref))
        _failed(case, "conflict" if status == 409 else "invalid input")
    return render_template("views/families/form.html", case=case, form=form, title="Change the family's details",
                           action=url_for(".edit_family", ref=case.ref), extra_errors=errors), status


def _agencies():
    return db.session.scalars(sa.select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)).all()


def _part(ref, what, record_id=None):
    form_class, model, relation, add_title, change_title = PARTS[what]
    case, posting = _load_for_change(ref)
    record = None
    if record_id is not None:
        record = next((r for r in getattr(case.family, relation) if r.id == record_id), None)
        if record is None:
            abort(404)
    kwargs = {"agencies": _agencies()} if what == "agency" else {}
    data = None
    if record is not None:
        data = {c.key: getattr(record, c.key) for c in sa.inspect(model).column_attrs}
        if what == "carer":
            data["interpreter_needed"] = "yes" if record.interpreter_needed else "no"
        if what == "agency":
            data["agency_id"] = str(record.agency_id) if record.agency_id else None
            if record.agency_id:
                data["agency_name"] = ""
    form = form_class(data=data, **kwargs)
    errors = None
    if posting:
        if form.validate():
            agency = form.chosen_agency() if what == "agency" else None
            try:
                with committing():
                    service.update_family(case, current_user, what, record, form.data, agency=agency)
            except service.DuplicateEpisode as exc:
                errors = [{"text": str(exc), "href": "#first_name"}]
            else:
                flash("The family's details have been saved", "success")
                return redirect(url_for(".show", ref=case.ref))
        _failed(case, "invalid input" if errors is None else "open episode")
    action = url_for(f".{what}", ref=case.ref, record_id=record_id) if record_id else url_for(
        f".new_{what}", ref=case.ref)
    return render_template("views/families/form.html", case=case, form=form, action=action,
                           title=change_title if record else add_title, extra_errors=errors)


def _register(what, plural):
    def new(ref):
        return _part(ref, what)

    def change(ref, record_id):
        return _part(ref, what, record_id)

    bp.add_url_rule(f"/{plural}/new", f"new_{what}", login_required(new), methods=["GET", "POST"])
    bp.add_url_rule(f"/{plural}/<int:record_id>", what, login_required(change), methods=["GET", "POST"])


_register("child", "children")
_register("carer", "carers")
_register("network", "network")
_register("agency", "agencies")
