"""Sign in (with the second factor when required) and sign out."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from eha.access import SIGNED_IN, route
from eha.auth import sessions as auth
from eha.auth import sso
from eha.auth.security import safe_next
from eha.extensions import limiter
from eha.forms.auth import SignInForm, SignOutForm

bp = Blueprint("auth", __name__)


def _sign_in_limit():
    return current_app.config["EHA_SIGN_IN_RATE_LIMIT"]


def next_page():
    """Where ``?next=`` asks to go after signing in, when that is a page of this service; else home."""
    return safe_next(request.args.get("next")) or url_for("dashboard.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = SignInForm()
    if form.validate_on_submit():
        result = auth.authenticate(form.email.data, form.password.data)
        if result.user is not None:
            user_session = auth.start_session(result.user, result.attempt)
            if not user_session.mfa_passed:
                return redirect(url_for("mfa.challenge", next=next_page()))
            return redirect(next_page())
        form.email.errors = [result.error]
        form.password.data = ""
    return render_template(
        "views/auth/sign_in.html",
        form=form,
        expired=request.args.get("expired") == "1",
    )


@route(bp, "/sign-out", need=SIGNED_IN, methods=("POST",))
def sign_out():
    form = SignOutForm()
    if not form.validate_on_submit():
        abort(400)
    user_session = auth.current_user_session()
    provider_logout = None
    if user_session is not None:
        provider_logout = sso.logout_url(user_session)
        provider = sso.provider(user_session.sso_provider or "")
        auth.end_session(user_session)
    if provider_logout:
        # A page, not a redirect: the CSP's form-action 'self' would stop this form's POST being redirected to the
        # provider. The page moves on by itself (a meta refresh, no script) and has a link as well.
        return render_template("views/auth/signed_out_sso.html", logout_url=provider_logout, provider=provider)
    return redirect(url_for("auth.sign_in", signed_out="1"))
