"""Forgotten passwords: ask for a link from the sign-in page, then choose a new password from the emailed link.

Both pages are public. The request page answers the same whether or not the address has an account; the
link page answers a bad link (unknown, expired, used) with a page saying so, and changes nothing.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from eha.auth import recovery
from eha.auth.recovery import LinkProblem, PasswordRefused
from eha.extensions import limiter
from eha.forms.recovery import ChoosePasswordForm, ForgottenPasswordForm
from eha.mail import MailError

bp = Blueprint("recovery", __name__)


def _request_limit():
    return current_app.config["EHA_SIGN_IN_RATE_LIMIT"]


@bp.route("/account/reset-password", methods=["GET", "POST"])
@limiter.limit(_request_limit, methods=["POST"])
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.request_from_sign_in_page(form.email.data)
        except MailError:
            pass  # logged by eha.mail; the page must read the same whatever happened
        return render_template(
            "views/recovery/sent.html", email=form.email.data, expiry=recovery.lifetime_text("reset")
        )
    return render_template("views/recovery/forgotten.html", form=form)


def _link_problem(problem):
    recovery.record_refusal(problem)
    return render_template(
        "views/recovery/link_problem.html",
        reason=problem.reason,
        expiry=recovery.lifetime_text(problem.link.purpose if problem.link else "reset"),
    )


@bp.route("/account/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def choose_password(token):
    try:
        link = recovery.check(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            recovery.choose_password(token, form.password.data)
        except PasswordRefused as refused:
            form.password.errors = list(form.password.errors) + [refused.message]
        except LinkProblem as problem:
            return _link_problem(problem)
        else:
            # Whoever was signed in on this browser, it is not the session to carry on with.
            session.clear()
            flash(_("Your password has been changed. Sign in with your new password"), "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("views/recovery/choose.html", form=form, user=link.user, purpose=link.purpose)
