"""One transaction per user action: commit on success, roll back on any error (Notify's ``@autocommit``).

Services wrap each user action in ``@autocommit`` (or ``@case_action`` for a change to one case); views never
commit. Nesting is allowed: only the outermost block commits, so a service may call another.

``@case_action`` also locks the case row first. Every change takes its locks in one order, the case row and then
the audit chain head (``audit.record``), so two requests on one case queue instead of deadlocking.
"""

import functools
from contextlib import contextmanager

from flask import g, has_app_context
from sqlalchemy.orm.exc import StaleDataError

from eha.errors import NotAllowed
from eha.extensions import db

STALE_CASE = "Someone else changed this case at the same time. Check its current state and try again."


def _depth():
    return g.get("eha_transaction_depth", 0) if has_app_context() else 0


def _set_depth(value):
    if has_app_context():
        g.eha_transaction_depth = value


@contextmanager
def committing():
    depth = _depth()
    _set_depth(depth + 1)
    try:
        yield db.session
        if depth == 0:
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        _set_depth(depth)


def autocommit(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with committing():
            return func(*args, **kwargs)

    return wrapper


def lock_case(case):
    """Re-read ``case`` under a row lock (PostgreSQL ``FOR UPDATE``; SQLite serialises writers anyway)."""
    try:
        db.session.flush()
        # "OF assessments": PostgreSQL refuses FOR UPDATE on the outer-joined eager loads (family, lead...).
        db.session.refresh(case, with_for_update={"of": type(case)})
    except StaleDataError as exc:
        raise NotAllowed(STALE_CASE) from exc
    return case


def case_action(func):
    """A service function whose first argument is the case it changes: one transaction, case row locked first."""

    @functools.wraps(func)
    def wrapper(case, *args, **kwargs):
        with committing():
            if _depth() == 1:
                lock_case(case)
            return func(case, *args, **kwargs)

    return wrapper
