"""Check a printout: type or paste the code printed on a plan and see which case and version it belongs to.

Only cases the user may see are answered; for any other the answer is the same as for an unknown code, so
the page never discloses that a case exists. Administrators see no case content (403).
"""

from flask import Blueprint, render_template
from flask_login import current_user

from eha.access import STAFF, route
from eha.forms.verify import VerifyForm
from eha.services import documents

bp = Blueprint("verify", __name__, url_prefix="/plans/verify")


@route(bp, "", need=STAFF, methods=("GET", "POST"))
def check():
    form = VerifyForm()
    searched = form.validate_on_submit()
    match = documents.check_printout(form.digest.data, current_user) if searched else None
    return render_template("views/verify/check.html", form=form, searched=searched, match=match)
