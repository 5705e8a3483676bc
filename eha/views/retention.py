"""Retention for managers (issue 19): what the review finds due and held, and each disposal batch to approve.

``flask retention review`` batches the due cases; a manager approves (or cancels) each batch here; ``flask
retention dispose`` then disposes of the approved ones."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha.access import MANAGERS, route
from eha.forms.governance import DecisionForm, as_int
from eha.models.choices import DISPOSAL_STATUSES
from eha.services import retention

bp = Blueprint("retention", __name__, url_prefix="/retention")


@route(bp, "", need=MANAGERS)
def index():
    return render_template(
        "views/retention/index.html",
        found=retention.review(),
        batches=retention.batches(),
        describe=retention.describe_rule,
        statuses=DISPOSAL_STATUSES,
    )


@route(bp, "/batches", methods=("POST",), need=MANAGERS)
def create_batch():
    batch = retention.create_batch(by=current_user)
    if batch is None:
        flash(_("Nothing new is due: every case due is already in a batch"), "success")
    else:
        flash(_("Batch %(id)s of %(num)d cases is waiting for approval", id=batch.id, num=len(batch.items)), "success")
    return redirect(url_for("retention.index"))


@route(bp, "/batches/<int:batch_id>", methods=("POST",), need=MANAGERS)
def decide(batch_id):
    form = DecisionForm()
    batch = retention.get_batch(batch_id)
    if batch is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    retention.decide_batch(batch, current_user, approve=form.approve, expected_version=as_int(form.version.data))
    message = _("Batch %(id)s approved", id=batch.id) if form.approve else _("Batch %(id)s cancelled", id=batch.id)
    flash(message, "success")
    return redirect(url_for("retention.index"))
