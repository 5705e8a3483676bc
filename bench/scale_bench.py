"""County scale bench (issue 14): the same pages at 1k, 10k and 100k episodes on PostgreSQL.

    .venv/bin/python bench/scale_bench.py [--sizes 1000,10000,100000] [--requests 30] [--seconds 8]
        [--clients 8] [--code DIR] [--json FILE]

On ``BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/eha_bench_scale, emptied first) it
migrates, loads the demo data, then grows the database to each size with bulk inserts (multi-row INSERTs in
batches, never the ORM a case at a time): families, children, carers, episodes in every state, agreements naming
agencies, TAF members, duty-to-share grants, plan versions with actions, meetings and about ten audit events per
episode. The audit events are signed with the development key exactly as ``eha.audit.record`` signs them and
linked exactly as the chainer links them, so ``flask audit verify`` passes; the chain head is moved to the last
link with triggers off for the load (the head's trigger checks every move, and a bulk load adds a million).

At each size it serves the app with gunicorn (gunicorn.conf.py, as ``make run``; EHA_CONFIG=development), signs
in as a manager and as a practitioner with a typical caseload, and reports for every page p50/p95 with one client
and with ``--clients`` clients, and the SQL statements one request makes (counted in-process with the same code),
then the ratio of each p95 to the first size's. The case pages are measured on a case of the same shape at
every size (``CASE_SHAPE``: two children, four actions, one meeting, three TAF members) that no earlier run has
opened, and every page is served once by each gunicorn worker before it is timed (``_warm_up``). ``--code DIR``
serves another checkout (e.g. main's) against the same data, to compare before and after. Bounded: ``--requests``
or ``--seconds`` per page, whichever ends first. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import http_bench  # noqa: E402  (the gunicorn server and sign-in helpers of `make bench`)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/eha_bench_scale"
BATCH = 5000
SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White Roberts "
    "Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason Mitchell Rose Davis Rodriguez Cox "
    "Alexander Morgan Moore Martin Price Bell Hughes Nowak-Wiśniewska Yılmaz Nguyễn Kowalski Okafor Shah Begum "
    "Ali Hussain Ahmed Murphy Kelly Byrne Walsh Ryan O'Brien Doyle Graham Kennedy Marshall Owen Harris Young "
    "Allen King Scott Baker Adams Hill Campbell Cooper Ward Turner Parker Collins Edwards Stewart Morris Bennett "
    "Gray Cook"
).split()
FIRST_NAMES = (
    "Oliver Amelia George Isla Noah Ava Arthur Mia Leo Ivy Oscar Freya Harry Lily Muhammad Florence Jack Willow "
    "Charlie Rosie Jacob Sophia Thomas Evie Henry Sofia Alfie Grace Ayşe Zoë Łucja Minh Chloé Maja Tomás Aaliyah "
    "Ethan Poppy Theo Isabella"
).split()
STATES = ("draft",) * 15 + ("assessed",) * 10 + ("taf_scheduled",) * 10 + ("plan_active",) * 35
STATES += ("review_scheduled",) * 10 + ("closed",) * 20
BENCH_REFS_FROM = "EHA-500000"  # the bench's episodes' refs (``_episode``), as strings: above the demo's
AUDIT_ACTIONS = ("case_viewed", "section_saved", "plan_viewed", "history_viewed", "consent_recorded")
SEQUENCED_TABLES = (
    "agencies", "users", "families", "children", "carers", "assessments", "consents", "taf_members",
    "access_grants", "plan_versions", "plan_actions", "meetings", "audit_events",
)  # fmt: skip
AGENCY_KINDS = ("school", "health", "police", "housing", "voluntary", "social_care", "youth_justice")


# --- building ---


def _app(database_url):
    os.environ.update(EHA_CONFIG="development", DATABASE_URL=database_url)
    sys.path.insert(0, str(ROOT))
    from eha import create_app

    return create_app()


def _insert(conn, table, rows):
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[start : start + BATCH])  # executemany: batched multi-row INSERTs


def _next_id(conn, table):
    import sqlalchemy as sa

    return (conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1


def _people(conn, t, size, ctx):
    """Agencies (40) and practitioners (one per hundred episodes, at least 20): added so each size has them."""
    import sqlalchemy as sa

    have = conn.execute(sa.select(sa.func.count()).select_from(t["agencies"])).scalar()
    if have < 40:
        aid = _next_id(conn, t["agencies"])
        _insert(
            conn,
            t["agencies"],
            [{"id": aid + i, "name": f"Bench agency {aid + i}", "kind": AGENCY_KINDS[i % 7]} for i in range(40)],
        )
    ctx.agencies = conn.execute(sa.select(t["agencies"].c.id)).scalars().all()
    want = max(20, size // 100)
    bench = t["users"].c.email.like("bench-%")
    have = conn.execute(sa.select(sa.func.count()).where(bench)).scalar()
    uid = _next_id(conn, t["users"])
    rows = [
        {
            "id": uid + i,
            "email": f"bench-{have + i}@example.org",
            "name": f"{random.choice(FIRST_NAMES)} {random.choice(SURNAMES)}",
            "role": "practitioner",
            "agency_id": ctx.agencies[(have + i) % len(ctx.agencies)],
            "password_hash": ctx.password_hash,
        }
        for i in range(max(0, want - have))
    ]
    _insert(conn, t["users"], rows)
    users = conn.execute(sa.select(t["users"].c.id, t["users"].c.agency_id).where(bench).order_by("id")).all()
    ctx.practitioners = users
    ctx.new_practitioners = [u for u in users if u.id >= uid] or users


def _family_rows(ctx, fid, n_families):
    families, children, carers = [], [], []
    for f in range(fid, fid + n_families):
        surname = random.choice(SURNAMES)
        families.append({"id": f, "name": f"The {surname} family"})
        carers.append(
            {"family_id": f, "name": f"{random.choice(FIRST_NAMES)} {surname}", "relationship_to_child": "Mother"}
        )
        for _k in range(1 + (random.random() < 0.5) + (random.random() < 0.3)):
            first = random.choice(FIRST_NAMES)
            children.append(
                {
                    "id": ctx.child_id,
                    "family_id": f,
                    "first_name": first,
                    "last_name": surname,
                    "search_first_name": ctx.fold(first),
                    "search_last_name": ctx.fold(surname),
                    "date_of_birth": date(2008, 1, 1) + timedelta(days=random.randrange(6000)),
                }
            )
            ctx.family_children.setdefault(f, []).append(ctx.child_id)
            ctx.child_names[ctx.child_id] = f"{ctx.fold(first)} {ctx.fold(surname)}"
            ctx.child_id += 1
    return families, children, carers


def _episode(ctx, i, family_id, closed_only):
    state = "closed" if closed_only else random.choice(STATES)
    owner = ctx.new_practitioners[i % len(ctx.new_practitioners)]
    open_ = state != "closed"
    due = None
    if open_ and random.random() < 0.9:
        due = date.today() + timedelta(days=random.randint(-60, 90))
    started = datetime(2024, 1, 1) + timedelta(minutes=random.randrange(1_000_000))
    return {
        "id": ctx.case_id,
        "ref": f"EHA-{ctx.case_id + 500_000:06d}",
        "family_id": family_id,
        "state": state,
        "definition_name": ctx.definition[0],
        "definition_version": ctx.definition[1],
        "started_by_id": owner.id,
        "lead_id": owner.id if state != "draft" else None,
        "started_at": started,
        "next_due_on": due,
        "next_due_label": "Review due" if due else None,
        "closed_at": started + timedelta(days=200) if not open_ else None,
    }


def _case_extras(ctx, case, rows):
    """Children, agreement, TAF, grant, plan with actions, meetings for one episode (appended to ``rows``)."""
    cid, state = case["id"], case["state"]
    for child in ctx.family_children[case["family_id"]]:
        rows["assessment_children"].append({"assessment_id": cid, "child_id": child, "is_open": state != "closed"})
    # What the app's flush writes (eha.models.assessments.search_names_of_case): the children's folded names.
    case["search_names"] = ctx.separator.join(ctx.child_names[c] for c in ctx.family_children[case["family_id"]])
    if state == "draft":
        return
    agencies = random.sample(ctx.agencies, 3)
    rows["consents"].append(
        {
            "id": ctx.consent_id,
            "assessment_id": cid,
            "given_by_kind": "carer",
            "given_by_name": "Parent",
            "given_on": date(2025, 1, 1),
            "recorded_by_id": case["started_by_id"],
        }  # fmt: skip
    )
    rows["consent_agencies"] += [{"consent_id": ctx.consent_id, "agency_id": a} for a in agencies]
    ctx.consent_id += 1
    # The TAF and the grants from the practitioners added with this size, as the leads are: each practitioner's
    # caseload is then what it was when they joined, and bench-0, whose pages are timed, has the same TAFs,
    # actions and grants at every size (drawn from everyone, its TAF rows grew from 150 at 1k to 574 at 100k,
    # its My cases with them: the county's size is what the bench compares, not one person's workload).
    members = {u.id for u in random.sample(ctx.new_practitioners, 3)} - {case["lead_id"]}
    rows["taf_members"] += [{"assessment_id": cid, "user_id": u} for u in members]
    if random.random() < 0.01:
        rows["access_grants"].append(
            {
                "assessment_id": cid,
                "user_id": random.choice(ctx.new_practitioners).id,
                "granted_by_id": ctx.manager_id,
                "reason": "Duty to share",
                "ends_on": date.today() + timedelta(days=30),
            }  # fmt: skip
        )
    if state in ("plan_active", "review_scheduled", "closed"):
        rows["plan_versions"].append({"id": ctx.plan_id, "assessment_id": cid, "number": 1, "status": "signed"})
        for pos in range(random.randint(2, 7)):
            rows["plan_actions"].append(
                {
                    "plan_version_id": ctx.plan_id,
                    "key": f"{ctx.plan_id}-{pos}",
                    "position": pos,
                    "what": "Attend the parenting course",
                    "owner_name": "Lead",
                    "success_measure": "Attended",
                    "owner_user_id": random.choice([case["lead_id"], *members]),
                    "due_on": date.today() + timedelta(days=random.randint(-30, 60)),
                }  # fmt: skip
            )
        ctx.plan_id += 1
    for _m in range(random.choice((1, 1, 2))):
        rows["meetings"].append(
            {
                "assessment_id": cid,
                "kind": "taf",
                "status": "held",
                "scheduled_for": case["started_at"] + timedelta(days=20),
            }
        )


def _audit_rows(ctx, case, rows):
    """Ten events for the case, signed as ``eha.audit.record`` signs them, and linked as the chainer links them."""
    from eha import audit

    for k in range(10):
        ctx.seq += 1
        ctx.event_id += 1
        event = SimpleNamespace(
            id=ctx.event_id, seq=ctx.seq, occurred_at=case["started_at"] + timedelta(hours=k),
            user_id=case["started_by_id"], user_email=None, user_name="Bench user", user_role="practitioner",
            agency_name="Bench agency", assessment_id=case["id"], case_ref=case["ref"],
            action=AUDIT_ACTIONS[k % len(AUDIT_ACTIONS)], outcome="success", detail={"n": k}, ip_address="127.0.0.1",
            request_id=None, prev_hash="", nonce=f"{random.getrandbits(64):016x}", key_id=ctx.key_id,
        )  # fmt: skip
        event.hash = audit.compute_hash(event, ctx.key)
        rows["audit_events"].append(dict(vars(event)))
        ctx.position += 1
        link = audit.link_hash(ctx.position, event.seq, event.hash, ctx.last_hash, ctx.key_id, ctx.key)
        rows["audit_links"].append(
            {"position": ctx.position, "event_id": event.id, "prev_hash": ctx.last_hash, "key_id": ctx.key_id,
             "hash": link}
        )  # fmt: skip
        ctx.last_hash = link


def grow(app, size):
    """Add episodes (and all that hangs off them) until there are ``size`` bench episodes."""
    import sqlalchemy as sa

    from eha import audit
    from eha.extensions import db
    from eha.models.assessments import SEARCH_NAMES_SEPARATOR
    from eha.models.families import fold_name
    from eha.models.report_facts import recount_case_openings, recount_case_states

    t = db.metadata.tables
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("SET session_replication_role = replica"))  # the head trigger (see the docstring)
        # The bench's refs run from EHA-500053 (after the demo's EHA-0000nn) past EHA-600000 at 100k: counted as
        # ``LIKE 'EHA-5%'`` a 100k database had 99,947, and every ``--keep`` run added 53 more episodes.
        have = conn.execute(sa.select(sa.func.count()).where(t["assessments"].c.ref >= BENCH_REFS_FROM)).scalar()
        if have >= size:
            return
        ctx = SimpleNamespace(fold=fold_name, family_children={}, child_names={}, separator=SEARCH_NAMES_SEPARATOR)
        ctx.password_hash, ctx.manager_id = conn.execute(
            sa.text("SELECT password_hash, id FROM users WHERE role = 'manager' ORDER BY id LIMIT 1")
        ).one()
        ctx.definition = conn.execute(sa.text("SELECT definition_name, definition_version FROM assessments")).first()
        audit.chain_pending()  # the demo's events, so the bench's links follow the chain's end
        head = conn.execute(sa.text("SELECT seq, last_hash FROM audit_chain_head WHERE id = 1")).one()
        ctx.position, ctx.last_hash = head
        ctx.seq = conn.execute(sa.select(sa.func.coalesce(sa.func.max(t["audit_events"].c.seq), 0))).scalar()
        ctx.event_id = _next_id(conn, t["audit_events"]) - 1
        ctx.key_id, ring = audit.keyring()
        ctx.key = ring[ctx.key_id]
        _people(conn, t, size, ctx)
        n = size - have
        n_families = int(n * 0.87)
        fid = _next_id(conn, t["families"])
        ctx.child_id = _next_id(conn, t["children"])
        ctx.case_id = _next_id(conn, t["assessments"])
        ctx.consent_id = _next_id(conn, t["consents"])
        ctx.plan_id = _next_id(conn, t["plan_versions"])
        families, children, carers = _family_rows(ctx, fid, n_families)
        for name, rows in (("families", families), ("children", children), ("carers", carers)):
            _insert(conn, t[name], rows)
        _episodes(conn, t, ctx, n, fid, n_families)
        recount_case_states(conn)  # the reports page reads these counts, which the ORM's flush keeps
        recount_case_openings(conn)  # the access review reads these pairs, which the audit chainer keeps
        move_head = sa.text("UPDATE audit_chain_head SET seq = :s, last_hash = :h")
        conn.execute(move_head, {"s": ctx.position, "h": ctx.last_hash})
        conn.execute(sa.text("SELECT setval('audit_events_seq', :s)"), {"s": ctx.seq})
        for name in SEQUENCED_TABLES:
            conn.execute(
                sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")  # noqa: S608 - fixed table names
            )
    with app.app_context(), db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))


def _episodes(conn, t, ctx, n, fid, n_families):
    names = ("assessments", "assessment_children", "consents", "consent_agencies", "taf_members",
             "access_grants", "plan_versions", "plan_actions", "meetings", "audit_events", "audit_links")  # fmt: skip
    rows = {name: [] for name in names}
    for i in range(n):
        second = i >= n_families  # a family's second episode: the first may be open, so this one is closed
        family_id = fid + (i if not second else random.randrange(n_families))
        case = _episode(ctx, i, family_id, closed_only=second)
        rows["assessments"].append(case)
        _case_extras(ctx, case, rows)
        _audit_rows(ctx, case, rows)
        ctx.case_id += 1
        if len(rows["audit_events"]) >= 50_000 or i == n - 1:
            for name in names:
                _insert(conn, t[name], rows[name])
                rows[name].clear()


# --- measuring ---


def _counts(code, database_url, plan):
    """{page: SQL statements of one request}, counted in a child process running ``code``, with the page cache off
    as the timed server has it (served again, My cases would count the cache's two statements)."""
    env = {**os.environ, "EHA_CONFIG": "development", "DATABASE_URL": database_url, "PYTHONPATH": str(code)}
    env["EHA_PAGE_CACHE_SECONDS"] = "0"
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(Path(__file__).resolve()), "--count-queries", json.dumps(plan)],
        cwd=code, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if out.returncode:
        return {"error": out.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def count_queries(plan):
    import sqlalchemy as sa

    from eha import create_app
    from eha.extensions import db

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    found = {}
    for who, email in plan["users"].items():
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        finder = http_bench.CsrfTokenFinder()
        finder.feed(page)
        client.post("/sign-in", data={"csrf_token": finder.token, "email": email, "password": plan["password"]})
        for name, (user, method, path) in plan["pages"].items():
            if user != who:
                continue
            data = _form_data(client, path) if method == "POST" else None
            # Once first, uncounted: a process's first request of a page also reads what it keeps for the rest of
            # its life (the shipped definitions), which is no request's work (tests/plans/test_page_queries.py
            # warms up the same way).
            client.open(path, method=method, data=data)
            client.get("/healthz")
            statements = []
            listener = lambda *a, _found=statements, **k: _found.append(1)  # noqa: E731
            with app.app_context():
                engine = db.engine
            sa.event.listen(engine, "before_cursor_execute", listener)
            status = client.open(path, method=method, data=data).status_code
            sa.event.remove(engine, "before_cursor_execute", listener)
            found[name] = len(statements) if status == 200 else f"HTTP {status}"
    print(json.dumps(found))


def _form_data(client, path):
    page = client.get(path).get_data(as_text=True)
    finder = http_bench.CsrfTokenFinder()
    finder.feed(page)
    return {"csrf_token": finder.token, "last_name": "Smith"}


def _timed(port, cookies, method, path, args, clients):
    """Latencies (s) of ``method path`` from ``clients`` threads sharing a budget; a POST carries its form."""
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlencode

    body = None
    if method == "POST":
        status, _, page = http_bench.Client(port, cookies).request("GET", path)
        finder = http_bench.CsrfTokenFinder()
        finder.feed(page.decode())
        body = urlencode({"csrf_token": finder.token, "last_name": "Smith"})
    latencies, errors, lock = [], [], threading.Lock()
    budget = {"left": args.requests * (clients if clients > 1 else 1)}

    def worker():
        client = http_bench.Client(port, cookies)
        while time.perf_counter() < deadline:
            with lock:
                if budget["left"] <= 0:
                    return
                budget["left"] -= 1
            started = time.perf_counter()
            status, _, _ = client.request(method, path, body=body)
            with lock:
                (latencies if status == 200 else errors).append(
                    time.perf_counter() - started if status == 200 else status
                )

    _warm_up(port, cookies, method, path, body)
    deadline = time.perf_counter() + args.seconds  # from here: the warm-up is not the page's budget
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    return latencies, errors


WARM_UP = 8  # concurrent requests, so that every gunicorn worker (gunicorn.conf.py: 2) serves the page once


def _warm_up(port, cookies, method, path, body):
    """Serve the page once in every worker before timing it. A worker's first request of a page also loads what
    the process keeps (the shipped definitions, the bank holidays, the compiled templates: about a second), so a
    single warm-up request warmed one worker, and the other worker's first timed request took that second: with a
    few requests per page it was the p95, and once it overran ``--seconds`` (counted from before the warm-up) the
    page had no timing at all ("–/–")."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(WARM_UP) as pool:
        for future in [
            pool.submit(lambda: http_bench.Client(port, cookies).request(method, path, body=body))
            for _ in range(WARM_UP)
        ]:
            future.result()


def _pct(values, p):
    if not values:
        return None
    if len(values) < 2:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


def _plan(app):
    """Who signs in, and the pages (the issue's table and the steady case pages)."""
    import sqlalchemy as sa

    from eha.extensions import db

    with app.app_context():
        manager = db.session.execute(sa.text("SELECT email FROM users WHERE role = 'manager' ORDER BY id")).scalar()
        practitioner_id, practitioner = db.session.execute(
            sa.text("SELECT id, email FROM users WHERE email = 'bench-0@example.org'")
        ).one()
        ref, shape = _comparable_case(db.session, practitioner_id)
        # Where page 500 starts for a manager who follows "Next" 499 times: the seek key of page 499's last row
        # (at a size with fewer pages, of the row before the last page).
        due, last_id = db.session.execute(
            sa.text(
                "SELECT next_due_on, id FROM assessments WHERE disposed_at IS NULL "
                "ORDER BY next_due_on IS NULL, next_due_on, id DESC "
                "OFFSET LEAST(:n, (SELECT count(*) FROM assessments WHERE disposed_at IS NULL) - 26) LIMIT 1"
            ),
            {"n": 499 * app.config["EHA_PAGE_SIZE"] - 1},
        ).one()
    page_500 = f"/assessments?after={due.isoformat() if due else 'undated'}.{last_id}&n=500"
    pages = {
        "/ My cases, practitioner": ("practitioner", "GET", "/"),
        "/assessments manager, page 1": ("manager", "GET", "/assessments"),
        "/assessments page 500 (its Next link) manager": ("manager", "GET", page_500),
        "/assessments?page=40 (old bookmark, at every size) manager": ("manager", "GET", "/assessments?page=40"),
        # Past the last page at 1k (40 pages), where it opens the last page (it used to draw an empty one).
        "/assessments?page=500 (old bookmark) manager": ("manager", "GET", "/assessments?page=500"),
        "/assessments?q=smith manager": ("manager", "GET", "/assessments?q=smith"),
        "/assessments practitioner, page 1": ("practitioner", "GET", "/assessments"),
        "/assessments?q=smith practitioner": ("practitioner", "GET", "/assessments?q=smith"),
        "find the child, surname Smith": ("practitioner", "POST", "/assessments/new"),
        "/reports": ("manager", "GET", "/reports"),
        "/reports/access-review": ("manager", "GET", "/reports/access-review"),
        "duty-to-share page (manager)": ("manager", "GET", f"/assessments/{ref}/access"),
        "schedule a review meeting": ("practitioner", "GET", f"/assessments/{ref}/meetings/new?kind=review"),
        "case page (lead)": ("practitioner", "GET", f"/assessments/{ref}"),
        "plan page (lead)": ("practitioner", "GET", f"/assessments/{ref}/plan"),
        "history page (lead)": ("practitioner", "GET", f"/assessments/{ref}/history"),
    }
    return {"users": {"manager": manager, "practitioner": practitioner}, "pages": pages, "case": shape,
            "password": os.environ.get("EHA_DEMO_PASSWORD", "demo-password-change-me")}  # fmt: skip


# The case the case pages are measured on, at every size: the practitioner leads it, its plan is in force, and it
# is as near this shape as the practitioner's cases allow.
CASE_SHAPE = {"children": 2, "actions": 4, "meetings": 1, "taf_members": 3}
BUILT_EVENTS = 10  # the audit events ``_audit_rows`` gives each episode: more means a run has opened it


def _comparable_case(session, user_id):
    """``(ref, shape)`` of the case the case pages are measured on: of the practitioner's plans in force, one that
    no earlier run has opened (only its built audit events; with ``--keep`` the case an earlier run chose has
    hundreds more, all on its history page), then the nearest to ``CASE_SHAPE``, then the oldest. The first such
    case by id, as this used to take, had 10 events at 1k and 37 on the 100k copy, which earlier runs had opened:
    its history page was simply longer (issue 14)."""
    import sqlalchemy as sa

    row = session.execute(
        sa.text(
            "SELECT ref, children, actions, meetings, taf_members, events FROM ("
            " SELECT a.id, a.ref,"
            "  (SELECT count(*) FROM assessment_children c WHERE c.assessment_id = a.id) AS children,"
            "  (SELECT count(*) FROM plan_actions pa JOIN plan_versions pv ON pv.id = pa.plan_version_id"
            "    WHERE pv.assessment_id = a.id) AS actions,"
            "  (SELECT count(*) FROM meetings m WHERE m.assessment_id = a.id) AS meetings,"
            "  (SELECT count(*) FROM taf_members t WHERE t.assessment_id = a.id AND t.removed_at IS NULL)"
            "    AS taf_members,"
            "  (SELECT count(*) FROM audit_events e WHERE e.assessment_id = a.id) AS events"
            " FROM assessments a WHERE a.lead_id = :u AND a.state = 'plan_active' AND a.ref >= :bench_refs"
            ") AS s ORDER BY events > :built,"
            " abs(children - :children) + abs(actions - :actions) + abs(meetings - :meetings)"
            " + abs(taf_members - :taf_members), id LIMIT 1"
        ),
        {"u": user_id, "built": BUILT_EVENTS, "bench_refs": BENCH_REFS_FROM, **CASE_SHAPE},
    ).one()
    return row.ref, dict(zip(("children", "actions", "meetings", "taf_members", "events"), row[1:], strict=True))


def measure(code, database_url, plan, args):
    env = {**os.environ, "EHA_CONFIG": "development", "DATABASE_URL": database_url, "PYTHONPATH": str(code)}
    # Every page drawn: a page served again while nothing changed (eha/page_cache.py) costs the same at any size,
    # so with the cache on My cases would measure the cache, not how the page grows with the county.
    env["EHA_PAGE_CACHE_SECONDS"] = "0"
    env.pop("PORT", None)
    log_dir = Path(tempfile.gettempdir())
    server = http_bench.Server("scale", "wsgi:app", env, log_dir, extra=["--chdir", str(code)])
    results = {}
    try:
        server.wait_until_serving("/healthz")
        cookies = {
            who: http_bench.sign_in(server.port, email, plan["password"]) for who, email in plan["users"].items()
        }
        for name, (who, method, path) in plan["pages"].items():
            one, errors = _timed(server.port, cookies[who], method, path, args, 1)
            many, errors_many = _timed(server.port, cookies[who], method, path, args, args.clients)
            results[name] = {
                "p50": _pct(one, 50), "p95": _pct(one, 95), "n": len(one),
                "p50_c": _pct(many, 50), "p95_c": _pct(many, 95), "n_c": len(many),
                "errors": (errors + errors_many)[:3],
            }  # fmt: skip
    finally:
        server.stop()
    counts = _counts(code, database_url, plan)
    for name, row in results.items():
        row["queries"] = counts.get(name, "?")
    return results


def _verify(code, database_url, *command):
    """``flask audit verify`` (or ``flask audit`` ``command``): its exit status, seconds and last words."""
    env = {**os.environ, "EHA_CONFIG": "development", "DATABASE_URL": database_url, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and flask
        [sys.executable, "-m", "flask", "--app", "wsgi", "audit", *(command or ("verify",))],
        cwd=code, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    return done.returncode, round(time.perf_counter() - started, 1), (done.stdout + done.stderr).strip()[-300:]


def print_tables(all_results, sizes):
    first = all_results[sizes[0]]
    fmt = lambda v: "–" if v is None else (f"{v:,.0f}" if isinstance(v, float) else str(v))  # noqa: E731
    head = " | ".join(f"{s:,} p50/p95 (8c p95) q" for s in sizes)
    print(f"| page (ms) | {head} | p95 ratio to {sizes[0]:,} |")
    print("|---" * (len(sizes) + 2) + "|")
    for name in first:
        cells = []
        for size in sizes:
            row = all_results[size].get(name, {})
            cells.append(f"{fmt(row.get('p50'))}/{fmt(row.get('p95'))} ({fmt(row.get('p95_c'))}) {row.get('queries')}q")
        base = first[name].get("p95")
        last = all_results[sizes[-1]].get(name, {}).get("p95")
        ratio = f"{last / base:.1f}x" if base and last else "–"
        errors = [e for size in sizes for e in all_results[size].get(name, {}).get("errors", [])]
        print(f"| {name} | " + " | ".join(cells) + f" | {ratio}{' ERRORS ' + str(errors[:2]) if errors else ''} |")


def _reset(database_url, code):
    import sqlalchemy as sa

    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        conn.commit()
    engine.dispose()
    env = {**os.environ, "EHA_CONFIG": "development", "DATABASE_URL": database_url, "PYTHONPATH": str(code)}
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command], cwd=code, env=env, check=True,  # noqa: S603
                       capture_output=True, timeout=600)  # fmt: skip


BEFORE_REVISION = "0007_people_without_accounts"


def _migrate(code, database_url, revision):
    env = {**os.environ, "EHA_CONFIG": "development", "DATABASE_URL": database_url, "PYTHONPATH": str(code)}
    env["EHA_AUDIT_DOWNGRADE_ANYWAY"] = "1"  # the bench's chain is rebuilt by the next --sizes run anyway
    verb = "upgrade" if revision == "head" else "downgrade"
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", verb, revision], cwd=code, env=env,  # noqa: S603
                   check=True, capture_output=True, timeout=1800)  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=60, help="requests per page (per client when concurrent)")
    parser.add_argument("--seconds", type=float, default=4, help="time limit per page and mode")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--code", default=str(ROOT), help="the checkout to serve (default: this one)")
    parser.add_argument("--before", help="also serve this checkout (at migration 0007) at each size, first")
    parser.add_argument("--keep", action="store_true", help="grow the database as it is instead of emptying it")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--count-queries", help=argparse.SUPPRESS)
    if not (sys.argv[1:] if argv is None else argv) and "BENCH_DATABASE_URL" not in os.environ:
        # `make bench` runs every bench/*_bench.py with no arguments: this one empties a database and takes
        # minutes, so it runs only when asked (`make bench-scale`, or any argument, or BENCH_DATABASE_URL).
        print("scale_bench: run with `make bench-scale` (it empties BENCH_DATABASE_URL and builds 100k episodes)")
        return 0
    args = parser.parse_args(argv)
    if args.count_queries:
        return count_queries(json.loads(args.count_queries))
    random.seed(14)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    code = Path(args.code).resolve()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not args.keep:
        _reset(database_url, code)
    else:
        _migrate(code, database_url, "head")
    app = _app(database_url)
    all_results, before_results = {}, {}
    for size in sizes:
        started = time.perf_counter()
        grow(app, size)
        print(f"{size:,} episodes built in {time.perf_counter() - started:.0f}s", flush=True)
        plan = _plan(app)  # before and after on the same case
        print(
            f"{size:,}: the case pages on {plan['pages']['case page (lead)'][2].rsplit('/', 1)[-1]}: "
            + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in plan["case"].items()),
            flush=True,
        )
        if args.before:
            _migrate(code, database_url, BEFORE_REVISION)
            before_results[size] = measure(Path(args.before).resolve(), database_url, plan, args)
            _migrate(code, database_url, "head")
        # A checkpoint before the pages are timed, so the quick verify from it checks the events their views wrote
        # (as an hourly `--since-anchor` run checks the last hour's), while the full verify checks every event.
        anchors = Path(tempfile.mkdtemp(prefix="eha-anchor-")) / "anchors.txt"
        anchored = _verify(code, database_url, "anchor", "--output", str(anchors))
        all_results[size] = measure(code, database_url, plan, args)
        rc, took, said = _verify(code, database_url)
        all_results[size]["flask audit verify"] = {"p95": took * 1000, "p50": took * 1000, "queries": f"exit {rc}"}
        print(f"{size:,}: flask audit verify exit {rc} in {took}s: {said[-120:]}", flush=True)
        rc, took, said = _verify(code, database_url, "verify", "--anchor", str(anchors), "--since-anchor")
        if anchored[0]:
            rc, said = f"anchor exit {anchored[0]}", anchored[2]
        all_results[size]["flask audit verify --since-anchor"] = {
            "p95": took * 1000, "p50": took * 1000, "queries": f"exit {rc}"
        }  # fmt: skip
        print(f"{size:,}: flask audit verify --since-anchor exit {rc} in {took}s: {said[-160:]}", flush=True)
        shutil.rmtree(anchors.parent, ignore_errors=True)
        if args.json:
            Path(args.json).write_text(json.dumps({"after": all_results, "before": before_results}, default=str))
    if args.before:
        print(f"\nBefore ({args.before}):")
        print_tables(before_results, sizes)
        print(f"\nAfter ({code}):")
    print_tables(all_results, sizes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
