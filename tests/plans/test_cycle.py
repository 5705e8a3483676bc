"""The whole TAF cycle through the pages: schedule and hold the TAF, write and sign the plan, agree it, then two
reviews (the second with a changed plan) and a decision to close."""

import re
from datetime import date, timedelta

import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.meetings import Meeting
from eha.models.plans import ActionUpdate, PlanAction, PlanVersion, Review
from tests.plans import helpers


def parts(value):
    return [str(value.day), str(value.month), str(value.year)]


def latest(model, case):
    db.session.expire_all()
    return db.session.scalar(sa.select(model).where(model.assessment_id == case.id).order_by(model.id.desc()))


def schedule(client, case, kind, invite=(), family=()):
    when = date.today() + timedelta(days=1)
    return client.post(
        f"/assessments/{case.ref}/meetings/new?kind={kind}",
        data={
            "date": parts(when),
            "time": "10:00",
            "place": "Northtown Primary School",
            "video_link": "",
            "professionals": [f"user:{u.id}" for u in invite],
            "family": list(family),
        },
    )


def keys_on(page):
    return re.search(r'name="action_keys" type="hidden" value="([^"]*)"', page.text).group(1)


def review_data(meeting, actions, *, decision="continue", changed=False, progress="on_track", keys=None):
    data = {
        "action_keys": keys if keys is not None else ",".join(a.key for a in actions),
        "held_on": parts(date.today()),
        "family_view": "Things are better at home",
        "family_score": "6",
        "practitioner_score": "5",
        "decision": decision,
        "version": str(meeting.version_id),
        "next_review_on": parts(date.today() + timedelta(days=42)),
        "confirm_date": "yes",  # scheduled for tomorrow, held today
    }
    for p in meeting.participants:
        data[f"attendance_{p.id}"] = "attended"
    for number, _action in enumerate(actions, start=1):
        data[f"progress_{number}"] = progress
        data[f"comment_{number}"] = f"Comment {number}"
    if changed:
        data["plan_changed"] = "yes"
    return data


def sign_both(client, case, lead):
    carer = case.family.carers[0]
    for signer in (f"lead:{lead.id}", f"carer:{carer.id}"):
        assert helpers.sign(client, case, signer).status_code == 302


def signed_actions(case):
    """The actions of the case's signed plan, in order."""
    return db.session.scalars(
        sa.select(PlanAction)
        .join(PlanVersion)
        .where(PlanVersion.assessment_id == case.id, PlanVersion.status == "signed")
        .order_by(PlanAction.position)
    ).all()


def hold_meeting(client, case, meeting):
    """Record ``meeting`` (scheduled for tomorrow) as held today, everyone invited there, a review in 30 days."""
    record = {
        "held_on": parts(date.today()),
        "next_review_on": parts(date.today() + timedelta(days=30)),
        "notes": "Good meeting",
        "version": str(meeting.version_id),
        "confirm_date": "yes",  # scheduled for tomorrow, held today
    }
    for p in meeting.participants:
        record[f"attendance_{p.id}"] = "attended"
    response = client.post(f"/assessments/{case.ref}/meetings/{meeting.id}/record", data=record)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_the_full_taf_cycle(client, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    carer = case.family.carers[0]
    signed_in(lead)

    # The TAF meeting: scheduled, then held.
    assert schedule(client, case, "taf", invite=[nurse], family=[f"carer:{carer.id}"]).status_code == 302
    assert helpers.reload(case).state == "taf_scheduled"
    hold_meeting(client, case, latest(Meeting, case))

    # Agreeing the plan before it is signed is refused with the reasons, nothing changed.
    client.post(f"/assessments/{case.ref}/transitions/agree_plan")
    assert helpers.reload(case).state == "taf_scheduled"

    # The plan: two actions, one for the nurse and one for Mum, signed by the lead and Mum.
    due = parts(date.today() + timedelta(days=20))
    for owner, need in ((f"user:{nurse.id}", "sf-health"), (f"carer:{carer.id}", "sf-education")):
        assert (
            client.post(
                f"/assessments/{case.ref}/plan/actions/new",
                data={
                    "need": need,
                    "what": f"Action for {owner}",
                    "owner": owner,
                    "due_on": due,
                    "success": "Zofia is happier",
                },
            ).status_code
            == 302
        )
    sign_both(client, case, lead)
    assert "Agree the plan on the case page" in client.get(f"/assessments/{case.ref}/plan").text
    assert client.post(f"/assessments/{case.ref}/transitions/agree_plan").status_code == 302
    assert helpers.reload(case).state == "plan_active"

    # The nurse records progress on her own action.
    signed_in(nurse)
    nurse_action = db.session.scalar(sa.select(PlanAction).where(PlanAction.owner_user_id == nurse.id))
    assert (
        client.post(
            f"/assessments/{case.ref}/plan/actions/{nurse_action.key}/progress",
            data={"progress": "on_track", "version": str(nurse_action.version_id)},
        ).status_code
        == 302
    )
    signed_in(lead)

    # First review: scheduled, then recorded with progress on both actions.
    assert schedule(client, case, "review", invite=[nurse]).status_code == 302
    assert helpers.reload(case).state == "review_scheduled"
    page = client.get(f"/assessments/{case.ref}/reviews/new")
    assert page.status_code == 200 and "Action 1:" in page.text and "Action 2:" in page.text
    meeting = latest(Meeting, case)
    actions = signed_actions(case)

    missing = review_data(meeting, actions)
    del missing["progress_2"]
    del missing["family_view"]
    response = client.post(f"/assessments/{case.ref}/reviews/new", data=missing)
    assert response.status_code == 200
    assert "Select the progress on action 2" in response.text
    assert "Enter the family&#39;s view of how things are going" in response.text
    assert helpers.count(Review) == 0

    response = client.post(f"/assessments/{case.ref}/reviews/new", data=review_data(meeting, actions))
    assert response.status_code == 302, response.text
    case = helpers.reload(case)
    assert case.state == "plan_active"
    review = latest(Review, case)
    assert review.family_score == 6 and review.practitioner_score == 5 and review.decision == "continue"
    assert db.session.get(Meeting, meeting.id).status == "held"
    assert helpers.count(ActionUpdate) == 3  # the nurse's own update and two at the review

    # Second review: the plan changed, so a new version is signed before the review is recorded.
    assert schedule(client, case, "review", invite=[nurse]).status_code == 302
    meeting = latest(Meeting, case)
    data = review_data(meeting, actions, changed=True)
    response = client.post(f"/assessments/{case.ref}/reviews/new", data=data)
    assert response.status_code == 200
    assert "sign the revised plan" in response.text
    assert helpers.reload(case).state == "review_scheduled"

    assert client.post(f"/assessments/{case.ref}/plan/change").status_code == 302
    assert (
        client.post(
            f"/assessments/{case.ref}/plan/actions/new",
            data={
                "need": "sf-health",
                "what": "A new action",
                "owner": f"user:{lead.id}",
                "due_on": due,
                "success": "Done",
            },
        ).status_code
        == 302
    )
    sign_both(client, case, lead)
    page = client.get(f"/assessments/{case.ref}/reviews/new")
    count = len(re.findall(r'name="progress_\d+"', page.text)) // 5
    assert count == 3  # the two reviewed actions and the new one, all open
    meeting = latest(Meeting, case)
    data = review_data(meeting, range(count), changed=True, decision="continue", keys=keys_on(page))
    response = client.post(f"/assessments/{case.ref}/reviews/new", data=data)
    assert response.status_code == 302, response.text
    assert helpers.reload(case).state == "plan_active"
    assert latest(Review, case).plan_changed

    # The reviews page shows the scaling over time.
    reviews_page = client.get(f"/assessments/{case.ref}/reviews")
    assert reviews_page.status_code == 200
    assert "Review 1" in reviews_page.text and "Review 2" in reviews_page.text and "<svg" in reviews_page.text
    assert "style=" not in reviews_page.text

    # Third review decides to close: the user is sent to the closure page.
    assert schedule(client, case, "review", invite=[nurse]).status_code == 302
    meeting = latest(Meeting, case)
    page = client.get(f"/assessments/{case.ref}/reviews/new")
    count = len(re.findall(r'name="progress_\d+"', page.text)) // 5
    data = review_data(meeting, range(count), decision="close", progress="done", keys=keys_on(page))
    del data["next_review_on"]
    response = client.post(f"/assessments/{case.ref}/reviews/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{case.ref}/close")

    transitions = db.session.scalars(
        sa.select(AuditEvent.detail)
        .where(AuditEvent.assessment_id == case.id, AuditEvent.action == "transition", AuditEvent.outcome == "success")
        .order_by(AuditEvent.seq)
    ).all()
    assert [t["trigger"] for t in transitions] == [
        "schedule_taf",
        "agree_plan",
        "schedule_review",
        "record_review",
        "schedule_review",
        "record_review",
        "schedule_review",
        "record_review",
    ]


def test_a_review_can_only_be_recorded_when_one_is_scheduled(client, signed_in, lead):
    case = helpers.assessed_case(lead, state="plan_active")
    signed_in(lead)
    assert client.get(f"/assessments/{case.ref}/reviews/new").status_code == 409
    assert client.post(f"/assessments/{case.ref}/reviews/new", data={}).status_code == 409
    assert client.get(f"/assessments/{case.ref}/reviews").status_code == 200


def test_bad_review_input_is_kept_and_never_a_500(client, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.plan(case, lead, actions=1, status="signed")
    signed_in(lead)
    assert schedule(client, case, "review", invite=[lead]).status_code == 302
    meeting = latest(Meeting, case)
    page = client.get(f"/assessments/{case.ref}/reviews/new")
    data = review_data(meeting, [1], keys=keys_on(page))
    data.update(
        {
            "family_view": "v" * 50000,
            "family_score": "11",
            "practitioner_score": "-1",
            "held_on": ["31", "13", "2026"],
            "decision": "party",
            "state": "closed",
        }
    )
    response = client.post(f"/assessments/{case.ref}/reviews/new", data=data)
    assert response.status_code == 200
    assert "must be 5000 characters or fewer" in response.text
    assert "Select a number from 0 to 10" in response.text
    assert "must be a real date" in response.text
    assert helpers.count(Review) == 0 and helpers.reload(case).state == "review_scheduled"


def test_a_review_of_actions_that_changed_since_the_page_was_drawn_is_a_conflict(client, signed_in, lead, health):
    case = helpers.assessed_case(lead, [health], state="plan_active")
    version = helpers.plan(case, lead, actions=2, status="signed")
    signed_in(lead)
    assert schedule(client, case, "review", invite=[lead]).status_code == 302
    meeting = latest(Meeting, case)
    page = client.get(f"/assessments/{case.ref}/reviews/new")
    data = review_data(meeting, [1, 2], keys=keys_on(page))
    data["family_view"] = "Our words, kept"
    # Meanwhile the first action is marked done by its owner, so the review now asks about one action only.
    first = version.actions[0]
    assert (
        client.post(
            f"/assessments/{case.ref}/plan/actions/{first.key}/progress",
            data={"progress": "done", "version": str(first.version_id)},
        ).status_code
        == 302
    )
    response = client.post(f"/assessments/{case.ref}/reviews/new", data=data)
    assert response.status_code == 409
    assert "Our words, kept" in response.text
    assert helpers.count(Review) == 0
