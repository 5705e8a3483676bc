"""Notifications: messages per second the worker hands to a local SMTP server (aiosmtpd on loopback), and what one
daily digest run costs at 100,000 episodes.

Runs on a fresh SQLite file by default; set BENCH_DATABASE_URL (an empty PostgreSQL database, whose schema is
dropped and rebuilt) to measure PostgreSQL. BENCH_MESSAGES (2000) and BENCH_EPISODES (100000) change the sizes.
"""

import os
import socket
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller
from flask_migrate import upgrade

from config import normalise_database_url
from eha import create_app
from eha.extensions import db
from eha.models import (
    Agency,
    Assessment,
    Consent,
    PlanAction,
    PlanVersion,
    TafMember,
    User,
    consent_agencies,
)
from eha.models.families import Family
from eha.notifications import digests, outbox, worker

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
EPISODES = int(os.environ.get("BENCH_EPISODES", "100000"))
USERS = 1000
CHUNK = 5000


class _Count:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def _app(tmp):
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        url = normalise_database_url(url)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp}/bench.sqlite3"
    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, EHA_MAIL_DIR=f"{tmp}/mail")


def smtp_rate(app):
    inbox = _Count()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, EHA_NOTIFICATIONS_CHANNEL="smtp")
    for n in range(MESSAGES):
        body = f"You own a new action in the plan for case EHA-{n:06d}.\n\nhttps://eha.example/assessments/EHA-{n:06d}/plan\n"
        outbox.enqueue(f"bench:{n}", "action_owned", address=f"p{n}@example.org", subject="New action", body=body)
    db.session.commit()
    started = time.perf_counter()
    outcome = worker.deliver_all()
    seconds = time.perf_counter() - started
    controller.stop()
    assert outcome.sent == MESSAGES == inbox.count, (outcome, inbox.count)
    return MESSAGES / seconds, seconds


def _insert(model, rows):
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(model), rows[start : start + CHUNK])


def _people():
    agencies = [Agency(name=f"Agency {n}", kind="school") for n in range(20)]
    db.session.add_all(agencies)
    db.session.flush()
    users = [
        User(email=f"user{n}@example.org", name=f"User {n}", agency_id=agencies[n % 20].id, password_hash="!")  # noqa: S106 - no one signs in
        for n in range(USERS)
    ]
    db.session.add_all(users)
    family = Family(name="Bench family", created_by_id=None)
    db.session.add(family)
    db.session.flush()
    return [u.id for u in users], {u.id: u.agency_id for u in users}, family.id


def build_episodes(today):
    user_ids, agency_of, family_id = _people()
    cases = []
    for n in range(EPISODES):
        cases.append(
            {
                "ref": f"EHA-{n + 1:06d}",
                "family_id": family_id,
                "state": "plan_active" if n % 5 < 2 else "assessed",
                "definition_name": "eha",
                "definition_version": 1,
                "started_by_id": user_ids[n % USERS],
                "lead_id": user_ids[n % USERS],
                "next_due_on": today + timedelta(days=n % 60 - 10),
                "next_due_label": "Review due",
            }
        )
    _insert(Assessment, cases)
    ids = db.session.scalars(sa.select(Assessment.id).order_by(Assessment.id)).all()
    members = [
        {"assessment_id": case_id, "user_id": user_ids[(i + k * 7 + 1) % USERS]}
        for i, case_id in enumerate(ids)
        for k in range(2)
    ]
    _insert(TafMember, members)
    consents = [
        {
            "assessment_id": case_id,
            "given_by_kind": "carer",
            "given_by_name": "A parent",
            "given_on": today,
            "recorded_by_id": user_ids[i % USERS],
        }
        for i, case_id in enumerate(ids)
    ]
    _insert(Consent, consents)
    consent_ids = db.session.scalars(sa.select(Consent.id).order_by(Consent.id)).all()
    _insert_consent_agencies(consent_ids, members, agency_of)
    _build_plans(ids, user_ids, today)
    db.session.commit()
    return len(ids), len(members)


def _insert_consent_agencies(consent_ids, members, agency_of):
    pairs = {(consent_ids[i // 2], agency_of[m["user_id"]]) for i, m in enumerate(members)}
    rows = [{"consent_id": c, "agency_id": a} for c, a in pairs]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(consent_agencies.insert(), rows[start : start + CHUNK])


def _build_plans(ids, user_ids, today):
    planned = ids[::5] + ids[1::5]  # the plan_active ones
    _insert(PlanVersion, [{"assessment_id": i, "number": 1, "status": "signed"} for i in planned])
    versions = db.session.execute(sa.select(PlanVersion.id, PlanVersion.assessment_id)).all()
    actions = [
        {
            "plan_version_id": version_id,
            "key": f"{version_id}-{k}",
            "position": k,
            "what": "An action",
            "owner_user_id": user_ids[(case_id + k) % USERS],
            "owner_name": "Someone",
            "due_on": today + timedelta(days=(case_id + k * 11) % 40 - 5),
            "success_measure": "Done",
        }
        for version_id, case_id in versions
        for k in range(3)
    ]
    _insert(PlanAction, actions)
    return len(actions)


def digest_cost(app):
    today = date(2026, 12, 1)  # a Tuesday
    started = time.perf_counter()
    cases, members = build_episodes(today)
    if db.engine.dialect.name == "postgresql":
        # Fresh statistics, as a live database has: straight after a bulk load the planner has none and picks
        # nested loops (a run took 257 s to gather before this ANALYZE, under a second after).
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    built = time.perf_counter() - started
    started = time.perf_counter()
    items = digests.daily_items(today)
    gathered = time.perf_counter() - started
    started = time.perf_counter()
    daily, _weekly = digests.queue_digests(today, weekly=False)
    db.session.commit()
    total = time.perf_counter() - started
    started = time.perf_counter()
    again = digests.queue_digests(today, weekly=False)[0]
    db.session.commit()
    rerun = time.perf_counter() - started
    return {
        "episodes": cases,
        "taf_members": members,
        "build_seconds": round(built, 1),
        "users_with_items": len(items),
        "items": sum(len(v) for v in items.values()),
        "gather_seconds": round(gathered, 2),
        "queued": daily,
        "run_seconds": round(total, 2),
        "second_run_queued": again,
        "second_run_seconds": round(rerun, 2),
    }


def main():
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(tmp)
        with app.app_context():
            upgrade()
            rate, seconds = smtp_rate(app)
            print(f"smtp: {MESSAGES} messages in {seconds:.2f}s = {rate:.0f} messages/s ({db.engine.dialect.name})")
            db.session.execute(sa.delete(outbox.Notification))
            db.session.commit()
            print("digest:", digest_cost(app))
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
