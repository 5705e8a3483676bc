"""Reports bench (issue 15): each report, each return's CSV export, at 1k episodes (and more with --sizes).

    .venv/bin/python bench/reports_bench.py [--sizes 1000,100000] [--repeat 3] [--json FILE]

On ``BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/eha_bench_reports, emptied first) it
migrates, loads the demo and grows the database with ``bench/scale_bench.py``'s bulk builders. At each size it
builds every report as a manager sees it (the tables' queries and the chart), in-process, and prints the median
time of ``--repeat`` runs and the SQL statements one build makes; then it streams each return and the largest
report table to CSV, with the time, the rows and the peak memory the export allocated (tracemalloc). Not part of
``make test``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import scale_bench  # noqa: E402  (the bulk builders)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/eha_bench_reports"


class _Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args, **_kwargs):
        self.count += 1


def _manager():
    import sqlalchemy as sa

    from eha.extensions import db
    from eha.models.users import User

    return db.session.scalar(sa.select(User).where(User.role == "manager").order_by(User.id).limit(1))


def _build(name, filters, manager):
    from eha.reports import catalogue, charts

    report = catalogue.build(name, filters, manager)
    charts.report_chart(report)  # runs the chart table's query and draws
    for table in report.tables:
        table.rows()


# The bulk builders make episodes, not the things the reports read: fill them in with set-based SQL, once.
ENRICH_SQL = (
    # assessments: due 20 working days (28 days) after the start, completed 10 to 40 days in; first TAF due 14
    # days after completion
    """UPDATE assessments SET assessment_due_on = CAST(started_at AS date) + 28,
           completed_at = CASE WHEN state <> 'draft' THEN started_at + (10 + id % 31) * INTERVAL '1 day' END,
           first_taf_due_on = CASE WHEN state <> 'draft' THEN CAST(started_at AS date) + 24 + id % 31 + 14 END
       WHERE ref LIKE 'EHA-5%' AND assessment_due_on IS NULL""",
    "UPDATE meetings SET held_on = CAST(scheduled_for AS date) WHERE status = 'held' AND held_on IS NULL",
    # the needs question: 2 to 5 headline needs and 0 to 2 CIN factors for every bench episode
    """INSERT INTO section_answers (assessment_id, section_key, answers, status, updated_at, version_id)
       SELECT a.id, 'needs', json_build_object(
                'supporting-families', (ARRAY[
                  '["sf-education","sf-health"]', '["sf-education","sf-health","sf-housing"]',
                  '["sf-relationships","sf-financial","sf-crime","sf-domestic-abuse"]',
                  '["sf-early-years","sf-health","sf-substance","sf-housing","sf-financial"]'])[1 + a.id % 4]::json,
                'cin-factors', (ARRAY['[]', '["1B"]', '["2C","3A"]'])[1 + a.id % 3]::json),
              'completed', a.started_at, 1
       FROM assessments a
       WHERE a.ref LIKE 'EHA-5%'
         AND NOT EXISTS (SELECT 1 FROM section_answers s WHERE s.assessment_id = a.id AND s.section_key = 'needs'
                         AND s.child_id IS NULL)""",
    # the reports' narrow copy of those answers (case_codes, migration 0026), as the application writes it
    """INSERT INTO case_codes (assessment_id, kind, code)
       SELECT DISTINCT s.assessment_id, f.kind, item.value
       FROM section_answers s
       CROSS JOIN (VALUES ('need', 'supporting-families'), ('cin', 'cin-factors')) AS f(kind, field)
       CROSS JOIN LATERAL json_array_elements_text(s.answers -> f.field) AS item(value)
       JOIN assessments a ON a.id = s.assessment_id
       WHERE s.section_key = 'needs' AND a.ref LIKE 'EHA-5%'
       ON CONFLICT DO NOTHING""",
    # an outcome for each need of each closed episode
    """INSERT INTO need_outcomes (assessment_id, need_code, outcome, recorded_at)
       SELECT a.id, n.code, (ARRAY['met', 'partly_met', 'not_met'])[1 + (a.id + length(n.code)) % 3], a.closed_at
       FROM assessments a
       JOIN section_answers s ON s.assessment_id = a.id AND s.section_key = 'needs' AND s.child_id IS NULL
       CROSS JOIN LATERAL json_array_elements_text(s.answers -> 'supporting-families') AS n(code)
       WHERE a.ref LIKE 'EHA-5%' AND a.state = 'closed'
       ON CONFLICT DO NOTHING""",
    # two reviews for each episode with a plan: six and twelve weeks after the first TAF
    """INSERT INTO reviews (assessment_id, family_view, family_score, practitioner_score, decision, plan_changed,
                            created_at, updated_at)
       SELECT a.id, 'Better.', r.n * 2 + a.id % 5, r.n * 2 + a.id % 4, 'continue', false,
              a.started_at + (20 + 42 * r.n) * INTERVAL '1 day', a.started_at + (20 + 42 * r.n) * INTERVAL '1 day'
       FROM assessments a CROSS JOIN (VALUES (1), (2)) AS r(n)
       WHERE a.ref LIKE 'EHA-5%' AND a.state IN ('plan_active', 'review_scheduled', 'closed')
         AND NOT EXISTS (SELECT 1 FROM reviews x WHERE x.assessment_id = a.id)""",
)

MOVES_SQL = """INSERT INTO case_moves (assessment_id, seq, from_state, to_state, at, entered_at)
   SELECT assessment_id, seq, detail ->> 'from', detail ->> 'to', occurred_at,
          lag(occurred_at) OVER (PARTITION BY assessment_id ORDER BY seq) FROM audit_events
   WHERE action = 'transition' AND outcome = 'success' AND detail ->> 'trigger' = 'bench'
     AND detail ->> 'from' <> detail ->> 'to'
   ORDER BY seq
   ON CONFLICT DO NOTHING"""

# the moves each bench episode made, (from, to, days after its start); closed ones close at ``closed_at``
MOVES = (
    ("draft", "assessed", "transition", None),
    ("assessed", "taf_scheduled", "transition", 3),
    ("taf_scheduled", "plan_active", "transition", 20),
    ("plan_active", "review_scheduled", "transition", 50),
    ("review_scheduled", "plan_active", "transition", 62),
)
STATE_MOVES = {"assessed": 1, "taf_scheduled": 2, "plan_active": 3, "review_scheduled": 4, "closed": 5}


def _transition_rows(ctx, case):
    """The transition audit events of one bench episode (hashed and chained as the real ones are)."""
    from datetime import timedelta
    from types import SimpleNamespace

    from eha import audit

    cid, ref, state, started, completed, closed, user_id = case
    moves = list(MOVES[: STATE_MOVES.get(state, 0)])
    if state == "closed":
        moves = [*MOVES[:3], ("plan_active", "closed", "transition", "closed")]
    rows = []
    for source, target, action, days in moves:
        if days is None:
            at = completed or started
        elif days == "closed":
            at = closed
        else:
            at = (completed or started) + timedelta(days=days)
        ctx.seq += 1
        event = SimpleNamespace(
            seq=ctx.seq, occurred_at=at, user_id=user_id, user_email=None, user_name="Bench user",
            user_role="practitioner", agency_name="Bench agency", assessment_id=cid, case_ref=ref, action=action,
            outcome="success", detail={"trigger": "bench", "from": source, "to": target}, ip_address="127.0.0.1",
            request_id=None, prev_hash=ctx.last_hash, key_id=ctx.key_id,
        )  # fmt: skip
        event.hash = audit.compute_hash(event, ctx.key)
        ctx.last_hash = event.hash
        rows.append(dict(vars(event)))
    return rows


def enrich(app):
    """Give the bench episodes what the reports read: due dates, completion, held meetings, needs, outcomes,
    reviews and the transition history. Idempotent (a second run adds nothing)."""
    from types import SimpleNamespace

    import sqlalchemy as sa

    from eha import audit
    from eha.extensions import db

    start = time.perf_counter()
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("SET session_replication_role = replica"))
        for statement in ENRICH_SQL:
            conn.execute(sa.text(statement))
        # (the episodes added since the last run: growing 1,000 to 100,000 must give the new ones their history)
        missing = (
            "FROM assessments a WHERE a.ref LIKE 'EHA-5%' AND a.state <> 'draft' AND NOT EXISTS (SELECT 1 FROM "
            "audit_events e WHERE e.assessment_id = a.id AND e.action = 'transition')"
        )
        if conn.execute(sa.text("SELECT count(*) " + missing)).scalar():
            head = conn.execute(sa.text("SELECT seq, last_hash FROM audit_chain_head WHERE id = 1")).one()
            key_id, ring = audit.keyring()
            ctx = SimpleNamespace(seq=head[0], last_hash=head[1], key_id=key_id, key=ring[key_id])
            cases = conn.execute(
                sa.text(
                    "SELECT id, ref, state, started_at, completed_at, closed_at, started_by_id "
                    + missing
                    + " ORDER BY id"
                )
            )
            table = db.metadata.tables["audit_events"]
            batch = []
            for case in cases:
                batch += _transition_rows(ctx, case)
                if len(batch) >= 20_000:
                    conn.execute(table.insert(), batch)
                    batch = []
            if batch:
                conn.execute(table.insert(), batch)
            conn.execute(
                sa.text("UPDATE audit_chain_head SET seq = :s, last_hash = :h"), {"s": ctx.seq, "h": ctx.last_hash}
            )
            conn.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('audit_events', 'id'), (SELECT max(id) FROM audit_events))"
                )
            )
            # (the chain's own counter too: the next event the application records takes the seq after these)
            conn.execute(sa.text("SELECT setval('audit_events_seq', (SELECT max(seq) FROM audit_events))"))
        # the reports' copy of the moves (case_moves, migration 0026), as fire() writes it
        conn.execute(sa.text(MOVES_SQL))
    with app.app_context(), db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
    print(f"   enriched in {time.perf_counter() - start:.0f}s", flush=True)


def explain(app, only=None, out=None):
    """EXPLAIN ANALYZE of each report table's query (and the chart's) as a manager runs it: execution time and
    the plan's scans, one line each; the whole plans go to ``out`` when given."""
    import re

    from eha.extensions import db
    from eha.reports import catalogue
    from eha.reports.catalogue import REPORTS
    from eha.reports.filters import parse_filters
    from eha.reports.sql import without_jit

    lines = []
    with app.app_context():
        manager = _manager()
        filters, _ = parse_filters({"period": "18m"})
        for name in only or REPORTS:
            report = catalogue.build(name, filters, manager)
            for table in report.tables:
                query = table.query if table.page_rows is None else table.query.limit(table.page_rows + 1)
                compiled = query.compile(db.engine, compile_kwargs={"render_postcompile": True})
                sql = str(compiled)
                without_jit()
                connection = db.session.connection()
                plan = [r[0] for r in connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, compiled.params)]
                total = next((p for p in plan if p.startswith("Execution Time")), "")
                scans = sorted(
                    {
                        m.group(0)
                        for p in plan
                        for m in re.finditer(
                            r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan)( using| on)? \S+", p
                        )
                    }
                )
                print(f"  {name}:{table.key:12} {total:28} {', '.join(scans)}", flush=True)
                lines += [f"== {name}:{table.key}", sql, *plan, ""]
            db.session.rollback()
    if out:
        Path(out).write_text("\n".join(lines))


def time_reports(app, repeat, only=None):
    import sqlalchemy as sa

    from eha.extensions import db
    from eha.reports.catalogue import REPORTS
    from eha.reports.filters import parse_filters

    results = {}
    with app.app_context():
        manager = _manager()
        filters, _ = parse_filters({"period": "18m"})
        for name in only or REPORTS:
            counter = _Counter()
            sa.event.listen(db.engine, "before_cursor_execute", counter)
            _build(name, filters, manager)
            sa.event.remove(db.engine, "before_cursor_execute", counter)
            times = []
            for _ in range(repeat):
                db.session.expire_all()
                start = time.perf_counter()
                _build(name, filters, manager)
                times.append(time.perf_counter() - start)
            times.sort()
            p95 = times[max(0, -(-95 * len(times) // 100) - 1)]  # nearest rank
            results[name] = {
                "median_s": round(statistics.median(times), 4),
                "p95_s": round(p95, 4),
                "queries": counter.count,
            }
            db.session.rollback()
    return results


def _timed_export(headers, rows):
    """Stream ``rows`` as CSV chunks, keeping nothing (a download goes to the socket): rows, seconds, peak MiB."""
    from eha.reports.export import csv_lines

    tracemalloc.start()
    start = time.perf_counter()
    count = 0
    for chunk in csv_lines(headers, rows):
        count += chunk.count("\n")
    elapsed = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": round(elapsed, 3), "rows": count - 1, "peak_mib": round(peak / 2**20, 1)}


def time_exports(app):
    """Each return over every episode, and the manager's whole case list (``/assessments/export.csv``)."""
    from datetime import date

    from eha.extensions import db
    from eha.reports import returns
    from eha.services.reports import export_case_list

    results = {}
    with app.app_context():
        for name in returns.RETURNS:
            table = returns.table(name, date(2000, 1, 1), date.today())
            results[name] = _timed_export(table.headers, table.stream())
        _filename, chunks = export_case_list(_manager())
        tracemalloc.start()
        start = time.perf_counter()
        count = sum(chunk.count("\n") for chunk in chunks) - 1
        elapsed = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results["case-list"] = {"seconds": round(elapsed, 3), "rows": count, "peak_mib": round(peak / 2**20, 1)}
        db.session.rollback()
    return results


def main(argv=None):
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database's data (migrate it to head), grow it")
    parser.add_argument("--build-only", action="store_true", help="build the data and measure nothing")
    parser.add_argument("--only", help="measure only these reports (comma separated)")
    parser.add_argument("--no-exports", action="store_true")
    parser.add_argument("--explain", help="EXPLAIN ANALYZE each report's queries, writing the plans to this file")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.keep:
        scale_bench._migrate(str(ROOT), url, "head")
    else:
        scale_bench._reset(url, ROOT)
    app = scale_bench._app(url.replace("postgresql://", "postgresql+psycopg://", 1))
    figures = {}
    for size in (int(s) for s in args.sizes.split(",")):
        start = time.perf_counter()
        scale_bench.grow(app, size)
        print(f"== {size} episodes (built in {time.perf_counter() - start:.0f}s)", flush=True)
        enrich(app)
        if args.build_only:
            continue
        if args.explain:
            explain(app, args.only.split(",") if args.only else None, args.explain)
            continue
        reports = time_reports(app, args.repeat, args.only.split(",") if args.only else None)
        for name, row in reports.items():
            print(
                f"  {name:28} p50 {row['median_s'] * 1000:8.1f} ms  p95 {row['p95_s'] * 1000:8.1f} ms"
                f"  {row['queries']:3d} queries",
                flush=True,
            )
        exports = {} if args.no_exports else time_exports(app)
        for name, row in exports.items():
            print(f"  export {name:21} {row['rows']:7d} rows {row['seconds']:7.2f} s  peak {row['peak_mib']} MiB")
        figures[size] = {"reports": reports, "exports": exports}
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
