"""Closing a case whose plan still has actions not done: the close page warns, and the lead confirms they
checked them before the case closes."""

import pytest

from eha.demo import cases as build
from eha.transaction import committing
from tests.plans.helpers import version_on
from tests.workflow.helpers import state_in_db, team

OUTCOMES = {"reason": "moved_out", "outcome_sf_education": "met", "outcome_sf_relationships": "met"}


@pytest.fixture
def people(app):
    return team(app)


@pytest.fixture
def plan_active(people):
    lead, nurse, _ = people
    with committing():
        case = build.new_case(lead, agencies=[nurse.agency])
        build.to_plan_active(case, lead, [nurse])
    return case


def test_closing_with_actions_not_done_asks_the_lead_to_confirm(client_request, signed_in, plan_active, people):
    signed_in(people[2])  # a manager: the case closes at once
    url = f"/assessments/{plan_active.ref}/close"
    page = client_request.get(url)
    assert "not done. Check with their owners before the case closes" in page.text
    assert page.select("input[name=checked_not_done][value=yes]")
    page = client_request.post(url, data=OUTCOMES, expected_status=200)
    assert page.errors() == ["Confirm you have checked the actions not done"]
    assert page.one("input[name=reason][value=moved_out]").get("checked") is not None
    page = client_request.post(url, data={**OUTCOMES, "checked_not_done": "forged"}, expected_status=200)
    assert state_in_db(plan_active) == "plan_active"
    client_request.post(url, data={**OUTCOMES, "checked_not_done": "yes"})
    assert state_in_db(plan_active) == "closed"


def test_closing_when_every_action_is_done_asks_nothing_more(client_request, signed_in, plan_active, people):
    signed_in(people[2])
    plan = client_request.get(f"/assessments/{plan_active.ref}/plan")
    for link in plan.select("a[href$='/progress']"):
        progress_url = link.get("href")
        opened = client_request.get(progress_url)
        client_request.post(progress_url, data={"progress": "done", "version": version_on(opened.response)})
    url = f"/assessments/{plan_active.ref}/close"
    page = client_request.get(url)
    assert "Actions not done" not in page.text and page.select("input[name=checked_not_done]") == []
    client_request.post(url, data=OUTCOMES)
    assert state_in_db(plan_active) == "closed"


def test_a_closed_case_shows_each_need_s_outcome_and_the_closure_summary_and_offers_no_edits(
    client_request, signed_in, plan_active, people
):
    signed_in(people[2])
    client_request.post(
        f"/assessments/{plan_active.ref}/close",
        data={
            **OUTCOMES,
            "outcome_sf_relationships": "partly_met",
            "comment_sf_relationships": "Arguments less often",
            "notes": "The family moved to Southshire; their new school knows them",
            "checked_not_done": "yes",
        },
    )
    assert state_in_db(plan_active) == "closed"
    page = client_request.get(f"/assessments/{plan_active.ref}")
    assert "Outcome for 'Getting a good education' Met" in page.text
    assert "Outcome for 'Improved family relationships' Partly met: Arguments less often" in page.text
    assert "Closure summary The family moved to Southshire; their new school knows them" in page.text
    links = page.words(".govuk-summary-list__actions a")
    assert links and all(text.startswith("View") for text in links)
    family = client_request.get(f"/assessments/{plan_active.ref}/family")
    assert not [a for a in family.words("a") if a.startswith("Change") or a.startswith("Add ")]
    client_request.post(
        f"/assessments/{plan_active.ref}/family/edit",
        data={"name": "The Renamed family", "version": "1"},
        expected_status=409,
    )
