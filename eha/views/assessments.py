"""The case list, starting an assessment (find the child, safety first, the family), and the case overview."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eha.access import STAFF, VIEW, case_route, route
from eha.errors import Invalid
from eha.forms.assessments import ChooseChildrenForm
from eha.forms.families import FindChildForm, NewFamilyForm, SafetyForm
from eha.services import assessments as service
from eha.services import attention
from eha.services import reports as report_service
from eha.services.meetings import taf_held_ids
from eha.views.reports import csv_response
from eha.workflow.states import STATE_LABELS

bp = Blueprint("assessments", __name__, url_prefix="/assessments")

# What the "start an assessment" journey remembers between its steps (no rows until the last step).
FLOW = "new_assessment"


def _list_filters():
    state = request.args.get("state", "")
    text = (request.args.get("q") or "").replace("\x00", "")[:100]
    needs = request.args.get("needs", "")
    return state if state in STATE_LABELS else "", text, needs if needs in attention.NEEDS else ""


@route(bp, "/export.csv", need=STAFF)
def index_csv():
    """The case list as filtered, as a streamed CSV download (only the cases the user may see)."""
    state, text, needs = _list_filters()
    filename, chunks = report_service.export_case_list(current_user, state=state, text=text, needs=needs)
    return csv_response(filename, chunks)


@route(bp, "", need=STAFF)
def index():
    state, text, needs = _list_filters()
    page = service.case_list_page(current_user, state=state, text=text, needs=needs)
    return render_template(
        "views/assessments/index.html",
        page=page,
        state=state,
        q=text,
        needs=needs,
        needs_label=attention.label(needs) if needs else None,
        states=STATE_LABELS,
        taf_held=taf_held_ids(page.items),
    )


def _flow():
    return dict(session.get(FLOW) or {})


def _save_flow(**values):
    flow = _flow()
    flow.update(values)
    session[FLOW] = flow


@route(bp, "/new", methods=("GET", "POST"), need=STAFF)
def new():
    """Step 1: look for the child already on record."""
    form = FindChildForm()
    matches = None
    if request.method == "POST" and form.validate():
        matches = service.find_children(
            current_user,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            date_of_birth=form.date_of_birth.data,
            nhs_number=form.nhs_number.data,
        )
        # Only the families the user may see can be continued with; what was typed pre-fills a new family.
        session[FLOW] = {"families": matches.family_ids, "typed": form.typed_child()}
    return render_template(
        "views/assessments/new_find.html", form=form, matches=matches, hub=current_app.config["EHA_EARLY_HELP_HUB"]
    )


def _chosen_family():
    """The family posted from the search results: one of those shown there, or None for a new family."""
    choice = request.form.get("family", "new")
    if choice == "new":
        return None
    if not choice.isascii() or not choice.isdigit() or int(choice) not in _flow().get("families", ()):
        raise Invalid(_l("Search again and choose a family from the results."))
    return int(choice)


@route(bp, "/new/continue", methods=("POST",), need=STAFF)
def new_continue():
    """Continue with a family found in step 1, or with a new family."""
    if "families" not in _flow():
        # Search first: the family may already be on record.
        return redirect(url_for(".new"))
    family_id = _chosen_family()
    if family_id is not None:
        service.family_for_start(current_user, family_id)  # refused now, not after the safety question
    _save_flow(family_id=family_id, safe=False)
    return redirect(url_for(".new_safety"))


@route(bp, "/new/safety", methods=("GET", "POST"), need=STAFF)
def new_safety():
    """Step 2: safety first."""
    if FLOW not in session:
        return redirect(url_for(".new"))
    form = SafetyForm()
    if form.validate_on_submit():
        if form.at_risk.data == "yes":
            _save_flow(safe=False)
            return render_template(
                "views/assessments/new_at_risk.html", front_door=current_app.config["EHA_FRONT_DOOR"]
            )
        _save_flow(safe=True)
        if _flow().get("family_id"):
            return redirect(url_for(".new_children"))
        return redirect(url_for(".new_family"))
    return render_template("views/assessments/new_safety.html", form=form)


def _flow_ready():
    flow = _flow()
    return flow if flow.get("safe") else None


def _started(case):
    session.pop(FLOW, None)
    return redirect(url_for(".show", ref=case.ref))


@route(bp, "/new/family", methods=("GET", "POST"), need=STAFF)
def new_family():
    """Step 3 for a family not on record: the family, a child and a parent or carer; then start."""
    if _flow_ready() is None:
        return redirect(url_for(".new"))
    typed = _flow().get("typed") if request.method == "GET" else None
    form = NewFamilyForm(data=NewFamilyForm.prefill(typed))
    on_record = None
    if form.validate_on_submit():
        try:
            case = service.start_with_new_family(
                current_user,
                name=form.name.data,
                address=form.address.data,
                postcode=form.postcode.data,
                child=form.child_data(),
                carer=form.carer_data(),
            )
        except service.NhsNumberOnRecord as error:
            form.add_error(error)
            on_record = _offer_record(error.holder)
        except Invalid as error:
            form.add_error(error)
        else:
            return _started(case)
    return render_template("views/assessments/new_family.html", form=form, on_record=on_record)


def _offer_record(child):
    """The child whose NHS number was typed, when the user may see them: their family can be continued with."""
    if child is None:
        return None
    families = set(_flow().get("families", ()))
    _save_flow(families=sorted(families | {child.family_id}))
    return child


@route(bp, "/new/children", methods=("GET", "POST"), need=STAFF)
def new_children():
    """Step 3 for a family on record: which children the episode is about; then start."""
    flow = _flow_ready()
    if flow is None or not flow.get("family_id"):
        return redirect(url_for(".new"))
    choice = service.family_for_start(current_user, flow["family_id"])
    form = ChooseChildrenForm(children=choice.available)
    if form.validate_on_submit():
        try:
            case = service.start_with_family(current_user, choice.family.id, form.children.data)
        except Invalid as error:
            form.add_error(error)
        else:
            return _started(case)
    return render_template(
        "views/assessments/new_children.html",
        form=form,
        family=choice.family,
        busy=choice.busy,
        available=choice.available,
    )


@case_route(bp, "/<caseref:ref>", need=VIEW)
def show(case):
    return render_template("views/assessments/show.html", case=case, **service.case_page(case, current_user))
