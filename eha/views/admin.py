"""Administration: users, agencies and the assessment form definitions. Administrators only (others 404).

The two-factor reset requests (``/admin/mfa-resets``) are for managers too: they approve the resets that an
administrator asks for.
"""

import functools

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eha.auth import recovery
from eha.extensions import db
from eha.forms.admin import (
    AgencyForm,
    ConfirmForm,
    DefinitionUploadForm,
    MfaResetDecisionForm,
    MfaResetRequestForm,
    NewUserForm,
    UserActionForm,
    UserDetailsForm,
)
from eha.forms.protected import note_forged_fields
from eha.models.assessments import FormDefinitionVersion
from eha.models.choices import AGENCY_KINDS, ROLES
from eha.models.users import Agency, MfaResetRequest
from eha.services import admin as service
from eha.services import mfa_resets
from eha.services.admin import AdminError
from eha.services.mfa_resets import MfaResetError
from eha.transaction import committing

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_only(view):
    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def manager_or_admin(view):
    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not (current_user.is_admin or current_user.is_manager):
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def _field_error(form, error):
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return [{"text": error.message, "href": "#main-content"}]
    field.errors = list(field.errors) + [error.message]
    return None


def _forged(form):
    if request.method == "POST" and note_forged_fields(form, request):
        db.session.commit()


@bp.get("/")
@admin_only
def index():
    return redirect(url_for("admin.users"))


# --- users ---


@bp.get("/users")
@admin_only
def users():
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    status = request.args.get("status") or ""
    try:
        agency_id = int(request.args.get("agency") or 0)
    except ValueError:
        agency_id = 0
    page = db.paginate(service.user_query(q, role, agency_id, status),
                       per_page=current_app.config["EHA_PAGE_SIZE"], error_out=False)
    return render_template("views/admin/users.html", page=page, q=q, role=role, status=status,
                           agency_id=agency_id, roles=ROLES, agencies=service.agencies())


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def new_user():
    form = NewUserForm()
    form.set_agencies(service.agencies(include_inactive=False))
    _forged(form)
    extra_errors = None
    if form.validate_on_submit():
        try:
            with committing():
                user = service.create_user(
                    current_user, email=form.email.data, name=form.name.data, role=form.role.data,
                    agency=form.chosen_agency(), job_title=form.job_title.data, phone=form.phone.data)
            flash(f"{user.name}'s account is created. We have emailed {user.email} a link to choose a password",
                  "success")
            return redirect(url_for("admin.user", user_id=user.id))
        except AdminError as error:
            extra_errors = _field_error(form, error)
    return render_template("views/admin/user_new.html", form=form, extra_errors=extra_errors,
                           setup_expiry=recovery.lifetime_text("setup"))


def _user_or_404(user_id):
    user = service.get_user(user_id)
    if user is None:
        abort(404)
    return user


def _user_data(user):
    return {"name": user.name, "role": user.role, "agency": str(user.agency_id), "job_title": user.job_title or "",
            "phone": user.phone or ""}


def _user_page(user, details_form=None, mfa_form=None, extra_errors=None, status=200):
    if details_form is None:
        details_form = UserDetailsForm(formdata=None, data=_user_data(user))
        details_form.set_agencies(service.agencies())
        if user.id == current_user.id:
            del details_form.role
    form = details_form if details_form.errors else (mfa_form if mfa_form and mfa_form.errors else details_form)
    return render_template(
        "views/admin/user.html", user=user, form=form, details_form=details_form,
        mfa_form=mfa_form or MfaResetRequestForm(formdata=None), action_form=UserActionForm(formdata=None),
        link_form=ConfirmForm(formdata=None), pending_reset=mfa_resets.pending_for(user),
        approver=mfa_resets.approver_text(user), is_self=user.id == current_user.id, extra_errors=extra_errors,
        roles=ROLES, link_expiry=recovery.lifetime_text("reset"),
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user(user_id):
    user = _user_or_404(user_id)
    if request.method == "GET":
        return _user_page(user)
    form = UserDetailsForm()
    form.set_agencies(service.agencies())
    if user.id == current_user.id:
        # An administrator cannot change their own role: the question is not there, and a posted role is
        # a forged field (logged, ignored).
        del form.role
    _forged(form)
    if form.validate():
        role = user.role if user.id == current_user.id else form.role.data
        try:
            with committing():
                changes = service.update_user(current_user, user, name=form.name.data, role=role,
                                              agency=form.chosen_agency(), job_title=form.job_title.data,
                                              phone=form.phone.data)
            flash("Changes saved" if changes else "Nothing was changed", "success")
            return redirect(url_for("admin.user", user_id=user.id))
        except AdminError as error:
            return _user_page(user, details_form=form, extra_errors=_field_error(form, error))
    return _user_page(user, details_form=form)


@bp.post("/users/<int:user_id>/status")
@admin_only
def user_status(user_id):
    user = _user_or_404(user_id)
    form = UserActionForm()
    _forged(form)
    if not form.validate():
        abort(400)
    messages = {
        "disable": f"{user.name}'s account is disabled and they have been signed out",
        "enable": f"{user.name}'s account is enabled",
        "unlock": f"{user.name}'s account is unlocked",
    }
    try:
        with committing():
            if form.action.data in ("disable", "enable"):
                service.set_active(current_user, user, form.action.data == "enable")
            else:
                service.unlock(user)
    except AdminError as error:
        return _user_page(user, extra_errors=[{"text": error.message, "href": "#account"}])
    flash(messages[form.action.data], "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/password-reset-link")
@admin_only
def user_password_link(user_id):
    """Email the user a link to choose a new password. Administrators never set or see passwords."""
    user = _user_or_404(user_id)
    form = ConfirmForm()
    _forged(form)
    if not form.validate():
        abort(400)
    try:
        with committing():
            service.send_password_link(current_user, user)
    except AdminError as error:
        return _user_page(user, extra_errors=[{"text": error.message, "href": "#password"}])
    flash(f"We have emailed {user.email} a link to choose a new password. Their password stays the same until they "
          "use it", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/two-factor-reset")
@admin_only
def request_mfa_reset(user_id):
    """Ask for the user's second factor to be cleared: it happens only when a second person approves."""
    user = _user_or_404(user_id)
    form = MfaResetRequestForm()
    _forged(form)
    if not form.validate():
        return _user_page(user, mfa_form=form)
    try:
        with committing():
            mfa_resets.request_reset(current_user, user, form.reason.data)
    except MfaResetError as error:
        return _user_page(user, extra_errors=[{"text": error.message, "href": "#two-factor"}])
    flash(f"Your request is waiting for {mfa_resets.approver_text(user)} to approve it. {user.name}'s two-factor "
          "sign-in stays as it is until then", "success")
    return redirect(url_for("admin.user", user_id=user.id))


# --- two-factor resets: an administrator asks, a manager (or another administrator) approves ---


def _mfa_resets_page(extra_errors=None, status=200):
    page = db.paginate(mfa_resets.requests_for(current_user), per_page=current_app.config["EHA_PAGE_SIZE"],
                       error_out=False)
    return render_template("views/admin/mfa_resets.html", page=page, extra_errors=extra_errors,
                           decision_problem=mfa_resets.decision_problem, is_lapsed=mfa_resets.is_lapsed,
                           approver_text=mfa_resets.approver_text,
                           decision_form=MfaResetDecisionForm(formdata=None)), status


@bp.get("/mfa-resets")
@manager_or_admin
def mfa_resets_list():
    return _mfa_resets_page()


@bp.post("/mfa-resets/<int:request_id>")
@manager_or_admin
def decide_mfa_reset(request_id):
    reset = db.session.get(MfaResetRequest, request_id)
    if reset is None or not mfa_resets.visible_to(current_user, reset):
        abort(404)
    form = MfaResetDecisionForm()
    _forged(form)
    if not form.validate():
        abort(400)
    approving = form.decision.data == "approve"
    try:
        with committing():
            (mfa_resets.approve if approving else mfa_resets.decline)(current_user, reset)
    except MfaResetError as error:
        return _mfa_resets_page(extra_errors=[{"text": error.message, "href": f"#reset-{reset.id}"}], status=403)
    if approving:
        flash(f"{reset.user.name}'s two-factor sign-in is reset. They will set it up again the next time they sign in",
              "success")
    else:
        flash(f"You declined the request to reset {reset.user.name}'s two-factor sign-in", "success")
    return redirect(url_for("admin.mfa_resets_list"))


# --- agencies ---


@bp.route("/agencies", methods=["GET", "POST"])
@admin_only
def agencies():
    form = AgencyForm(active="yes")
    _forged(form)
    extra_errors = None
    if form.validate_on_submit():
        try:
            with committing():
                agency = service.create_agency(form.name.data, form.kind.data)
            flash(f"{agency.name} added", "success")
            return redirect(url_for("admin.agencies"))
        except AdminError as error:
            extra_errors = _field_error(form, error)
    return render_template("views/admin/agencies.html", agencies=service.agencies(), form=form,
                           counts=service.agency_user_counts(), kinds=AGENCY_KINDS, extra_errors=extra_errors)


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@admin_only
def agency(agency_id):
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    form = AgencyForm(data={"name": agency.name, "kind": agency.kind, "active": "yes" if agency.active else "no"})
    _forged(form)
    extra_errors = None
    if form.validate_on_submit():
        try:
            with committing():
                service.update_agency(agency, name=form.name.data, kind=form.kind.data,
                                      active=form.active.data != "no")
            flash("Agency saved", "success")
            return redirect(url_for("admin.agencies"))
        except AdminError as error:
            extra_errors = _field_error(form, error)
    return render_template("views/admin/agency.html", agency=agency, form=form, extra_errors=extra_errors)


# --- form definitions ---


@bp.route("/definitions", methods=["GET", "POST"])
@admin_only
def definitions():
    form = DefinitionUploadForm()
    _forged(form)
    extra_errors = None
    if form.validate_on_submit():
        text = None
        upload = form.file.data
        if upload and getattr(upload, "filename", ""):
            raw = upload.read(2 * 1024 * 1024 + 1)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                form.file.errors = ["The selected file must be a YAML or JSON text file"]
        elif form.content.data:
            text = form.content.data
        else:
            form.content.errors = ["Upload a definition file or paste the definition"]
        if text is not None:
            try:
                with committing():
                    record = service.upload_definition(current_user, text)
                flash(f"Version {record.version} of {record.name} uploaded. It is not active until you activate it",
                      "success")
                return redirect(url_for("admin.definition", definition_id=record.id))
            except AdminError as error:
                target = form.file if upload and getattr(upload, "filename", "") else form.content
                target.errors = list(target.errors) + [error.message]
    return render_template("views/admin/definitions.html", form=form, rows=service.definition_versions(),
                           extra_errors=extra_errors)


@bp.get("/definitions/<int:definition_id>")
@admin_only
def definition(definition_id):
    record = db.session.get(FormDefinitionVersion, definition_id)
    if record is None:
        abort(404)
    return render_template("views/admin/definition.html", record=record, form=ConfirmForm(formdata=None))


@bp.post("/definitions/<int:definition_id>/activate")
@admin_only
def activate_definition(definition_id):
    record = db.session.get(FormDefinitionVersion, definition_id)
    if record is None:
        abort(404)
    form = ConfirmForm()
    _forged(form)
    if not form.validate():
        abort(400)
    with committing():
        service.activate_definition(record)
    flash(f"Version {record.version} of {record.name} is now used for new assessments", "success")
    return redirect(url_for("admin.definitions"))
