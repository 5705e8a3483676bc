"""Subject access requests (issue 19), for managers: find the person, open the request with the date it was
received, see what the cases' lead professionals marked to withhold, review it, produce the ZIP. Every step is
audited."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha.access import MANAGERS, route
from eha.errors import NotFound
from eha.formatting import format_date
from eha.forms.governance import DecisionForm, OpenRequestForm, as_int
from eha.models.choices import ROLES, SAR_EXEMPTIONS, SAR_STATUSES
from eha.services import subject_access as sars

bp = Blueprint("subject_access", __name__, url_prefix="/subject-access")
QUERY_MAX = 100


@route(bp, "", need=MANAGERS)
def index():
    query = (request.args.get("q") or "").strip()[:QUERY_MAX]
    people = sars.search_recorded(query) if query else None
    return render_template(
        "views/subject_access/index.html", query=query, people=people, requests=sars.requests(), statuses=SAR_STATUSES
    )


def _person_from(value):
    kind, _dash, raw = (value or "").partition("-")
    person_id = as_int(raw)
    if person_id is None or kind not in sars.MODELS:
        abort(404)
    return sars.find_person(kind, person_id)


@route(bp, "/new", methods=("GET", "POST"), need=MANAGERS)
def new():
    form = OpenRequestForm()
    chosen = form.person.data if request.method == "POST" else request.args.get("person")
    if not chosen:
        return redirect(url_for("subject_access.index"))
    person = _person_from(chosen)
    if form.validate_on_submit():
        sar = sars.open_request(current_user, person.kind, person.id, form.received_on.data)
        flash(
            _("Request %(ref)s opened: due %(date)s", ref=sars.reference(sar), date=format_date(sar.due_on)), "success"
        )
        return redirect(url_for("subject_access.show", sar_id=sar.id))
    return render_template("views/subject_access/new.html", form=form, person=person)


def _load(sar_id):
    try:
        return sars.get(sar_id)
    except NotFound:
        abort(404)


def _show(sar):
    people = {p.key: p for p in sars.third_parties(sar)}
    return render_template(
        "views/subject_access/show.html",
        sar=sar,
        ref=sars.reference(sar),
        cases=sars.cases_of(sar),
        people=people,
        exemptions=SAR_EXEMPTIONS,
        roles=ROLES,
        statuses=SAR_STATUSES,
    )


@route(bp, "/<int:sar_id>", need=MANAGERS)
def show(sar_id):
    sar = _load(sar_id)
    sars.record_viewed(sar)
    return _show(sar)


@route(bp, "/<int:sar_id>/review", methods=("POST",), need=MANAGERS)
def review(sar_id):
    sar = _load(sar_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    sars.review(sar, current_user, approve=form.approve, expected_version=as_int(form.version.data))
    flash(
        _("Redactions approved: the export can be produced") if form.approve else _("Sent back to mark again"),
        "success",
    )
    return redirect(url_for("subject_access.show", sar_id=sar.id))


@route(bp, "/<int:sar_id>/export", methods=("POST",), need=MANAGERS)
def export(sar_id):
    sar = _load(sar_id)
    name, content = sars.export(sar, current_user)
    return Response(
        content,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
