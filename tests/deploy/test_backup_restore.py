"""The backup and restore of docs/deploy.md, done: pg_dump's custom format, pg_restore into a new database, and
``flask audit verify`` on the restored copy, as the runbook says. PostgreSQL only (skipped plainly otherwise)."""

import os
import shutil
import subprocess
import sys

import pytest
import sqlalchemy as sa

from tests import factories
from tests.assessments import helpers
from tests.conftest import POSTGRES_URL, empty_pg_database
from tests.deploy.servers import ROOT


def _libpq(url):
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def restored_database(database_url):
    if not POSTGRES_URL:
        pytest.skip("backups are of PostgreSQL (TEST_DATABASE_URL): nothing to pg_dump on SQLite")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed (postgresql-client)")
    source = sa.engine.make_url(database_url)
    yield from empty_pg_database(source, f"{source.database}_restored")


def _flask(database_url, *args):
    env = {**os.environ, "EHA_CONFIG": "development", "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_restored_backup_passes_the_audit_check(app, client, database_url, restored_database, tmp_path):
    user = factories.user()
    client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD})
    case = helpers.case(user)
    client.get(f"/assessments/{case.ref}")
    dump = tmp_path / "eha.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", _libpq(database_url)], check=True)
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={_libpq(restored_database)}", str(dump)], check=True)

    verified = _flask(restored_database, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("Audit trail intact: "), verified.stdout
    assert int(verified.stdout.split(": ")[1].split()[0]) >= 3  # sign-in, case started, case viewed
    # The restored copy is the whole service: the case is there, and its append-only triggers came back too.
    engine = sa.create_engine(restored_database)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM assessments WHERE ref = :r"), {"r": case.ref}).scalar() == 1
        with pytest.raises(sa.exc.DBAPIError):
            conn.execute(sa.text("UPDATE audit_events SET action = 'x'"))
    engine.dispose()
