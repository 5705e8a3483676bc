"""Emailed single-use links to choose a password: a forgotten password, a reset an administrator asks for, and a
new account's first password. Nobody but the user ever chooses or sees a password.

A link's token is 256 random bits; only its SHA-256 is stored, so the table cannot be used to reset anyone's
password. A link works once, within ``EHA_PASSWORD_RESET_MINUTES`` (a new account's within
``EHA_ACCOUNT_SETUP_HOURS``), and using one spends every other link of that user. Opening a link changes nothing
(mail scanners open links); only choosing the password does. The token itself is never logged or audited.

Functions here add to the current transaction; the views commit.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale, gettext, ngettext

from eha import audit, mail
from eha.auth import sessions
from eha.auth.passwords import hash_password, password_problem
from eha.extensions import db
from eha.models.base import utcnow
from eha.models.users import PasswordLink, User
from eha.transaction import autocommit

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200
# The forgotten-password form sends one account at most one email in this time (no mail-bombing a colleague).
SELF_SERVICE_INTERVAL = timedelta(minutes=5)
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


class LinkProblem(Exception):
    """The link cannot be used: ``reason`` is invalid, expired, used or disabled."""

    def __init__(self, reason, link=None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


class PasswordRefused(ValueError):
    """The chosen password breaks the password policy; ``message`` says why, in GOV.UK wording."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def lifetime(purpose):
    config = current_app.config
    if purpose == "setup":
        return timedelta(hours=config["EHA_ACCOUNT_SETUP_HOURS"])
    return timedelta(minutes=config["EHA_PASSWORD_RESET_MINUTES"])


def lifetime_text(purpose):
    """How long a link works, in the current language ("30 minutes", "30 munud")."""
    config = current_app.config
    if purpose == "setup":
        hours = config["EHA_ACCOUNT_SETUP_HOURS"]
        return ngettext("%(num)d hour", "%(num)d hours", hours)
    minutes = config["EHA_PASSWORD_RESET_MINUTES"]
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def link_url(token):
    """The absolute address of a link: from ``EHA_BASE_URL``, never from the Host header a visitor sends."""
    base = current_app.config.get("EHA_BASE_URL")
    if not base:
        base = request.host_url if has_request_context() else DEVELOPMENT_BASE_URL
    return base.rstrip("/") + url_for("recovery.choose_password", token=token, _external=False)


def issue(user, *, purpose="reset", requested_by=None):
    """Store a new link for ``user`` and return (token, link). The token exists only in the return value."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PasswordLink(
        user_id=user.id,
        token_hash=hash_token(token),
        purpose=purpose,
        requested_by_id=requested_by.id if requested_by is not None else None,
        expires_at=utcnow() + lifetime(purpose),
    )
    db.session.add(link)
    db.session.flush()
    return token, link


def send_link(user, *, purpose="reset", requested_by=None):
    """Issue a link and email it to the user's own address, audited. Raises ``mail.MailError``."""
    token, link = issue(user, purpose=purpose, requested_by=requested_by)
    audit.record(
        "password_reset_requested",
        user=requested_by if requested_by is not None else user,
        detail={
            "for_user_id": user.id,
            "purpose": purpose,
            "link_id": link.id,
            "requested_by_id": requested_by.id if requested_by is not None else None,
            "expires_at": link.expires_at.isoformat(timespec="seconds"),
        },
    )
    subject, body = _email(user, token, purpose, requested_by)
    mail.send(user.email, subject, body)
    return link


def _email(user, token, purpose, requested_by):
    """The email's subject and text, in the user's own language (issue 18)."""
    language = user.language if user.language in ("en", "cy") else "en"
    with force_locale(language):
        return _email_text(user, token, purpose, requested_by)


def _email_text(user, token, purpose, requested_by):
    config = current_app.config
    service, organisation = config["EHA_SERVICE_NAME"], config["EHA_ORGANISATION_NAME"]
    url = link_url(token)
    expiry = lifetime_text(purpose)
    support = config["EHA_SUPPORT_EMAIL"]
    hello = gettext("Hello %(name)s,", name=user.name)
    if purpose == "setup":
        subject = gettext("Your %(service)s account at %(organisation)s", service=service, organisation=organisation)
        creator = requested_by.name if requested_by else gettext("An administrator")
        lines = [
            hello,
            "",
            gettext(
                "%(creator)s has created a %(service)s account for you at %(organisation)s. "
                "Your username is %(email)s.",
                creator=creator,
                service=service,
                organisation=organisation,
                email=user.email,
            ),
            "",
            gettext("Choose your password using this link:"),
            "",
            url,
            "",
            gettext(
                "The link works once and expires in %(expiry)s. If it has expired, use 'Forgotten your password?' "
                "on the sign-in page.",
                expiry=expiry,
            ),
        ]
    else:
        subject = gettext("Reset your %(service)s password", service=service)
        asked = (
            gettext("%(name)s, an administrator, asked for this email to be sent to you.", name=requested_by.name)
            if requested_by
            else gettext("Someone, probably you, asked to reset your password.")
        )
        lines = [
            hello,
            "",
            asked + " " + gettext("Your username is %(email)s.", email=user.email),
            "",
            gettext("Choose a new password using this link:"),
            "",
            url,
            "",
            gettext(
                "The link works once and expires in %(expiry)s. When you use it, you will be signed out everywhere "
                "else.",
                expiry=expiry,
            ),
            "",
            gettext("If you did not expect this email, you can ignore it: your password has not changed."),
        ]
    lines += ["", gettext("Never share this link. If you have any questions, contact %(email)s.", email=support)]
    lines += ["", organisation]
    return subject, "\n".join(lines) + "\n"


@autocommit
def request_from_sign_in_page(email):
    """The forgotten-password form. Sends a link only to an active account, and says nothing about which it was.

    Returns the link sent, or None. Raises ``mail.MailError`` when the email could not be sent.
    """
    email = User.normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        audit.record(
            "password_reset_requested",
            outcome="failed",
            email=email,
            detail={"reason": "no account with this email address"},
        )
        return None
    if not user.is_active:
        audit.record("password_reset_requested", outcome="refused", user=user, detail={"reason": "account disabled"})
        return None
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PasswordLink)
        .where(
            PasswordLink.user_id == user.id,
            PasswordLink.requested_by_id.is_(None),
            PasswordLink.created_at > utcnow() - SELF_SERVICE_INTERVAL,
        )
    )
    if recent:
        audit.record(
            "password_reset_requested",
            outcome="refused",
            user=user,
            detail={"reason": "a link was sent to this account in the last few minutes"},
        )
        return None
    return send_link(user)


def check(token):
    """The usable link for ``token``, or raise ``LinkProblem``. Records nothing."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkProblem("invalid")
    link = db.session.scalar(sa.select(PasswordLink).where(PasswordLink.token_hash == hash_token(token)))
    if link is None:
        raise LinkProblem("invalid")
    if link.used_at is not None:
        raise LinkProblem("used", link)
    if link.expires_at <= utcnow():
        raise LinkProblem("expired", link)
    if not link.user.is_active:
        raise LinkProblem("disabled", link)
    return link


@autocommit
def record_refusal(problem):
    """Audit an attempt to use a link that cannot be used (kept even when the request rolls back)."""
    link = problem.link
    detail = {"reason": problem.reason}
    if link is not None:
        detail.update({"link_id": link.id, "for_user_id": link.user_id})
    audit.record_refusal("password_reset_refused", detail=detail, user=link.user if link is not None else None)


@autocommit
def choose_password(token, password):
    """Use the link: set the password, clear any lockout, end every session of the user. Returns the user.

    Raises ``LinkProblem`` or ``PasswordRefused`` (nothing changed).
    """
    link = check(token)
    user = link.user
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise PasswordRefused(problem)
    now = utcnow()
    # Spend the link in the same statement that checks it is unspent: of two requests racing with one link,
    # only one gets the row.
    claimed = db.session.execute(
        sa.update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise LinkProblem("used", link)
    db.session.execute(
        sa.update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    was_locked = user.is_locked(now) or bool(user.failed_sign_ins)
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    sessions.end_all_sessions(user)
    audit.record(
        "password_reset",
        user=user,
        detail={
            "link_id": link.id,
            "purpose": link.purpose,
            "requested_by_id": link.requested_by_id,
            "lockout_cleared": was_locked,
            "sessions_ended": True,
        },
    )
    return user
