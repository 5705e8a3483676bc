"""Counting failed sign-ins so that no burst of requests gets more guesses than the limit; trusted browsers.

Every password or security code check first *claims* an attempt: one atomic ``UPDATE ... SET failed_sign_ins =
failed_sign_ins + 1 WHERE failed_sign_ins < limit AND not locked RETURNING failed_sign_ins``, committed before
the check. However many requests arrive at once (from however many workers), at most ``limit`` are checked in
one lockout period and the rest are refused unchecked. The claim that reaches the limit locks at once, so a
worker that dies mid-check cannot leave the count stuck at the limit unlocked. A wrong answer leaves its claim
counted; a right one clears the count, or gives its claim back when only the password was right and a security
code is still owed (so signing in again with a stolen password does not reset the count of wrong codes).

Whose count an attempt claims:

- a browser holding a valid device cookie for the account (it has signed in to the account before): its own
  count, in ``sign_in_throttles``. This is OWASP's "device cookie" pattern: someone who locks an account does
  not lock its owner out of their own browser, and that browser has its own limit;
- otherwise the account's (``users.failed_sign_ins`` and ``locked_until``);
- for an email address with no account, a ``sign_in_throttles`` row keyed by a keyed hash of the address, so an
  unknown address locks after the same number of tries as a real one and lockout does not reveal which exist.

Lock order: these rows are updated before the audit chain head is taken, as every other writer does.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.dialects import postgresql, sqlite

from eha.extensions import db
from eha.models.base import utcnow
from eha.models.users import SignInThrottle, User

DEVICE_COOKIE = "eha_device"
# One browser may be shared by a few people (a hot desk); it remembers the last few who signed in on it.
DEVICE_ENTRIES = 5
ACCOUNT, DEVICE, EMAIL = "account", "device", "email"


@dataclass(frozen=True)
class Counter:
    """One count of failures: ``users`` by id (``kind`` account) or ``sign_in_throttles`` by key."""

    kind: str
    key: int | str
    limit: int

    @property
    def model(self):
        return User if self.kind == ACCOUNT else SignInThrottle

    @property
    def row(self):
        return User.id == self.key if self.kind == ACCOUNT else SignInThrottle.key == self.key


@dataclass(frozen=True)
class Attempt:
    counter: Counter
    # This attempt's place in the count (1 .. limit), or None when it was refused unchecked.
    number: int | None

    @property
    def refused(self):
        return self.number is None

    @property
    def reached_limit(self):
        """True when this attempt was the last one allowed: if it fails, the count is now locked."""
        return self.number is not None and self.number >= self.counter.limit


def counter_for(user=None, email=None):
    """The count a sign-in attempt for ``user`` (or, with no account, ``email``) from this browser claims."""
    config = current_app.config
    if user is None:
        return Counter(EMAIL, _keyed_hash(EMAIL, User.normalise_email(email)), config["EHA_LOCKOUT_THRESHOLD"])
    nonce = _device_nonce(user.id)
    if nonce is not None:
        return Counter(DEVICE, _keyed_hash(DEVICE, f"{user.id}:{nonce}"), config["EHA_DEVICE_LOCKOUT_THRESHOLD"])
    return Counter(ACCOUNT, user.id, config["EHA_LOCKOUT_THRESHOLD"])


def claim(user=None, email=None):
    """Claim the right to check one password or code, in a transaction of its own (pending work commits first)."""
    counter = counter_for(user, email)
    db.session.commit()
    model = counter.model
    now = utcnow()
    until = now + timedelta(minutes=current_app.config["EHA_LOCKOUT_MINUTES"])
    extra = {}
    if model is SignInThrottle:
        db.session.execute(_insert_if_missing(key=counter.key, failed_sign_ins=0, updated_at=now))
        extra["updated_at"] = now
    # A lock that has run out starts a new count.
    count = sa.case((model.locked_until.is_not(None), 1), else_=model.failed_sign_ins + 1)
    number = db.session.execute(
        sa.update(model)
        .where(
            counter.row,
            sa.or_(model.locked_until.is_(None), model.locked_until <= now),
            sa.or_(model.failed_sign_ins < counter.limit, model.locked_until.is_not(None)),
        )
        .values(failed_sign_ins=count, locked_until=sa.case((count >= counter.limit, until), else_=None), **extra)
        .returning(model.failed_sign_ins)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.commit()
    return Attempt(counter, number)


def succeeded(attempt):
    """The whole sign-in succeeded: clear the count (and the lock this attempt's claim set, if it did)."""
    values = {"failed_sign_ins": 0}
    if attempt.reached_limit:
        values["locked_until"] = None
    _update(attempt.counter, values)


def give_back(attempt):
    """The password was right but a security code is still owed: this attempt no longer counts as a failure."""
    values = {
        "failed_sign_ins": sa.case(
            (attempt.counter.model.failed_sign_ins > 0, attempt.counter.model.failed_sign_ins - 1), else_=0
        )
    }
    if attempt.reached_limit:
        values["locked_until"] = None
    _update(attempt.counter, values)


def _update(counter, values):
    db.session.execute(
        sa.update(counter.model).where(counter.row).values(**values).execution_options(synchronize_session=False)
    )


def _insert_if_missing(**values):
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(SignInThrottle).values(**values).on_conflict_do_nothing(index_elements=["key"])


def _keyed_hash(kind, value):
    """A hash only this service can compute: the table never holds an address or a cookie's secret."""
    secret = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


# Trusted browsers. The device cookie is signed (not encrypted): a list of [user id, random nonce, issued at].


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="eha.trusted-device")


def _lifetime():
    return current_app.config["EHA_DEVICE_COOKIE_DAYS"] * 24 * 3600


def _device_entries():
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        entries = _serializer().loads(raw, max_age=_lifetime())
    except BadSignature:  # also an expired cookie
        return []
    if not isinstance(entries, list):
        return []
    oldest = time.time() - _lifetime()
    return [
        entry
        for entry in entries
        if isinstance(entry, list)
        and len(entry) == 3
        and isinstance(entry[0], int)
        and not isinstance(entry[0], bool)
        and isinstance(entry[1], str)
        and isinstance(entry[2], int)
        and entry[2] >= oldest
    ]


def _device_nonce(user_id):
    return next((nonce for uid, nonce, _issued in _device_entries() if uid == user_id), None)


def trust_this_browser(user):
    """After a complete sign-in, (re)issue the device cookie that makes this browser trusted for ``user``."""
    nonce = _device_nonce(user.id) or secrets.token_urlsafe(16)
    others = [entry for entry in _device_entries() if entry[0] != user.id]
    value = _serializer().dumps([[user.id, nonce, int(time.time())], *others[: DEVICE_ENTRIES - 1]])
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))

    @after_this_request
    def set_device_cookie(response):
        response.set_cookie(
            DEVICE_COOKIE, value, max_age=_lifetime(), path="/", secure=secure, httponly=True, samesite="Lax"
        )
        return response
