"""The demo has a case in every state, built through fire(), and running it again adds nothing."""

import sqlalchemy as sa

from eha.demo import load_demo
from eha.extensions import db
from eha.models.assessments import Assessment
from eha.workflow.states import STATES


def test_the_demo_has_cases_in_every_state_and_is_idempotent(app, demo_loaded):
    first = demo_loaded  # the first run
    states = {a["state"] for a in first["assessments"]}
    assert set(STATES) <= states
    pending = db.session.scalars(sa.select(Assessment).where(Assessment.pending_closure_reason.is_not(None))).all()
    assert len(pending) == 1 and pending[0].state == "plan_active"
    assert {
        c.closure_reason for c in db.session.scalars(sa.select(Assessment).where(Assessment.state == "closed"))
    } >= {"outcomes_met", "stepped_up"}
    second = load_demo()
    assert [a["ref"] for a in second["assessments"]] == [a["ref"] for a in first["assessments"]]


def test_the_demo_has_an_open_plan_shared_by_four_agencies_and_the_grandmother(
    app, client, client_request, demo_loaded
):
    from tests.browser.test_journey_2_plan import pdf_text
    from tests.factories import sign_in

    demo = demo_loaded
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


def test_the_demos_taf_meetings_have_an_agenda_and_say_how_each_invitee_was_invited(
    app, client, client_request, demo_loaded
):
    from eha.models.meetings import Meeting
    from tests.factories import sign_in

    taf = db.session.scalars(sa.select(Meeting).where(Meeting.kind == "taf")).all()
    assert taf
    for meeting in taf:
        assert meeting.agenda, meeting.id
        assert meeting.participants and all(p.invited_how for p in meeting.participants), meeting.id
    # The Bennetts' TAF meeting, as its page shows it: the agenda, how each was invited, the grandmother's needs.
    bennett = next(m for m in taf if any(p.name == "Margaret Bennett" for p in m.participants))
    case = db.session.get(Assessment, bennett.assessment_id)
    sign_in(client, case.lead)
    page = client_request.get(f"/assessments/{case.ref}/meetings/{bennett.id}")
    assert "Agree the plan: what will be done, who will do it, by when" in page.text
    rows = page.words("tbody tr")
    assert any(r.startswith("Priya Shah") and "By email" in r for r in rows), rows
    assert any(r.startswith("Laura Bennett") and "By text message" in r for r in rows), rows
    assert any(r.startswith("Margaret Bennett") and "By letter" in r and "Hard of hearing" in r for r in rows), rows


def test_the_demo_schedules_a_family_network_meeting_for_the_bennetts(app, client, client_request, demo_loaded):
    from eha.models.meetings import Meeting
    from tests.factories import sign_in

    (network,) = db.session.scalars(sa.select(Meeting).where(Meeting.kind == "family_network")).all()
    assert network.status == "scheduled"
    assert sorted(p.name for p in network.participants) == ["Laura Bennett", "Margaret Bennett"]
    case = db.session.get(Assessment, network.assessment_id)
    assert case.state == "plan_active" and case.family.name == "Bennett"
    sign_in(client, case.lead)
    page = client_request.get(f"/assessments/{case.ref}/meetings")
    assert "Family network meeting" in page.text
    page = client_request.get(f"/assessments/{case.ref}/meetings/{network.id}")
    assert "Who in the family's network can help, and how" in page.text
    load_demo()  # again: nothing added
    assert len(db.session.scalars(sa.select(Meeting).where(Meeting.kind == "family_network")).all()) == 1
