"""Security headers on every response, CSP nonces for the one inline script GOV.UK needs, which proxies to
believe, and where sign-in may send the user next."""

import secrets
import unicodedata
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

# Paths anyone may reach without signing in.
PUBLIC_ENDPOINTS = {"auth.sign_in", "sso.start", "sso.callback", "health.healthz", "static", "assets", None}


def csp_nonce():
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


# Per-request values kept on ``g``. ``g`` belongs to the app context, which a request reuses when one
# is already pushed (as in tests), so they are cleared at the start of every request.
_PER_REQUEST = (
    "_login_user",
    "eha_user_session",
    "eha_session_expired",
    "csp_nonce",
    "eha_case",
    "eha_forged_fields",
    "eha_refusals",
)


def safe_next(target):
    r"""``target`` when it is a path on this site, else None: where to go after signing in.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so ``/\t/evil.example`` or
    ``/\evil.example`` become ``//evil.example``, another site. Control, format and space characters are
    removed first; what is left must be a relative path starting with a single ``/``, with no backslash.
    """
    if not isinstance(target, str):
        return None
    cleaned = "".join(ch for ch in target if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))
    if not cleaned.startswith("/") or cleaned.startswith("//") or "\\" in cleaned:
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned


def trust_proxies(app):
    """Believe ``EHA_TRUSTED_PROXIES`` reverse proxies' X-Forwarded-For/-Proto/-Host (none by default).

    Behind a proxy every request comes from the proxy's address: rate limits, the audit trail and sessions need
    the client's, which only the proxies in front of the app may be trusted to say.
    """
    count = app.config.get("EHA_TRUSTED_PROXIES") or 0
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def init_app(app):
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    trust_proxies(app)

    @app.before_request
    def reset_request_state():
        for name in _PER_REQUEST:
            g.pop(name, None)

    @app.after_request
    def set_security_headers(response):
        nonce = g.get("csp_nonce")
        script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
        response.headers["Content-Security-Policy"] = "; ".join(
            [
                "default-src 'self'",
                f"script-src {script_src}",
                "style-src 'self'",
                "img-src 'self' data:",
                "font-src 'self'",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if current_app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint not in ("static", "assets"):
            # Case data must never sit in a shared cache or the browser's back-forward cache.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    @app.context_processor
    def inject_user():
        return {"current_user": current_user}
