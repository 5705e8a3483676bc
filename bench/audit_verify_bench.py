"""How long ``flask audit verify`` takes on a long trail (issue 14, part 4), without building a whole county.

    .venv/bin/python bench/audit_verify_bench.py [--events 1270000] [--code DIR]

On ``BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/eha_bench_audit, emptied first) it
migrates, then writes ``--events`` audit events and their links with COPY, signed and linked exactly as
``eha.audit.record`` and the chainer do (the development key), about ten to a case as the scale bench does; then
times ``flask audit verify`` (wall and CPU of the process), ``verify --anchor --since-anchor`` after 1,000 more
events, and a case view's worth of ``audit.record`` (one INSERT) for comparison. Verify reads only the audit
tables, so this measures what ``bench/scale_bench.py`` at 100,000 episodes (1.27M events) would, in a fraction of
the build time. Not part of ``make test``.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/eha_bench_audit"
COLUMNS = ("id", "seq", "occurred_at", "user_id", "user_email", "user_name", "user_role", "agency_name",
           "assessment_id", "case_ref", "action", "outcome", "detail", "ip_address", "request_id", "prev_hash",
           "nonce", "key_id", "hash")  # fmt: skip
ACTIONS = ("case_viewed", "section_saved", "plan_viewed", "history_viewed", "consent_recorded")


def _env(code, database_url):
    return {**os.environ, "EHA_CONFIG": "development", "DATABASE_URL": database_url, "PYTHONPATH": str(code)}


def _flask(code, database_url, *args):
    return subprocess.run(  # noqa: S603 - this interpreter and fixed arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=code, env=_env(code, database_url),
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip


def _reset(code, database_url):
    import sqlalchemy as sa

    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        conn.commit()
    engine.dispose()
    done = _flask(code, database_url, "db", "upgrade")
    assert done.returncode == 0, done.stderr[-2000:]


def _event(audit, key_id, key, i, start):
    event = SimpleNamespace(
        id=i, seq=i, occurred_at=start + timedelta(seconds=i), user_id=None, user_email=None,
        user_name="Bench user", user_role="practitioner", agency_name="Bench agency", assessment_id=None,
        case_ref=f"EHA-{500000 + i // 10:06d}", action=ACTIONS[i % len(ACTIONS)], outcome="success",
        detail={"n": i % 10}, ip_address="127.0.0.1", request_id=None, prev_hash="",
        nonce=f"{random.getrandbits(64):016x}", key_id=key_id,
    )  # fmt: skip
    event.hash = audit.compute_hash(event, key)
    return event


def build(app, events):
    """``events`` events and links, written with COPY in one transaction, and the head moved to the last."""
    import json

    from eha import audit
    from eha.extensions import db

    with app.app_context():
        key_id, ring = audit.keyring()
        key, last, start = ring[key_id], audit.GENESIS_HASH, datetime(2020, 1, 1)
        raw = db.engine.raw_connection()
        cursor = raw.cursor()
        cursor.execute("SET session_replication_role = replica")  # the head's trigger checks each move
        with (
            cursor.copy(f"COPY audit_events ({', '.join(COLUMNS)}) FROM STDIN") as events_copy,
        ):
            links = []
            for i in range(1, events + 1):
                event = _event(audit, key_id, key, i, start)
                row = [getattr(event, c) for c in COLUMNS]
                row[COLUMNS.index("detail")] = json.dumps(event.detail)
                events_copy.write_row(row)
                linked = audit.link_hash(i, i, event.hash, last, key_id, key)
                links.append((i, i, last, key_id, linked))
                last = linked
        with cursor.copy("COPY audit_links (position, event_id, prev_hash, key_id, hash) FROM STDIN") as copy:
            for link in links:
                copy.write_row(link)
        cursor.execute("UPDATE audit_chain_head SET seq = %s, last_hash = %s", (events, last))
        cursor.execute("SELECT setval('audit_events_seq', %s)", (events,))
        cursor.execute("SELECT setval(pg_get_serial_sequence('audit_events', 'id'), %s)", (events,))
        raw.commit()
        raw.close()


def _timed(code, database_url, *args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = _flask(code, database_url, *args)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    said = [line for line in (done.stdout + done.stderr).splitlines() if "development key" not in line]
    return done.returncode, wall, cpu, " ".join(said)[-300:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_270_000)
    parser.add_argument("--code", default=str(ROOT), help="the checkout whose flask audit verify is timed")
    args = parser.parse_args(argv)
    random.seed(14)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    code = Path(args.code).resolve()
    _reset(code, database_url)
    os.environ.update(EHA_CONFIG="development", DATABASE_URL=database_url)
    sys.path.insert(0, str(ROOT))
    from eha import create_app

    app = create_app()
    started = time.perf_counter()
    build(app, args.events)
    print(f"{args.events:,} events and links written in {time.perf_counter() - started:.0f}s", flush=True)
    _flask(code, database_url, "demo")  # a few hundred events of every kind, as the app writes them
    _flask(code, database_url, "audit", "chain")
    anchors = Path(tempfile.mkdtemp()) / "anchors.log"
    for label, command in (
        ("flask audit verify", ("audit", "verify")),
        ("flask audit anchor", ("audit", "anchor", "--output", str(anchors))),
        ("flask audit verify --anchor", ("audit", "verify", "--anchor", str(anchors))),
        ("flask audit verify --anchor --since-anchor", ("audit", "verify", "--anchor", str(anchors), "--since-anchor")),
    ):
        rc, wall, cpu, said = _timed(code, database_url, *command)
        print(
            f"{label}: exit {rc}, {wall:.1f}s wall, {cpu:.1f}s CPU (the process, startup included): {said}", flush=True
        )
    anchors.unlink()
    anchors.parent.rmdir()


if __name__ == "__main__":
    main()
