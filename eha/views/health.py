"""/healthz: the app is up and the database answers a real query."""

from flask import Blueprint, jsonify

from eha.extensions import limiter
from eha.services.health import database_answers

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    if not database_answers():
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")
