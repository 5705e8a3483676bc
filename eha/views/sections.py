"""One section of the assessment: read it, fill it in, save a draft or save it as complete."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eha.access import EDIT, VIEW, case_route
from eha.errors import StaleEdit
from eha.forms.builder import make_section_form
from eha.services import assessments as service
from eha.workflow.states import DRAFT

bp = Blueprint("sections", __name__, url_prefix="/assessments/<caseref:ref>/sections")

SAVING = EDIT.during((DRAFT,), _l("The assessment has been completed, so its sections can be read but not changed."))


def _render(case, page, form, version, *, conflict=None, status=200):
    return render_template(
        "views/sections/edit.html",
        case=case,
        definition=page.definition,
        section=page.section,
        title=page.title,
        action=page_url(case.ref, page.section.key, page.child_id),
        form=form,
        version=version,
        editable=page.editable,
        rows=None if page.editable else page.rows(),
        conflict=conflict,
        can_edit=page.can_edit,
    ), status


def _posted_version():
    raw = request.form.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1


@case_route(
    bp,
    "/<key:key>",
    methods=("GET", "POST"),
    need={"GET": VIEW, "POST": SAVING},
    audit="section_viewed",
    audit_detail=lambda key: {"section": key},
    refused="section_saved",
)
def edit(case, key):
    return _edit(case, key, None)


@case_route(
    bp,
    "/<key:key>/children/<int:child_id>",
    methods=("GET", "POST"),
    need={"GET": VIEW, "POST": SAVING},
    audit="section_viewed",
    audit_detail=lambda key, child_id: {"section": key, "child": child_id},
    refused="section_saved",
)
def edit_child(case, key, child_id):
    """A section asked of each child, for one of the children the case is about."""
    return _edit(case, key, child_id)


def page_url(ref, key, child_id=None):
    if child_id is None:
        return url_for(".edit", ref=ref, key=key)
    return url_for(".edit_child", ref=ref, key=key, child_id=child_id)


def _edit(case, key, child_id):
    page = service.section_page(case, key, current_user, child_id)
    if request.method == "GET":
        return _render(case, page, make_section_form(page.section, page.answers), page.version)
    complete = request.form.get("action") != "draft"
    version = _posted_version()
    form = make_section_form(page.section, born_on=page.born_on)
    if not (form.validate_complete() if complete else form.validate_draft()):
        return _render(case, page, form, version)
    answers = form.answers()
    try:
        service.save_section(
            case,
            page.section,
            answers,
            expected_version=version,
            user=current_user,
            complete=complete,
            child=page.child,
        )
    except StaleEdit as stale:
        conflict = service.section_conflict(page.section, stale.saved, answers)
        saved_version = stale.saved.version_id if stale.saved is not None else 0
        return _render(case, page, form, saved_version, conflict=conflict, status=409)
    if not complete:
        flash(
            _("%(title)s: your answers have been saved. You can come back to them later.", title=page.title), "success"
        )
        return redirect(url_for("assessments.show", ref=case.ref))
    flash(_("%(title)s: saved", title=page.title), "success")
    next_page = page.next_page()
    if next_page:
        return redirect(page_url(case.ref, *next_page))
    return redirect(url_for("assessments.show", ref=case.ref))
