"""The filtered case list downloads as CSV: only the cases the user may see, audited with the filters' codes and
never the search text."""

import csv
import io
from datetime import date

import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from tests import factories
from tests.reports.helpers import case
from tests.workflow.helpers import team


def test_a_practitioner_downloads_only_their_own_cases_and_the_search_text_is_not_audited(app, client, signed_in):
    lead, nurse, _manager = team(app)
    other = factories.user(agency=lead.agency, name="Other Person")
    mine = case(lead, [nurse.agency], family="Mine", child=("Ann", "Mine", date(2015, 1, 1)), started=date.today())
    theirs = case(
        other, [nurse.agency], family="Theirs", child=("Bo", "Theirs", date(2015, 1, 1)), started=date.today()
    )
    signed_in(lead)
    page = client.get("/assessments").get_data(as_text=True)
    assert "/assessments/export.csv" in page
    response = client.get("/assessments/export.csv?state=draft&q=Ann")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Reference", "State", "Family", "Next due", "Due on", "Lead professional", "Started", "Closed"]
    assert [row[0] for row in rows[1:]] == [mine.ref]
    assert theirs.ref not in response.get_data(as_text=True)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.detail == {"export": "case-list", "format": "csv", "state": "draft", "needs": None, "searched": True}


def test_an_administrator_cannot_download_the_case_list(app, client, signed_in):
    admin = factories.user(role="admin", agency=factories.agency())
    signed_in(admin)
    assert client.get("/assessments/export.csv").status_code in (403, 404)


def test_the_case_list_download_keeps_english_headings_and_iso_dates_for_a_welsh_reader(app, client, signed_in):
    """A data file for the council's own tools: the same columns and words whoever downloads it (issue 18)."""
    lead, nurse, _manager = team(app)
    mine = case(lead, [nurse.agency], family="Mine", child=("Ann", "Mine", date(2015, 1, 1)), started=date.today())
    signed_in(lead)
    page = client.get("/assessments?lang=cy")
    assert 'lang="cy"' in page.get_data(as_text=True)
    response = client.get("/assessments/export.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Reference", "State", "Family", "Next due", "Due on", "Lead professional", "Started", "Closed"]
    assert rows[1][0] == mine.ref and rows[1][1] == "Assessment in progress"
    assert rows[1][6] == date.today().isoformat()
