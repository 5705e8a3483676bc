"""Administration: users, agencies, the assessment form definitions and the notification settings.
Administrators only (others 404).

The two-factor reset requests (``/admin/mfa-resets``) are for managers too: they approve the resets that an
administrator asks for.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eha.access import ADMINS, MANAGERS_OR_ADMINS, route
from eha.auth import recovery
from eha.auth.sso import providers as sso_providers
from eha.errors import Invalid, NotAllowed, NotPermitted, StaleEdit
from eha.forms.admin import (
    AgencyForm,
    ConfirmForm,
    DefinitionUploadForm,
    MfaResetDecisionForm,
    MfaResetRequestForm,
    NewUserForm,
    NotificationSettingsForm,
    SsoAccountRuleForm,
    TranslationUploadForm,
    UserActionForm,
    UserDetailsForm,
)
from eha.forms.builder import make_section_form
from eha.forms.plans import parse_version
from eha.i18n import LANGUAGES
from eha.models.choices import ROLES
from eha.notifications import settings as notification_settings
from eha.pagination import paginate
from eha.services import admin as service
from eha.services import mfa_resets

bp = Blueprint("admin", __name__, url_prefix="/admin")

STATUS_MESSAGES = {
    "disable": _l("%(name)s's account is disabled and they have been signed out"),
    "enable": _l("%(name)s's account is enabled"),
    "unlock": _l("%(name)s's account is unlocked"),
}


def _page_problem(error, href):
    """A refusal shown in the page's error summary, linking to the part of the page it is about."""
    return [{"text": error.message, "href": href}]


@route(bp, "/", need=ADMINS)
def index():
    return redirect(url_for("admin.users"))


# --- users ---


def _user_filters():
    agency = request.args.get("agency") or ""
    return {
        "q": (request.args.get("q") or "").strip()[:100],
        "role": request.args.get("role") or "",
        "status": request.args.get("status") or "",
        "agency_id": int(agency) if agency.isascii() and agency.isdigit() else 0,
    }


@route(bp, "/users", need=ADMINS)
def users():
    filters = _user_filters()
    page = paginate(service.user_query(filters["q"], filters["role"], filters["agency_id"], filters["status"]))
    return render_template("views/admin/users.html", page=page, roles=ROLES, agencies=service.agencies(), **filters)


@route(bp, "/users/new", need=ADMINS, methods=("GET", "POST"))
def new_user():
    form = NewUserForm()
    form.set_agencies(service.agencies(include_inactive=False))
    extra_errors = None
    if form.validate_on_submit():
        try:
            user = service.create_user(
                current_user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                agency=form.chosen_agency(),
                job_title=form.job_title.data,
                phone=form.phone.data,
            )
        except Invalid as error:
            form.add_error(error)
        except NotAllowed as error:
            extra_errors = _page_problem(error, "#main-content")
        else:
            flash(
                _(
                    "%(name)s's account is created. We have emailed %(email)s a link to choose a password",
                    name=user.name,
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template(
        "views/admin/user_new.html", form=form, extra_errors=extra_errors, setup_expiry=recovery.lifetime_text("setup")
    )


def _details_form(user, submitted=True):
    """The details form, as posted or as saved; an administrator's own has no role question (a posted role is a
    forged field, noted and ignored)."""
    if submitted:
        form = UserDetailsForm()
    else:
        form = UserDetailsForm(
            formdata=None,
            data={
                "name": user.name,
                "role": user.role,
                "agency": str(user.agency_id),
                "job_title": user.job_title or "",
                "phone": user.phone or "",
            },
        )
    form.set_agencies(service.agencies())
    if user.id == current_user.id:
        del form.role
    return form


def _user_page(user, details_form=None, mfa_form=None, extra_errors=None):
    details_form = details_form or _details_form(user, submitted=False)
    form = details_form if details_form.errors else (mfa_form if mfa_form and mfa_form.errors else details_form)
    return render_template(
        "views/admin/user.html",
        user=user,
        form=form,
        details_form=details_form,
        mfa_form=mfa_form or MfaResetRequestForm(formdata=None),
        pending_reset=mfa_resets.pending_for(user),
        approver=mfa_resets.approver_text(user),
        is_self=user.id == current_user.id,
        extra_errors=extra_errors,
        link_expiry=recovery.lifetime_text("reset"),
    )


@route(bp, "/users/<int:user_id>", need=ADMINS, methods=("GET", "POST"))
def user(user_id):
    user = service.get_user(user_id)
    if request.method == "GET":
        return _user_page(user)
    form = _details_form(user)
    if form.validate():
        role = form.role.data if "role" in form else None
        try:
            changes = service.update_user(
                current_user,
                user,
                name=form.name.data,
                role=role,
                agency=form.chosen_agency(),
                job_title=form.job_title.data,
                phone=form.phone.data,
            )
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Changes saved") if changes else _("Nothing was changed"), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return _user_page(user, details_form=form)


@route(bp, "/users/<int:user_id>/status", need=ADMINS, methods=("POST",))
def user_status(user_id):
    user = service.get_user(user_id)
    form = UserActionForm()
    if not form.validate():
        abort(400)
    try:
        service.change_status(current_user, user, form.action.data)
    except NotAllowed as error:
        return _user_page(user, extra_errors=_page_problem(error, "#account"))
    flash(STATUS_MESSAGES[form.action.data] % {"name": user.name}, "success")
    return redirect(url_for("admin.user", user_id=user.id))


@route(bp, "/users/<int:user_id>/password-reset-link", need=ADMINS, methods=("POST",))
def user_password_link(user_id):
    """Email the user a link to choose a new password. Administrators never set or see passwords."""
    user = service.get_user(user_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        service.send_password_link(current_user, user)
    except NotAllowed as error:
        return _user_page(user, extra_errors=_page_problem(error, "#password"))
    flash(
        _(
            "We have emailed %(email)s a link to choose a new password. "
            "Their password stays the same until they use it",
            email=user.email,
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user.id))


@route(bp, "/users/<int:user_id>/two-factor-reset", need=ADMINS, methods=("POST",))
def request_mfa_reset(user_id):
    """Ask for the user's second factor to be cleared: it happens only when a second person approves."""
    user = service.get_user(user_id)
    form = MfaResetRequestForm()
    if not form.validate():
        return _user_page(user, mfa_form=form)
    try:
        mfa_resets.request_reset(current_user, user, form.reason.data)
    except NotAllowed as error:
        return _user_page(user, extra_errors=_page_problem(error, "#two-factor"))
    flash(
        _(
            "Your request is waiting for %(approver)s to approve it. %(name)s's two-factor sign-in stays as it is "
            "until then",
            approver=mfa_resets.approver_text(user),
            name=user.name,
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user.id))


# --- two-factor resets: an administrator asks, a manager (or another administrator) approves ---


def _mfa_resets_page(extra_errors=None, status=200):
    return render_template(
        "views/admin/mfa_resets.html",
        page=paginate(mfa_resets.requests_for(current_user)),
        extra_errors=extra_errors,
        decision_problem=mfa_resets.decision_problem,
        is_lapsed=mfa_resets.is_lapsed,
        approver_text=mfa_resets.approver_text,
    ), status


@route(bp, "/mfa-resets", need=MANAGERS_OR_ADMINS)
def mfa_resets_list():
    return _mfa_resets_page()


@route(bp, "/mfa-resets/<int:request_id>", need=MANAGERS_OR_ADMINS, methods=("POST",))
def decide_mfa_reset(request_id):
    reset = mfa_resets.visible_request(current_user, request_id)
    form = MfaResetDecisionForm()
    if not form.validate():
        abort(400)
    approving = form.decision.data == "approve"
    try:
        mfa_resets.decide(current_user, reset, approving)
    except NotPermitted as error:
        return _mfa_resets_page(extra_errors=_page_problem(error, f"#reset-{request_id}"), status=403)
    if approving:
        flash(
            _(
                "%(name)s's two-factor sign-in is reset. They will set it up again the next time they sign in",
                name=reset.user.name,
            ),
            "success",
        )
    else:
        flash(_("You declined the request to reset %(name)s's two-factor sign-in", name=reset.user.name), "success")
    return redirect(url_for("admin.mfa_resets_list"))


# --- agencies ---


@route(bp, "/agencies", need=ADMINS, methods=("GET", "POST"))
def agencies():
    form = AgencyForm(active="yes")
    if form.validate_on_submit():
        try:
            agency = service.create_agency(form.name.data, form.kind.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("%(name)s added", name=agency.name), "success")
            return redirect(url_for("admin.agencies"))
    return render_template(
        "views/admin/agencies.html", agencies=service.agencies(), form=form, counts=service.agency_user_counts()
    )


@route(bp, "/agencies/<int:agency_id>", need=ADMINS, methods=("GET", "POST"))
def agency(agency_id):
    agency = service.get_agency(agency_id)
    form = AgencyForm(
        data={
            "name": agency.name,
            "kind": agency.kind,
            "active": _yes_no(agency.active),
            "password_sign_in": _yes_no(agency.password_sign_in),
        }
    )
    if form.validate_on_submit():
        try:
            service.update_agency(
                agency,
                name=form.name.data,
                kind=form.kind.data,
                active=form.active.data != "no",
                password_sign_in=form.password_sign_in.data != "no",
            )
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Agency saved"), "success")
            return redirect(url_for("admin.agencies"))
    return render_template("views/admin/agency.html", agency=agency, form=form)


# --- single sign-on ---


def _sso_page(form, status=200):
    return (
        render_template(
            "views/admin/single_sign_on.html", form=form, rules=service.sso_rules(), remove_form=ConfirmForm()
        ),
        status,
    )


@route(bp, "/single-sign-on", need=ADMINS, methods=("GET", "POST"))
def single_sign_on():
    form = SsoAccountRuleForm()
    form.set_choices(sso_providers(), [a for a in service.agencies() if a.active])
    if form.validate_on_submit():
        try:
            service.add_sso_rule(
                current_user,
                provider=form.provider.data,
                email_domain=form.email_domain.data,
                role=form.role.data,
                agency=form.chosen_agency(),
            )
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Rule added"), "success")
            return redirect(url_for("admin.single_sign_on"))
    return _sso_page(form)


@route(bp, "/single-sign-on/rules/<int:rule_id>/remove", need=ADMINS, methods=("POST",))
def remove_sso_rule(rule_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.remove_sso_rule(rule_id)
    flash(_("Rule removed: accounts it created stay"), "success")
    return redirect(url_for("admin.single_sign_on"))


# --- form definitions ---


@route(bp, "/definitions", need=ADMINS, methods=("GET", "POST"))
def definitions():
    form = DefinitionUploadForm()
    if form.validate_on_submit() and (text := form.definition_text()) is not None:
        translation = form.translation_text()
        try:
            if form.translation.errors:
                raise Invalid(form.translation.errors.pop(), field="translation")
            record = service.upload_definition(current_user, text, translation=translation)
        except Invalid as error:
            if error.field != "translation":
                error.field = form.problem_field()
            form.add_error(error)
        else:
            flash(
                _(
                    "Version %(version)s of %(name)s uploaded. It is not active until you activate it",
                    version=record.version,
                    name=record.name,
                ),
                "success",
            )
            return redirect(url_for("admin.definition", definition_id=record.id))
    rows = service.definition_versions()
    return render_template(
        "views/admin/definitions.html", form=form, definition_rows=rows, titles=service.reader_titles(rows)
    )


@route(bp, "/definitions/<int:definition_id>", need=ADMINS)
def definition(definition_id):
    review = service.review_definition(definition_id)
    return render_template(
        "views/admin/definition.html", record=review.record, review=review, form=TranslationUploadForm(formdata=None)
    )


@route(bp, "/definitions/<int:definition_id>/translations", need=ADMINS, methods=("POST",))
def definition_translation(definition_id):
    """A version's text in another language, uploaded after (or with) the version; its content is untouched."""
    record = service.get_definition(definition_id)
    form = TranslationUploadForm()
    if form.validate_on_submit() and (text := form.definition_text()) is not None:
        try:
            row = service.upload_translation(current_user, record, text)
        except Invalid as error:
            error.field = form.problem_field()
            form.add_error(error)
        else:
            language = LANGUAGES.get(row.language, row.language)
            flash(_("Translation uploaded: the %(language)s text is shown from now on", language=language), "success")
            return redirect(url_for("admin.definition", definition_id=record.id))
    review = service.review_definition(definition_id)
    return render_template("views/admin/definition.html", record=review.record, review=review, form=form)


@route(bp, "/definitions/<int:definition_id>/preview/<key:key>", need=ADMINS)
def definition_preview(definition_id, key):
    """One section of a definition version as a practitioner will see it (nothing is saved from here)."""
    review = service.review_definition(definition_id)
    if not review.definition.has_section(key):
        abort(404)
    section = review.definition.section(key)
    pages = [s.key for s in review.definition.sections]
    index = pages.index(key)
    return render_template(
        "views/admin/definition_preview.html",
        record=review.record,
        definition=review.definition,
        section=section,
        # A section asked of each child is headed with the child's name: here a placeholder (plain text, escaped
        # once by the page).
        heading=section.title_for(_("[the child's name]")),
        form=make_section_form(section, formdata=None),
        previous_key=pages[index - 1] if index else None,
        next_key=pages[index + 1] if index + 1 < len(pages) else None,
    )


@route(bp, "/definitions/<int:definition_id>/activate", need=ADMINS, methods=("POST",))
def activate_definition(definition_id):
    record = service.get_definition(definition_id)
    if not ConfirmForm().validate():
        abort(400)
    service.activate_definition(record)
    flash(
        _("Version %(version)s of %(name)s is now used for new assessments", version=record.version, name=record.name),
        "success",
    )
    return redirect(url_for("admin.definitions"))


# --- notification settings ---


def _yes_no(value):
    return "yes" if value else "no"


def _settings_form(saved):
    return NotificationSettingsForm(
        formdata=None,
        data={
            "daily_default": _yes_no(saved.daily_digest_default),
            "weekly_default": _yes_no(saved.weekly_digest_default),
            "sender_name": saved.sender_name or "",
            "sender_email": saved.sender_email,
            "reply_to": saved.reply_to or "",
            "version": str(saved.version or 0),
        },
    )


def _settings_page(form, saved, conflict=False):
    return render_template("views/admin/notification_settings.html", form=form, saved=saved, conflict=conflict), (
        409 if conflict else 200
    )


@route(bp, "/notifications", need=ADMINS, methods=("GET", "POST"))
def notification_settings_page():
    """The council's digest defaults and the sender of every email eha sends."""
    saved = notification_settings.current()
    if request.method == "GET":
        return _settings_page(_settings_form(saved), saved)
    form = NotificationSettingsForm()
    if not form.validate_on_submit():
        return _settings_page(form, saved)
    try:
        changed = notification_settings.save(
            current_user,
            expected_version=parse_version(form.version.data),
            daily_digest_default=form.daily_default.data == "yes",
            weekly_digest_default=form.weekly_default.data == "yes",
            sender_name=form.sender_name.data,
            sender_email=form.sender_email.data,
            reply_to=form.reply_to.data,
        )
    except StaleEdit:
        saved = notification_settings.current()
        form.version.data = str(saved.version or 0)
        return _settings_page(form, saved, conflict=True)
    flash(_("Notification settings saved") if changed else _("Nothing was changed"), "success")
    return redirect(url_for("admin.notification_settings_page"))
