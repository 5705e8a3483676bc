"""Who is calling: a bearer token read from ``Authorization``, its scopes, its rate limit, its audit event.

``authenticate`` (the blueprint's ``before_request``) finds the live token and makes its user the request's
``current_user`` for this request only (Flask-Login's ``g._login_user``; no session is read or written), so
``eha.access`` and ``eha.audit`` see the token's user exactly as they see a signed-in user on the pages.
``record_call`` (its ``after_request``) writes one ``api_request`` event per call: the token's id, the method,
the endpoint and the status; the case, when there is one. Ids and codes only.
"""

import functools

from flask import abort, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from eha import audit
from eha.extensions import db
from eha.models.base import utcnow
from eha.services.api_credentials import digest, find_live_token

# Endpoints that take no bearer token: the token endpoint authenticates the client itself.
OPEN_ENDPOINTS = {"api.oauth_token"}
TOUCH_SECONDS = 60


def bearer_secret():
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def rate_limit_key():
    """Flask-Limiter's key: the token (by its digest: the raw secret is never a storage key), else the address."""
    secret = bearer_secret()
    return "api-token:" + digest(secret)[:32] if secret else "api-ip:" + (get_remote_address() or "")


def rate_limit():
    return current_app.config["EHA_API_RATE_LIMIT"]


def _refuse(reason):
    audit.record("api_refused", outcome="refused", detail={"reason": reason, "endpoint": request.endpoint})
    db.session.commit()
    g.eha_api_recorded = True
    abort(401, "Send a live API token as 'Authorization: Bearer <token>'.")


def authenticate():
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return
    secret = bearer_secret()
    token = find_live_token(secret) if secret else None
    if token is None:
        _refuse("no token" if secret is None else "token not live")
    g._login_user = token.user
    g.eha_api_token = token
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_SECONDS:
        # Committed at once, so the call does not hold the token's row: two calls with one token would queue
        # on it, and revoking the client (which updates its tokens) would deadlock with a call in flight.
        token.last_used_at = now
        db.session.commit()


def current_token():
    return g.get("eha_api_token")


def needs_scope(scope):
    """A view decorator: 403 unless the token was given ``scope``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            token = current_token()
            if token is None or scope not in token.scope_list:
                abort(403, f"This token does not have the '{scope}' scope.")
            return view(*args, **kwargs)

        wrapper.eha_api_scope = scope
        return wrapper

    return decorator


def needs(need):
    """A view decorator: the pages' ``eha.access`` need for a page that is not a case's (``MANAGERS``: 404 for
    anyone else, as on the pages)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            error = need.refusal_for(current_user, None)
            if error is not None:
                raise error
            return view(*args, **kwargs)

        wrapper.eha_api_need = need
        return wrapper

    return decorator


def record_call(response):
    """One audit event for the call (a refused token was recorded already; a rate-limited call is not, so a
    flood of them cannot queue on the audit chain)."""
    if g.pop("eha_api_recorded", False) or response.status_code == 429:
        return response
    try:
        if response.status_code >= 400:
            db.session.rollback()
        token = current_token()
        detail = {"method": request.method, "endpoint": request.endpoint, "status": response.status_code}
        if token is not None:
            detail["token"] = token.id
            if token.client_id:
                detail["client"] = token.client_id
        audit.record(
            "api_request",
            assessment=g.get("eha_case"),
            outcome="success" if response.status_code < 400 else "refused",
            detail=detail,
        )
        db.session.commit()
    except Exception:  # a call that cannot be audited does not succeed
        db.session.rollback()
        current_app.logger.exception("the API call's audit event was not written")
        raise
    return response
