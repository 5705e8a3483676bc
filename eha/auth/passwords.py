"""Password hashing (argon2id) and the password policy (NCSC / OWASP ASVS 5).

At least 12 characters, up to 128 accepted, no composition rules, and not on a deny-list of
common passwords (zxcvbn's list of the most used passwords, plus service-specific words).
"""

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128

_hashers = {}
_SERVICE_WORDS = {"earlyhelp", "early help", "eha", "password", "northshire", "safeguarding", "welcome"}


@functools.cache
def _common_passwords():
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _hasher():
    """argon2id; the library's RFC 9106 low-memory profile unless settings say otherwise (tests go cheaper)."""
    from flask import current_app, has_app_context

    params = ()
    if has_app_context():
        config = current_app.config
        params = (config.get("EHA_ARGON2_TIME_COST"), config.get("EHA_ARGON2_MEMORY_KIB"))
    if params not in _hashers:
        if params and params[0]:
            _hashers[params] = PasswordHasher(time_cost=params[0], memory_cost=params[1], parallelism=1)
        else:
            _hashers[params] = PasswordHasher()
    return _hashers[params]


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


_dummy_hashes = {}


def dummy_hash():
    """A real hash to verify against for unknown emails, so timing does not reveal them."""
    hasher = _hasher()
    if id(hasher) not in _dummy_hashes:
        _dummy_hashes[id(hasher)] = hasher.hash("not-a-real-password-for-timing-only")
    return _dummy_hashes[id(hasher)]


def password_problem(password, *, email=None, name=None):
    """Return the reason a password is refused, in GOV.UK wording (in the page's language; English outside a
    request, as for the CLI), or None when it is acceptable."""
    if not password:
        return _("Enter a password")
    if len(password) < MIN_LENGTH:
        return _("Password must be %(num)s characters or more", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Password must be %(num)s characters or fewer", num=MAX_LENGTH)
    folded = password.casefold()
    if folded in _common_passwords() or folded.strip() in _SERVICE_WORDS or len(set(folded)) < 4:
        return _(
            "Password is too easy to guess. Choose a password that is not commonly used, such as three random words"
        )
    if email and folded == email.casefold():
        return _("Password must not be your email address")
    if name and folded.replace(" ", "") == name.casefold().replace(" ", ""):
        return _("Password must not be your name")
    # Common passwords with digits added ("password1234") are still guessable.
    stripped = folded.rstrip("0123456789!?.")
    if stripped and stripped != folded and (stripped in _common_passwords() or stripped in _SERVICE_WORDS):
        return _(
            "Password is too easy to guess. Choose a password that is not commonly used, such as three random words"
        )
    return None
