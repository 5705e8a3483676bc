"""The family's plan: actions, changing a signed plan, signatures, progress on actions."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import Conflict

from eha import access, audit
from eha.forms.plans import ActionForm, ProgressForm, RemoveActionForm, SignatureForm, parse_version
from eha.models.choices import ACTION_PROGRESS, SIGNING_METHODS
from eha.services import plans as service
from eha.services.meetings import removed_member_ids
from eha.transaction import committing
from eha.workflow.effects import refresh_due
from eha.workflow.states import OPEN_STATES, TAF_SCHEDULED

bp = Blueprint("plans", __name__, url_prefix="/assessments/<ref>/plan")


# --- helpers shared with the meeting and review views ---


def not_allowed(message):
    """Answer 409 with the reason shown on the error page."""
    error = Conflict()
    error.eha_message = message
    raise error


def refuse_change(case, action, reason, code, detail=None):
    """Record a refused change (one audit event) and answer ``code``."""
    with committing():
        audit.record(action, assessment=case, outcome="refused", detail={"reason": reason, **(detail or {})})
    if code == 409:
        not_allowed(reason)
    abort(code)


def record_failed(case, action, reason, detail=None):
    with committing():
        audit.record(action, assessment=case, outcome="failed", detail={"reason": reason, **(detail or {})})


def _view_case(ref, audit_action="case_viewed", detail=None):
    with committing():
        return access.load_case(ref, current_user, audit_action=audit_action, detail=detail)


def _change_case(ref, audit_action="plan_changed"):
    """Load a case for a change; only the lead professional or a manager may change the plan."""
    case = access.load_case(ref, current_user, audit_action=None)
    if not access.can_manage(current_user, case):
        refuse_change(case, audit_action, "only the lead professional or a manager can change the plan", 403)
    if case.state not in service.PLANNING_STATES:
        refuse_change(case, audit_action, "The plan can only be changed once the assessment is complete and while "
                                          "the case is open", 409)
    return case


def _action_form(case, **kwargs):
    needs = list(service.need_labels(case).items())
    return ActionForm(needs=needs, owners=service.owner_choices(case), **kwargs)


def _action_rows(case, version):
    labels = service.need_labels(case)
    left_team = removed_member_ids(case) if version else set()
    return [
        {
            "action": a,
            "need": labels.get(a.need_code, a.need_code or ""),
            "who": service.who_label(a),
            "progress": ACTION_PROGRESS.get(a.progress, "Not recorded") if a.progress else "Not recorded",
            "can_update": access.can_update_action(current_user, case, a),
            "needs_owner": a.is_open and a.owner_user_id in left_team,
        }
        for a in sorted(version.actions, key=lambda a: a.position)
    ] if version else []


# --- the plan page ---


@bp.get("")
@login_required
def show(ref):
    with committing():
        case = access.load_case(ref, current_user, audit_action="plan_viewed")
        all_versions = service.versions(case)
        current = all_versions[-1] if all_versions else None
        signed = next((v for v in reversed(all_versions) if v.status == "signed"), None)
        page = render_template(
            "views/plans/show.html", case=case, current=current, signed=signed, versions=all_versions,
            rows=_action_rows(case, current), too_many=service.warn_too_many(current),
            limit=current_app.config.get("EHA_PLAN_ACTIONS_WARNING", 8),
            can_manage=access.can_manage(current_user, case) and case.state in service.PLANNING_STATES,
            complete=current is not None and service.is_complete(current),
            offer_agree=case.state == TAF_SCHEDULED and current is not None and current.status == "signed",
            methods=SIGNING_METHODS, remove_form=RemoveActionForm(),
            unsigned=_unsigned(case, current),
        )
    return page


def _unsigned(case, version):
    """``[(signer value, label)]`` of the people who could still sign the draft ``version``."""
    if version is None or version.status != "draft":
        return []
    done = {(s.signer_kind, s.user_id or s.carer_id or s.child_id) for s in version.signatures}
    out = []
    for value, label, kind, _name, _role in service.signer_choices(case):
        if (kind, int(value.partition(":")[2])) not in done:
            out.append((value, label))
    return out


@bp.post("/change")
@login_required
def change(ref):
    """Start a new draft version from the signed one (the signed version stays frozen)."""
    case = _change_case(ref)
    current = service.current_plan(case)
    if current is not None and current.status == "draft":
        refuse_change(case, "plan_changed", f"Version {current.number} of the plan is already a draft: change it "
                                            "on the plan page.", 409)
    with committing():
        version = service.draft_plan(case, current_user)
        audit.record("plan_changed", assessment=case,
                     detail={"version": version.number, "text": f"Started version {version.number} of the plan"})
    flash(f"Version {version.number} of the plan is a draft: change it, then everyone signs it again", "success")
    return redirect(url_for("plans.show", ref=case.ref))


# --- actions on the draft ---


@bp.route("/actions/new", methods=["GET", "POST"])
@login_required
def action_new(ref):
    if request.method == "GET":
        case = _view_case(ref)
        current = service.current_plan(case)
        if not (access.can_manage(current_user, case) and case.state in service.PLANNING_STATES):
            abort(403)
        if current is not None and current.status != "draft":
            not_allowed("This version of the plan is signed. Select Change the plan to make a new version first.")
        return render_template("views/plans/action.html", case=case, form=_action_form(case), action=None)
    case = _change_case(ref)
    current = service.current_plan(case)
    if current is not None and current.status != "draft":
        refuse_change(case, "plan_changed", "This version of the plan is signed. Select Change the plan to make a "
                                            "new version first.", 409)
    form = _action_form(case)
    if not form.validate():
        record_failed(case, "plan_changed", "invalid input")
        return render_template("views/plans/action.html", case=case, form=form, action=None)
    with committing():
        version = current or service.draft_plan(case, current_user)
        had_signatures = bool(version.signatures)
        action = service.add_action(case, version, current_user, need_code=form.need.data, what=form.what.data,
                                    owner=form.owner.data, due_on=form.due_on.data, success=form.success.data)
        audit.record("plan_changed", assessment=case,
                     detail={"version": version.number, "action": action.key, "text": "Added an action"})
    _flash_unsigned(had_signatures, "Action added")
    return redirect(url_for("plans.show", ref=case.ref))


def _flash_unsigned(had_signatures, message):
    if had_signatures:
        message += ". The signatures on this draft were removed because the plan changed: ask everyone to sign again"
    flash(message, "success")


def _draft_action(case, key):
    action = service.action_for_key(case, key)
    if action is None:
        abort(404)
    return action


@bp.route("/actions/<key>/edit", methods=["GET", "POST"])
@login_required
def action_edit(ref, key):
    if request.method == "GET":
        case = _view_case(ref)
        action = _draft_action(case, key)
        if not (access.can_manage(current_user, case) and case.state in service.PLANNING_STATES):
            abort(403)
        if action.plan_version.status != "draft":
            not_allowed("This version of the plan is signed. Select Change the plan to make a new version first.")
        form = _action_form(case, data={
            "need": action.need_code, "what": action.what, "owner": service.owner_value(action),
            "due_on": action.due_on, "success": action.success_measure, "version": str(action.version_id),
        })
        return render_template("views/plans/action.html", case=case, form=form, action=action)
    case = _change_case(ref)
    action = _draft_action(case, key)
    if action.plan_version.status != "draft":
        refuse_change(case, "plan_changed", "This version of the plan is signed. Select Change the plan to make a "
                                            "new version first.", 409)
    form = _action_form(case)
    if not form.validate():
        record_failed(case, "plan_changed", "invalid input", {"action": action.key})
        return render_template("views/plans/action.html", case=case, form=form, action=action)
    expected = parse_version(form.version.data)
    try:
        with committing():
            had_signatures = bool(action.plan_version.signatures)
            service.update_action(case, action, current_user, expected_version=expected,
                                  need_code=form.need.data, what=form.what.data, owner=form.owner.data,
                                  due_on=form.due_on.data, success=form.success.data)
            audit.record("plan_changed", assessment=case, detail={"action": action.key, "text": "Changed an action"})
    except service.StaleEdit:
        return _action_conflict(case, key, form)
    except _stale_errors():
        return _action_conflict(case, key, form)
    _flash_unsigned(had_signatures, "Action changed")
    return redirect(url_for("plans.show", ref=case.ref))


def _stale_errors():
    from sqlalchemy.orm.exc import StaleDataError

    return StaleDataError


def _action_conflict(case, key, form):
    """Someone saved this action after the user opened it: show theirs and keep the user's input."""
    record_failed(case, "plan_changed", "conflict", {"action": key})
    current = service.action_for_key(case, key)
    if current is None:
        not_allowed("Someone else removed this action while you were editing it. Your changes have not been saved.")
    labels = service.need_labels(case)
    form.version.data = str(current.version_id)
    theirs = {
        "need": labels.get(current.need_code, current.need_code or ""), "what": current.what,
        "who": service.who_label(current), "due_on": current.due_on, "success": current.success_measure,
    }
    return render_template("views/plans/action.html", case=case, form=form, action=current, conflict=theirs), 409


@bp.post("/actions/<key>/delete")
@login_required
def action_delete(ref, key):
    case = _change_case(ref)
    action = _draft_action(case, key)
    if action.plan_version.status != "draft":
        refuse_change(case, "plan_changed", "This version of the plan is signed. Select Change the plan to make a "
                                            "new version first.", 409)
    form = RemoveActionForm()
    expected = parse_version(form.version.data)
    try:
        with committing():
            had_signatures = bool(action.plan_version.signatures)
            what = action.what
            service.remove_action(case, action, current_user, expected_version=expected)
            audit.record("plan_changed", assessment=case, detail={"action": key, "text": "Removed an action"})
    except (service.StaleEdit, _stale_errors()):
        record_failed(case, "plan_changed", "conflict", {"action": key})
        not_allowed("Someone else changed this action after you opened the plan. It has not been removed: "
                    "check it and try again.")
    _flash_unsigned(had_signatures, f"Action removed: {what[:80]}")
    return redirect(url_for("plans.show", ref=case.ref))


# --- signatures ---


def _signature_form(case, **kwargs):
    return SignatureForm(signers=[(c[0], c[1]) for c in service.signer_choices(case)], **kwargs)


@bp.route("/sign", methods=["GET", "POST"])
@login_required
def sign(ref):
    if request.method == "GET":
        case = _view_case(ref)
        current = service.current_plan(case)
        if not (access.can_manage(current_user, case) and case.state in service.PLANNING_STATES):
            abort(403)
        if current is None or current.status != "draft":
            not_allowed("There is no draft plan to sign. Add actions to the plan, or select Change the plan.")
        data = {"version": str(current.version_id)}
        chosen = next((c for c in service.signer_choices(case) if c[0] == request.args.get("signer")), None)
        if chosen is not None:  # "Record Mum's signature" links: the name and role on record, ready to check
            data.update({"signer": chosen[0], "name": chosen[3], "role": chosen[4]})
        form = _signature_form(case, data=data)
        return render_template("views/plans/sign.html", case=case, form=form, version=current)
    case = _change_case(ref, "plan_signed")
    current = service.current_plan(case)
    if current is None or current.status != "draft":
        refuse_change(case, "plan_signed", "There is no draft plan to sign. It may have been signed already.", 409)
    form = _signature_form(case)
    if not form.validate():
        record_failed(case, "plan_signed", "invalid input")
        return render_template("views/plans/sign.html", case=case, form=form, version=current)
    expected = parse_version(form.version.data)
    if expected is not None and expected != current.version_id:
        record_failed(case, "plan_signed", "conflict")
        form.version.data = str(current.version_id)
        return render_template("views/plans/sign.html", case=case, form=form, version=current,
                               conflict=True), 409
    try:
        with committing():
            signature = service.add_signature(
                case, current, current_user, signer=form.signer.data, name=form.name.data, role=form.role.data,
                signed_on=form.signed_on.data, method=form.method.data,
            )
            detail = {"version": current.number, "signer": signature.signer_kind,
                      "text": f"Recorded {signature.name}'s signature on version {current.number} of the plan"}
            if current.status == "signed":
                detail["digest"] = current.digest
                detail["text"] += "; the plan is signed"
            audit.record("plan_signed", assessment=case, detail=detail)
    except service.PlanError as error:
        record_failed(case, "plan_signed", "refused")
        return render_template("views/plans/sign.html", case=case, form=form, version=current,
                               extra_errors=[{"text": str(error), "href": "#signer"}])
    except _stale_errors():
        record_failed(case, "plan_signed", "conflict")
        return render_template("views/plans/sign.html", case=case, form=form, version=current,
                               conflict=True), 409
    if signature.plan_version.status == "signed":
        flash(f"Version {signature.plan_version.number} of the plan is signed", "success")
    else:
        flash(f"Signature recorded for {signature.name}", "success")
    return redirect(url_for("plans.show", ref=case.ref))


@bp.post("/finalise")
@login_required
def finalise(ref):
    """Freeze a draft that has every signature it needs (signing normally does this by itself)."""
    case = _change_case(ref, "plan_signed")
    current = service.current_plan(case)
    if current is None or current.status != "draft":
        refuse_change(case, "plan_signed", "There is no draft plan to sign. It may have been signed already.", 409)
    try:
        with committing():
            service.freeze(case, current, current_user)
            audit.record("plan_signed", assessment=case,
                         detail={"version": current.number, "digest": current.digest,
                                 "text": f"Version {current.number} of the plan is signed"})
    except service.PlanError as error:
        refuse_change(case, "plan_signed", str(error), 409)
    flash(f"Version {current.number} of the plan is signed", "success")
    return redirect(url_for("plans.show", ref=case.ref))


# --- progress on an action (TAF members update the actions they own) ---


def _live_action(case, key):
    """The action ``key`` in the plan in force (the signed version); 404 when this case has none."""
    signed = service.signed_plan(case)
    action = service.action_for_key(case, key, signed) if signed else None
    if action is None:
        abort(404)
    return action


@bp.route("/actions/<key>/progress", methods=["GET", "POST"])
@login_required
def action_progress(ref, key):
    if request.method == "GET":
        case = _view_case(ref)
        action = _live_action(case, key)
        access.require(access.can_update_action(current_user, case, action))
        form = ProgressForm(data={"progress": action.progress, "comment": action.progress_comment,
                                  "version": str(action.version_id)})
        return render_template("views/plans/progress.html", case=case, form=form, action=action,
                               who=service.who_label(action), history=service.history(case, key),
                               progress_labels=ACTION_PROGRESS)
    case = access.load_case(ref, current_user, audit_action=None)
    action = _live_action(case, key)
    if not access.can_update_action(current_user, case, action):
        refuse_change(case, "action_updated", "not the owner of this action", 403, {"action": key})
    if case.state not in OPEN_STATES:
        refuse_change(case, "action_updated", "This case is closed: progress can no longer be recorded", 409)
    form = ProgressForm()
    page = {"case": case, "action": action, "who": service.who_label(action), "progress_labels": ACTION_PROGRESS}
    if not form.validate():
        record_failed(case, "action_updated", "invalid input", {"action": key})
        return render_template("views/plans/progress.html", form=form, history=service.history(case, key), **page)
    expected = parse_version(form.version.data)
    try:
        with committing():
            if expected is not None and expected != action.version_id:
                raise service.StaleEdit()
            service.record_progress(case, key, current_user, progress=form.progress.data, comment=form.comment.data)
            refresh_due(case, current_app.config)
            audit.record("action_updated", assessment=case,
                         detail={"action": key, "progress": form.progress.data,
                                 "text": f"Progress on '{action.what[:60]}': {ACTION_PROGRESS[form.progress.data]}"})
    except (service.StaleEdit, _stale_errors()):
        record_failed(case, "action_updated", "conflict", {"action": key})
        action = _live_action(case, key)
        form.version.data = str(action.version_id)
        page["action"] = action
        return render_template("views/plans/progress.html", form=form, history=service.history(case, key),
                               conflict=True, **page), 409
    flash("Progress recorded", "success")
    return redirect(url_for("plans.show", ref=case.ref))
