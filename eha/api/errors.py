"""The API's errors in JSON, in the shape its document declares (flask-smorest's ``ErrorSchema``: ``code``,
``status``, ``message``, ``errors``). The domain errors (``eha.errors``) map to their statuses as on the pages."""

from flask import jsonify, request
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES

from eha.api import PREFIX
from eha.errors import DomainError
from eha.extensions import db


def is_api_request():
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def error_response(code, message=None, errors=None, headers=None):
    payload = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error")}
    if message:
        payload["message"] = message
    if errors:
        payload["errors"] = errors
    response = jsonify(payload)
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_error_response(error):
    """An ``HTTPException`` as JSON (webargs' validation messages under ``errors``)."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or getattr(error, "eha_message", None) or error.description
    headers = data.get("headers") or {}
    if error.code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="eha"')
    return error_response(error.code, message, errors if isinstance(errors, dict) else None, headers)


def domain_error_response(error):
    db.session.rollback()
    status = error.status if error.status >= 400 else 400
    errors = {"reasons": error.messages} if len(error.messages) > 1 else None
    return error_response(status, error.message or None, errors)


def register(bp):
    bp.register_error_handler(DomainError, domain_error_response)
    for code in default_exceptions:
        if code >= 400:
            bp.register_error_handler(code, http_error_response)
    bp.register_error_handler(HTTPException, http_error_response)
