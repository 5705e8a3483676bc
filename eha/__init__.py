"""eha: an Early Help Assessment form and workflow engine."""

import os

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from config import CONFIGS
from eha.routing import LazyBuildRule
from eha.template_cache import TEMPLATES


def create_app(config_name=None, **overrides):
    """Build the app: configuration, extensions, blueprints, templates and commands."""
    config_name = config_name or os.environ.get("EHA_CONFIG", "development")
    config_class = CONFIGS[config_name]

    app = Flask(__name__, instance_relative_config=True, static_url_path="/static")
    app.url_rule_class = LazyBuildRule  # builders compiled on first use (eha/routing.py)
    # Before app.jinja_env is first read, which builds the environment from these options.
    app.jinja_options = {**app.jinja_options, "trim_blocks": True, "lstrip_blocks": True, "bytecode_cache": TEMPLATES}
    app.config.from_object(config_class)
    app.config.update(overrides)
    config_class.check(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("eha"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )

    from eha import observability

    observability.init_app(app)  # first, so the request id is set before any other hook can audit
    _init_extensions(app)
    _register_blueprints(app)

    from eha import page_cache

    page_cache.init_app(app)

    from eha import i18n

    i18n.init_app(app)

    from eha import api

    api.init_app(app)  # after the blueprints: it uses their URL converters

    from eha import audit, templating
    from eha.auth import security, sso

    audit.init_app(app)
    security.init_app(app)
    sso.init_app(app)
    templating.init_app(app)

    from eha.commands import register_commands

    register_commands(app)
    return app


def _init_extensions(app):
    from govuk_frontend_wtf.main import WTFormsHelpers

    from eha import models  # noqa: F401  (registers tables)
    from eha.auth import sessions
    from eha.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    sessions.init_login_manager(login_manager)
    WTFormsHelpers(app)

    _connection_settings(app)


# What every new database connection runs first. SQLite: foreign keys on, and wait for another writer instead of
# failing. PostgreSQL: every statement planned with its own values. psycopg prepares a statement on its fifth run,
# and after five runs of a prepared statement PostgreSQL may switch to one generic plan for any values: for a
# search's ``upper(ref) LIKE $1`` that plan cannot know that '%SMITH%' is rare, and read every case instead of the
# trigram index (0.1 ms to 19 ms at 100,000 cases, from the eleventh search in a worker on; issue 14). The
# statements stay prepared (no parsing again); planning with the values costs what an unprepared statement's does.
# Set when the connection is made (a session setting, committed so the pool's rollbacks keep it), not as a startup
# option, which PgBouncer refuses.
_CONNECTION_SETTINGS = {
    "sqlite": ("PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=10000"),
    "postgresql": ("SET plan_cache_mode = force_custom_plan",),
}


def _connection_settings(app):
    from sqlalchemy import event

    from eha.extensions import db

    with app.app_context():
        engine = db.engine
    settings = _CONNECTION_SETTINGS.get(engine.dialect.name)
    if not settings:
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        for setting in settings:
            cursor.execute(setting)
        cursor.close()
        if engine.dialect.name == "postgresql":
            dbapi_connection.commit()


def _register_blueprints(app):
    from eha.views import register_blueprints

    register_blueprints(app)
