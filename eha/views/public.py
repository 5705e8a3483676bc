"""The pages a public-sector service must have (issue 19), linked from every page's footer: the accessibility
statement (PSBAR 2018 model), the privacy notice template, and the cookies eha sets. Public: no case content."""

from flask import Blueprint, current_app, render_template

from eha.auth.lockout import DEVICE_COOKIE
from eha.models.assessments import DEFAULT_LEGAL_BASIS

bp = Blueprint("public", __name__)


@bp.get("/accessibility")
def accessibility():
    return render_template("views/public/accessibility.html")


@bp.get("/privacy")
def privacy():
    config = current_app.config
    return render_template(
        "views/public/privacy.html",
        legal_basis=DEFAULT_LEGAL_BASIS,
        years=config["EHA_RETENTION_YEARS_AFTER_CLOSURE"],
        age=config["EHA_RETENTION_UNTIL_AGE"],
    )


@bp.get("/cookies")
def cookies():
    config = current_app.config
    return render_template(
        "views/public/cookies.html",
        session_cookie=config["SESSION_COOKIE_NAME"],
        device_cookie=DEVICE_COOKIE,
        idle_minutes=config["EHA_IDLE_TIMEOUT_MINUTES"],
        device_days=config["EHA_DEVICE_COOKIE_DAYS"],
    )
