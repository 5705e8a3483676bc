"""Ten people pressing Save on the same plan page at the same moment (PostgreSQL): one save wins, the other nine
see the conflict page with their input kept, nobody sees an error, and nothing is saved twice."""

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.plans import PlanAction, PlanSignature
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.plans import helpers

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite has no row locks to race on"
)

WORKERS = 10


def _race(app, users, url, data_for):
    """POST ``data_for(n)`` to ``url`` from ``WORKERS`` clients at once (each its own session and connection)."""
    clients = []
    for n in range(WORKERS):
        client = app.test_client()
        factories.sign_in(client, users[n % len(users)])
        clients.append(client)
    barrier = threading.Barrier(WORKERS)
    statuses = [None] * WORKERS

    def press(n):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                response = clients[n].post(url, data=data_for(n))
                statuses[n] = (response.status_code, response.get_data(as_text=True))
            except Exception as exc:
                statuses[n] = (repr(exc), "")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def _codes(statuses):
    return sorted(str(code) for code, _page in statuses)


@pytest.mark.postgres
def test_ten_saves_of_one_action_from_one_version_one_wins_nine_conflict(app, lead, manager):
    case = helpers.assessed_case(lead)
    action = helpers.plan(case, lead, actions=1).actions[0]
    seen = str(action.version_id)
    when = date.today() + timedelta(days=10)
    url = f"/assessments/{case.ref}/plan/actions/{action.key}/edit"

    statuses = _race(
        app,
        [lead, manager],
        url,
        lambda n: {
            "need": "sf-health",
            "what": f"Wording {n}",
            "owner": f"user:{lead.id}",
            "success": "Better",
            "due_on": [str(when.day), str(when.month), str(when.year)],
            "version": seen,
        },
    )

    assert _codes(statuses) == ["302"] + ["409"] * (WORKERS - 1)
    db.session.expire_all()
    saved = db.session.get(PlanAction, action.id)
    winner = next(n for n, (code, _page) in enumerate(statuses) if code == 302)
    assert saved.what == f"Wording {winner}" and saved.version_id == int(seen) + 1
    for n, (code, page) in enumerate(statuses):
        if code == 409:
            assert "Someone else has changed this action" in page and f"Wording {n}" in page
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "plan_changed")).all()
    assert sorted(e.outcome for e in events) == ["failed"] * (WORKERS - 1) + ["success"]


@pytest.mark.postgres
def test_ten_signatures_from_one_version_one_is_recorded_nine_conflict(app, lead, manager):
    case = helpers.assessed_case(lead, state="taf_scheduled")
    version = helpers.plan(case, lead, actions=1)
    carer = case.family.carers[0]
    seen = str(version.version_id)
    today = date.today()

    statuses = _race(
        app,
        [lead, manager],
        f"/assessments/{case.ref}/plan/sign",
        lambda n: {
            "signer": f"carer:{carer.id}",
            "name": f"Signer {n}",
            "signed_on": [str(today.day), str(today.month), str(today.year)],
            "method": "on_paper",
            "version": seen,
            "plan": "1",
        },
    )

    assert _codes(statuses) == ["302"] + ["409"] * (WORKERS - 1)
    db.session.expire_all()
    assert helpers.count(PlanSignature) == 1
    for n, (code, page) in enumerate(statuses):
        if code == 409:
            assert "Someone else has changed the plan" in page and f"Signer {n}" in page
