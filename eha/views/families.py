"""The family's details on a case: household, children, parents and carers, wider network, agencies.

Every change to the household carries the family's version (a hidden field): a save made from a page opened
before someone else's save answers 409 with what is saved now beside what the user typed, their input kept.
"""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eha import access, audit
from eha.extensions import db
from eha.formatting import format_date
from eha.forms.families import CarerForm, ChildForm, EditFamilyForm, InvolvedAgencyForm, NetworkMemberForm
from eha.models.families import Carer, Child, Family, InvolvedAgency, NetworkMember
from eha.models.users import Agency
from eha.services import assessments as service
from eha.transaction import committing

bp = Blueprint("families", __name__, url_prefix="/assessments/<ref>/family")

PARTS = {
    # what: (form, model, family relationship, page title for adding, page title for changing, first field)
    "family": (EditFamilyForm, Family, None, None, "Change the family's details", "name"),
    "child": (ChildForm, Child, "children", "Add a child", "Change a child's details", "first_name"),
    "carer": (CarerForm, Carer, "carers", "Add a parent or carer", "Change a parent or carer's details", "name"),
    "network": (NetworkMemberForm, NetworkMember, "network", "Add someone from the wider family network",
                "Change a wider family network member", "name"),
    "agency": (InvolvedAgencyForm, InvolvedAgency, "involved_agencies", "Add an agency already involved",
               "Change an agency already involved", "agency_id"),
}

# What the conflict page calls the people already on record when the user was adding one.
ON_RECORD = {"child": "Children", "carer": "Parents and carers", "network": "Wider family network",
             "agency": "Agencies already involved"}


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


def _agencies():
    return db.session.scalars(sa.select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)).all()


def _saved_data(what, record):
    """The form's data for ``record`` as saved (None when adding)."""
    if record is None:
        return None
    model = PARTS[what][1]
    data = {c.key: getattr(record, c.key) for c in sa.inspect(model).column_attrs}
    data.pop("version_id", None)
    if what == "carer":
        data["interpreter_needed"] = "yes" if record.interpreter_needed else "no"
    if what == "agency":
        data["agency_id"] = str(record.agency_id) if record.agency_id else None
        if record.agency_id:
            data["agency_name"] = ""
    return data


def _shown(field):
    """A field's value as a person reads it (a choice's label, a date in words)."""
    value = field.data
    if isinstance(value, date):
        return format_date(value)
    for choice in getattr(field, "choices", None) or ():
        choice_value, label = (choice.value, choice.label) if hasattr(choice, "value") else tuple(choice)[:2]
        if value is not None and str(choice_value) == str(value):
            return label
    return value or ""


def _conflict(what, form, saved_form, family):
    """What the conflict page shows: each question with what is saved now and what the user typed."""
    rows = [(field.label.text, _shown(saved_form[field.name]) if saved_form else None, _shown(field))
            for field in form if field.type not in ("CSRFTokenField", "HiddenField")]
    relation = PARTS[what][2]
    on_record = None
    if saved_form is None and relation:
        names = [getattr(r, "agency_name", None) or r.name for r in getattr(family, relation)]
        on_record = {"label": ON_RECORD[what], "names": names}
    return {"rows": rows, "on_record": on_record, "at": family.updated_at, "adding": saved_form is None}


def _change(ref, what, record_id=None):
    form_class, _model, relation, add_title, change_title, first_field = PARTS[what]
    case, posting = _load_for_change(ref)
    family = case.family

    def current_record():
        if what == "family":
            return family
        if record_id is None:
            return None
        found = next((r for r in getattr(family, relation) if r.id == record_id), None)
        if found is None:
            abort(404)
        return found

    record = current_record()
    kwargs = {"agencies": _agencies()} if what == "agency" else {}
    data = _saved_data(what, record) or {}
    # The version comes from the page the user saw; a POST without one is treated as stale, never as fresh.
    data["version"] = None if posting else str(family.version_id)
    form = form_class(data=data, **kwargs)
    errors = None
    conflict = None
    if posting:
        if form.validate():
            agency = form.chosen_agency() if what == "agency" else None
            try:
                with committing():
                    service.update_family(case, current_user, what, None if what == "family" else record,
                                          form.data, agency=agency, expected_version=form.version.data or "")
            except service.FamilyConflict:
                # The transaction was rolled back: reading the family now gives what someone else saved.
                record = current_record()
                saved = form_class(formdata=None, data=_saved_data(what, record), **kwargs) if record else None
                conflict = _conflict(what, form, saved, family)
                form.version.data = str(family.version_id)
            except service.DuplicateEpisode as exc:
                errors = [{"text": str(exc), "href": f"#{first_field}"}]
            else:
                flash("The family's details have been saved", "success")
                return redirect(url_for(".show", ref=case.ref))
        _failed(case, "conflict" if conflict else "invalid input" if errors is None else "open episode")
    if what == "family":
        action = url_for(".edit_family", ref=case.ref)
    elif record_id is not None:
        action = url_for(f".{what}", ref=case.ref, record_id=record_id)
    else:
        action = url_for(f".new_{what}", ref=case.ref)
    title = change_title if record is not None else add_title
    return render_template("views/families/form.html", case=case, form=form, action=action, title=title,
                           extra_errors=errors, conflict=conflict), 409 if conflict else 200


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit_family(ref):
    return _change(ref, "family")


def _register(what, plural):
    def new(ref):
        return _change(ref, what)

    def change(ref, record_id):
        return _change(ref, what, record_id)

    bp.add_url_rule(f"/{plural}/new", f"new_{what}", login_required(new), methods=["GET", "POST"])
    bp.add_url_rule(f"/{plural}/<int:record_id>", what, login_required(change), methods=["GET", "POST"])


_register("child", "children")
_register("carer", "carers")
_register("network", "network")
_register("agency", "agencies")
