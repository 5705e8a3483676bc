"""Configuration classes, chosen by the ``EHA_CONFIG`` environment variable.

Secrets only come from the environment. ``ProductionConfig.check()`` refuses to start a
production app with debug on, a missing or short secret or audit key, SQLite, or per-process rate limits.

Sign-in settings (environment variables):

- ``EHA_LOCKOUT_THRESHOLD`` (10) wrong passwords or security codes lock an account for ``EHA_LOCKOUT_MINUTES``
  (30). An email address with no account locks the same way, so lockout does not tell which addresses exist.
- A browser that has signed in to an account before holds a signed device cookie for ``EHA_DEVICE_COOKIE_DAYS``
  (180). It keeps its own count of ``EHA_DEVICE_LOCKOUT_THRESHOLD`` (as the account's) failures, so the owner can
  still sign in from it while someone else has locked the account (OWASP's device cookie pattern).
- ``EHA_SIGN_IN_RATE_LIMIT`` ("60 per minute") per client address on the sign-in page.
- ``RATELIMIT_STORAGE_URI`` (``memory://``): where rate limits are counted. ``memory://`` counts in each worker
  process separately (the real limit becomes the limit times the number of workers), so production refuses it
  unless ``EHA_SINGLE_PROCESS=1`` says one process serves the app; use shared storage such as
  ``redis://host:6379``. ``EHA_WORKERS`` (or gunicorn's ``WEB_CONCURRENCY``) greater than 1 always needs shared
  storage.
- ``EHA_TRUSTED_PROXIES`` (0): how many reverse proxies in front of the app to believe. With N > 0 the app takes
  the client's address, scheme and host from the last N proxies' X-Forwarded-For/-Proto/-Host headers
  (Werkzeug's ProxyFix), so rate limits, the audit trail and sessions see each client rather than the proxy.
  Leave it 0 when clients reach the app directly: otherwise anyone could forge X-Forwarded-For.
"""

import os
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def audit_key_list(value):
    """The old audit keys in ``EHA_AUDIT_KEYS``: separated by commas or whitespace (a tuple or list is kept)."""
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(key for key in re.split(r"[\s,]+", value) if key)
    return tuple(value)


def normalise_database_url(url):
    """Use the psycopg 3 driver for plain postgres URLs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'eha.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Branding: the council's name and the service name shown in the header.
    EHA_ORGANISATION_NAME = os.environ.get("EHA_ORGANISATION_NAME", "Northshire County Council")
    EHA_SERVICE_NAME = os.environ.get("EHA_SERVICE_NAME", "Early help")
    EHA_SUPPORT_EMAIL = os.environ.get("EHA_SUPPORT_EMAIL", "earlyhelp@northshire.example.gov.uk")
    # "eha" (EHA, TAF, lead professional) or "family-help" (Families First terms).
    EHA_TERMINOLOGY = os.environ.get("EHA_TERMINOLOGY", "eha")
    EHA_FRONT_DOOR = os.environ.get(
        "EHA_FRONT_DOOR",
        "Northshire Children's Front Door (MASH): 0300 123 4567, 8:30am to 5pm Monday to Friday. "
        "Out of hours: Emergency Duty Team 0300 123 9999. If a child is in immediate danger, call 999.",
    )
    EHA_EARLY_HELP_HUB = os.environ.get("EHA_EARLY_HELP_HUB", "the Early Help Hub on 0300 123 4000")

    # Sessions and sign-in.
    SESSION_COOKIE_NAME = "eha_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    EHA_IDLE_TIMEOUT_MINUTES = _int("EHA_IDLE_TIMEOUT_MINUTES", 30)
    EHA_ABSOLUTE_TIMEOUT_HOURS = _int("EHA_ABSOLUTE_TIMEOUT_HOURS", 10)
    EHA_LOCKOUT_THRESHOLD = _int("EHA_LOCKOUT_THRESHOLD", 10)
    EHA_LOCKOUT_MINUTES = _int("EHA_LOCKOUT_MINUTES", 30)
    EHA_DEVICE_LOCKOUT_THRESHOLD = _int("EHA_DEVICE_LOCKOUT_THRESHOLD", EHA_LOCKOUT_THRESHOLD)
    EHA_DEVICE_COOKIE_DAYS = _int("EHA_DEVICE_COOKIE_DAYS", 180)
    EHA_SIGN_IN_RATE_LIMIT = os.environ.get("EHA_SIGN_IN_RATE_LIMIT", "60 per minute")
    EHA_REQUIRE_MFA = _bool("EHA_REQUIRE_MFA", False)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Prefix of the rate-limit keys, so that two services (or two tests) can share one Redis.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "eha")
    # How the app is served: see the module docstring.
    EHA_TRUSTED_PROXIES = _int("EHA_TRUSTED_PROXIES", 0)
    EHA_SINGLE_PROCESS = _bool("EHA_SINGLE_PROCESS", False)
    EHA_WORKERS = _int("EHA_WORKERS", _int("WEB_CONCURRENCY", 0))
    RATELIMIT_HEADERS_ENABLED = False
    WTF_CSRF_TIME_LIMIT = None  # the session's own lifetime bounds the token
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    # Workflow timescales, in working days unless named otherwise.
    EHA_ASSESSMENT_DUE_WORKING_DAYS = _int("EHA_ASSESSMENT_DUE_WORKING_DAYS", 20)
    EHA_FIRST_TAF_DUE_WORKING_DAYS = _int("EHA_FIRST_TAF_DUE_WORKING_DAYS", 10)
    EHA_REVIEW_INTERVAL_WEEKS = _int("EHA_REVIEW_INTERVAL_WEEKS", 6)
    EHA_CLOSURE_SIGN_OFF = _bool("EHA_CLOSURE_SIGN_OFF", True)
    EHA_PLAN_ACTIONS_WARNING = _int("EHA_PLAN_ACTIONS_WARNING", 8)
    # A child this age or older may give agreement to early help if the practitioner judges them competent.
    EHA_YOUNG_PERSON_MIN_AGE = _int("EHA_YOUNG_PERSON_MIN_AGE", 12)

    # Retention (issue 19). A closed case is due for disposal when both have passed: EHA_RETENTION_YEARS_AFTER_CLOSURE
    # years after closure, and the youngest child's EHA_RETENTION_UNTIL_AGE birthday. The defaults follow the IRMS
    # Retention Guidelines for Local Authorities (Information and Records Management Society, Local Government
    # Group): records about children are kept until the child is 25 ("date of birth + 25"), and closed case files
    # six years after closure (the Limitation Act 1980 period). Check them against the council's own schedule.
    EHA_RETENTION_YEARS_AFTER_CLOSURE = _int("EHA_RETENTION_YEARS_AFTER_CLOSURE", 6)
    EHA_RETENTION_UNTIL_AGE = _int("EHA_RETENTION_UNTIL_AGE", 25)
    # A manager's home page counts open cases with no activity (anything but looking) for this many days.
    EHA_DRIFT_DAYS = _int("EHA_DRIFT_DAYS", 28)
    # How far ahead (calendar days) an action may be due: further is more likely a typing slip than a plan.
    EHA_ACTION_HORIZON_DAYS = _int("EHA_ACTION_HORIZON_DAYS", 365)

    # Sealing the plan PDF (PKCS#12); unsealed when unset.
    EHA_SEAL_PKCS12_PATH = os.environ.get("EHA_SEAL_PKCS12_PATH")
    EHA_SEAL_PASSPHRASE = os.environ.get("EHA_SEAL_PASSPHRASE")

    # Account recovery: emailed single-use links; an administrator never sets or sees a password.
    EHA_PASSWORD_RESET_MINUTES = _int("EHA_PASSWORD_RESET_MINUTES", 60)
    EHA_ACCOUNT_SETUP_HOURS = _int("EHA_ACCOUNT_SETUP_HOURS", 72)
    # The address emailed links start with, e.g. https://earlyhelp.northshire.gov.uk. Links are never built from
    # the request's Host header, which a visitor chooses; production refuses to start without it. Unset (development,
    # tests): the address the request came to.
    EHA_BASE_URL = os.environ.get("EHA_BASE_URL")

    # Mail. With no MAIL_SERVER each message is written as an .eml file to EHA_MAIL_DIR (default instance/mail).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "earlyhelp-no-reply@northshire.example.gov.uk")
    EHA_MAIL_DIR = os.environ.get("EHA_MAIL_DIR")

    # Notifications (eha.notifications, docs in its package docstring): how they go, the worker and the digests.
    # Channel: "smtp", "notify" (GOV.UK Notify) or "files" (.eml in EHA_MAIL_DIR); unset: notify when
    # NOTIFY_API_KEY is set, smtp when MAIL_SERVER is, files otherwise.
    EHA_NOTIFICATIONS_CHANNEL = os.environ.get("EHA_NOTIFICATIONS_CHANNEL")
    NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY")
    NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
    # The Notify email template with ((subject)), ((body)) and ((link)); NOTIFY_TEMPLATE_<KIND> overrides it per
    # kind of message (NOTIFY_TEMPLATE_DAILY_DIGEST...).
    NOTIFY_TEMPLATE_ID = os.environ.get("NOTIFY_TEMPLATE_ID")
    NOTIFY_TEMPLATE_IDS = {
        name[len("NOTIFY_TEMPLATE_") :].lower(): value
        for name, value in os.environ.items()
        if name.startswith("NOTIFY_TEMPLATE_") and name != "NOTIFY_TEMPLATE_ID" and value
    }
    EHA_NOTIFICATIONS_POLL_SECONDS = _int("EHA_NOTIFICATIONS_POLL_SECONDS", 10)
    EHA_NOTIFICATIONS_BATCH = _int("EHA_NOTIFICATIONS_BATCH", 100)
    EHA_NOTIFICATIONS_MAX_ATTEMPTS = _int("EHA_NOTIFICATIONS_MAX_ATTEMPTS", 6)
    EHA_NOTIFICATIONS_RETRY_SECONDS = _int("EHA_NOTIFICATIONS_RETRY_SECONDS", 60)
    # A message left "sending" longer than this (its worker was killed) is sent again.
    EHA_NOTIFICATIONS_LEASE_SECONDS = _int("EHA_NOTIFICATIONS_LEASE_SECONDS", 300)
    # Digests go on working days from EHA_DIGEST_HOUR until EHA_DIGEST_QUIET_FROM (Europe/London hours), the weekly
    # one on EHA_WEEKLY_DIGEST_WEEKDAY (0 = Monday); EHA_DIGESTS_ANY_TIME=1 sends them at night and weekends too.
    EHA_DIGEST_HOUR = _int("EHA_DIGEST_HOUR", 7)
    EHA_DIGEST_QUIET_FROM = _int("EHA_DIGEST_QUIET_FROM", 19)
    EHA_WEEKLY_DIGEST_WEEKDAY = _int("EHA_WEEKLY_DIGEST_WEEKDAY", 0)
    EHA_DIGESTS_ANY_TIME = _bool("EHA_DIGESTS_ANY_TIME", False)
    EHA_DIGEST_WORKING_DAYS = _int("EHA_DIGEST_WORKING_DAYS", 5)
    # The council's defaults for users who have not chosen.
    EHA_DIGEST_DAILY_DEFAULT = _bool("EHA_DIGEST_DAILY_DEFAULT", True)
    EHA_DIGEST_WEEKLY_DEFAULT = _bool("EHA_DIGEST_WEEKLY_DEFAULT", True)

    # The JSON API (eha.api): calls per token (Flask-Limiter's notation); webhooks to plain http:// addresses
    # (development and tests only: deliveries carry case references).
    EHA_API_RATE_LIMIT = os.environ.get("EHA_API_RATE_LIMIT", "600 per minute")
    EHA_WEBHOOK_ALLOW_HTTP = _bool("EHA_WEBHOOK_ALLOW_HTTP", False)

    EHA_DEMO_PASSWORD = os.environ.get("EHA_DEMO_PASSWORD", "demo-password-change-me")
    EHA_PAGE_SIZE = 25
    # How long a drawn page may be served again while nothing changed (eha/page_cache.py); 0 draws every page.
    EHA_PAGE_CACHE_SECONDS = _int("EHA_PAGE_CACHE_SECONDS", 60)

    # Single sign-on, logs, metrics and error reports (issue 17): eha/auth/sso.py and eha/observability.py.
    # EHA_OIDC_PROVIDERS: a JSON list of OpenID providers, or the path of a file holding one.
    EHA_OIDC_PROVIDERS = os.environ.get("EHA_OIDC_PROVIDERS")
    EHA_LOG_FORMAT = os.environ.get("EHA_LOG_FORMAT", "text")  # or "json"
    EHA_LOG_LEVEL = os.environ.get("EHA_LOG_LEVEL", "INFO")
    EHA_METRICS_TOKEN = os.environ.get("EHA_METRICS_TOKEN")  # /metrics is off without it
    SENTRY_DSN = os.environ.get("SENTRY_DSN")

    # The audit trail's HMAC key signs every new event; never stored in the database. Old keys, still needed to
    # verify events signed before a rotation, go in EHA_AUDIT_KEYS. See docs/operations/audit.md.
    EHA_AUDIT_KEY = os.environ.get("EHA_AUDIT_KEY")
    EHA_AUDIT_KEYS = audit_key_list(os.environ.get("EHA_AUDIT_KEYS"))
    # After a response that wrote audit events, link them into the chain (once the response is sent, and only if
    # no other process is already doing it), at most this often per process. 0 leaves it to `flask audit chain`.
    EHA_AUDIT_CHAIN_SECONDS = _int("EHA_AUDIT_CHAIN_SECONDS", 2)

    @classmethod
    def check(cls, settings):
        """Raise RuntimeError when the configuration is unsafe to run."""


# ``flask demo`` creates this self-signed sealing certificate; development uses it when present.
DEMO_SEAL_PATH = INSTANCE_DIR / "demo-seal.p12"
DEMO_SEAL_PASSPHRASE = "demo-seal-passphrase-not-for-production"  # noqa: S105 - demo certificate only

# Development and tests sign the audit trail with this fixed, public key (the app logs a warning when it does):
# a trail signed with it proves nothing. Production refuses it.
DEV_AUDIT_KEY = "dev-only-audit-key-public-proves-nothing-not-for-production"


class DevelopmentConfig(Config):
    NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-secret-key-not-for-production-use"
    EHA_AUDIT_KEY = os.environ.get("EHA_AUDIT_KEY") or DEV_AUDIT_KEY
    EHA_WEBHOOK_ALLOW_HTTP = _bool("EHA_WEBHOOK_ALLOW_HTTP", True)
    if not Config.EHA_SEAL_PKCS12_PATH and DEMO_SEAL_PATH.is_file():
        EHA_SEAL_PKCS12_PATH = str(DEMO_SEAL_PATH)
        EHA_SEAL_PASSPHRASE = os.environ.get("EHA_SEAL_PASSPHRASE") or DEMO_SEAL_PASSPHRASE


class TestConfig(Config):
    NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-for-tests"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    RATELIMIT_STORAGE_URI = "memory://"
    # Cheap argon2id parameters so hundreds of sign-ins stay fast; production keeps the library's profile.
    EHA_ARGON2_TIME_COST = 1
    EHA_ARGON2_MEMORY_KIB = 1024
    EHA_REQUIRE_MFA = False
    EHA_CLOSURE_SIGN_OFF = True
    EHA_SEAL_PKCS12_PATH = None
    EHA_AUDIT_KEY = DEV_AUDIT_KEY
    EHA_AUDIT_KEYS = ()
    # Tests link events when they say so (audit.chain_pending), so what a request runs does not depend on timing.
    EHA_AUDIT_CHAIN_SECONDS = 0
    EHA_WEBHOOK_ALLOW_HTTP = True
    EHA_OIDC_PROVIDERS = None
    EHA_METRICS_TOKEN = None
    SENTRY_DSN = None


class ProductionConfig(Config):
    NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    EHA_REQUIRE_MFA = _bool("EHA_REQUIRE_MFA", True)
    PREFERRED_URL_SCHEME = "https"
    EHA_LOG_FORMAT = os.environ.get("EHA_LOG_FORMAT", "json")

    @classmethod
    def check(cls, settings):
        problems = [problem for check in PRODUCTION_CHECKS for problem in check(settings)]
        if problems:
            raise RuntimeError("Refusing to start: " + "; ".join(problems))


def _check_basics(settings):
    if settings.get("DEBUG"):
        yield "debug must be off in production"
    if len(settings.get("SECRET_KEY") or "") < 32:
        yield "SECRET_KEY must be set to at least 32 characters"
    if settings.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite"):
        yield "production needs PostgreSQL (DATABASE_URL), not SQLite"


def _check_processes(settings):
    storage = settings.get("RATELIMIT_STORAGE_URI") or "memory://"
    workers = settings.get("EHA_WORKERS") or 0
    if storage.startswith("memory://") and (not settings.get("EHA_SINGLE_PROCESS") or workers > 1):
        yield (
            "rate limits need shared rate-limit storage (RATELIMIT_STORAGE_URI such as redis://host:6379) "
            "when more than one worker runs; memory:// is allowed only with EHA_SINGLE_PROCESS=1 and one worker"
        )
    proxies = settings.get("EHA_TRUSTED_PROXIES") or 0
    if not isinstance(proxies, int) or proxies < 0:
        yield "EHA_TRUSTED_PROXIES must be a whole number of proxies, 0 or more"


def _check_mail(settings):
    if not (settings.get("EHA_BASE_URL") or "").startswith("https://"):
        yield "EHA_BASE_URL must be set to the service's https:// address (emailed links use it)"
    if not settings.get("MAIL_SERVER"):
        yield "MAIL_SERVER must be set: password reset links are sent by email"


def _check_audit_keys(settings):
    audit_key = settings.get("EHA_AUDIT_KEY") or ""
    old_keys = audit_key_list(settings.get("EHA_AUDIT_KEYS"))
    if len(audit_key) < 32:
        yield "EHA_AUDIT_KEY must be set to at least 32 characters"
    if any(len(key) < 32 for key in old_keys):
        yield "every old key in EHA_AUDIT_KEYS must be at least 32 characters"
    if DEV_AUDIT_KEY in (audit_key, *old_keys):
        yield "the development audit key is public: set EHA_AUDIT_KEY to a key of your own"
    if settings.get("EHA_METRICS_TOKEN") and len(settings["EHA_METRICS_TOKEN"]) < 32:
        yield "EHA_METRICS_TOKEN must be at least 32 characters when set"


PRODUCTION_CHECKS = (_check_basics, _check_processes, _check_mail, _check_audit_keys)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}
