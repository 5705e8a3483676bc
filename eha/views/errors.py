"""Error pages in the house style; never a stack trace. The domain errors (``eha.errors``) are mapped here, once."""

from flask import Blueprint, g, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from eha.api import errors as api_errors
from eha.errors import DomainError
from eha.extensions import db

bp = Blueprint("errors", __name__)

TITLES = {
    400: _l("Sorry, there is a problem with your request"),
    403: _l("You cannot do that on this case"),
    404: _l("Page not found"),
    405: _l("Sorry, there is a problem with your request"),
    409: _l("This cannot be done now"),
    410: _l("This record has been disposed of"),
    413: _l("The file or form you sent is too large"),
    429: _l("Too many requests"),
    500: _l("Sorry, there is a problem with the service"),
}


def _render(code, message=None, messages=None):
    return render_template(
        "views/errors/error.html",
        code=code,
        title=TITLES.get(code, TITLES[500]),
        message=message,
        messages=messages or [],
        case=g.get("eha_case"),
    ), code


@bp.app_errorhandler(DomainError)
def domain_error(error):
    """A refusal raised below the views: its status and reason. ``access.case_route`` has already recorded it."""
    db.session.rollback()
    if api_errors.is_api_request():
        return api_errors.domain_error_response(error)
    status = error.status if error.status >= 400 else 400
    messages = error.messages
    if len(messages) > 1:
        return _render(status, messages=messages)
    return _render(status, error.message or None)


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    return _render(
        400,
        _(
            "The form you sent had expired or was not sent from this service. "
            "Go back, reload the page and try again. Your answers have not been saved."
        ),
    )


@bp.app_errorhandler(400)
@bp.app_errorhandler(403)
@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
@bp.app_errorhandler(409)
@bp.app_errorhandler(413)
@bp.app_errorhandler(429)
def http_error(error):
    if api_errors.is_api_request():  # under /api/ but outside its views: an unknown address, a wrong method
        return api_errors.http_error_response(error)
    description = getattr(error, "eha_message", None)
    return _render(error.code, description)


@bp.app_errorhandler(500)
def server_error(error):
    db.session.rollback()
    if api_errors.is_api_request():
        return api_errors.error_response(500)
    return _render(500)
