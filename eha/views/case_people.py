"""People on a case without an eha account: the list, adding, changing and taking someone off the case."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha.access import MANAGE, VIEW, case_route, note_recorded
from eha.errors import Invalid, StaleEdit
from eha.forms.case_people import KIND_LABELS, CasePersonForm, RemovePersonForm
from eha.forms.plans import parse_version
from eha.services import case_people as service
from eha.workflow.states import OPEN_STATES

bp = Blueprint("case_people", __name__, url_prefix="/assessments/<caseref:ref>")

CHANGE_PEOPLE = MANAGE.during(OPEN_STATES, service.CLOSED)


def _back(case):
    return redirect(url_for("case_people.index", ref=case.ref))


@case_route(bp, "/people", need=VIEW)
def index(case):
    """Who is on the case without an account, and who is no longer on it."""
    return render_template(
        "views/case_people/index.html", case=case, **{**service.page_context(case, current_user), "kinds": KIND_LABELS}
    )


def _form_page(case, form, person=None, conflict=None, status=200):
    return render_template(
        "views/case_people/form.html",
        case=case,
        form=form,
        person=person,
        conflict=conflict,
        network=service.available_network(case) if person is None else [],
    ), status


@case_route(bp, "/people/new", need=CHANGE_PEOPLE, methods=("GET", "POST"), refused="case_person_added")
def new(case):
    """Add someone: typed in, or chosen from the household's network (``?network_member=<id>`` pre-fills)."""
    if request.method == "GET":
        chosen = parse_version(request.args.get("network_member"))
        data = service.prefill_from_network(case, chosen) if chosen is not None else None
        return _form_page(case, CasePersonForm(data=data))
    form = CasePersonForm()
    if not form.validate():
        return _form_page(case, form)
    if form.network_member_forged:
        form.name.errors.append(_("Select someone from the household's network who is not already on the case"))
        return _form_page(case, form)
    try:
        person = service.add_person(case, current_user, form.fields(), network_member_id=form.network_member_id)
    except Invalid as error:
        form.add_error(error)
        return _form_page(case, form)
    flash(_("%(name)s is on the case", name=person.name), "success")
    return _back(case)


@case_route(
    bp, "/people/<int:person_id>/edit", need=CHANGE_PEOPLE, methods=("GET", "POST"), refused="case_person_changed"
)
def edit(case, person_id):
    """Change someone's details. The form carries the version opened: a change saved since is a 409."""
    person = service.current_person(case, person_id)
    if request.method == "GET":
        return _form_page(case, CasePersonForm(data=service.form_data(person)), person)
    form = CasePersonForm()
    if not form.validate():
        return _form_page(case, form, person)
    try:
        person = service.change_person(
            case, person_id, current_user, form.fields(), expected_version=parse_version(form.version.data)
        )
    except Invalid as error:
        form.add_error(error)
        return _form_page(case, form, person)
    except StaleEdit:
        saved = service.current_person(case, person_id)
        form.version.data = str(saved.version_id)
        return _form_page(case, form, saved, conflict=service.conflict_rows(saved), status=409)
    flash(_("%(name)s's details are saved", name=person.name), "success")
    return _back(case)


@case_route(bp, "/people/<int:person_id>/remove", need=CHANGE_PEOPLE, methods=("POST",), refused="case_person_removed")
def remove(case, person_id):
    """Take someone off the case. If they own open actions, a page lists them and asks to confirm first."""
    person = service.current_person(case, person_id)
    form = RemovePersonForm()
    owned = service.open_actions(case, person)
    if form.validate() and owned and form.confirm.data != "yes":
        note_recorded()  # asking to confirm is not a failure
        return render_template(
            "views/case_people/remove.html", case=case, person=person, actions=owned, version=form.version.data
        )
    service.remove_person(case, person_id, current_user, expected_version=parse_version(form.version.data))
    flash(_("%(name)s is no longer on the case", name=person.name), "success")
    return _back(case)
