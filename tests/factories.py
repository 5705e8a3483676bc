"""Plain factory functions for tests. Each commits, so the rows are visible to requests."""

import itertools
from datetime import date

import sqlalchemy as sa

from eha.auth.passwords import hash_password
from eha.auth.sessions import SESSION_KEY
from eha.extensions import db
from eha.models.users import Agency, User, UserSession

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_password_hash = None


def _hash():
    global _password_hash
    if _password_hash is None:
        _password_hash = hash_password(PASSWORD)
    return _password_hash


def agency(name=None, kind="school"):
    name = name or f"Agency {next(_counter)}"
    existing = db.session.scalar(sa.select(Agency).where(Agency.name == name))
    if existing:
        return existing
    record = Agency(name=name, kind=kind)
    db.session.add(record)
    db.session.commit()
    return record


def user(role="practitioner", agency=None, email=None, name=None, password=None, **fields):
    n = next(_counter)
    record = User(
        email=(email or f"user{n}@example.org").lower(),
        name=name or f"Test User {n}",
        role=role,
        agency=agency or globals()["agency"](),
        password_hash=hash_password(password) if password else _hash(),
        **fields,
    )
    db.session.add(record)
    db.session.commit()
    return record


def sign_in(client, user):
    """Create a fully signed-in server-side session for ``user`` and put its token in the cookie."""
    user_session = UserSession(user=user, mfa_passed=True)
    db.session.add(user_session)
    db.session.commit()
    with client.session_transaction() as session:
        session.clear()
        session[SESSION_KEY] = user_session.token
    return user_session


def today():
    return date.today()
