"""The plan: actions on drafts only, the short-plan warning, signatures, freezing with a digest, new versions,
progress on actions by their owners."""

from datetime import date, timedelta

import sqlalchemy as sa

from eha.extensions import db
from eha.models.plans import ActionUpdate, PlanAction, PlanSignature, PlanVersion
from eha.pdf.digest import plan_digest, signed_plan_content
from eha.services import plans as service
from tests import factories
from tests.plans import helpers


def action_data(case, owner, *, what="Walk Zofia to school", need="sf-education", when=None):
    when = when or date.today() + timedelta(days=14)
    return {
        "need": need,
        "what": what,
        "owner": owner,
        "due_on": [str(when.day), str(when.month), str(when.year)],
        "success": "Zofia is in school every day",
    }


def sign_data(signer, *, name="", role="", on=None, method="on_screen"):
    on = on or date.today()
    return {
        "signer": signer,
        "name": name,
        "role": role,
        "signed_on": [str(on.day), str(on.month), str(on.year)],
        "method": method,
    }


def versions(case):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(PlanVersion).where(PlanVersion.assessment_id == case.id).order_by(PlanVersion.number)
    ).all()


def test_the_lead_adds_changes_and_removes_actions_on_a_draft(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    page = client.get(f"/assessments/{case.ref}/plan")
    assert page.status_code == 200 and "There is no plan yet" in page.text
    form = client.get(f"/assessments/{case.ref}/plan/actions/new")
    assert "Getting a good education" in form.text and "Family: Agnieszka Nowak" in form.text
    carer = case.family.carers[0]
    response = client.post(
        f"/assessments/{case.ref}/plan/actions/new",
        data=action_data(case, f"carer:{carer.id}", what="Mum walks Zofia to school"),
    )
    assert response.status_code == 302
    client.post(
        f"/assessments/{case.ref}/plan/actions/new",
        data=action_data(case, f"user:{lead.id}", need="sf-health", what="GP visit"),
    )
    [version] = versions(case)
    assert version.number == 1 and version.status == "draft" and len(version.actions) == 2
    family_action, lead_action = version.actions
    assert family_action.is_family and family_action.owner_carer_id == carer.id
    plan_page = client.get(f"/assessments/{case.ref}/plan")
    assert "Family: Agnieszka Nowak" in plan_page.text and "Improved mental and physical health" in plan_page.text

    edit = action_data(case, f"user:{lead.id}", what="Lena phones the GP")
    edit["version"] = str(lead_action.version_id)
    assert client.post(f"/assessments/{case.ref}/plan/actions/{lead_action.key}/edit", data=edit).status_code == 302
    assert db.session.get(PlanAction, lead_action.id).what == "Lena phones the GP"

    delete = f"/assessments/{case.ref}/plan/actions/{family_action.key}/delete"
    version = helpers.version_on(client.get(f"/assessments/{case.ref}/plan"), delete)
    assert client.post(delete, data={"version": version}).status_code == 302
    [version] = versions(case)
    assert [a.what for a in version.actions] == ["Lena phones the GP"] and version.actions[0].position == 1


def test_an_action_needs_what_who_when_and_how_we_will_know(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    response = client.post(
        f"/assessments/{case.ref}/plan/actions/new",
        data={"what": "x" * 50000, "due_on": ["30", "2", "2026"], "success": ""},
    )
    assert response.status_code == 200
    text = response.text
    assert "What will be done must be 1000 characters or fewer" in text
    assert "Select who will do it" in text
    assert "must be a real date" in text
    assert "Enter how we will know it worked" in text
    assert "Select the need this action addresses" in text
    assert helpers.count(PlanAction) == 0


def test_forged_owner_and_fields_are_ignored(client, signed_in, lead, nurse):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    # nurse is not in the TAF: cannot own an action
    response = client.post(f"/assessments/{case.ref}/plan/actions/new", data=action_data(case, f"user:{nurse.id}"))
    assert response.status_code == 200 and "Select an option from the list" in response.text
    data = action_data(case, f"user:{lead.id}")
    data.update(
        {
            "key": "forged",
            "position": "99",
            "progress": "done",
            "plan_version_id": "999",
            "number": "7",
            "status": "signed",
            "state": "closed",
            "lead_id": str(nurse.id),
        }
    )
    assert client.post(f"/assessments/{case.ref}/plan/actions/new", data=data).status_code == 302
    [version] = versions(case)
    action = version.actions[0]
    assert version.number == 1 and version.status == "draft"
    assert action.key != "forged" and action.position == 1 and action.progress is None
    assert helpers.reload(case).state == "assessed" and helpers.reload(case).lead_id == lead.id


def test_more_than_eight_actions_draws_a_warning(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    helpers.plan(case, lead, actions=8)
    signed_in(lead)
    assert "Plans work best when they are short" not in client.get(f"/assessments/{case.ref}/plan").text
    client.post(f"/assessments/{case.ref}/plan/actions/new", data=action_data(case, f"user:{lead.id}"))
    assert "Plans work best when they are short" in client.get(f"/assessments/{case.ref}/plan").text


def test_signing_freezes_the_plan_with_a_deterministic_digest(client, signed_in, lead):
    case = helpers.assessed_case(lead, state="taf_scheduled")
    helpers.plan(case, lead, actions=2)
    carer = case.family.carers[0]
    signed_in(lead)
    assert client.get(f"/assessments/{case.ref}/plan/sign").status_code == 200
    link = f"/assessments/{case.ref}/plan/sign?signer=carer:{carer.id}"
    assert link in client.get(f"/assessments/{case.ref}/plan").text
    prefilled = client.get(link).text
    assert 'value="Agnieszka Nowak"' in prefilled and 'value="Mother"' in prefilled
    response = helpers.sign(client, case, f"lead:{lead.id}")
    assert response.status_code == 302
    [version] = versions(case)
    assert version.status == "draft" and version.signatures[0].name == "Lena Lead"
    assert version.signatures[0].role == "Lead professional"

    future = date.today() + timedelta(days=2)
    response = helpers.sign(client, case, f"carer:{carer.id}", on=future)
    assert response.status_code == 200 and "Date signed must be today or in the past" in response.text
    response = helpers.sign(client, case, f"lead:{lead.id}")
    assert "Lena Lead has already signed this version of the plan" in response.text

    response = helpers.sign(client, case, f"carer:{carer.id}", name="Aga Nowak", method="on_paper")
    assert response.status_code == 302
    [version] = versions(case)
    assert version.status == "signed" and version.signed_at is not None
    assert len(version.digest) == 64
    assert plan_digest(version.signed_content) == version.digest
    content = version.signed_content
    assert content["reference"] == case.ref and content["version"] == 1
    assert [s["name"] for s in content["signatures"]] == ["Lena Lead", "Aga Nowak"]
    assert [a["what"] for a in content["actions"]] == ["Action 1", "Action 2"]
    assert content["needs"][:2] == ["Getting a good education", "Improved mental and physical health"]
    # Built again from the same records, the content gives the same digest.
    again = service.build_document(helpers.reload(case), version)
    assert plan_digest(signed_plan_content(again)) == version.digest

    # The printed copy is rebuilt from exactly what was signed, and re-digests to the stored digest.
    printed = service.document_from_content(version, organisation="O", service_name="S", front_door="F")
    assert plan_digest(signed_plan_content(printed)) == version.digest
    pdf = client.get(f"/assessments/{case.ref}/plan.pdf?version=1")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    page = client.get(f"/assessments/{case.ref}/plan")
    assert "The plan is signed." in page.text and "Agree the plan on the case page" in page.text
    assert f'href="/assessments/{case.ref}"' in page.text
    # A signed version cannot be changed.
    action = version.actions[0]
    assert (
        client.post(
            f"/assessments/{case.ref}/plan/actions/{action.key}/edit", data=action_data(case, f"user:{lead.id}")
        ).status_code
        == 409
    )
    assert client.post(f"/assessments/{case.ref}/plan/actions/{action.key}/delete").status_code == 409
    assert (
        client.post(f"/assessments/{case.ref}/plan/actions/new", data=action_data(case, f"user:{lead.id}")).status_code
        == 409
    )
    assert client.post(f"/assessments/{case.ref}/plan/sign", data=sign_data(f"lead:{lead.id}")).status_code == 409
    assert len(versions(case)[0].actions) == 2


def test_changing_a_signed_plan_makes_a_new_draft_and_the_old_keeps_its_digest(client, signed_in, lead):
    case = helpers.assessed_case(lead, state="plan_active")
    first = helpers.plan(case, lead, actions=2, status="signed")
    digest, content = first.digest, dict(first.signed_content)
    signed_in(lead)
    assert client.post(f"/assessments/{case.ref}/plan/change").status_code == 302
    assert client.post(f"/assessments/{case.ref}/plan/change").status_code == 409  # already a draft
    old, new = versions(case)
    assert new.number == 2 and new.status == "draft"
    assert [a.key for a in new.actions] == [a.key for a in old.actions]
    key = new.actions[0].key
    data = action_data(case, f"user:{lead.id}", what="A changed first action")
    data["version"] = str(new.actions[0].version_id)
    assert client.post(f"/assessments/{case.ref}/plan/actions/{key}/edit", data=data).status_code == 302
    carer = case.family.carers[0]
    assert helpers.sign(client, case, f"lead:{lead.id}").status_code == 302
    assert helpers.sign(client, case, f"carer:{carer.id}").status_code == 302
    old, new = versions(case)
    assert old.status == "superseded" and old.digest == digest and old.signed_content == content
    assert old.actions[0].what == "Action 1"
    assert new.status == "signed" and new.digest != digest
    assert new.signed_content["actions"][0]["what"] == "A changed first action"


def test_changing_a_draft_after_a_signature_removes_it(client, signed_in, lead):
    case = helpers.assessed_case(lead, state="taf_scheduled")
    helpers.plan(case, lead, actions=1)
    signed_in(lead)
    assert helpers.sign(client, case, f"lead:{lead.id}").status_code == 302
    assert helpers.count(PlanSignature) == 1
    client.post(f"/assessments/{case.ref}/plan/actions/new", data=action_data(case, f"user:{lead.id}"))
    assert helpers.count(PlanSignature) == 0


def test_a_stale_action_edit_shows_a_conflict_keeping_input(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    version = helpers.plan(case, lead, actions=1)
    action = version.actions[0]
    signed_in(lead)
    stale = str(action.version_id)
    first = action_data(case, f"user:{lead.id}", what="Someone else's change")
    first["version"] = stale
    assert client.post(f"/assessments/{case.ref}/plan/actions/{action.key}/edit", data=first).status_code == 302
    mine = action_data(case, f"user:{lead.id}", what="My own careful wording")
    mine["version"] = stale
    response = client.post(f"/assessments/{case.ref}/plan/actions/{action.key}/edit", data=mine)
    assert response.status_code == 409
    assert "Someone else has changed this action" in response.text
    assert "My own careful wording" in response.text and "Someone else&#39;s change" in response.text
    assert db.session.get(PlanAction, action.id).what == "Someone else's change"


def test_taf_members_update_only_the_actions_they_own(client, signed_in, lead, nurse, health):
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.member(case, nurse)
    version = helpers.plan(case, lead, owners=[nurse, lead], actions=2, status="signed")
    mine, theirs = version.actions
    other = helpers.other_case(lead)
    other_version = helpers.plan(other, lead, actions=1, status="signed")
    signed_in(nurse)
    assert client.get(f"/assessments/{case.ref}/plan").status_code == 200
    url = f"/assessments/{case.ref}/plan/actions/{mine.key}/progress"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"progress": "on_track", "comment": "Seen twice", "version": str(mine.version_id)})
    assert response.status_code == 302
    db.session.expire_all()
    action = db.session.get(PlanAction, mine.id)
    assert action.progress == "on_track" and action.progress_comment == "Seen twice"
    update = db.session.scalar(sa.select(ActionUpdate))
    assert update.action_key == mine.key and update.by_id == nurse.id

    assert client.get(f"/assessments/{case.ref}/plan/actions/{theirs.key}/progress").status_code == 403
    assert (
        client.post(
            f"/assessments/{case.ref}/plan/actions/{theirs.key}/progress", data={"progress": "done"}
        ).status_code
        == 403
    )
    other_key = other_version.actions[0].key
    assert (
        client.post(f"/assessments/{case.ref}/plan/actions/{other_key}/progress", data={"progress": "done"}).status_code
        == 404
    )
    assert (
        client.post(
            f"/assessments/{other.ref}/plan/actions/{other_key}/progress", data={"progress": "done"}
        ).status_code
        == 404
    )
    # A TAF member cannot change the plan itself.
    assert client.post(f"/assessments/{case.ref}/plan/change").status_code == 403
    assert helpers.count(ActionUpdate) == 1


def test_progress_needs_a_choice_and_a_stale_update_conflicts(client, signed_in, lead):
    case = helpers.assessed_case(lead, state="plan_active")
    version = helpers.plan(case, lead, actions=1, status="signed")
    action = version.actions[0]
    signed_in(lead)
    url = f"/assessments/{case.ref}/plan/actions/{action.key}/progress"
    response = client.post(url, data={"progress": "", "comment": "y" * 50000, "version": str(action.version_id)})
    assert response.status_code == 200
    assert "Select how this action is going" in response.text and "2000 characters or fewer" in response.text
    response = client.post(url, data={"progress": "finished!", "comment": "", "version": str(action.version_id)})
    assert "Select an option from the list" in response.text
    stale = str(action.version_id)
    assert client.post(url, data={"progress": "on_track", "version": stale}).status_code == 302
    response = client.post(url, data={"progress": "done", "comment": "My note", "version": stale})
    assert response.status_code == 409 and "My note" in response.text
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).progress == "on_track"


def test_a_manager_can_manage_the_plan_and_others_cannot_see_it(client, signed_in, lead, manager):
    case = helpers.assessed_case(lead)
    stranger = factories.user(name="Sam Stranger")
    signed_in(stranger)
    assert client.get(f"/assessments/{case.ref}/plan").status_code == 404
    assert client.post(f"/assessments/{case.ref}/plan/actions/new", data={}).status_code == 404
    signed_in(manager)
    assert (
        client.post(f"/assessments/{case.ref}/plan/actions/new", data=action_data(case, f"user:{lead.id}")).status_code
        == 302
    )


def test_viewing_the_plan_writes_exactly_one_audit_event(client, signed_in, lead):
    from eha.models.audit import AuditEvent

    case = helpers.assessed_case(lead)
    helpers.plan(case, lead, actions=2)
    signed_in(lead)
    before = helpers.count(AuditEvent)
    client.get(f"/assessments/{case.ref}/plan")
    assert helpers.count(AuditEvent) == before + 1
