"""A report table's dates (issue 18): the page writes them as the rest of the interface does, in the reader's
language ("2 Rhagfyr 2026" on a Welsh page); the CSV and .xlsx downloads keep ISO dates (machine readable, the same
in every language), whatever the page's language."""

import csv
import io
import re
from datetime import date

import pytest
from babel.dates import format_date as babel_date

from tests.reports.helpers import case, table_rows
from tests.workflow.helpers import team


@pytest.fixture
def reviewed(app):
    from eha.demo import cases as build
    from eha.transaction import committing

    lead, nurse, manager = team(app)
    made = case(lead, [nurse.agency], family="A", child=("Ann", "A", date(2015, 1, 1)), started=date.today())
    with committing():
        _version, meeting = build.to_review_scheduled(made, lead, [nurse])
        build.review(made, meeting, lead, family_score=3, practitioner_score=4)
        build.review(made, meeting, lead, family_score=7, practitioner_score=2)
    return made, manager


def test_a_welsh_report_page_writes_its_dates_in_welsh_and_its_download_keeps_iso_dates(
    client, client_request, signed_in, reviewed
):
    made, manager = reviewed
    signed_in(manager)
    today = date.today()
    english = client_request.get("/reports/distance-travelled")
    long_english = f"{today.day} {today.strftime('%B')} {today.year}"
    assert table_rows(english, "table-cases") == [[made.ref, long_english, long_english, "3", "7", "4", "2"]]

    welsh = client_request.get("/reports/distance-travelled?lang=cy")
    in_welsh = babel_date(today, "d MMMM y", locale="cy")
    row = table_rows(welsh, "table-cases")[0]
    assert row[:3] == [made.ref, in_welsh, in_welsh]
    assert not any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell) for cell in row)

    download = client.get("/reports/distance-travelled/cases.csv")  # from the Welsh page: the language is kept
    assert download.status_code == 200 and download.mimetype == "text/csv"
    header, first = list(csv.reader(io.StringIO(download.get_data(as_text=True))))[:2]
    assert first[:3] == [made.ref, today.isoformat(), today.isoformat()]
    assert header[0] != "Case"  # the table the Welsh page shows, with its Welsh headings


def test_a_cell_that_only_looks_like_a_date_is_shown_as_it_is(app):
    from eha.reports.tables import shown

    assert shown("2026-05-01") == "1 May 2026"
    assert shown("2026-05-01", "cy") == "1 Mai 2026"
    assert shown("2026-13-45") == "2026-13-45" and shown("EHA-000123") == "EHA-000123" and shown(7) == 7
