"""/healthz: the app is up and the database answers a real query."""

import sqlalchemy as sa
from flask import Blueprint, jsonify

from eha.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1")).scalar_one()
    except Exception:  # any database failure is reported as such
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")
