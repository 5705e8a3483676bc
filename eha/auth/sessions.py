"""Signing in and out, and the server-side sessions behind the cookie.

The cookie holds only a random session token. Each request loads the ``UserSession`` row and
ends it when the user is disabled, the session was signed out, or it has been idle or alive too
long. A session still waiting for its second factor authenticates nothing.
"""

import functools
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eha import audit
from eha.auth import lockout
from eha.auth import mfa as totp
from eha.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from eha.extensions import db
from eha.models.base import utcnow
from eha.models.users import User, UserSession

SESSION_KEY = "_user_id"
# Write last_seen_at at most this often; the idle timeout is measured in minutes.
_TOUCH_INTERVAL = timedelta(seconds=30)


def init_login_manager(login_manager):
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Sign in to continue")
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


@functools.cache
def _session_by_token():
    """The session look-up every request makes, built once per process: a statement is immutable, and reusing
    one object lets SQLAlchemy reuse its cache key instead of walking the statement again (issue 14)."""
    return sa.select(UserSession).where(UserSession.token == sa.bindparam("token"))


def current_user_session():
    """The live ``UserSession`` for this request (fully or half signed in), or None."""
    if "eha_user_session" in g:
        return g.eha_user_session
    g.eha_user_session = None
    token = session.get(SESSION_KEY)
    if not token or not isinstance(token, str):
        return None
    user_session = db.session.scalar(_session_by_token(), {"token": token})
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
    def __init__(self, user=None, error=None, locked=False, attempt=None):
        self.user = user
        self.error = error
        self.locked = locked
        # The claimed attempt (see eha.auth.lockout) that the rest of sign-in settles.
        self.attempt = attempt


GENERIC_ERROR = _l("Enter a correct email address and password")
PASSWORDS_OFF = _l("Your organisation signs in to eha with single sign-on, not a password: use the button on this page")


def authenticate(email, password):
    """Check credentials, counting failures and locking after too many. Commits its own audit events.

    Unknown addresses are counted and locked like accounts, and get the same answers.
    """
    email = User.normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    attempt = lockout.claim(user=user, email=email)
    if attempt.refused:
        verify_password(dummy_hash(), password)  # the same work as a checked attempt
        audit.record("sign_in_failed", outcome="refused", user=user, email=email, detail={"reason": "locked"})
        db.session.commit()
        return SignInResult(error=locked_message(), locked=True)
    if user is None:
        verify_password(dummy_hash(), password)  # same work as for a real account
        right = False
    else:
        right = verify_password(user.password_hash, password) and user.is_active
    if not right:
        locked = attempt.reached_limit
        audit.record("sign_in_failed", outcome="failed", user=user, email=email, detail={"reason": "unknown or wrong"})
        if locked and user is not None:
            _record_lock(user, attempt)
        db.session.commit()
        return SignInResult(error=locked_message() if locked else GENERIC_ERROR, locked=locked)
    if not user.agency.password_sign_in:
        # Said only after the right password, so it tells nobody else which accounts exist.
        lockout.give_back(attempt)
        audit.record("sign_in_failed", outcome="refused", user=user, detail={"reason": "password_sign_in_off"})
        db.session.commit()
        return SignInResult(error=PASSWORDS_OFF)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return SignInResult(user=user, attempt=attempt)


def _record_lock(user, attempt):
    detail = {"only": "one trusted browser"} if attempt.counter.kind == lockout.DEVICE else None
    audit.record("account_locked", outcome="refused", user=user, detail=detail)


def locked_message():
    minutes = current_app.config["EHA_LOCKOUT_MINUTES"]
    return _(
        "There have been too many attempts to sign in to this account. Try again in %(minutes)s minutes, "
        "or ask your administrator to unlock it",
        minutes=minutes,
    )


def start_session(user, attempt=None, *, sso_provider=None, id_token=None, mfa_done=False):
    """Begin a new server-side session (a fresh cookie, so no session fixation).

    ``mfa_done``: single sign-on's provider says a second factor was used, so eha asks for none of its own.
    """
    mfa_needed = mfa_required_for(user) and not mfa_done
    user_session = UserSession(
        user=user,
        mfa_passed=not mfa_needed,
        ip_address=(request.remote_addr or "")[:64] or None,
        user_agent=(request.user_agent.string or "")[:300] or None,
        sso_provider=sso_provider,
        id_token=id_token,
    )
    db.session.add(user_session)
    # A language chosen on the sign-in page is the person's latest choice: it is kept across the new session and
    # remembered on their account (without it, a Welsh sign-in page led to an English home page).
    language = session.get("lang")
    if language and user.language != language:
        user.language = language
    if not mfa_needed:
        complete_sign_in(user, user_session, attempt)
    elif attempt is not None:
        # The count of failures stands until the security code is right too.
        lockout.give_back(attempt)
    db.session.commit()
    session.clear()
    session[SESSION_KEY] = user_session.token
    if language:
        session["lang"] = language
    session.permanent = False
    g.eha_user_session = user_session
    return user_session


def complete_sign_in(user, user_session, attempt=None):
    """Password (and security code, if owed) accepted: clear the count, trust this browser, audit."""
    if attempt is not None:
        lockout.succeeded(attempt)
    user_session.mfa_passed = True
    user.last_sign_in_at = utcnow()
    lockout.trust_this_browser(user)
    detail = {"method": "sso", "provider": user_session.sso_provider} if user_session.sso_provider else None
    audit.record("sign_in", user=user, detail=detail)


ACCEPTED, WRONG, RESTART, LOCKED = "accepted", "wrong", "restart", "locked"


def check_security_code(user_session, code, *, enrolling=False):
    """The second step of sign-in for a half-signed-in session. Commits; returns what happened.

    ACCEPTED: signed in. WRONG: try again. RESTART: too many wrong codes in this session, which has ended.
    LOCKED: the account is locked (by this wrong code or earlier failures); the session has ended.
    A code given while setting up the authenticator (``enrolling``) does not count towards the account's
    lockout: that page shows the secret anyway.
    """
    db.session.commit()  # whatever the request noted so far, before the users row is locked below
    user = user_session.user
    attempt = None if enrolling else lockout.claim(user=user)
    if attempt is not None and attempt.refused:
        audit.record("mfa_failed", outcome="refused", user=user, detail={"reason": "locked", "sign_in_restarted": True})
        user_session.ended_at = utcnow()
        db.session.commit()
        return LOCKED
    if totp.accept(user, code):
        if enrolling:
            user.totp_enrolled_at = utcnow()
            audit.record("mfa_enrolled", user=user)
        complete_sign_in(user, user_session, attempt)
        db.session.commit()
        return ACCEPTED
    user_session.mfa_failures = (user_session.mfa_failures or 0) + 1
    locked = attempt is not None and attempt.reached_limit
    ended = locked or user_session.mfa_failures >= totp.MAX_FAILURES
    audit.record(
        "mfa_failed",
        outcome="failed",
        user=user,
        detail={"failures": user_session.mfa_failures, "sign_in_restarted": ended},
    )
    if locked:
        _record_lock(user, attempt)
    if ended:
        user_session.ended_at = utcnow()
    db.session.commit()
    return LOCKED if locked else RESTART if ended else WRONG


def end_session(user_session, action="sign_out"):
    user_session.ended_at = utcnow()
    audit.record(action, user=user_session.user)
    db.session.commit()
    language = session.get("lang") or user_session.user.language
    session.clear()
    if language:
        session["lang"] = language  # the "you have signed out" page, and the next sign-in page, in the same language


def end_all_sessions(user):
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
