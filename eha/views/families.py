"""The family's details on a case: household, children, parents and carers, wider network, agencies.

Every change to the household carries the family's version (a hidden field): a save made from a page opened
before someone else's save answers 409 with what is saved now beside what the user typed, their input kept.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eha.access import VIEW, case_route
from eha.errors import Invalid
from eha.forms.families import CarerForm, ChildForm, EditFamilyForm, InvolvedAgencyForm, NetworkMemberForm, compare
from eha.services import families as service

bp = Blueprint("families", __name__, url_prefix="/assessments/<caseref:ref>/family")

FORMS = {
    # what: (form, page title for adding, page title for changing)
    "family": (EditFamilyForm, None, _l("Change the family's details")),
    "child": (ChildForm, _l("Add a child"), _l("Change a child's details")),
    "carer": (CarerForm, _l("Add a parent or carer"), _l("Change a parent or carer's details")),
    "network": (
        NetworkMemberForm,
        _l("Add someone from the wider family network"),
        _l("Change a wider family network member"),
    ),
    "agency": (InvolvedAgencyForm, _l("Add an agency already involved"), _l("Change an agency already involved")),
}

# What the conflict page calls the people already on record when the user was adding one.
ON_RECORD = {
    "child": _l("Children"),
    "carer": _l("Parents and carers"),
    "network": _l("Wider family network"),
    "agency": _l("Agencies already involved"),
}


@case_route(bp, "", need=VIEW)
def show(case):
    return render_template("views/families/show.html", case=case, **service.family_page(case, current_user))


def _form(case, what, record, posting):
    kwargs = {"agencies": service.active_agencies()} if what == "agency" else {}
    data = service.saved_data(what, record) or {}
    # The version comes from the page the user saw; a POST without one is treated as stale, never as fresh.
    data["version"] = None if posting else str(case.family.version_id)
    return FORMS[what][0](data=data, **kwargs), kwargs


def _conflict(case, what, record_id, form, kwargs):
    """What the conflict page shows: each question with what is saved now and what the user typed."""
    record = service.household_record(case, what, record_id)
    saved = FORMS[what][0](formdata=None, data=service.saved_data(what, record), **kwargs) if record else None
    on_record = None
    if saved is None:
        on_record = {"label": ON_RECORD[what], "names": service.names_on_record(case, what)}
    form.version.data = str(case.family.version_id)
    return {"rows": compare(form, saved), "on_record": on_record, "at": case.family.updated_at, "adding": saved is None}


def _change(case, what, record_id=None):
    record = service.household_record(case, what, record_id)
    posting = request.method == "POST"
    form, kwargs = _form(case, what, record, posting)
    conflict = None
    if posting and form.validate():
        agency = form.chosen_agency() if what == "agency" else None
        try:
            service.update_family(
                case,
                current_user,
                what,
                None if what == "family" else record,
                form.data,
                agency=agency,
                expected_version=form.version.data or None,
            )
        except service.FamilyConflict:
            conflict = _conflict(case, what, record_id, form, kwargs)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("The family's details have been saved"), "success")
            return redirect(url_for(".show", ref=case.ref))
    endpoint, args = (
        (".edit_family", {})
        if what == "family"
        else ((f".{what}", {"record_id": record_id}) if record_id is not None else (f".new_{what}", {}))
    )
    title = FORMS[what][2] if record is not None else FORMS[what][1]
    return render_template(
        "views/families/form.html",
        case=case,
        form=form,
        title=title,
        conflict=conflict,
        action=url_for(endpoint, ref=case.ref, **args),
    ), 409 if conflict else 200


@case_route(bp, "/edit", methods=("GET", "POST"), need=service.HOUSEHOLD, refused="family_updated")
def edit_family(case):
    return _change(case, "family")


def _register(what, plural):
    def new(case):
        return _change(case, what)

    def change(case, record_id):
        return _change(case, what, record_id)

    new.__name__, change.__name__ = f"new_{what}", what
    for rule, view in ((f"/{plural}/new", new), (f"/{plural}/<int:record_id>", change)):
        case_route(bp, rule, methods=("GET", "POST"), need=service.HOUSEHOLD, refused="family_updated")(view)


_register("child", "children")
_register("carer", "carers")
_register("network", "network")
_register("agency", "agencies")
