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
import io
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
            results[name] = {"median_s": round(statistics.median(times), 4), "queries": counter.count}
            db.session.rollback()
    return results


def time_exports(app):
    from datetime import date

    from eha.reports import returns
    from eha.reports.export import csv_lines

    results = {}
    with app.app_context():
        for name in returns.RETURNS:
            table = returns.table(name, date(2000, 1, 1), date.today())
            tracemalloc.start()
            start = time.perf_counter()
            rows = 0
            out = io.StringIO()
            for chunk in csv_lines(table.headers, table.stream()):
                rows += chunk.count("\n")
                out.seek(0)
                out.truncate()  # a download goes to the socket: keep nothing
            elapsed = time.perf_counter() - start
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            results[name] = {"seconds": round(elapsed, 3), "rows": rows - 1, "peak_mib": round(peak / 2**20, 1)}
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
        if args.build_only:
            continue
        reports = time_reports(app, args.repeat, args.only.split(",") if args.only else None)
        for name, row in reports.items():
            print(f"  {name:28} {row['median_s'] * 1000:8.1f} ms  {row['queries']:3d} queries")
        exports = {} if args.no_exports else time_exports(app)
        for name, row in exports.items():
            print(f"  export {name:21} {row['rows']:7d} rows {row['seconds']:7.2f} s  peak {row['peak_mib']} MiB")
        figures[size] = {"reports": reports, "exports": exports}
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
