"""Test fixtures: an app on a database built by the migrations, clients, signed-in users.

SQLite (default): the migrations run once into a template file; each test gets a copy.
PostgreSQL (``TEST_DATABASE_URL``): the migrations run once; each test ends by emptying the tables.

A test that reaches no database (none of ``DATABASE_FIXTURES``, and its module never names ``TEST_DATABASE_URL``)
is marked ``no_database``: .ci/run's PostgreSQL pass leaves those to its SQLite pass (``make test
DATABASE_TESTS_ONLY=yes``), because they cannot behave differently there.

A test that asks for ``demo_loaded`` starts on a database where ``flask demo`` has already run: the demo is built
once per worker (through the command, as a user runs it) and each such test gets a copy (a file copy on SQLite,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL), instead of spending a whole demo build of its own.
"""

import copy
import json
import os
import shutil

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from config import normalise_database_url
from eha import create_app
from eha.extensions import db
from tests import factories

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
DATABASE_FIXTURES = frozenset({"database_url", "database_template", "demo_template", "scratch_url"})
_NAMES_THE_DATABASE = {}


def _module_names_the_database(item):
    path = str(getattr(item, "fspath", ""))
    if path not in _NAMES_THE_DATABASE:
        try:
            with open(path, encoding="utf-8") as file:
                source = file.read()
        except OSError:
            source = "TEST_DATABASE_URL"  # unknown: assume it does
        _NAMES_THE_DATABASE[path] = "TEST_DATABASE_URL" in source or "POSTGRES_URL" in source
    return _NAMES_THE_DATABASE[path]


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())) and not _module_names_the_database(item):
            item.add_marker(pytest.mark.no_database)


# Browser journeys 3 and 4 carry on with journey 2's case (tests/browser ``plan_case``): under ``--dist loadfile``
# the three files are one unit of work, so one worker runs them in order instead of each building its own case.
_SCHEDULED_TOGETHER = {
    f"tests/browser/{name}.py": "tests/browser/journeys 2, 3 and 4"
    for name in ("test_journey_2_plan", "test_journey_3_taf_member", "test_journey_4_reviews_closure")
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the files above scheduled as one. (Not xdist_group: xdist 3.8's ``loadgroup``
    renames items by an attribute pytest 9 no longer reads, so its groups are silently ignored.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid):
            scope = super()._split_scope(nodeid)
            return _SCHEDULED_TOGETHER.get(scope, scope)

    return FilesTogether(config, log)


def pytest_runtest_logreport(report):
    from tests.browser import conftest as browser

    browser.count_report(report)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    from tests.browser import conftest as browser

    browser.add_worker_counts(node)


def pytest_terminal_summary(terminalreporter):
    """The browser journeys' summary (tests/browser/conftest.py), from whichever process ran or gathered them."""
    from tests.browser import conftest as browser

    browser.write_summary(terminalreporter)


def _make_app(database_url, **overrides):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False}
    settings.update(overrides)
    return create_app("testing", **settings)


def _worker_database(url, worker_id):
    """Under pytest-xdist each worker gets its own PostgreSQL database next to the given one."""
    if worker_id in (None, "master"):
        return url
    parsed = sa.engine.make_url(url)
    name = f"{parsed.database}_{worker_id}"
    admin = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory, request):
    """Build the schema with the migrations once per test session (per xdist worker)."""
    if POSTGRES_URL:
        worker_id = getattr(request.config, "workerinput", {}).get("workerid")
        url = _worker_database(normalise_database_url(POSTGRES_URL), worker_id)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        app = _make_app(url)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        return url
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    app = _make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


def _truncate_postgres(app):
    """Empty every table after a PostgreSQL test, sequences back to 1.

    A TRUNCATE of every table (each with its indexes: several hundred files made and removed, then a commit that
    waits on them) cost about a second a test; a test leaves a few rows in a few tables, so DELETE is what is
    quick. As a superuser (CI's ``postgres``) ``session_replication_role = replica`` skips the audit tables'
    refusing triggers and the foreign keys' checks for this one transaction; otherwise TRUNCATE as before."""
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            superuser = conn.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
            if superuser:
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                for table in reversed(tables):
                    conn.execute(sa.text(f'DELETE FROM "{table}"'))
                conn.execute(
                    sa.text(
                        "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
                    )
                )
            else:
                # The audit tables' triggers refuse TRUNCATE (and the head's any DELETE), as they should outside tests.
                for table in ("audit_events", "audit_links", "audit_chain_head"):
                    conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
                conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                for table in ("audit_events", "audit_links", "audit_chain_head"):
                    conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        db.engine.dispose()


def _admin_engine(url):
    return sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _pg_create_from(url, template_name, name):
    """A PostgreSQL database ``name`` copied from ``template_name``, next to ``url``; its URL."""
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    admin.dispose()
    return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)


def _pg_drop(url):
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.engine.make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def demo_template(database_template, tmp_path_factory):
    """``(database, summary)``: the migrated database with ``flask demo --json`` run on it, once per worker.

    ``summary`` is what that first run printed. On PostgreSQL it is a database of its own, migrated here: copying
    the worker's database as a template would need every connection to it closed."""
    if POSTGRES_URL:
        worker_url = sa.engine.make_url(database_template)
        where = worker_url.set(database=f"{worker_url.database}_demo").render_as_string(hide_password=False)
        _pg_drop(where)
        admin = _admin_engine(where)
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{worker_url.database}_demo"'))
        admin.dispose()
        migrating = _make_app(where)
        with migrating.app_context():
            upgrade()
            db.engine.dispose()
        url = where
    else:
        where = tmp_path_factory.mktemp("demo-db") / "demo.sqlite3"
        shutil.copyfile(database_template, where)
        url = f"sqlite:///{where}"
    _forget_stored_definitions()
    app = _make_app(url, EHA_MAIL_DIR=str(tmp_path_factory.mktemp("demo-mail")))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "--json"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    yield where, json.loads(result.output)
    if POSTGRES_URL:
        _pg_drop(where)


@pytest.fixture
def database_url(database_template, tmp_path, request):
    if "demo_loaded" in request.fixturenames:
        where, _summary = request.getfixturevalue("demo_template")
        if POSTGRES_URL:
            name = sa.engine.make_url(where).database
            url = _pg_create_from(where, name, f"{name}_copy")
            yield url
            _pg_drop(url)
            return
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(where, path)
        yield f"sqlite:///{path}"
        return
    if POSTGRES_URL:
        yield database_template
        return
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(database_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def demo_loaded(app, demo_template):
    """This test's database already holds the demo (``flask demo`` has run once); what that run printed with
    ``--json`` (users and cases), as a dict. Running the demo again in the test is its second run."""
    return copy.deepcopy(demo_template[1])


@pytest.fixture
def app_settings():
    """Override in a test module (or parametrize) to change settings for the ``app`` fixture."""
    return {}


@pytest.fixture
def mail_dir(tmp_path):
    """Where this test's emails are written (one .eml file per message)."""
    return tmp_path / "mail"


def _forget_stored_definitions():
    """Each test has a database of its own, where a definition's name and version can mean other content (two
    tests both upload "version 3"): the process's caches of stored definitions start empty for each test."""
    from eha.definitions import store

    store._parsed_cache.clear()
    store._shipped_stored.clear()


@pytest.fixture
def app(database_url, app_settings, mail_dir, request):
    _forget_stored_definitions()
    app = _make_app(database_url, **{"EHA_MAIL_DIR": str(mail_dir), **app_settings})
    ctx = app.app_context()
    ctx.push()
    try:
        yield app
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
        if POSTGRES_URL and "demo_loaded" not in request.fixturenames:  # a demo copy is dropped whole instead
            _truncate_postgres(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app(database_url, mail_dir):
    """An app with CSRF protection on, as in production."""
    app = _make_app(database_url, WTF_CSRF_ENABLED=True, EHA_MAIL_DIR=str(mail_dir))
    with app.app_context():
        yield app
        db.session.remove()
    if POSTGRES_URL:
        _truncate_postgres(app)


@pytest.fixture
def agency(app):
    return factories.agency()


@pytest.fixture
def practitioner(app, agency):
    return factories.user(role="practitioner", agency=agency)


@pytest.fixture
def manager(app):
    return factories.user(role="manager", agency=factories.agency(name="Early Help Service", kind="early_help"))


@pytest.fixture
def admin(app):
    return factories.user(role="admin")


@pytest.fixture
def signed_in(client):
    """Sign a user in on the test client without the cost of a password check."""

    def sign_in(user, client=client):
        return factories.sign_in(client, user)

    return sign_in


@pytest.fixture
def client_request(client):
    """The test client that asserts each response's status and checks the page (see ``tests/pages.py``)."""
    from tests.pages import ClientRequest

    return ClientRequest(client)


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of this test's own, for migrating from nothing (the suite's databases are already at the
    latest migration): a SQLite file, or on PostgreSQL a database created for the test and dropped after it."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    parsed = sa.engine.make_url(normalise_database_url(POSTGRES_URL))
    # One per process: xdist workers never share one.
    yield from empty_pg_database(parsed, f"{parsed.database}_scratch_{os.getpid()}")


def empty_pg_database(url, name):
    """Yield the URL of an empty PostgreSQL database ``name`` next to ``url``, dropped afterwards."""
    url = sa.engine.make_url(url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
