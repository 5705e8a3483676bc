"""Penetration-test findings on the plan: leaving out the version field must not skip the conflict check, and
everyone in the Team Around the Family can be chosen as an action's owner."""

from datetime import date, timedelta

import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.plans import ActionUpdate, PlanAction, PlanSignature
from tests import factories
from tests.plans import helpers


def last_event(case):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.assessment_id == case.id).order_by(AuditEvent.seq.desc())
    ).first()


def test_a_progress_update_without_its_version_does_not_overwrite_the_leads_done(
    client_request, signed_in, lead, nurse, health
):
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.member(case, nurse)
    action = helpers.plan(case, lead, owners=[nurse], actions=1, status="signed").actions[0]
    url = f"/assessments/{case.ref}/plan/actions/{action.key}/progress"
    signed_in(nurse)
    client_request.get(url)  # the nurse opens the page ...
    signed_in(lead)
    client_request.post(url, data={"progress": "done", "version": str(action.version_id)})  # ... the lead: done
    signed_in(nurse)

    page = client_request.post(url, data={"progress": "on_track", "comment": "Seen on Tuesday"}, expected_status=409)

    assert page.h1 == "Someone else has updated this action"
    assert page.one("textarea[name=comment]").text_content() == "Seen on Tuesday"  # the nurse's words, kept
    assert page.one("input[name=progress][checked]").get("value") == "on_track"
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).progress == "done"
    assert [u.progress for u in db.session.scalars(sa.select(ActionUpdate))] == ["done"]
    event = last_event(case)
    assert (event.action, event.outcome, event.detail["reason"]) == ("action_updated", "failed", "conflict")


def test_a_signature_without_its_version_is_not_recorded(client_request, signed_in, lead):
    case = helpers.assessed_case(lead, state="taf_scheduled")
    helpers.plan(case, lead, actions=1)
    carer = case.family.carers[0]
    signed_in(lead)
    today = date.today()

    page = client_request.post(
        f"/assessments/{case.ref}/plan/sign",
        expected_status=409,
        data={
            "signer": f"carer:{carer.id}",
            "name": "Aga Nowak",
            "role": "Mum",
            "signed_on": [str(today.day), str(today.month), str(today.year)],
            "method": "on_paper",
        },
    )

    assert page.h1 == "Someone else has changed the plan"
    assert page.one("input[name=name]").get("value") == "Aga Nowak"  # what they typed, kept
    assert page.one("input[name=version]").get("value")  # the version to send again
    assert helpers.count(PlanSignature) == 0
    assert last_event(case).detail["reason"] == "conflict"


def test_removing_an_action_without_its_version_removes_nothing(client_request, signed_in, lead):
    case = helpers.assessed_case(lead)
    action = helpers.plan(case, lead, actions=2).actions[0]
    signed_in(lead)

    page = client_request.post(f"/assessments/{case.ref}/plan/actions/{action.key}/delete", expected_status=409)

    assert "It has not been removed" in page.text
    assert helpers.count(PlanAction) == 2
    event = last_event(case)
    assert (event.action, event.outcome, event.detail["action"]) == ("plan_changed", "failed", action.key)


def test_removing_an_action_someone_changed_meanwhile_removes_nothing(client_request, signed_in, lead):
    case = helpers.assessed_case(lead)
    action = helpers.plan(case, lead, actions=1).actions[0]
    signed_in(lead)
    delete = f"/assessments/{case.ref}/plan/actions/{action.key}/delete"
    seen = helpers.version_on(client_request.get(f"/assessments/{case.ref}/plan").response, delete)
    data = {
        "need": "sf-health",
        "what": "Changed meanwhile",
        "owner": f"user:{lead.id}",
        "success": "Better",
        "due_on": [str(d) for d in (date.today().day, date.today().month, date.today().year + 1)],
        "version": seen,
    }
    client_request.post(f"/assessments/{case.ref}/plan/actions/{action.key}/edit", data=data)

    client_request.post(delete, data={"version": seen}, expected_status=409)

    assert helpers.count(PlanAction) == 1


def test_an_action_edit_without_its_version_is_a_conflict_keeping_the_input(client_request, signed_in, lead):
    case = helpers.assessed_case(lead)
    action = helpers.plan(case, lead, actions=1).actions[0]
    signed_in(lead)
    when = date.today() + timedelta(days=9)
    page = client_request.post(
        f"/assessments/{case.ref}/plan/actions/{action.key}/edit",
        expected_status=409,
        data={
            "need": "sf-health",
            "what": "My wording",
            "owner": f"user:{lead.id}",
            "success": "Better",
            "due_on": [str(when.day), str(when.month), str(when.year)],
        },
    )
    assert page.h1 == "Someone else has changed this action"
    assert page.one("textarea[name=what]").text_content() == "My wording"
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).what == "Action 1"


def test_each_of_four_taf_members_from_four_agencies_can_own_an_action(client_request, signed_in, lead):
    agencies = [factories.agency(name=f"Agency {n}", kind="health") for n in "ABCD"]
    members = [factories.user(agency=agency, name=f"Member {agency.name[-1]}") for agency in agencies]
    case = helpers.assessed_case(lead, agencies)
    for member in members:
        helpers.member(case, member)
    signed_in(lead)
    url = f"/assessments/{case.ref}/plan/actions/new"

    page = client_request.get(url)

    offered = {
        radio.get("value"): " ".join(page.one(f"label[for={radio.get('id')}]").text_content().split())
        for radio in page.select("input[name=owner]")
    }
    for member in members:
        assert offered[f"user:{member.id}"] == f"{member.name} ({member.agency.name})"
    when = date.today() + timedelta(days=14)
    for member in members:
        plan = client_request.post(
            url,
            follow_redirects=True,
            expected_status=200,
            data={
                "need": "sf-health",
                "what": f"Call {member.name}",
                "owner": f"user:{member.id}",
                "success": "Better",
                "due_on": [str(when.day), str(when.month), str(when.year)],
            },
        )
        assert plan.h1 == "The plan" and f"Call {member.name}" in plan.text
    db.session.expire_all()
    owners = {a.what: a.owner_user_id for a in db.session.scalars(sa.select(PlanAction))}
    assert owners == {f"Call {m.name}": m.id for m in members}


def test_a_review_sent_without_the_meetings_version_is_a_conflict_keeping_the_answers(
    client_request, signed_in, lead, health
):
    from eha.models.meetings import Meeting
    from eha.models.plans import Review
    from tests.plans.test_cycle import keys_on, latest, review_data, schedule

    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.plan(case, lead, actions=1, status="signed")
    signed_in(lead)
    assert schedule(client_request.client, case, "review", invite=[lead]).status_code == 302
    opened = client_request.get(f"/assessments/{case.ref}/reviews/new")
    data = review_data(latest(Meeting, case), [1], keys=keys_on(opened.response))
    data["family_view"] = "In our own words"
    del data["version"]

    page = client_request.post(f"/assessments/{case.ref}/reviews/new", data=data, expected_status=409)

    assert page.h1 == "Someone else has changed this review"
    assert page.one("textarea[name=family_view]").text_content() == "In our own words"
    assert helpers.count(Review) == 0 and helpers.reload(case).state == "review_scheduled"
