"""The governance demo (eha.demo.retention) on its own: a case due for disposal, a held one, a mother with three
cases; and the demo's users, signed in by email."""

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.families import Family
from tests import factories

LEAD = "sarah.okafor@northshire-primary.example.org"
MANAGER = "helen.brooks@northshire-earlyhelp.example.org"
NURSE = "priya.shah@northshire-health.example.org"


class Demo:
    def __init__(self, users):
        self.users = users
        self.lead = users[LEAD]
        self.manager = users[MANAGER]
        self.nurse = users[NURSE]

    def cases_of(self, family_name):
        return db.session.scalars(
            sa.select(Assessment).join(Family).where(Family.name == family_name).order_by(Assessment.ref)
        ).all()

    @property
    def due(self):
        return self.cases_of("Whitfield")[0]

    @property
    def held(self):
        return self.cases_of("Okonkwo")[0]

    @property
    def marsh(self):
        return self.cases_of("Marsh")


@pytest.fixture
def demo(app):
    from eha.definitions.store import ensure_shipped_definitions
    from eha.demo import ensure_agencies, ensure_users
    from eha.demo.retention import ensure_demo_retention

    users = ensure_users(ensure_agencies())
    ensure_shipped_definitions()
    ensure_demo_retention(users)
    db.session.commit()
    return Demo(users)


@pytest.fixture
def as_user(client):
    def sign_in(user):
        factories.sign_in(client, user)
        return client

    return sign_in
