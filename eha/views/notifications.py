"""Your account's email summaries: which digests you get."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha.access import SIGNED_IN, route
from eha.forms.notifications import DigestChoiceForm
from eha.notifications import preferences

bp = Blueprint("notifications", __name__)


@route(bp, "/account/notifications", need=SIGNED_IN, methods=("GET", "POST"))
def account():
    chosen = preferences.chosen(current_user)
    form = DigestChoiceForm(
        data={"digests": [kind for kind, wanted in chosen.items() if wanted]}, manager=current_user.is_manager
    )
    if form.validate_on_submit():
        preferences.choose(current_user, form.digests.data)
        flash(_("Your choice of email summaries is saved"), "success")
        return redirect(url_for("notifications.account"))
    return render_template("views/notifications/account.html", form=form, is_manager=current_user.is_manager)
