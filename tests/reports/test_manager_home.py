"""A manager's home page says what needs them, each a count linking to the case list filtered to those cases;
the counts take the same number of queries however many cases there are."""

from datetime import date, timedelta

import pytest

from eha.demo import cases as build
from eha.transaction import committing
from tests.reports.helpers import case, count_queries, dated
from tests.workflow.helpers import team


@pytest.fixture
def people(app):
    return team(app)


def _needs(page):
    return page.words("#what-needs-you li")


def test_a_manager_sees_overdue_assessments_and_closures_waiting_and_each_link_lists_them(
    client_request, signed_in, people
):
    lead, nurse, manager = people
    late = case(lead, [nurse.agency], family="Late", child=("Lee", "Late", date(2015, 1, 1)), started=date.today())
    dated(late, assessment_due_on=date.today() - timedelta(days=1))
    case(lead, [nurse.agency], family="Soon", child=("Sam", "Soon", date(2015, 1, 1)), started=date.today())
    waiting = case(lead, [nurse.agency], family="Wait", child=("Wes", "Wait", date(2015, 1, 1)), started=date.today())
    with committing():
        build.to_plan_active(waiting, lead, [nurse])
        build.fire(
            waiting,
            "request_closure",
            lead,
            reason="stepped_down",
            notes="School only.",
            outcomes=build.outcomes_for(waiting, "partly_met"),
        )
    signed_in(manager)
    page = client_request.get("/")
    needs = _needs(page)
    assert "Closures waiting for your sign-off: 1" in needs
    assert "Assessments overdue: 1" in needs
    assert "Open cases without a lead professional: none" in needs
    assert "Plans with more than 8 actions: none" in needs
    assert "Duty-to-share grants to review: none" in needs
    listed = client_request.get(page.one("a[href$='needs=assessment-overdue']").get("href"))
    assert late.ref in listed.text and waiting.ref not in listed.text
    assert "Showing only: Assessments overdue" in listed.text
    listed = client_request.get("/assessments?needs=closure-sign-off")
    assert waiting.ref in listed.text and late.ref not in listed.text


def test_cases_with_no_activity_for_the_configured_days_are_counted(app, client_request, signed_in, people):
    lead, nurse, manager = people
    quiet = case(lead, [nurse.agency], family="Quiet", child=("Qi", "Quiet", date(2015, 1, 1)), started=date.today())
    signed_in(manager)
    assert "Open cases with no activity for 28 days: none" in _needs(client_request.get("/"))
    # Started 40 days ago, nothing since: the case's only events are from today, so with 0 days it drifts.
    dated(quiet, started_at=quiet.started_at - timedelta(days=40))
    app.config["EHA_DRIFT_DAYS"] = 0
    assert "Open cases with no activity for 0 days: 1" in _needs(client_request.get("/"))


def test_a_forged_needs_filter_lists_every_case(client_request, signed_in, people):
    lead, nurse, manager = people
    made = case(lead, [nurse.agency], family="A", child=("Al", "A", date(2015, 1, 1)), started=date.today())
    signed_in(manager)
    page = client_request.get("/assessments?needs=%27%20OR%201%3D1")
    assert made.ref in page.text and "Showing only" not in page.text


def test_a_practitioner_does_not_see_what_needs_a_manager(client_request, signed_in, people):
    signed_in(people[0])
    assert not client_request.get("/").select("#what-needs-you")


def test_the_home_page_counts_take_the_same_queries_for_2_and_12_cases(client, signed_in, people):
    lead, nurse, manager = people
    signed_in(manager)
    for i in range(2):
        case(lead, [nurse.agency], family=f"F{i}", child=(f"C{i}", "T", date(2015, 1, 1)), started=date.today())
    client.get("/")
    client.application.extensions["eha_page_cache"].clear()  # count the page drawn, not served again
    with count_queries() as few:
        client.get("/")
    for i in range(10):
        case(lead, [nurse.agency], family=f"G{i}", child=(f"D{i}", "T", date(2015, 1, 1)), started=date.today())
    with count_queries() as many:
        client.get("/")
    assert many.count == few.count
