"""The demo has a case in every state, built through fire(), and running it again adds nothing."""

import sqlalchemy as sa

from eha.demo import load_demo
from eha.extensions import db
from eha.models.assessments import Assessment
from eha.workflow.states import STATES


def test_the_demo_has_cases_in_every_state_and_is_idempotent(app):
    first = load_demo()
    states = {a["state"] for a in first["assessments"]}
    assert set(STATES) <= states
    pending = db.session.scalars(sa.select(Assessment).where(Assessment.pending_closure_reason.is_not(None))).all()
    assert len(pending) == 1 and pending[0].state == "plan_active"
    assert {
        c.closure_reason for c in db.session.scalars(sa.select(Assessment).where(Assessment.state == "closed"))
    } >= {"outcomes_met", "stepped_up"}
    second = load_demo()
    assert [a["ref"] for a in second["assessments"]] == [a["ref"] for a in first["assessments"]]


def test_the_demo_has_an_open_plan_shared_by_four_agencies_and_the_grandmother(app, client, client_request):
    from tests.browser.test_journey_2_plan import pdf_text
    from tests.factories import sign_in

    demo = load_demo()
    whole_team = [a for a in demo["assessments"] if len({m["agency"] for m in a["team"]}) >= 3]
    assert whole_team, demo["assessments"]
    case = db.session.scalar(sa.select(Assessment).where(Assessment.ref == whole_team[0]["ref"]))
    assert case.state == "plan_active"
    sign_in(client, case.lead)
    page = client_request.get(f"/assessments/{case.ref}/plan")
    row = [r for r in page.words("table tr") if "Take Ella to school" in r]
    assert row and "Margaret Bennett" in row[0]
    for owner in ("Priya Shah", "Jamie Clarke", "Mark Evans", "Ayşe Demir"):
        assert owner in page.text
    # The grandmother agreed by phone after the lead and the mother signed; the frozen version says so.
    signed = page.words("#signed .govuk-summary-list__row")
    later = [r for r in signed if "Margaret Bennett" in r]
    assert later and "verbally by phone" in later[0] and "after the plan was agreed" in later[0]
    pdf = client.get(f"/assessments/{case.ref}/plan.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data)
    assert "Take Ella to school on Tuesdays and Thursdays" in text and "Margaret Bennett" in text
