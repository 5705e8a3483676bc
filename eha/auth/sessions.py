"""Signing in and out, and the server-side sessions behind the cookie.

The cookie holds only a random session token. Each request loads the ``UserSession`` row and
ends it when the user is disabled, the session was signed out, or it has been idle or alive too
long. A session still waiting for its second factor authenticates nothing.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, redirect, request, session, url_for

from eha import audit
from eha.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from eha.extensions import db
from eha.models.base import utcnow
from eha.models.users import User, UserSession

SESSION_KEY = "_user_id"
# Write last_seen_at at most this often; the idle timeout is measured in minutes.
_TOUCH_INTERVAL = timedelta(seconds=30)


def init_login_manager(login_manager):
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # we rotate and check our own server-side sessions
    login_manager.user_loader(load_session_user)
    login_manager.unauthorized_handler(_unauthorized)


def _unauthorized():
    """Send the visitor to sign in, saying so when their session has just ended."""
    args = {}
    if request.method == "GET" and request.path != "/":
        args["next"] = request.full_path.rstrip("?")
    if g.get("eha_session_expired"):
        args["expired"] = "1"
    return redirect(url_for("auth.sign_in", **args))


def _session_expired(user_session, now):
    idle = timedelta(minutes=current_app.config["EHA_IDLE_TIMEOUT_MINUTES"])
    absolute = timedelta(hours=current_app.config["EHA_ABSOLUTE_TIMEOUT_HOURS"])
    return now - user_session.last_seen_at > idle or now - user_session.created_at > absolute


def current_user_session():
    """The live ``UserSession`` for this request (fully or half signed in), or None."""
    if "eha_user_session" in g:
        return g.eha_user_session
    g.eha_user_session = None
    token = session.get(SESSION_KEY)
    if not token or not isinstance(token, str):
        return None
    user_session = db.session.scalar(sa.select(UserSession).where(UserSession.token == token))
    now = utcnow()
    if user_session is None or user_session.ended_at is not None:
        session.clear()
        return None
    if not user_session.user.is_active or _session_expired(user_session, now):
        user_session.ended_at = now
        db.session.commit()
        session.clear()
        g.eha_session_expired = True
        return None
    if now - user_session.last_seen_at > _TOUCH_INTERVAL:
        user_session.last_seen_at = now
        db.session.commit()
    g.eha_user_session = user_session
    return user_session


def load_session_user(token):
    user_session = current_user_session()
    if user_session is None or user_session.token != token:
        return None
    if not user_session.mfa_passed:
        return None
    user = user_session.user
    user.session_token = user_session.token
    return user


def mfa_required_for(user):
    return bool(current_app.config["EHA_REQUIRE_MFA"] or user.totp_enrolled_at)


class SignInResult:
    def __init__(self, user=None, error=None, locked=False):
        self.user = user
        self.error = error
        self.locked = locked


GENERIC_ERROR = "Enter a correct email address and password"


def authenticate(email, password):
    """Check credentials, counting failures and locking after too many. Commits its own audit events."""
    email = User.normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    now = utcnow()
    if user is None:
        verify_password(dummy_hash(), password)  # same work as for a real account
        audit.record("sign_in_failed", outcome="failed", email=email, detail={"reason": "unknown or wrong"})
        db.session.commit()
        return SignInResult(error=GENERIC_ERROR)
    if user.is_locked(now):
        verify_password(dummy_hash(), password)
        audit.record("sign_in_failed", outcome="refused", user=user, detail={"reason": "locked"})
        db.session.commit()
        return SignInResult(error=_locked_message(), locked=True)
    if not verify_password(user.password_hash, password) or not user.is_active:
        user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
        audit.record("sign_in_failed", outcome="failed", user=user, detail={"reason": "unknown or wrong"})
        if user.failed_sign_ins >= current_app.config["EHA_LOCKOUT_THRESHOLD"]:
            user.locked_until = now + timedelta(minutes=current_app.config["EHA_LOCKOUT_MINUTES"])
            user.failed_sign_ins = 0
            audit.record("account_locked", outcome="refused", user=user)
            db.session.commit()
            return SignInResult(error=_locked_message(), locked=True)
        db.session.commit()
        return SignInResult(error=GENERIC_ERROR)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return SignInResult(user=user)


def _locked_message():
    minutes = current_app.config["EHA_LOCKOUT_MINUTES"]
    return (
        f"There have been too many attempts to sign in to this account. Try again in {minutes} minutes, "
        "or ask your administrator to unlock it"
    )


def start_session(user):
    """Begin a new server-side session (a fresh cookie, so no session fixation)."""
    mfa_needed = mfa_required_for(user)
    user_session = UserSession(
        user=user,
        mfa_passed=not mfa_needed,
        ip_address=(request.remote_addr or "")[:64] or None,
        user_agent=(request.user_agent.string or "")[:300] or None,
    )
    db.session.add(user_session)
    user.failed_sign_ins = 0
    user.locked_until = None
    if not mfa_needed:
        complete_sign_in(user, user_session)
    db.session.commit()
    session.clear()
    session[SESSION_KEY] = user_session.token
    session.permanent = False
    g.eha_user_session = user_session
    return user_session


def complete_sign_in(user, user_session):
    user_session.mfa_passed = True
    user.last_sign_in_at = utcnow()
    audit.record("sign_in", user=user)


def end_session(user_session, action="sign_out"):
    user_session.ended_at = utcnow()
    audit.record(action, user=user_session.user)
    db.session.commit()
    session.clear()


def end_all_sessions(user):
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
