"""Running as a council would: request ids, structured JSON logs, Prometheus metrics and optional Sentry.

- Every request gets an id: the ``X-Request-ID`` a trusted proxy sent (nginx's ``$request_id``; believed only
  when ``EHA_TRUSTED_PROXIES`` > 0), else a new random one. It is answered in the ``X-Request-ID`` header, put on
  every log line and on every audit event the request writes (``audit_events.request_id``).
- ``EHA_LOG_FORMAT=json`` (production's default) writes one JSON object a line to standard error, with one
  ``request`` line per request: method, path (never the query string, which can hold a child's name), status,
  duration, user id and request id. ``text`` keeps plain lines.
- ``/metrics``: Prometheus metrics (prometheus-flask-exporter) by route, not by address, so case references never
  become labels. Off unless ``EHA_METRICS_TOKEN`` is set; then only a request with ``Authorization: Bearer
  <token>`` gets them (404 otherwise, so the path is not even disclosed). Under gunicorn with several workers set
  ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory: every worker writes its counts there and any worker
  answers for all of them (gunicorn.conf.py removes a dead worker's files).
- ``SENTRY_DSN``: errors go to Sentry with ``send_default_pii`` off, and with request bodies, cookies, headers,
  query strings and user details removed before sending (``scrub_event``).
"""

import hmac
import logging
import os
import re
import secrets
import sys
import time

import sqlalchemy as sa
from flask import abort, g, has_request_context, request
from flask_login import AnonymousUserMixin

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_log = logging.getLogger("eha.request")


def request_id():
    return g.get("request_id") if has_request_context() else None


def _begin_request(app):
    supplied = request.headers.get("X-Request-ID", "")
    trusted = (app.config.get("EHA_TRUSTED_PROXIES") or 0) > 0
    g.request_id = supplied if trusted and _REQUEST_ID.match(supplied) else secrets.token_hex(16)
    g.request_started = time.perf_counter()


def _user_id():
    """The signed-in user's id, read without a query: the user is not loaded for the log's sake, and an expired
    object's id comes from its identity key."""
    user = g.get("_login_user")
    if user is None or isinstance(user, AnonymousUserMixin):
        return None
    state = sa.inspect(user, raiseerr=False)
    return state.identity[0] if state is not None and state.identity else None


def _end_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    if started is not None and request.endpoint not in ("static", "assets"):
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "endpoint": request.endpoint,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": _user_id(),
            },
        )
    return response


class RequestIdFilter(logging.Filter):
    """Adds the request id (or None outside a request) to every log record."""

    def filter(self, record):
        record.request_id = request_id()
        return True


def configure_logging(app):
    fmt = (app.config.get("EHA_LOG_FORMAT") or "text").lower()
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    handler.set_name("eha")
    logger = logging.getLogger("eha")  # also app.logger, the app being named eha
    for old in [h for h in logger.handlers if h.get_name() == "eha"]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(app.config.get("EHA_LOG_LEVEL") or "INFO")
    # Tests read records through the root logger (pytest's caplog); a server must not print each line twice.
    logger.propagate = bool(app.testing)


def _metrics_guard(app):
    def decorator(view):
        def guarded(*args, **kwargs):
            token = app.config.get("EHA_METRICS_TOKEN") or ""
            given = request.headers.get("Authorization", "")
            if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                abort(404)
            return view(*args, **kwargs)

        return guarded

    return decorator


def init_metrics(app):
    if not app.config.get("EHA_METRICS_TOKEN"):
        return None
    options = {
        "group_by": "url_rule",
        "excluded_paths": ["^/static/", "^/assets/"],
        "metrics_decorator": _metrics_guard(app),
        "default_labels": {"app": "eha"},
    }
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

        metrics = GunicornInternalPrometheusMetrics(app, **options)
    else:
        from prometheus_client import CollectorRegistry
        from prometheus_flask_exporter import PrometheusMetrics

        metrics = PrometheusMetrics(app, registry=CollectorRegistry(), **options)
    app.extensions["eha_metrics"] = metrics
    return metrics


_SCRUBBED_REQUEST_KEYS = ("data", "cookies", "headers", "query_string", "env")


def scrub_event(event, _hint=None):
    """Sentry's ``before_send``: keep the error and where it happened, drop anything that can hold personal data."""
    req = event.get("request")
    if isinstance(req, dict):
        for key in _SCRUBBED_REQUEST_KEYS:
            req.pop(key, None)
        if "url" in req:
            req["url"] = req["url"].split("?", 1)[0]
    event.pop("user", None)
    event.pop("breadcrumbs", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    event.setdefault("tags", {})["request_id"] = request_id()
    return event


def init_sentry(app):
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_breadcrumbs=0,
        before_send=scrub_event,
        environment=app.config.get("NAME"),
        traces_sample_rate=0,
    )
    return True


def init_app(app):
    configure_logging(app)
    init_metrics(app)
    init_sentry(app)
    app.before_request(lambda: _begin_request(app))
    app.after_request(_end_request)
