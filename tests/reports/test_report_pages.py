"""Managers open each report, filter it and download its tables; nobody else may; the figures are the ones
worked out by hand; the number of queries does not grow with the number of cases."""

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.reports.catalogue import REPORTS
from tests.reports.helpers import at, case, close_met, count_queries, dated, table_rows
from tests.workflow.helpers import team


@pytest.fixture
def people(app):
    return team(app)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_a_manager_sees_each_report_with_its_chart_and_table(client_request, signed_in, people, name):
    lead, nurse, manager = people
    case(lead, [nurse.agency], family="Bennett", child=("Ella", "Bennett", date(2015, 5, 3)), started=date.today())
    signed_in(manager)
    page = client_request.get(f"/reports/{name}")
    svg = page.one("figure svg")
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "chart-title"
    assert page.one("svg title").text_content().startswith("Bar chart of")
    assert "style" not in page.html.split("<figure")[1].split("</figure>")[0].replace("<figcaption", "")
    assert page.select("a[href*='.csv']")


@pytest.mark.parametrize("address", ["/reports/needs", "/reports/needs/needs.csv", "/reports/returns"])
def test_a_practitioner_cannot_open_reports(client_request, signed_in, people, address):
    lead, _nurse, _manager = people
    signed_in(lead)
    client_request.get(address, expected_status=404)


def test_an_unknown_report_or_table_is_not_found(client_request, signed_in, people):
    signed_in(people[2])
    client_request.get("/reports/nothing-here", expected_status=404)
    client_request.get("/reports/needs/nothing.csv", expected_status=404)


def test_cases_each_month_are_counted_as_worked_out_by_hand(client_request, signed_in, people):
    lead, nurse, manager = people
    # September: A starts. October: B starts, A closes. November: C starts. Open at the end of each month:
    # September 1 (A), October 1 (B), November 2 (B, C).
    a = case(lead, [nurse.agency], family="A", child=("Ann", "A", date(2015, 1, 1)), started=date(2025, 9, 3))
    b = case(lead, [nurse.agency], family="B", child=("Ben", "B", date(2015, 1, 1)), started=date(2025, 10, 6))
    case(lead, [nurse.agency], family="C", child=("Cat", "C", date(2015, 1, 1)), started=date(2025, 11, 10))
    close_met(a, lead, manager, nurse)
    dated(a, closed_at=at(date(2025, 10, 20)))
    assert b.closed_at is None
    signed_in(manager)
    page = client_request.get("/reports/cases-over-time?from=2025-09-01&to=2025-11-30")
    assert table_rows(page, "table-months") == [
        ["Sep 2025", "1", "0", "1"],
        ["Oct 2025", "1", "1", "1"],
        ["Nov 2025", "1", "0", "2"],
    ]
    # From October, A was already open when the period began: it counts until it closes.
    page = client_request.get("/reports/cases-over-time?from=2025-10-01&to=2025-11-30")
    assert table_rows(page, "table-months") == [["Oct 2025", "1", "1", "1"], ["Nov 2025", "1", "0", "2"]]


def test_filtering_by_the_lead_professionals_agency_counts_only_their_cases(client_request, signed_in, people):
    lead, nurse, manager = people
    case(lead, [nurse.agency], family="A", child=("Ann", "A", date(2015, 1, 1)), started=date.today())
    case(nurse, [lead.agency], family="B", child=("Ben", "B", date(2015, 1, 1)), started=date.today())
    signed_in(manager)
    page = client_request.get(f"/reports/caseload?lead_agency={nurse.agency.id}")
    assert table_rows(page, "table-agencies") == [["Northshire Community Health", "1", "1"]]


def test_a_forged_filter_shows_an_error_and_the_report_without_it(client_request, signed_in, people):
    signed_in(people[2])
    page = client_request.get("/reports/needs?lead_agency=99999&state=nonsense&period=forever")
    assert page.title.startswith("Error:")
    assert page.errors() == [
        "Choose a period from the list",
        "Choose the lead professional's agency from the list",
        "Choose a state from the list",
    ]
    client_request.get("/reports/needs?from=2025-13-01&to=x")
    client_request.get("/reports/needs?lead=" + "9" * 30)
    client_request.get("/reports/needs?lead=%00", expected_status=400)


def test_downloading_a_table_streams_its_csv_and_records_an_export(client, signed_in, people):
    lead, nurse, manager = people
    case(lead, [nurse.agency], family="=cmd|' /C calc'!A0", child=("Ann", "A", date(2015, 1, 1)), started=date.today())
    signed_in(manager)
    response = client.get("/reports/caseload/leads.csv?period=3m")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [["Lead professional", "Agency", "Open cases"], ["Sarah Okafor", "Northshire Primary School", "1"]]
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.detail == {"export": "report:caseload:leads", "format": "csv", "filters": {"period": "3m"}}
    assert event.user_id == manager.id


def test_a_download_with_forged_filters_goes_back_to_the_report(client, signed_in, people):
    signed_in(people[2])
    response = client.get("/reports/needs/needs.csv?state=nonsense")
    assert response.status_code == 302 and "/reports/needs?" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "export")) == 0


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_each_report_makes_the_same_number_of_queries_for_2_and_12_cases(client, signed_in, people, name):
    lead, nurse, manager = people
    signed_in(manager)

    def some(n, start):
        for i in range(n):
            made = case(
                lead,
                [nurse.agency],
                family=f"F{start + i}",
                child=(f"C{start + i}", "T", date(2015, 1, 1)),
                started=date.today(),
            )
            if i % 2 == 0:
                close_met(made, lead, manager, nurse)

    some(2, 0)
    client.get(f"/reports/{name}")
    with count_queries() as few:
        assert client.get(f"/reports/{name}").status_code == 200
    some(10, 10)
    with count_queries() as many:
        assert client.get(f"/reports/{name}").status_code == 200
    assert many.count == few.count


def _period_form(**typed):
    data = {"period": "custom"}
    for name, day in typed.items():
        data.update({f"{name}-day": day[0], f"{name}-month": day[1], f"{name}-year": day[2]})
    return data


def test_a_manager_chooses_the_period_with_the_date_inputs(client_request, signed_in, people):
    lead, nurse, manager = people
    case(lead, [nurse.agency], family="A", child=("Ann", "A", date(2015, 1, 1)), started=date(2025, 9, 3))
    signed_in(manager)
    page = client_request.get("/reports/cases-over-time")
    form = page.one("form[action='/reports/cases-over-time']")
    assert form.get("method") == "get"
    assert {i.get("name") for i in form.cssselect("input")} >= {"from-day", "from-month", "from-year", "to-year"}
    query = _period_form(**{"from": ("1", "9", "2025"), "to": ("30", "11", "2025")})
    page = client_request.get("/reports/cases-over-time", query_string=query)
    assert "From 1 September 2025 to 30 November 2025" in page.text
    assert [row[:2] for row in table_rows(page, "table-months")] == [
        ["Sep 2025", "1"],
        ["Oct 2025", "0"],
        ["Nov 2025", "0"],
    ]
    assert page.one("#from-day").get("value") == "1" and page.one("#to-year").get("value") == "2025"
    assert page.one("#period option[selected]").get("value") == "custom"
    # The download links carry the period chosen.
    assert page.select("a[href*='from=2025-09-01'][href*='to=2025-11-30']")


@pytest.mark.parametrize(
    ("typed", "errors"),
    [
        (
            {"from": ("31", "2", "2025"), "to": ("1", "3", "2025")},
            ["The start of the period must be a real date, for example 1 4 2025"],
        ),
        ({"from": ("1", "3", "2025")}, ["Enter the end of the period"]),
        (
            {"from": ("1", "3", "2025"), "to": ("1", "2", "2025")},
            ["The end of the period must be the same as or after its start"],
        ),
        ({"from": ("1", "3", "1990"), "to": ("1", "3", "2025")}, ["The period must be 10 years or shorter"]),
        (
            {"from": ("x", "\u0663", "20251"), "to": ("1", "2", "-5")},
            [
                "The start of the period must be a real date, for example 1 4 2025",
                "The end of the period must be a real date, for example 1 4 2025",
            ],
        ),
    ],
)
def test_a_wrong_period_says_what_is_wrong_and_keeps_what_was_typed(client_request, signed_in, people, typed, errors):
    signed_in(people[2])
    page = client_request.get("/reports/timeliness", query_string=_period_form(**typed))
    assert page.title.startswith("Error:")
    assert page.errors() == errors
    for name, day in typed.items():
        assert [page.one(f"#{name}-{part}").get("value") for part in ("day", "month", "year")] == list(day)
    assert page.one("#period option[selected]").get("value") == "custom"
    assert page.select(".govuk-error-summary a[href='#from-day'], .govuk-error-summary a[href='#to-day']")


def test_a_preset_period_wins_over_dates_left_in_the_inputs(client_request, signed_in, people):
    signed_in(people[2])
    query = {**_period_form(**{"from": ("1", "9", "2025"), "to": ("30", "11", "2025")}), "period": "3m"}
    page = client_request.get("/reports/cases-over-time", query_string=query)
    assert not page.errors() and len(table_rows(page, "table-months")) == 3
    assert page.one("#period option[selected]").get("value") == "3m"


def test_a_table_downloads_as_an_excel_workbook_with_text_never_formulas(client, signed_in, people):
    from openpyxl import load_workbook

    lead, nurse, manager = people
    lead.name = '=HYPERLINK("http://x")\x07'
    db.session.commit()
    case(lead, [nurse.agency], family="A", child=("Ann", "A", date(2015, 1, 1)), started=date.today())
    signed_in(manager)
    response = client.get("/reports/caseload/leads.xlsx?period=3m")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="caseload-leads-' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows == [
        ["Lead professional", "Agency", "Open cases"],
        ['=HYPERLINK("http://x")', "Northshire Primary School", 1],
    ]
    assert sheet["A2"].data_type == "s" and sheet["A1"].font.bold
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.detail == {"export": "report:caseload:leads", "format": "xlsx", "filters": {"period": "3m"}}
    assert client.get("/reports/caseload/nothing.xlsx").status_code == 404
    assert client.get("/reports/caseload/leads.xlsx?state=nonsense").status_code == 302


def test_the_transition_index_lists_every_transition_audit_action():
    """Time in state reads the moves through a partial index (migration 0021) listing these actions."""
    from eha.models.audit import TRANSITION_ACTIONS
    from eha.workflow import table as workflow_table

    assert tuple(sorted({spec.audit for spec in workflow_table.TRIGGERS})) == TRANSITION_ACTIONS
