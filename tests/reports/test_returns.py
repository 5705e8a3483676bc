"""The three returns against a hand-made fixture whose rows were worked out by hand (see docs/returns.md for
the fields): as downloads on /reports/returns and as ``flask returns``."""

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from eha.definitions.store import definition_for
from eha.demo.cases import WHOLE_TEAM_NEEDS
from eha.extensions import db
from eha.models.assessments import SectionAnswer
from eha.models.audit import AuditEvent
from eha.services.assessments import start_assessment
from eha.transaction import committing
from tests.assessments.each_child_helpers import fill_page
from tests.reports.helpers import at, case, close_met, dated, plan_signed_on
from tests.workflow.helpers import team

PERIOD = "from=2025-04-01&to=2026-03-31"


@pytest.fixture
def world(app):
    """The Patels' first episode (five needs, a plan, closed with every need met) in April to September 2025,
    their second (housing again, two months later) from December 2025, and the Okafors' episode in 2024, before
    the period."""
    lead, nurse, manager = team(app)
    first = case(
        lead,
        [nurse.agency],
        family="Patel",
        child=("Arjun", "Patel", date(2012, 4, 30)),
        started=date(2025, 4, 7),
        needs=WHOLE_TEAM_NEEDS,
    )
    close_met(first, lead, manager, nurse)
    dated(
        first,
        started_at=at(date(2025, 4, 7)),
        completed_at=at(date(2025, 4, 28), 15),
        closed_at=at(date(2025, 9, 30), 16),
    )
    plan_signed_on(first, date(2025, 5, 12))
    child = first.children[0]
    dated(child, sex="female")
    with committing():
        second = start_assessment(lead, first.family, [child])
        second.sections.append(
            SectionAnswer(section_key="needs", answers={"supporting-families": ["sf-housing"]}, status="completed")
        )
    dated(second, started_at=at(date(2025, 12, 1)))
    old = case(
        lead, [nurse.agency], family="Okafor", child=("Tobi", "Okafor", date(2016, 2, 1)), started=date(2024, 1, 10)
    )
    close_met(old, lead, manager, nurse)
    dated(old, started_at=at(date(2024, 1, 10)), closed_at=at(date(2024, 6, 1)))
    return {"lead": lead, "manager": manager, "first": first, "second": second, "child": child}


def _answer_about_the_child(client, signed_in, world, **answers):
    """The lead answers the second episode's "About the child" page (and "About the request") as a user does."""
    second = world["second"]
    definition = definition_for(second)
    assert definition.version >= 2, "the returns read the per-child answers of eha-default-v2"
    signed_in(world["lead"])
    response = fill_page(client, second, definition.section("about-the-child"), world["child"], **answers)
    assert response.status_code == 302, response.text
    response = fill_page(client, second, definition.section("about-the-request"), **{"who-asked": "self-referral"})
    assert response.status_code == 302, response.text
    signed_in(world["manager"])


def _download(client, name):
    response = client.get(f"/reports/returns/{name}.csv?{PERIOD}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_ssd_early_help_episodes_table(client, signed_in, world):
    signed_in(world["manager"])
    child, lead = world["child"], world["lead"]
    assert _download(client, "ssd-early-help") == [
        [
            "earl_episode_id",
            "earl_person_id",
            "earl_episode_start_date",
            "earl_episode_end_date",
            "earl_episode_reason",
            "earl_episode_end_reason",
            "earl_episode_organisation",
            "earl_episode_worker_id",
        ],
        [
            f"{world['first'].ref}-{child.id}",
            str(child.id),
            "2025-04-07 09:00:00",
            "2025-09-30 16:00:00",
            "",
            "outcomes_met",
            "Northshire Primary School",
            str(lead.id),
        ],
        [
            f"{world['second'].ref}-{child.id}",
            str(child.id),
            "2025-12-01 09:00:00",
            "",
            "",
            "",
            "Northshire Primary School",
            str(lead.id),
        ],
    ]
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.detail == {
        "export": "return:ssd-early-help",
        "format": "csv",
        "from": "2025-04-01",
        "to": "2026-03-31",
    }


def test_the_returns_read_each_childs_answers(client, signed_in, world):
    """The second episode is on eha-default-v2: its "About the child" answers give Annex A's ethnicity, and its
    "About the request" gives the SSD's start reason. The first (v1 asks neither) keeps the "not obtained" code."""
    _answer_about_the_child(client, signed_in, world, ethnicity="AIND", disability="yes", sen="sen-support")
    annex_a = _download(client, "annex-a-early-help")
    # AIND is the 10th entry of the template's ethnicity list, so "j) AIND"; NOBT is "s) NOBT" (see the source).
    assert [r[2] for r in annex_a[1:]] == ["s) NOBT", "j) AIND"]
    ssd = _download(client, "ssd-early-help")
    assert [r[4] for r in ssd[1:]] == ["", "self-referral"]


def test_a_child_whose_family_refused_to_give_their_ethnicity(client, signed_in, world):
    _answer_about_the_child(client, signed_in, world, ethnicity="REFU", disability="not-known")
    annex_a = _download(client, "annex-a-early-help")
    assert [r[2] for r in annex_a[1:]] == ["s) NOBT", "s) REFU"]


def test_the_annex_a_early_help_list(client, signed_in, world):
    signed_in(world["manager"])
    child = str(world["child"].id)
    rows = _download(client, "annex-a-early-help")
    # List 2's eight columns, spelt and ordered as the template's (docs/returns.md): no disability column (the
    # template asks it from list 4 on, not of early help).
    assert rows[0] == [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
    ]
    # Gender "b) Female": the template's second choice (Arjun is recorded as female by the fixture). Ethnicity
    # "s) NOBT": v1 does not ask it. Dates DD/MM/YYYY, as the template's date cells. Age in whole years on the
    # day the assessment started: 12 on 7 April 2025 (the birthday is 30 April), 13 on 1 December 2025. The
    # organisation is the lead professional's agency once the assessment is complete; the second is not yet.
    assert rows[1:] == [
        [child, "b) Female", "s) NOBT", "30/04/2012", "12", "07/04/2025", "28/04/2025", "Northshire Primary School"],
        [child, "b) Female", "s) NOBT", "30/04/2012", "13", "01/12/2025", "", ""],
    ]


def test_the_supporting_families_outcomes(client, signed_in, world):
    signed_in(world["manager"])
    first, lead = world["first"], world["lead"]
    rows = _download(client, "supporting-families")
    common = [
        str(first.family_id),
        first.ref,
        str(lead.id),
        "Northshire Primary School",
        "5",
        "2025-04-28",
        "2025-05-12",
        "2025-09-30",
    ]
    # Follow-up 183 days after closure: 1 April 2026, passed. Housing came back in the second episode (two
    # months later), so it was not sustained; the others were. The second episode has one need and no plan.
    assert rows[1:] == [
        [*common, "sf-crime", "Crime prevention and tackling crime", "met", "2026-04-01", "yes"],
        [*common, "sf-education", "Getting a good education", "met", "2026-04-01", "yes"],
        [*common, "sf-health", "Improved mental and physical health", "met", "2026-04-01", "yes"],
        [*common, "sf-housing", "Secure housing", "met", "2026-04-01", "no"],
        [*common, "sf-relationships", "Improved family relationships", "met", "2026-04-01", "yes"],
    ]


def test_flask_returns_writes_the_same_file(app, client, signed_in, world, tmp_path):
    signed_in(world["manager"])
    expected = _download(client, "ssd-early-help")
    output = tmp_path / "ssd.csv"
    result = app.test_cli_runner().invoke(
        args=["returns", "ssd-early-help", "--from", "2025-04-01", "--to", "2026-03-31", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(output.read_text()))) == expected
    assert "2 rows written" in result.output


@pytest.mark.parametrize(
    "args", [["--from", "2025-13-01", "--to", "2026-03-31"], ["--from", "2026-04-01", "--to", "2025-03-31"]]
)
def test_flask_returns_refuses_bad_dates(app, world, args):
    result = app.test_cli_runner().invoke(args=["returns", "annex-a-early-help", *args])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output or "--to must be" in result.output


def test_a_return_with_a_bad_period_says_so(client_request, signed_in, world):
    signed_in(world["manager"])
    page = client_request.get("/reports/returns/ssd-early-help.csv?from=yesterday&to=2026-03-31", expected_status=400)
    assert page.errors() == ["Enter the return's period as two dates, YYYY-MM-DD, the first on or before the second."]
    client_request.get("/reports/returns/nothing.csv?" + PERIOD, expected_status=404)
    page = client_request.get("/reports/returns")
    assert len(page.select("a[href*='/reports/returns/']")) == 9
