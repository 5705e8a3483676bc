"""Error pages in the house style; never a stack trace."""

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError

from eha.extensions import db

bp = Blueprint("errors", __name__)

TITLES = {
    400: "Sorry, there is a problem with your request",
    403: "You cannot do that on this case",
    404: "Page not found",
    405: "Sorry, there is a problem with your request",
    409: "This cannot be done now",
    413: "The file or form you sent is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


def _render(code, message=None):
    return render_template("views/errors/error.html", code=code, title=TITLES.get(code, TITLES[500]),
                           message=message), code


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    return _render(400, "The form you sent had expired or was not sent from this service. "
                        "Go back, reload the page and try again. Your answers have not been saved.")


@bp.app_errorhandler(400)
@bp.app_errorhandler(403)
@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
@bp.app_errorhandler(409)
@bp.app_errorhandler(413)
@bp.app_errorhandler(429)
def http_error(error):
    description = getattr(error, "eha_message", None)
    return _render(error.code, description)


@bp.app_errorhandler(500)
def server_error(error):
    db.session.rollback()
    return _render(500)
