"""Two people saving the same person's details at the same moment (PostgreSQL): one save wins, the other sees the
conflict page with their input kept; nobody sees an error and nothing is half-saved."""

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import CasePerson
from eha.models.audit import AuditEvent
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.plans import helpers
from tests.security.helpers import race

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite has no row locks to race on"
)


@pytest.mark.postgres
def test_two_edits_of_one_person_at_once_one_wins_one_conflicts(app, lead, manager):
    case = helpers.assessed_case(lead)
    person = CasePerson(assessment_id=case.id, kind="professional", name="Dr Patel", role="GP", added_by_id=lead.id)
    db.session.add(person)
    db.session.commit()
    seen = str(person.version_id)
    url = f"/assessments/{case.ref}/people/{person.id}/edit"
    clients = []
    for user in (lead, manager):
        client = app.test_client()
        factories.sign_in(client, user)
        clients.append(client)

    def save(n):
        with app.app_context():
            try:
                response = clients[n].post(
                    url,
                    data={"kind": "professional", "name": "Dr Patel", "role": f"Role {n}", "version": seen},
                )
                return response.status_code, response.get_data(as_text=True)
            finally:
                db.session.remove()

    results = race(2, save)
    assert sorted(code for code, _page in results) == [302, 409]
    winner = next(n for n, (code, _page) in enumerate(results) if code == 302)
    loser = 1 - winner
    assert "Someone else has changed Dr Patel" in results[loser][1] and f"Role {loser}" in results[loser][1]
    db.session.expire_all()
    saved = db.session.get(CasePerson, person.id)
    assert saved.role == f"Role {winner}" and saved.version_id == int(seen) + 1
    outcomes = db.session.scalars(sa.select(AuditEvent.outcome).where(AuditEvent.action == "case_person_changed")).all()
    assert sorted(outcomes) == ["failed", "success"]
