"""One transaction per user action: commit on success, roll back on any error."""

import functools
from contextlib import contextmanager

from eha.extensions import db


@contextmanager
def committing():
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def autocommit(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with committing():
            return func(*args, **kwargs)

    return wrapper
