"""Two people pressing the same button on one case at the same moment (PostgreSQL): handing the case over, and
signing a plan that is already agreed.

Each client opens its page first, as a browser would, then all send at once. A handover is one decision: one wins,
the other sees the conflict page. Signing the frozen version is not: two different people signing it at once
are both recorded (its content and digest cannot change); the same person twice is recorded once.
"""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.audit import AuditEvent
from eha.models.families import Carer
from eha.models.plans import PlanSignature, PlanVersion
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.plans import helpers
from tests.plans.test_signing_after_agreement import FATHER, agree, form_data, record_link

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite has no row locks to race on"
)


def _client(app, user):
    client = app.test_client()
    factories.sign_in(client, user)
    return client


def _race(posts):
    """Send every ``(client, url, data)`` at the same moment; returns ``[(status, text)]`` in the same order."""
    barrier = threading.Barrier(len(posts))
    results = [None] * len(posts)

    def post(index, client, url, data):
        try:
            barrier.wait(timeout=10)
            response = client.post(url, data=data)
            results[index] = (response.status_code, response.get_data(as_text=True))
        except Exception as exc:
            results[index] = (500, repr(exc))

    threads = [threading.Thread(target=post, args=(i, *p)) for i, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    return results


def _events(case, action):
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.assessment_id == case.id, AuditEvent.action == action)
    ).all()


def _page(client, url):
    from tests.pages import Page

    response = client.get(url)
    assert response.status_code == 200
    return Page(response)


# --- (a) two handovers at once ---


@pytest.fixture
def hana(app, health):
    return factories.user(role="practitioner", agency=health, name="Hana Health")


def _handover(client, case, to):
    """Open the handover page and fill it in for ``to``: the form as the browser would send it."""
    url = f"/assessments/{case.ref}/lead"
    page = _page(client, url)
    assert str(to.id) in {i.get("value") for i in page.select("input[name=new_lead]")}
    today = date.today()
    data = {
        "version": page.one("input[name=version]").get("value"),
        "new_lead": str(to.id),
        "keep_old": "yes",
        "reason": f"{to.name} knows the family best.",
        "handed_over_on": [str(today.day), str(today.month), str(today.year)],
    }
    return client, url, data


@pytest.mark.postgres
def test_two_managers_handing_the_case_over_at_once_one_wins_and_the_other_sees_the_conflict(
    app, lead, nurse, hana, health, manager
):
    case = helpers.assessed_case(lead, [health])
    other_manager = factories.user(role="manager", agency=manager.agency, name="Mo Manager")
    posts = [_handover(_client(app, manager), case, nurse), _handover(_client(app, other_manager), case, hana)]

    results = _race(posts)

    assert sorted(status for status, _text in results) == [302, 409]
    winner, loser = (0, 1) if results[0][0] == 302 else (1, 0)
    chosen = (nurse, hana)[winner]
    assert db.session.get(Assessment, case.id).lead_id == chosen.id
    conflict = results[loser][1]
    assert "Someone else has changed this case" in conflict  # the conflict page, with what they typed kept
    assert f"{(nurse, hana)[loser].name} knows the family best." in conflict
    events = _events(case, "lead_changed")
    assert [e.detail["to"] for e in events if e.outcome == "success"] == [chosen.id]
    assert len(events) == 2 and [e.detail.get("reason") for e in events if e.outcome != "success"] == ["conflict"]


# --- (b) and (c) later signatures on the agreed plan ---


@pytest.fixture
def agreed(app, client_request, signed_in, lead, nurse, health):
    """A case whose plan the lead and the mother have signed (frozen); the father and the nurse have not."""
    case = helpers.assessed_case(lead, agencies=(health,), state="taf_scheduled")
    db.session.add(Carer(family_id=case.family_id, name=FATHER, relationship_to_child="Father"))
    db.session.commit()
    helpers.member(case, nurse)
    helpers.plan(case, lead, actions=2)
    signed_in(lead)
    assert agree(client_request, case) == _version(case).digest
    return case


def _version(case):
    db.session.expire_all()
    return db.session.scalars(sa.select(PlanVersion).where(PlanVersion.assessment_id == case.id)).one()


def _signing(app, user, case, name):
    """Follow the plan page's "Record <name>'s signature" link and fill in the page it opens."""
    client = _client(app, user)
    link = record_link(_page(client, f"/assessments/{case.ref}/plan"), name)
    return client, link, form_data(_page(client, link))


@pytest.mark.postgres
def test_two_people_signing_the_agreed_plan_at_once_are_both_recorded_and_the_digest_stays(app, lead, manager, agreed):
    digest = _version(agreed).digest
    posts = [_signing(app, lead, agreed, FATHER), _signing(app, manager, agreed, "Nia Nurse")]

    results = _race(posts)

    assert [status for status, _text in results] == [302, 302]
    version = _version(agreed)
    assert sorted(s.name for s in version.signatures) == sorted(["Lena Lead", "Agnieszka Nowak", FATHER, "Nia Nurse"])
    assert version.digest == digest and version.status == "signed"
    assert [s["name"] for s in version.signed_content["signatures"]] == ["Lena Lead", "Agnieszka Nowak"]
    assert sorted(e.outcome for e in _events(agreed, "plan_signed")) == ["success"] * 4


@pytest.mark.postgres
def test_the_same_person_signing_the_agreed_plan_twice_at_once_is_recorded_once(app, lead, manager, agreed):
    digest = _version(agreed).digest
    posts = [_signing(app, lead, agreed, FATHER), _signing(app, manager, agreed, FATHER)]

    results = _race(posts)

    statuses = [status for status, _text in results]
    assert sorted(statuses) in ([200, 302], [302, 409])
    [loser] = [text for status, text in results if status != 302]
    # Refused as already signed (the form with the error) or as stale (the conflict page), never a second row.
    already = f"{FATHER} has already signed this version of the plan"
    assert already in loser or "Someone else has changed the plan" in loser
    version = _version(agreed)
    assert [s.name for s in version.signatures].count(FATHER) == 1 and len(version.signatures) == 3
    assert version.digest == digest
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanSignature)) == 3
