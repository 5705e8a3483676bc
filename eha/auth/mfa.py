"""Two-factor sign-in with a time-based one-time code (TOTP, RFC 6238) from an authenticator app.

Each code works once: the time-step of the last accepted code is stored and any step at or before it is
refused. One step (30 seconds) of clock difference either way is accepted. Marking a step used is one atomic
UPDATE, so a code sent from several browsers at once signs in only one of them.
"""

import datetime
import string
import time

import pyotp
import segno
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from eha import audit
from eha.extensions import db
from eha.models.base import utcnow
from eha.models.users import User
from eha.transaction import autocommit

ISSUER = "Early help"
MAX_FAILURES = 5
# Accept the code for the previous and the next 30-second step too (a phone's clock drifts).
VALID_WINDOW = 1


def new_secret():
    return pyotp.random_base32()


def grouped(secret):
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user, issuer=ISSUER):
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri):
    """An SVG QR code generated here (no third-party service), without inline style attributes."""
    qr = segno.make(uri, error="m")
    return qr.svg_inline(
        scale=5, border=4, dark="#0b0c0c", light="#ffffff", title="QR code to scan with your authenticator app"
    )


def normalise_code(code):
    """The ASCII digits of ``code`` (spaces and dashes typed between them are ignored; other digits are not ours)."""
    return "".join(ch for ch in (code or "") if ch in string.digits)


def matching_step(user, code, now=None):
    """The time-step whose code equals ``code`` (within the window) and is later than the last one used.

    Returns None when the code is wrong, was already used, or an earlier code has since been used.
    """
    code = normalise_code(code)
    if not user.totp_secret or len(code) != 6:
        return None
    totp = pyotp.TOTP(user.totp_secret)
    now = now if now is not None else time.time()
    current = totp.timecode(_as_datetime(now))
    last = user.totp_last_step if user.totp_last_step is not None else -1
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = current + offset
        if step <= last:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def _as_datetime(now):
    if isinstance(now, datetime.datetime):
        return now
    return datetime.datetime.fromtimestamp(now, tz=datetime.UTC)


def accept(user, code, now=None):
    """Check ``code`` and, when right, mark its step used. True when accepted.

    The step is claimed with ``UPDATE users SET totp_last_step = :step WHERE id = :id AND (totp_last_step IS NULL
    OR totp_last_step < :step)``: of several requests with the same code, only the one whose UPDATE changes the
    row is accepted (on PostgreSQL the others wait for its commit, then find the step taken).
    """
    step = matching_step(user, code, now)
    if step is None:
        return False
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def reset(user):
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None


@autocommit
def ensure_secret(user):
    """Give ``user`` a secret to set up their app with, unless they have one (it is kept until they enrol)."""
    if not user.totp_secret:
        user.totp_secret = new_secret()
        user.totp_last_step = None
    return user.totp_secret


@autocommit
def enrol_from_account(user, code):
    """Set up two-factor sign-in from the signed-in account page. True when ``code`` is accepted; a wrong code
    is recorded as a failed attempt."""
    if accept(user, code):
        user.totp_enrolled_at = utcnow()
        audit.record("mfa_enrolled")
        return True
    audit.record("mfa_failed", outcome="failed", detail={"during": "set up from the account page"})
    return False
