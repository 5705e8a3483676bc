"""The case list, starting an assessment (find the child, safety first, the family), and the case overview."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from eha import access
from eha.definitions.store import definition_for
from eha.extensions import db
from eha.forms.assessments import ChooseChildrenForm
from eha.forms.families import FindChildForm, NewFamilyForm, SafetyForm
from eha.models.choices import ADMIN
from eha.models.families import Family
from eha.services import assessments as service
from eha.services.case_page import build_panel
from eha.transaction import committing
from eha.workflow.states import STATE_LABELS

bp = Blueprint("assessments", __name__, url_prefix="/assessments")

# What the "start an assessment" journey remembers between its steps (no rows until the last step).
FLOW = "new_assessment"


@bp.before_request
@login_required
def _signed_in_staff_only():
    if current_user.role == ADMIN:
        abort(403)


@bp.get("")
def index():
    state = request.args.get("state", "")
    text = (request.args.get("q") or "").replace("\x00", "")[:100]
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    result = service.list_cases(current_user, state=state, text=text, page=max(1, min(page, 100000)),
                                per_page=current_app.config["EHA_PAGE_SIZE"])
    return render_template("views/assessments/index.html", result=result, state=state, q=text,
                           states=STATE_LABELS)


def _flow():
    return dict(session.get(FLOW) or {})


def _save_flow(**values):
    flow = _flow()
    flow.update(values)
    session[FLOW] = flow


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Step 1: look for the child already on record."""
    form = FindChildForm()
    matches = None
    if request.method == "POST" and form.validate():
        matches = service.find_children(
            current_user, first_name=form.first_name.data, last_name=form.last_name.data,
            date_of_birth=form.date_of_birth.data, nhs_number=form.nhs_number.data,
        )
        session[FLOW] = {"families": sorted({m.child.family_id for m in matches})}
    return render_template("views/assessments/new_find.html", form=form, matches=matches,
                           hub=current_app.config["EHA_EARLY_HELP_HUB"])


@bp.post("/new/continue")
def new_continue():
    """Continue with a family found in step 1, or with a new family."""
    if "families" not in _flow():
        # Search first: the family may already be on record.
        return redirect(url_for(".new"))
    choice = request.form.get("family", "new")
    if choice == "new":
        _save_flow(family_id=None, safe=False)
    else:
        try:
            family_id = int(choice)
        except ValueError:
            abort(400)
        if family_id not in _flow().get("families", ()):
            abort(400)
        _save_flow(family_id=family_id, safe=False)
    return redirect(url_for(".new_safety"))


@bp.route("/new/safety", methods=["GET", "POST"])
def new_safety():
    """Step 2: safety first."""
    if FLOW not in session:
        return redirect(url_for(".new"))
    form = SafetyForm()
    if form.validate_on_submit():
        if form.at_risk.data == "yes":
            _save_flow(safe=False)
            return render_template("views/assessments/new_at_risk.html",
                                   front_door=current_app.config["EHA_FRONT_DOOR"])
        _save_flow(safe=True)
        if _flow().get("family_id"):
            return redirect(url_for(".new_children"))
        return redirect(url_for(".new_family"))
    return render_template("views/assessments/new_safety.html", form=form)


def _flow_ready():
    flow = _flow()
    return flow if flow.get("safe") else None


@bp.route("/new/family", methods=["GET", "POST"])
def new_family():
    """Step 3 for a family not on record: the family, a child and a parent or carer; then start."""
    if _flow_ready() is None:
        return redirect(url_for(".new"))
    form = NewFamilyForm()
    errors = None
    if form.validate_on_submit():
        try:
            with committing():
                family = service.create_family(
                    current_user, name=form.name.data, address=form.address.data, postcode=form.postcode.data,
                    child=form.child_data(), carer=form.carer_data(),
                )
                case = service.start_assessment(current_user, family, family.children)
        except service.DuplicateEpisode as exc:
            errors = [{"text": str(exc), "href": "#child_first_name"}]
        else:
            session.pop(FLOW, None)
            return redirect(url_for(".show", ref=case.ref))
    return render_template("views/assessments/new_family.html", form=form, extra_errors=errors)


@bp.route("/new/children", methods=["GET", "POST"])
def new_children():
    """Step 3 for a family on record: which children the episode is about; then start."""
    flow = _flow_ready()
    if flow is None or not flow.get("family_id"):
        return redirect(url_for(".new"))
    family = db.session.get(Family, flow["family_id"])
    if family is None:
        return redirect(url_for(".new"))
    busy = service.open_episode_child_ids([c.id for c in family.children])
    available = [c for c in family.children if c.id not in busy]
    form = ChooseChildrenForm(children=available)
    errors = None
    if form.validate_on_submit():
        chosen = [c for c in available if str(c.id) in form.children.data]
        try:
            with committing():
                case = service.start_assessment(current_user, family, chosen)
        except service.DuplicateEpisode as exc:
            errors = [{"text": str(exc), "href": "#children"}]
        else:
            session.pop(FLOW, None)
            return redirect(url_for(".show", ref=case.ref))
    return render_template("views/assessments/new_children.html", form=form, family=family, busy=busy,
                           available=available, extra_errors=errors)


@bp.get("/<ref>")
def show(ref):
    with committing():
        case = access.load_case(ref, current_user)
    definition = definition_for(case)
    case = db.session.scalar(
        sa.select(type(case)).where(type(case).id == case.id).options(
            sa.orm.selectinload(type(case).consents), sa.orm.selectinload(type(case).subjects),
        )
    )
    return render_template(
        "views/assessments/show.html", case=case, tasks=service.task_list(case, definition),
        definition=definition, panel=build_panel(case, current_user),
        can_edit=access.can_edit_assessment(current_user, case), can_manage=access.can_manage(current_user, case),
        can_view_history=access.can_view_history(current_user, case),
    )
