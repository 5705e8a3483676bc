"""Signing in through an OpenID provider: /sign-in/sso/<provider> sends the browser there, /callback comes back."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from eha.auth import sessions as auth
from eha.auth import sso
from eha.auth.security import safe_next
from eha.extensions import limiter
from eha.forms.auth import SignInForm

bp = Blueprint("sso", __name__)


def _provider_or_404(name):
    p = sso.provider(name)
    if p is None:
        abort(404)
    return p


def _sign_in_limit():
    return current_app.config["EHA_SIGN_IN_RATE_LIMIT"]


@bp.route("/sign-in/sso/<provider>")
@limiter.limit(_sign_in_limit)
def start(provider):
    p = _provider_or_404(provider)
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    return sso.begin(p, safe_next(request.args.get("next")))


@bp.route("/sign-in/sso/<provider>/callback")
@limiter.limit(_sign_in_limit)
def callback(provider):
    p = _provider_or_404(provider)
    try:
        outcome = sso.finish(p, error=request.args.get("error"))
    except sso.Refused as refused:
        form = SignInForm(formdata=None)
        problem = [{"text": refused.message, "href": "#sso"}]
        return render_template("views/auth/sign_in.html", form=form, extra_errors=problem), 400
    user_session = auth.start_session(
        outcome.user, sso_provider=p.name, id_token=outcome.id_token, mfa_done=outcome.mfa
    )
    next_url = outcome.next_url or url_for("dashboard.home")
    if not user_session.mfa_passed:
        return redirect(url_for("mfa.challenge", next=next_url))
    return redirect(next_url)
