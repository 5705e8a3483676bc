"""My cases: the user's open cases, overdue first then soonest due, a fixed number of queries."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from eha.demo import cases as build
from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.base import utcnow
from eha.models.users import User
from eha.transaction import committing
from tests import factories
from tests.workflow.helpers import new_cases, team


@pytest.fixture
def people(app):
    return team(app)


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._count)


def test_my_cases_lists_overdue_first_then_soonest_with_undated_last(client, signed_in, people):
    lead, nurse, _ = people
    soon, overdue, undated = new_cases(lead, [nurse.agency], 3)
    with committing():
        soon.next_due_on, soon.next_due_label = date.today() + timedelta(days=3), "Assessment due"
        overdue.next_due_on, overdue.next_due_label = date.today() - timedelta(days=2), "Review due"
        undated.next_due_on, undated.next_due_label = None, None
    signed_in(lead)
    page = client.get("/").get_data(as_text=True)
    positions = [page.index(c.ref) for c in (overdue, soon, undated)]
    assert positions == sorted(positions)
    assert "Overdue" in page
    assert 'govuk-tag govuk-tag--grey">Assessment in progress' in page


def test_my_cases_shows_taf_cases_but_not_other_peoples_or_closed_ones(client, signed_in, people):
    lead, nurse, manager = people
    other = factories.user(agency=lead.agency)
    mine = new_cases(lead, [nurse.agency], 1)[0]
    theirs = new_cases(other, [nurse.agency], 1, start=10)[0]
    closed = new_cases(lead, [nurse.agency], 1, start=20)[0]
    with committing():
        build.to_taf_scheduled(mine, lead, [nurse])
        build.fire(closed, "close", manager, reason="created_in_error")
    signed_in(nurse)
    page = client.get("/").get_data(as_text=True)
    assert mine.ref in page and theirs.ref not in page
    signed_in(lead)
    page = client.get("/").get_data(as_text=True)
    assert mine.ref in page and closed.ref not in page and theirs.ref not in page


def test_an_administrator_sees_links_to_administration_not_cases(client, signed_in, admin):
    signed_in(admin)
    page = client.get("/").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Administration</h1>' in page


def test_my_cases_makes_the_same_number_of_queries_for_10_and_200_cases(app, client, signed_in, people):
    # Time stands still, so the session is never due its touch (every 30 seconds) during one measured request and
    # not the other: making 190 cases between them takes longer than that on a slow machine.
    with time_machine.travel(utcnow(), tick=False):
        ten, two_hundred, response = _count_my_cases_queries(client, signed_in, people)
    assert two_hundred.count == ten.count
    assert ten.count <= 12
    assert "Page 1 of 8" in response.get_data(as_text=True)


def _count_my_cases_queries(client, signed_in, people):
    lead, nurse, _ = people
    lead_id, nurse_id = lead.id, nurse.id
    signed_in(lead)
    new_cases(lead, [nurse.agency], 10)
    client.get("/")  # warm caches (form definitions, templates)
    db.session.remove()
    client.application.extensions["eha_page_cache"].clear()  # count the page drawn, not served again
    with QueryCounter(db.engine) as ten:
        assert client.get("/").status_code == 200
    lead, nurse = db.session.get(User, lead_id), db.session.get(User, nurse_id)
    new_cases(lead, [nurse.agency], 190, start=10)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 200
    db.session.remove()
    with QueryCounter(db.engine) as two_hundred:
        response = client.get("/")
    assert response.status_code == 200
    return ten, two_hundred, response
