"""CPU and queries per request of the signed-in pages, in-process (issue 14, part 5). No HTTP, no gunicorn.

    .venv/bin/python bench/page_cpu_bench.py [--runs 200] [--profile PAGE] [--json] [--database FILE]

Builds a throwaway SQLite database with ``flask demo``, signs in as the demo's first practitioner (Sarah Okafor)
through the sign-in page, and requests each page ``--runs`` times with Flask's test client after a warm-up,
timing each with ``time.process_time()`` (CPU of this process: the page's Python work, not disk waits). Reports
the median, the 10th and 90th percentiles, and the queries one request makes (``before_cursor_execute``).
``--profile PAGE`` (one of the names printed) prints the cProfile of that page's runs instead, sorted by
cumulative time. Target: the case page at most 15 ms of CPU and 8 queries. My cases is measured twice: as served
again while nothing changed (eha/page_cache.py), and drawn afresh (the cache off for that row), as after a change.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASE_REF = "EHA-000008"  # the demo's case with a plan in force, Sarah Okafor leading
TARGET_CASE_MS = 15.0
TARGET_CASE_QUERIES = 8
DRAWN = "My cases, drawn afresh"


def pages() -> dict[str, str]:
    return {
        "sign-in (signed out)": "/sign-in",
        "My cases": "/",
        DRAWN: "/",
        "case page": f"/assessments/{CASE_REF}",
        "plan page": f"/assessments/{CASE_REF}/plan",
    }


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout


def sign_in(client, email: str, password: str) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})
    if response.status_code not in (302, 303):
        raise SystemExit(f"signing in as {email} gave {response.status_code}")


def statements(db, client, path: str) -> list[str]:
    import sqlalchemy as sa

    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split())[:160])

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    return seen


def measure(client, path: str, runs: int, profiler: cProfile.Profile | None = None) -> list[float]:
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    took = []
    for _ in range(runs):
        started = time.process_time()
        if profiler:
            profiler.enable()
        response = client.get(path)
        if profiler:
            profiler.disable()
        took.append((time.process_time() - started) * 1000)
        assert response.status_code == 200, path
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="requests per page (default 200)")
    parser.add_argument("--profile", help="print the cProfile of this page (a name from the table)")
    parser.add_argument("--callers", help="with --profile: also print who calls the functions matching this")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--database", help="copy this SQLite file (already upgraded, with `flask demo`) instead")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="eha-page-cpu-") as tmp:
        env = {**os.environ, "EHA_CONFIG": "development", "DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
        if args.database:
            shutil.copy(args.database, f"{tmp}/bench.db")
        else:
            flask(env, "db", "upgrade")
        users = json.loads(flask(env, "demo", "--json"))["users"]  # idempotent on a demo database
        user = next(u for u in users if u["role"] == "practitioner")
        os.environ.update(env)

        from eha import create_app
        from eha.extensions import db

        app = create_app("development")
        signed_out = app.test_client()
        client = app.test_client()
        cache_seconds = app.config["EHA_PAGE_CACHE_SECONDS"]
        with app.app_context():
            sign_in(client, user["email"], os.environ.get("EHA_DEMO_PASSWORD", "demo-password-change-me"))
            results = {}
            for name, path in pages().items():
                who = signed_out if path == "/sign-in" else client
                if args.profile and name != args.profile:
                    continue
                profiler = cProfile.Profile(time.process_time) if args.profile else None
                app.config["EHA_PAGE_CACHE_SECONDS"] = 0 if name == DRAWN else cache_seconds
                took = measure(who, path, args.runs, profiler)
                deciles = statistics.quantiles(took, n=10)
                results[name] = {
                    "path": path,
                    "queries": len(statements(db, who, path)),
                    "cpu_ms_median": statistics.median(took),
                    "cpu_ms_p10": deciles[0],
                    "cpu_ms_p90": deciles[-1],
                }
                if profiler:
                    pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(60)
                    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(40)
                    if args.callers:
                        pstats.Stats(profiler).strip_dirs().print_callers(args.callers)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{args.runs} requests per page, CPU per request (time.process_time), load {os.getloadavg()[0]:.1f}")
        print(f"{'page':<24}{'queries':>8}{'median ms':>11}{'p10 ms':>9}{'p90 ms':>9}")
        for name, r in results.items():
            print(
                f"{name:<24}{r['queries']:>8}{r['cpu_ms_median']:>11.1f}{r['cpu_ms_p10']:>9.1f}{r['cpu_ms_p90']:>9.1f}"
            )
    case = results.get("case page")
    if case and (case["cpu_ms_median"] > TARGET_CASE_MS or case["queries"] > TARGET_CASE_QUERIES):
        print(f"case page over its target ({TARGET_CASE_MS:g} ms, {TARGET_CASE_QUERIES} queries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
