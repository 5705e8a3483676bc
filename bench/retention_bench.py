"""Retention bench (issue 19): dispose of 10,000 closed cases and show the app stays responsive meanwhile.

    .venv/bin/python bench/retention_bench.py [--cases 10000] [--json FILE]

On ``BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/eha_bench_retention, emptied first) it
migrates, loads the demo, then bulk-inserts ``--cases`` closed episodes closed in 2015 about children born in
1995, each with its own family (a child, a carer), two assessment sections and an agreement. ``flask retention
review`` batches them, the batch is approved as a manager would (the service the page calls), and ``flask
retention dispose`` disposes of them: one transaction per case, as in production. While it runs, a client signed
in as the demo manager asks for the case list page and ``/healthz`` in turn, as fast as it can; the bench reports
their p50/p95/max latency before and during disposal, and any failed request. Finally ``flask audit verify``.
Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import http_bench  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/eha_bench_retention"
PAGES = ("/assessments", "/healthz")


def _env(url):
    env = dict(os.environ, DATABASE_URL=url, EHA_CONFIG="development", PYTHONPATH=str(ROOT))
    env.setdefault("EHA_DEMO_PASSWORD", "demo-password-for-the-bench")
    env.setdefault("SECRET_KEY", "bench-secret-key-bench-secret-key-0123456789")
    return env


def _reset_database(url):
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _rows(count, first_id, user_id, definition):
    """The rows of ``count`` closed cases, ids from ``first_id``: {table: [row, ...]}."""
    from eha.models.families import fold_name

    rows = {t: [] for t in ("families", "children", "carers", "assessments", "assessment_children")}
    rows |= {"section_answers": [], "consents": []}
    now = datetime(2015, 3, 1, 12)
    for n in range(count):
        i = first_id + n
        rows["families"].append({"id": i, "name": f"Family {i}", "address": f"{i} Long Road", "version_id": 1})
        rows["children"].append(
            {
                "id": i,
                "family_id": i,
                "first_name": "Sam",
                "last_name": f"Bench{i}",
                "search_first_name": "sam",
                "search_last_name": fold_name(f"Bench{i}"),
                "date_of_birth": date(1995, 1, 1),
                "sex": "not_known",
            }
        )
        rows["carers"].append({"id": i, "family_id": i, "name": f"Alex Bench{i}", "relationship_to_child": "Mother"})
        rows["assessments"].append(
            {
                "id": i,
                "ref": f"EHA-{i:06d}",
                "family_id": i,
                "state": "closed",
                "definition_name": definition.name,
                "definition_version": definition.version,
                "started_by_id": user_id,
                "lead_id": user_id,
                "started_at": now,
                "closed_at": now,
                "closed_by_id": user_id,
                "closure_reason": "moved_out",
                "closure_notes": "The family moved away.",
                "version_id": 1,
            }
        )
        rows["assessment_children"].append({"assessment_id": i, "child_id": i, "is_open": False})
        for key in ("about_family", "analysis"):
            rows["section_answers"].append(
                {
                    "assessment_id": i,
                    "section_key": key,
                    "answers": {"notes": "Worries about school"},
                    "status": "completed",
                    "version_id": 1,
                }
            )
        rows["consents"].append(
            {
                "assessment_id": i,
                "given_by_kind": "carer",
                "carer_id": i,
                "given_by_name": f"Alex Bench{i}",
                "given_on": date(2014, 9, 1),
                "recorded_by_id": user_id,
                "version_id": 1,
            }
        )
    return rows


def _load(url, count):
    """Migrate, load the demo, bulk-insert ``count`` closed cases; batch and approve them."""
    import sqlalchemy as sa

    from eha import create_app
    from eha.definitions.store import active_definition_record
    from eha.extensions import db
    from eha.models import User
    from eha.services import retention

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url.replace("postgresql://", "postgresql+psycopg://", 1))
    with app.app_context():
        from flask_migrate import upgrade

        from eha.demo import load_demo

        upgrade()
        load_demo()
        manager = db.session.scalar(sa.select(User).where(User.role == "manager"))
        first = 100_000
        rows = _rows(count, first, manager.id, active_definition_record())
        started = time.perf_counter()
        for table in (
            "families",
            "children",
            "carers",
            "assessments",
            "assessment_children",
            "section_answers",
            "consents",
        ):
            data = rows[table]
            for start in range(0, len(data), 2000):
                db.session.execute(db.metadata.tables[table].insert(), data[start : start + 2000])
        for table in ("families", "children", "carers", "assessments"):
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {first + count})"))
        db.session.commit()
        loaded = time.perf_counter() - started
        batch = retention.create_batch()
        retention.decide_batch(batch, manager, approve=True, expected_version=batch.version_id)
        return {"loaded_seconds": round(loaded, 1), "batch": batch.id, "batch_cases": len(batch.items)}, manager.email


class Prober(threading.Thread):
    """Ask for each page in turn until stopped; keep every latency and every failure."""

    def __init__(self, port, cookies):
        super().__init__(daemon=True)
        self.port, self.cookies = port, cookies
        self.latencies = {p: [] for p in PAGES}
        self.failures = 0
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            for page in PAGES:
                client = http_bench.Client(self.port, self.cookies)
                started = time.perf_counter()
                try:
                    status, _, _ = client.request("GET", page)
                except OSError:
                    status = 0
                self.latencies[page].append(time.perf_counter() - started)
                self.failures += status != 200
                client.close()


def _figures(latencies):
    ms = sorted(x * 1000 for x in latencies)
    if len(ms) < 2:
        return {"requests": len(ms)}
    return {
        "requests": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(statistics.quantiles(ms, n=20)[-1], 1),
        "max_ms": round(ms[-1], 1),
    }


def _probe(port, cookies, seconds=None, during=None):
    prober = Prober(port, cookies)
    prober.start()
    result = {}
    if during is not None:
        started = time.perf_counter()
        result["output"] = during()
        result["seconds"] = round(time.perf_counter() - started, 1)
    else:
        time.sleep(seconds)
    prober.stopping.set()
    prober.join(60)
    result["pages"] = {p: _figures(v) for p, v in prober.latencies.items()}
    result["failures"] = prober.failures
    return result


def _dispose(env):
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "retention", "dispose"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=4 * 3600,
    )
    if done.returncode:
        raise http_bench.BenchError(f"flask retention dispose failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    env = _env(url)
    os.environ.update(env)
    _reset_database(url)
    setup, manager_email = _load(url, args.cases)
    print(f"Loaded {args.cases} closed cases in {setup['loaded_seconds']}s; batch {setup['batch']} approved")
    log_dir = Path(tempfile.mkdtemp(prefix="eha-retention-bench-"))
    server = http_bench.Server("eha", "wsgi:app", env, log_dir)
    try:
        server.wait_until_serving("/healthz")
        cookies = http_bench.sign_in(server.port, manager_email, env["EHA_DEMO_PASSWORD"])
        before = _probe(server.port, cookies, seconds=10)
        during = _probe(server.port, cookies, during=lambda: _dispose(env))
    finally:
        server.stop()
    summary = during.pop("output").strip().splitlines()[-1]
    verify = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "audit", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    report = {
        "cases": args.cases,
        "setup": setup,
        "dispose_seconds": during["seconds"],
        "cases_per_second": round(args.cases / during["seconds"], 1),
        "dispose_summary": summary,
        "before": before,
        "during": during,
        "audit_verify": verify.stdout.strip().splitlines()[-1] if verify.stdout else verify.stderr.strip()[-300:],
        "audit_verify_exit": verify.returncode,
    }
    print(json.dumps(report, indent=2))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=2))
    return 0 if verify.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
