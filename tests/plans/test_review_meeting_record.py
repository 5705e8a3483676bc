"""The review page records a real meeting: each invitee's attendance (a person on the case without an account
too), the update sent with apologies, and the lead professional agreed at the review (someone else takes over
the case in the same step, the old lead staying in the TAF)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import TafMember
from eha.models.audit import AuditEvent
from eha.models.plans import Review
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.plans import helpers
from tests.plans.meeting_people import case_person, latest_meeting, participant, parts, schedule


def _url(case):
    return f"/assessments/{case.ref}/reviews/new"


def review_waiting(client_request, signed_in, lead, nurse, health):
    """A plan in force (one action the nurse's, one the lead's); the lead schedules the review inviting the
    nurse, the mother and the grandmother (no account)."""
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.member(case, nurse)
    helpers.plan(case, lead, owners=[nurse, lead], actions=2, status="signed")
    grandmother = case_person(case, lead, "Maria Nowak")
    signed_in(lead)
    carer = case.family.carers[0]
    meeting = schedule(
        client_request,
        case,
        kind="review",
        when=date.today(),
        invite=[nurse],
        family=[f"carer:{carer.id}"],
        others=[f"person:{grandmother.id}"],
    )
    return helpers.reload(case), meeting


def review_data(page, **extra):
    """What the browser sends from the review form as drawn (everyone attended), with the lead's answers."""
    form = page.tree.xpath("//form[@method='post'][.//input[@name='action_keys']]")[0]
    data = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    for radio in form.xpath(".//input[starts-with(@name, 'attendance_')]"):
        data[radio.get("name")] = "attended"
    data.update(
        {
            "held_on": parts(date.today()),
            "family_view": "Things are better at home",
            "family_score": "6",
            "practitioner_score": "5",
            "decision": "continue",
            "next_review_on": parts(date.today() + timedelta(days=42)),
            "progress_1": "on_track",
            "progress_2": "on_track",
        }
    )
    data.update(extra)
    return data


def _lead_changes():
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "lead_changed")).all()


def test_the_review_page_asks_each_invitees_update_and_the_lead_agreed(client_request, signed_in, lead, nurse, health):
    case, meeting = review_waiting(client_request, signed_in, lead, nurse, health)
    page = client_request.get(_url(case))
    for name in ("Nia Nurse", "Agnieszka Nowak", "Maria Nowak"):
        who = participant(meeting, name)
        assert page.one(f"textarea[name=update_{who.id}]") is not None
        assert f"Update {name} sent with their apologies (optional)" in page.text
    options = page.select("input[name=lead_agreed]")
    assert [o.get("value") for o in options] == [str(lead.id), str(nurse.id)]
    assert page.one("input[name=lead_agreed][checked]").get("value") == str(lead.id)
    assert "Lena Lead, Northtown Primary School (the current lead professional)" in page.text


def test_apologies_and_the_update_sent_are_recorded_with_the_review(client_request, signed_in, lead, nurse, health):
    case, meeting = review_waiting(client_request, signed_in, lead, nurse, health)
    gran, health_visitor = participant(meeting, "Maria Nowak"), participant(meeting, "Nia Nurse")
    page = client_request.get(_url(case))
    data = review_data(
        page,
        **{
            f"attendance_{gran.id}": "apologies",
            f"update_{gran.id}": "I still do the school run on Tuesdays",
            f"attendance_{health_visitor.id}": "apologies",
            f"update_{health_visitor.id}": "Zofia's sleep is better; I will see her again in May.",
        },
    )
    client_request.post(_url(case), data=data)
    assert helpers.count(Review) == 1
    assert helpers.reload(case).state == "plan_active" and helpers.reload(case).lead_id == lead.id
    rows = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}").words("tbody tr")
    assert any(
        r.startswith("Maria Nowak") and r.endswith("Sent apologies Their update: I still do the school run on Tuesdays")
        for r in rows
    ), rows
    assert any(r.startswith("Nia Nurse") and "Their update: Zofia's sleep is better" in r for r in rows), rows
    assert any(r.startswith("Agnieszka Nowak") and r.endswith("Attended") for r in rows), rows
    assert _lead_changes() == []


def test_choosing_another_lead_at_the_review_hands_the_case_over(client_request, signed_in, lead, nurse, health):
    case, meeting = review_waiting(client_request, signed_in, lead, nurse, health)
    page = client_request.get(_url(case))
    response = client_request.post(_url(case), data=review_data(page, lead_agreed=str(nurse.id)))
    assert response.location.endswith(f"/assessments/{case.ref}")
    case = helpers.reload(case)
    assert case.lead_id == nurse.id and case.state == "plan_active"
    assert latest_meeting(case).lead_agreed_id == nurse.id
    kept = sa.select(TafMember).where(TafMember.assessment_id == case.id, TafMember.user_id == lead.id)
    old = db.session.scalar(kept)
    assert old is not None and old.removed_at is None
    (event,) = _lead_changes()
    assert (event.detail["from"], event.detail["to"]) == (lead.id, nurse.id)
    assert event.detail["reason_given"] is True
    page = client_request.get(f"/assessments/{case.ref}")
    assert "Lena Lead (Northtown Primary School) handed the case to Nia Nurse as lead professional" in page.text
    page = client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}")
    assert "Lead professional agreed Nia Nurse, Northshire Health Visiting" in page.words(".govuk-summary-list__row")
    # The new lead can schedule the next review; the old lead still sees the case as a TAF member.
    signed_in(nurse)
    client_request.get(f"/assessments/{case.ref}/meetings/new?kind=review")
    signed_in(lead)
    client_request.get(f"/assessments/{case.ref}")


def test_closing_at_a_review_that_hands_over_goes_to_the_case_page(client_request, signed_in, lead, nurse, health):
    case, meeting = review_waiting(client_request, signed_in, lead, nurse, health)
    page = client_request.get(_url(case))
    data = review_data(page, lead_agreed=str(nurse.id), decision="close", next_review_on="")
    response = client_request.post(_url(case), data=data)
    assert response.location.endswith(f"/assessments/{case.ref}")
    assert helpers.reload(case).lead_id == nurse.id
    assert "Review recorded" in client_request.get(response.location).text


def test_bad_updates_and_forged_leads_are_refused_with_the_input_kept(
    client_request, signed_in, lead, nurse, health, school
):
    case, meeting = review_waiting(client_request, signed_in, lead, nurse, health)
    gran = participant(meeting, "Maria Nowak")
    drawn = client_request.get(_url(case))
    data = review_data(drawn, **{f"update_{gran.id}": "I came after all"})
    page = client_request.post(_url(case), data=data, expected_status=200)
    assert page.errors() == ["Select 'Sent apologies' for them, or delete their update"]
    assert "I came after all" in page.one(f"textarea[name=update_{gran.id}]").text_content()
    assert "Things are better at home" in page.text
    data = review_data(drawn, **{f"attendance_{gran.id}": "apologies", f"update_{gran.id}": "u" * 1001})
    page = client_request.post(_url(case), data=data, expected_status=200)
    assert page.errors() == ["The update Maria Nowak sent must be 1000 characters or fewer"]
    outsider = factories.user(role="practitioner", agency=school, name="Otto Outsider")  # agreed, not in the TAF
    manager = factories.user(role="manager", agency=health, name="Mia Manager")
    for forged in (str(outsider.id), str(manager.id), "99999", "lead", "x" * 5000):
        page = client_request.post(_url(case), data=review_data(drawn, lead_agreed=forged), expected_status=200)
        assert page.errors() == ["Select an option from the list"], forged
        assert "Things are better at home" in page.text
    assert helpers.count(Review) == 0 and latest_meeting(case).status == "scheduled"
    assert helpers.reload(case).lead_id == lead.id and _lead_changes() == []
    data = review_data(drawn, **{f"attendance_{gran.id}": "apologies", f"update_{gran.id}": "Sor\x00ry"})
    client_request.post(_url(case), data=data)
    assert participant(latest_meeting(case), "Maria Nowak").apologies_update == "Sorry"


def test_a_lead_who_can_no_longer_lead_is_refused_and_nothing_is_saved(client_request, signed_in, lead, nurse, health):
    """The nurse leaves the team after the page was drawn: choosing her is refused, the review is not saved."""
    case, meeting = review_waiting(client_request, signed_in, lead, nurse, health)
    page = client_request.get(_url(case))
    client_request.post(f"/assessments/{case.ref}/team/{nurse.id}/remove", data={"reason": "Moved to another area"})
    data = review_data(page, lead_agreed=str(nurse.id))
    page = client_request.post(_url(case), data=data, expected_status=200)
    assert page.errors() == ["Select an option from the list"]
    assert helpers.count(Review) == 0 and latest_meeting(case).status == "scheduled"
    assert helpers.reload(case).lead_id == lead.id


def test_a_review_the_workflow_refuses_leaves_the_meeting_waiting_and_the_lead_in_place(
    client_request, signed_in, lead, nurse, health
):
    """Saying the plan changed without a new signed version is refused: nothing of the review is kept, not the
    meeting held nor the handover chosen."""
    case, meeting = review_waiting(client_request, signed_in, lead, nurse, health)
    page = client_request.get(_url(case))
    data = review_data(page, lead_agreed=str(nurse.id), plan_changed="yes")
    page = client_request.post(_url(case), data=data, expected_status=200)
    assert page.errors() and "Things are better at home" in page.text
    assert helpers.count(Review) == 0 and latest_meeting(case).status == "scheduled"
    assert helpers.reload(case).lead_id == lead.id and _lead_changes() == []
    assert client_request.get(f"/assessments/{case.ref}/meetings/{meeting.id}").one("h1") is not None


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite has no row locks to race on")
def test_ten_reviews_at_once_agreeing_a_new_lead_record_one_review_and_one_handover(
    app, client_request, signed_in, lead, nurse, health
):
    from tests.plans.test_meeting_races import WORKERS, _race, _statuses

    case, meeting = review_waiting(client_request, signed_in, lead, nurse, health)
    data = review_data(client_request.get(_url(case)), lead_agreed=str(nurse.id), notes="Nia will lead from now")

    results = _race(app, lead, _url(case), data)

    assert _statuses(results) == [302] + [409] * (WORKERS - 1), results
    assert helpers.count(Review) == 1 and len(_lead_changes()) == 1
    assert helpers.reload(case).lead_id == nurse.id and latest_meeting(case).status == "held"
