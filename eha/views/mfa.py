"""The second step of sign-in: a security code from an authenticator app, and setting one up.

These pages serve only a half-signed-in session (password accepted, second factor still owed); the
user is anonymous to every other page until the code is accepted.
"""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eha.access import SIGNED_IN, route
from eha.auth import mfa as totp
from eha.auth import sessions as auth
from eha.extensions import limiter
from eha.forms.mfa import SecurityCodeForm
from eha.forms.protected import note_forged_fields
from eha.views.auth import next_page

bp = Blueprint("mfa", __name__)

RESTART_MESSAGE = _l("You entered a wrong security code too many times. Sign in again to continue.")
WRONG_CODE = _l("The security code is wrong or has already been used. Wait for a new code and try again")


def _pending_session():
    """The half-signed-in session, or None (fully signed-in and anonymous visitors have none)."""
    user_session = auth.current_user_session()
    if user_session is None or user_session.mfa_passed:
        return None
    return user_session


def _elsewhere(user_session):
    if user_session is None:
        return redirect(url_for("auth.sign_in"))
    return None


def _answer(outcome, form):
    """The response to a checked code, or None to show the page again with the form's error."""
    if outcome == auth.ACCEPTED:
        return redirect(next_page())
    if outcome in (auth.RESTART, auth.LOCKED):
        session.clear()
        flash(str(RESTART_MESSAGE) if outcome == auth.RESTART else auth.locked_message(), "info")
        return redirect(url_for("auth.sign_in"))
    form.code.errors = list(form.code.errors) + [WRONG_CODE]
    return None


@bp.route("/sign-in/security-code", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def challenge():
    user_session = _pending_session()
    if (response := _elsewhere(user_session)) is not None:
        return response
    user = user_session.user
    if user.totp_enrolled_at is None:
        return redirect(url_for("mfa.setup", next=next_page()))
    form = SecurityCodeForm()
    if request.method == "POST":
        note_forged_fields(form, request, user=user)
    if form.validate_on_submit():
        if (response := _answer(auth.check_security_code(user_session, form.code.data), form)) is not None:
            return response
    return render_template("views/mfa/challenge.html", form=form, user=user)


@bp.route("/sign-in/set-up-authenticator", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def setup():
    user_session = _pending_session()
    if (response := _elsewhere(user_session)) is not None:
        return response
    user = user_session.user
    if user.totp_enrolled_at is not None:
        return redirect(url_for("mfa.challenge", next=next_page()))
    totp.ensure_secret(user)
    form = SecurityCodeForm()
    if request.method == "POST":
        note_forged_fields(form, request, user=user)
    if form.validate_on_submit():
        outcome = auth.check_security_code(user_session, form.code.data, enrolling=True)
        if (response := _answer(outcome, form)) is not None:
            return response
    return render_template(
        "views/mfa/setup.html",
        form=form,
        user=user,
        secret=totp.grouped(user.totp_secret),
        qr_url=url_for("mfa.qr_code"),
    )


@bp.get("/sign-in/set-up-authenticator/qr.svg")
def qr_code():
    user_session = _pending_session()
    return _qr_response(user_session.user if user_session is not None else None)


def _qr_response(user):
    if user is None or not user.totp_secret or user.totp_enrolled_at:
        return "", 404
    svg = totp.qr_svg(totp.provisioning_uri(user))
    return svg, 200, {"Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "no-store"}


@route(bp, "/account/two-factor", need=SIGNED_IN, methods=("GET", "POST"))
@limiter.limit("30 per minute", methods=["POST"])
def account():
    """Set up two-factor sign-in from a signed-in session, before it is required."""
    user = current_user
    if user.totp_enrolled_at is not None:
        return render_template("views/mfa/account.html", user=user)
    totp.ensure_secret(user)
    form = SecurityCodeForm()
    if form.validate_on_submit():
        if totp.enrol_from_account(user, form.code.data):
            flash(
                _("Two-factor sign-in is set up. You will need a code from your app each time you sign in"), "success"
            )
            return redirect(url_for("mfa.account"))
        form.code.errors = list(form.code.errors) + [WRONG_CODE]
    return render_template(
        "views/mfa/setup.html",
        form=form,
        user=user,
        secret=totp.grouped(user.totp_secret),
        qr_url=url_for("mfa.account_qr_code"),
    )


@route(bp, "/account/two-factor/qr.svg", need=SIGNED_IN)
def account_qr_code():
    """The QR code of the secret the account page shows (made here too when the page has not been opened yet)."""
    if current_user.totp_enrolled_at is None:
        totp.ensure_secret(current_user)
    return _qr_response(current_user)
