"""Your account's API tokens: create one (shown once), see them, revoke one."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha.access import SIGNED_IN, route
from eha.errors import Invalid
from eha.forms.api import TokenForm
from eha.models.base import utcnow
from eha.models.choices import API_SCOPES
from eha.services import api_credentials

bp = Blueprint("api_tokens", __name__)


@route(bp, "/account/tokens", need=SIGNED_IN, methods=("GET", "POST"))
def index():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = api_credentials.create_personal_token(
                current_user, name=form.name.data, scopes=form.scopes.data, days=int(form.days.data)
            )
        except Invalid as error:
            getattr(form, error.field or "name").errors.append(error.message)
        else:
            return render_template("views/api_tokens/created.html", token=token, secret=secret, scopes=API_SCOPES)
    return render_template(
        "views/api_tokens/index.html",
        form=form,
        tokens=api_credentials.personal_tokens(current_user),
        now=utcnow(),
        scopes=API_SCOPES,
    )


@route(bp, "/account/tokens/<int:token_id>/revoke", need=SIGNED_IN, methods=("POST",))
def revoke(token_id):
    api_credentials.revoke_personal_token(current_user, token_id)
    flash(_("The token is revoked: it no longer works"), "success")
    return redirect(url_for("api_tokens.index"))
