"""One section of the assessment: read it, fill it in, save a draft or save it as complete."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eha import access, audit
from eha.definitions import answer_display
from eha.definitions.store import definition_for
from eha.forms.builder import make_section_form
from eha.services import assessments as service
from eha.transaction import committing
from eha.workflow.states import DRAFT

bp = Blueprint("sections", __name__, url_prefix="/assessments/<ref>/sections")


def _load(ref, key):
    case = access.load_case(ref, current_user, audit_action=None)
    definition = definition_for(case)
    if not isinstance(key, str) or not definition.has_section(key):
        abort(404)
    return case, definition, definition.section(key)


def _version(record):
    return record.version_id if record is not None else 0


def _record(case, key):
    return service.section_answers(case).get(key)


def _render(case, definition, section, form, version, *, editable, record=None, conflict=None, status=200):
    rows = None
    if not editable:
        answers = record.answers if record else {}
        rows = [(spec, answer_display(spec, answers.get(spec.key), "\n")) for spec in section.fields]
    return render_template(
        "views/sections/edit.html", case=case, definition=definition, section=section, form=form,
        version=version, editable=editable, rows=rows, conflict=conflict,
        can_edit=access.can_edit_assessment(current_user, case),
    ), status


@bp.route("/<key>", methods=["GET", "POST"])
@login_required
def edit(ref, key):
    if request.method == "POST":
        return _save(ref, key)
    with committing():
        case, definition, section = _load(ref, key)
        audit.record("section_viewed", assessment=case, detail={"section": section.key})
    record = _record(case, section.key)
    editable = access.can_edit_assessment(current_user, case) and case.state == DRAFT
    form = make_section_form(section, record.answers if record else None)
    return _render(case, definition, section, form, _version(record), editable=editable, record=record)


def _refuse(case, section, reason, code):
    with committing():
        audit.record("section_saved", assessment=case, outcome="refused",
                     detail={"section": section.key, "reason": reason})
    abort(code)


def _save(ref, key):
    case, definition, section = _load(ref, key)
    if not access.can_edit_assessment(current_user, case):
        _refuse(case, section, "not allowed to edit", 403)
    if case.state != DRAFT:
        _refuse(case, section, "assessment completed", 409)
    complete = request.form.get("action") != "draft"
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = -1
    form = make_section_form(section)
    valid = form.validate_complete() if complete else form.validate_draft()
    if not valid:
        with committing():
            audit.record("section_saved", assessment=case, outcome="failed",
                         detail={"section": section.key, "reason": "invalid input"})
        return _render(case, definition, section, form, version, editable=True)
    answers = form.answers()
    try:
        with committing():
            service.save_section(case, section, answers, expected_version=version, user=current_user,
                                 complete=complete)
    except service.SectionConflict as conflict:
        current = conflict.current
        with committing():
            audit.record("section_saved", assessment=case, outcome="failed",
                         detail={"section": section.key, "reason": "conflict"})
        theirs = current.answers if current is not None else {}
        comparison = [
            (spec, answer_display(spec, theirs.get(spec.key), "\n"), answer_display(spec, answers.get(spec.key), "\n"))
            for spec in section.fields
        ]
        info = {
            "rows": comparison,
            "by": current.updated_by.name if current is not None and current.updated_by else None,
            "at": current.updated_at if current is not None else None,
        }
        return _render(case, definition, section, form, _version(current), editable=True, conflict=info,
                       status=409)
    if complete:
        keys = definition.section_keys
        index = keys.index(section.key)
        flash(f"{section.title}: saved", "success")
        if index + 1 < len(keys):
            return redirect(url_for(".edit", ref=case.ref, key=keys[index + 1]))
        return redirect(url_for("assessments.show", ref=case.ref))
    flash(f"{section.title}: your answers have been saved. You can come back to them later.", "success")
    return redirect(url_for("assessments.show", ref=case.ref))
