"""The second step of sign-in: a security code from an authenticator app, and setting one up.

These pages serve only a half-signed-in session (password accepted, second factor still owed); the
user is anonymous to every other page until the code is accepted.
"""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from eha import audit
from eha.auth import mfa as totp
from eha.auth import sessions as auth
from eha.extensions import db, limiter
from eha.forms.mfa import SecurityCodeForm
from eha.forms.protected import note_forged_fields
from eha.models.base import utcnow
from eha.views.auth import _safe_next

bp = Blueprint("mfa", __name__)

RESTART_MESSAGE = "You entered a wrong security code too many times. Sign in again to continue."


def _pending_session():
    """The half-signed-in session, or None (fully signed-in and anonymous visitors have none)."""
    user_session = auth.current_user_session()
    if user_session is None or user_session.mfa_passed:
        return None
    return user_session


def _next():
    return _safe_next(request.args.get("next"))


def _elsewhere(user_session):
    if user_session is None:
        return redirect(url_for("auth.sign_in"))
    return None


def _wrong_code(user_session, form):
    """Count a wrong code; on the fifth in a row end the session and start sign-in again."""
    user_session.mfa_failures = (user_session.mfa_failures or 0) + 1
    user = user_session.user
    ended = user_session.mfa_failures >= totp.MAX_FAILURES
    audit.record("mfa_failed", outcome="failed", user=user,
                 detail={"failures": user_session.mfa_failures, "sign_in_restarted": ended})
    if ended:
        user_session.ended_at = utcnow()
        db.session.commit()
        session.clear()
        flash(RESTART_MESSAGE, "info")
        return redirect(url_for("auth.sign_in"))
    db.session.commit()
    form.code.errors = list(form.code.errors) + ["The security code is wrong or has already been used. "
                                                 "Wait for a new code and try again"]
    return None


def _accept(user_session):
    auth.complete_sign_in(user_session.user, user_session)
    db.session.commit()
    return redirect(_next())


@bp.route("/sign-in/security-code", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def challenge():
    user_session = _pending_session()
    if (response := _elsewhere(user_session)) is not None:
        return response
    user = user_session.user
    if user.totp_enrolled_at is None:
        return redirect(url_for("mfa.setup", next=_next()))
    form = SecurityCodeForm()
    if request.method == "POST":
        note_forged_fields(form, request, user=user)
    if form.validate_on_submit():
        if totp.accept(user, form.code.data):
            return _accept(user_session)
        if (response := _wrong_code(user_session, form)) is not None:
            return response
    else:
        db.session.commit()  # keep any forged-field event
    return render_template("views/mfa/challenge.html", form=form, user=user)


@bp.route("/sign-in/set-up-authenticator", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def setup():
    user_session = _pending_session()
    if (response := _elsewhere(user_session)) is not None:
        return response
    user = user_session.user
    if user.totp_enrolled_at is not None:
        return redirect(url_for("mfa.challenge", next=_next()))
    if not user.totp_secret:
        user.totp_secret = totp.new_secret()
        user.totp_last_step = None
        db.session.commit()
    form = SecurityCodeForm()
    if request.method == "POST":
        note_forged_fields(form, request, user=user)
    if form.validate_on_submit():
        if totp.accept(user, form.code.data):
            user.totp_enrolled_at = utcnow()
            audit.record("mfa_enrolled", user=user)
            return _accept(user_session)
        if (response := _wrong_code(user_session, form)) is not None:
            return response
    else:
        db.session.commit()
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


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per minute", methods=["POST"])
def account():
    """Set up two-factor sign-in from a signed-in session, before it is required."""
    user = current_user
    if user.totp_enrolled_at is not None:
        return render_template("views/mfa/account.html", user=user)
    if not user.totp_secret:
        user.totp_secret = totp.new_secret()
        user.totp_last_step = None
        db.session.commit()
    form = SecurityCodeForm()
    if request.method == "POST":
        note_forged_fields(form, request)
    if form.validate_on_submit():
        if totp.accept(user, form.code.data):
            user.totp_enrolled_at = utcnow()
            audit.record("mfa_enrolled")
            db.session.commit()
            flash("Two-factor sign-in is set up. You will need a code from your app each time you sign in", "success")
            return redirect(url_for("mfa.account"))
        audit.record("mfa_failed", outcome="failed", detail={"during": "set up from the account page"})
        form.code.errors = list(form.code.errors) + ["The security code is wrong or has already been used. "
                                                     "Wait for a new code and try again"]
    db.session.commit()
    return render_template("views/mfa/setup.html", form=form, user=user, secret=totp.grouped(user.totp_secret),
                           qr_url=url_for("mfa.account_qr_code"))


@bp.get("/account/two-factor/qr.svg")
@login_required
def account_qr_code():
    return _qr_response(current_user)
