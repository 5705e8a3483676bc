"""Is the database answering? For /healthz."""

import sqlalchemy as sa

from eha.extensions import db


def database_answers():
    """True when the database answers a real query; a failure is rolled back and reported, never raised."""
    try:
        db.session.execute(sa.text("SELECT 1")).scalar_one()
    except Exception:  # any database failure is reported as such
        db.session.rollback()
        return False
    return True
