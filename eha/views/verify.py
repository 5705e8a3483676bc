"""Check a printout: type or paste the code printed on a plan and see which case and version it belongs to.

Only cases the user may see are answered; for any other the answer is the same as for an unknown code, so
the page never discloses that a case exists.
"""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from eha import audit
from eha.forms.base import BaseForm
from eha.models.choices import ADMIN
from eha.services import documents
from eha.transaction import committing

bp = Blueprint("verify", __name__, url_prefix="/plans/verify")

FORMAT_MESSAGE = "Enter the 64-character code printed on the plan"


def _digest_format(form, field):
    if documents.normalise_digest(field.data) is None:
        raise ValidationError(FORMAT_MESSAGE)


class VerifyForm(BaseForm):
    digest = TextAreaField(
        "Code printed on the plan",
        description="It is on the last page of the plan, under 'Checking this copy'. Spaces, line breaks "
                    "and capital letters do not matter.",
        widget=GovTextArea(),
        validators=[InputRequired(message=FORMAT_MESSAGE), _digest_format],
    )
    submit = SubmitField("Check the code", widget=GovSubmitInput())


@bp.before_request
@login_required
def _staff_only():
    if current_user.role == ADMIN:
        abort(403)  # administrators see no case content


@bp.route("", methods=["GET", "POST"], endpoint="check")
def check():
    form = VerifyForm()
    searched = False
    match = None
    if form.validate_on_submit():
        searched = True
        digest = documents.normalise_digest(form.digest.data)
        with committing():
            match = documents.find_by_digest(digest, current_user)
            if match is not None:
                audit.record("plan_viewed", assessment=match.case,
                             detail={"verified_digest": digest, "version": match.version.number})
    return render_template("views/verify/check.html", form=form, searched=searched, match=match)
