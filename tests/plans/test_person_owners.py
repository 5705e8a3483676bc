"""People on the case without an account own actions and sign the plan, through the pages: a case whose TAF has
four members from four agencies, plus the grandmother and the GP (no account). "Who will do it?" offers every one
of them; the lead records the grandmother's progress (a TAF member who does not own it may not); the grandmother
signs the agreed plan later, verbally by phone, without changing its digest; the PDF prints her action and
signature."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import CasePerson
from eha.models.plans import ActionUpdate, PlanAction, PlanSignature, PlanVersion
from eha.pdf.digest import plan_digest
from tests import factories
from tests.documents.helpers import pdf_text, squash
from tests.plans import helpers

GRAN = "Maria Nowak"
GRAN_LABEL = "Maria Nowak (maternal grandmother)"
GP_LABEL = "Dr Patel (GP, Riverside Surgery)"


@pytest.fixture
def team(app, nurse, health):
    """Four TAF members from four agencies (health, police, housing, the voluntary sector)."""
    police = factories.agency(name="Northshire Police", kind="police")
    housing = factories.agency(name="Northtown Homes", kind="housing")
    voluntary = factories.agency(name="Family Action", kind="voluntary")
    return [
        nurse,
        factories.user(agency=police, name="Pat Police"),
        factories.user(agency=housing, name="Hal Housing"),
        factories.user(agency=voluntary, name="Val Voluntary"),
    ]


def _add_person(client_request, case, **fields):
    data = {"organisation": "", "email": "", "phone": "", "communication_needs": "", "interpreter_language": ""}
    client_request.post(f"/assessments/{case.ref}/people/new", data={**data, **fields})
    client_request.get(f"/assessments/{case.ref}/people")  # the page the user lands on (takes the flash)


@pytest.fixture
def case(app, client_request, signed_in, lead, team):
    """A case at its TAF meeting, the family agreeing to every agency, the team in the TAF; the lead has put the
    grandmother and the GP on the case through the people page."""
    agencies = [user.agency for user in team]
    case = helpers.assessed_case(lead, agencies=agencies, state="taf_scheduled")
    for user in team:
        helpers.member(case, user)
    signed_in(lead)
    _add_person(client_request, case, kind="network", name=GRAN, role="Maternal grandmother")
    _add_person(client_request, case, kind="professional", name="Dr Patel", role="GP", organisation="Riverside Surgery")
    return helpers.reload(case)


def person(case, name):
    db.session.expire_all()
    return db.session.scalar(sa.select(CasePerson).where(CasePerson.assessment_id == case.id, CasePerson.name == name))


def owner_choices(page):
    return {
        i.get("value"): " ".join(page.one(f"label[for={i.get('id')}]").text_content().split())
        for i in page.select("input[name=owner]")
    }


def add_action(client_request, case, owner, what, expected_status=302):
    due = date.today() + timedelta(days=21)
    response = client_request.post(
        f"/assessments/{case.ref}/plan/actions/new",
        data={
            "need": helpers.NEEDS[0],
            "what": what,
            "owner": owner,
            **helpers.date_parts("due_on", due),
            "success": "Zofia is at school on time",
        },
        expected_status=expected_status,
    )
    if expected_status == 302:
        client_request.get(f"/assessments/{case.ref}/plan")
    return response


def value_for(choices, label):
    [value] = [v for v, text in choices.items() if text == label]
    return value


def test_who_will_do_it_offers_the_whole_team_the_family_and_the_people_without_an_account(
    client_request, lead, team, case
):
    page = client_request.get(f"/assessments/{case.ref}/plan/actions/new")
    choices = owner_choices(page)
    assert sorted(choices.values()) == sorted(
        [
            "Lena Lead (Northtown Primary School)",
            "Nia Nurse (Northshire Health Visiting)",
            "Pat Police (Northshire Police)",
            "Hal Housing (Northtown Homes)",
            "Val Voluntary (Family Action)",
            "Family: Agnieszka Nowak",
            "Family: Zofia Nowak",
            GRAN_LABEL,
            GP_LABEL,
        ]
    )

    for n, value in enumerate(choices):
        add_action(client_request, case, value, f"Action {n} for {choices[value]}")

    db.session.expire_all()
    actions = db.session.scalars(sa.select(PlanAction).order_by(PlanAction.position)).all()
    assert [a.what for a in actions] == [f"Action {n} for {label}" for n, label in enumerate(choices.values())]
    owners = {a.what.split(" for ", 1)[1]: a for a in actions}
    for user in (lead, *team):
        assert owners[f"{user.name} ({user.agency.name})"].owner_user_id == user.id
    gran, gp = person(case, GRAN), person(case, "Dr Patel")
    assert owners[GRAN_LABEL].owner_person_id == gran.id and owners[GRAN_LABEL].owner_name == GRAN
    assert owners[GP_LABEL].owner_person_id == gp.id and owners[GP_LABEL].owner_user_id is None

    # The plan's "Who" column names each of them; the grandmother and the GP with their role.
    plan = client_request.get(f"/assessments/{case.ref}/plan")
    who = [row.xpath("./td")[2].text_content().strip() for row in plan.select("table tbody tr")]
    assert GRAN_LABEL in who and GP_LABEL in who and "Family: Agnieszka Nowak" in who and "Pat Police" in who


def test_a_forged_owner_is_refused(client_request, case):
    page = add_action(client_request, case, "person:999999", "Forged", expected_status=200)
    assert page.errors() == ["Select an option from the list"]
    assert helpers.count(PlanAction) == 0


def test_someone_taken_off_the_case_keeps_their_action_but_is_not_offered_for_new_ones(client_request, case):
    gran = person(case, GRAN)
    add_action(client_request, case, f"person:{gran.id}", "School run on Mondays")
    people = client_request.get(f"/assessments/{case.ref}/people")
    [form] = [f for f in people.select("#current-people form") if f.get("action").endswith(f"/{gran.id}/remove")]
    version = form.xpath(".//input[@name='version']")[0].get("value")
    confirm = client_request.post(form.get("action"), data={"version": version}, expected_status=200)
    assert confirm.words("#open-actions li")[0].startswith("School run on Mondays")
    client_request.post(form.get("action"), data={"version": version, "confirm": "yes"})

    choices = owner_choices(client_request.get(f"/assessments/{case.ref}/plan/actions/new"))
    assert GRAN_LABEL not in choices.values() and GP_LABEL in choices.values()
    plan = client_request.get(f"/assessments/{case.ref}/plan")
    assert GRAN_LABEL in plan.text and "Needs a new owner: no longer on the case" in plan.text
    # Changing her action's wording keeps her as its owner.
    [action] = db.session.scalars(sa.select(PlanAction)).all()
    edit_url = f"/assessments/{case.ref}/plan/actions/{action.key}/edit"
    edit = client_request.get(edit_url)
    assert edit.one("input[name=owner][checked]").get("value") == f"person:{gran.id}"
    due = action.due_on
    client_request.post(
        edit_url,
        data={
            "need": action.need_code,
            "what": "School run on Mondays and Wednesdays",
            "owner": f"person:{gran.id}",
            **helpers.date_parts("due_on", due),
            "success": action.success_measure,
            "version": helpers.version_on(edit.response, edit_url),
        },
    )
    db.session.expire_all()
    action = db.session.get(PlanAction, action.id)
    assert action.what == "School run on Mondays and Wednesdays" and action.owner_person_id == gran.id


def _signed_plan_with_gran_action(client_request, case, lead):
    """The grandmother owns an action; the lead and the mother sign: version 1 is signed (frozen)."""
    gran = person(case, GRAN)
    add_action(client_request, case, f"person:{gran.id}", "Take Zofia to school on Mondays")
    carer = case.family.carers[0]
    helpers.sign(client_request.client, case, f"lead:{lead.id}")
    helpers.sign(client_request.client, case, f"carer:{carer.id}", method="on_paper")
    page = client_request.get(f"/assessments/{case.ref}/plan")
    assert "Version 1: Signed" in page.text
    return gran, page.one("code").text_content()


def test_the_lead_records_the_grandmother_s_progress_and_a_taf_member_may_not(
    client_request, signed_in, lead, nurse, case
):
    _gran, _digest = _signed_plan_with_gran_action(client_request, case, lead)
    [action] = db.session.scalars(sa.select(PlanAction)).all()
    url = f"/assessments/{case.ref}/plan/actions/{action.key}/progress"
    plan = client_request.get(f"/assessments/{case.ref}/plan")
    assert url in [a.get("href") for a in plan.select("a")]
    page = client_request.get(url)
    assert GRAN_LABEL in page.text
    comment = "Gran says Mondays are fine."
    client_request.post(
        url, data={"progress": "on_track", "comment": comment, "version": helpers.version_on(page.response)}
    )
    plan = client_request.get(f"/assessments/{case.ref}/plan")
    assert "On track" in plan.text and "Gran says Mondays are fine." in plan.text
    [update] = db.session.scalars(sa.select(ActionUpdate)).all()
    assert update.by_id == lead.id and update.progress == "on_track"

    # The nurse is in the TAF but does not own the action: she sees the plan, without the link, and is refused.
    signed_in(nurse)
    plan = client_request.get(f"/assessments/{case.ref}/plan")
    assert url not in [a.get("href") for a in plan.select("a")]
    client_request.get(url, expected_status=403)
    client_request.post(url, data={"progress": "done", "version": str(action.version_id)}, expected_status=403)
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).progress == "on_track"


def others(page):
    return [" ".join(li.text_content().split()) for li in page.select("#others-may-sign li")]


def not_signed(page):
    return [" ".join(li.text_content().split()).split(":")[0] for li in page.select("#not-signed li")]


def test_the_grandmother_alone_with_the_lead_does_not_agree_the_plan(client_request, lead, case):
    gran = person(case, GRAN)
    add_action(client_request, case, f"person:{gran.id}", "School run")
    helpers.sign(client_request.client, case, f"lead:{lead.id}")
    helpers.sign(client_request.client, case, f"person:{gran.id}", method="by_phone")
    page = client_request.get(f"/assessments/{case.ref}/plan")
    assert "Version 1: Draft" in page.text
    assert "Agnieszka Nowak, mother" in not_signed(page)
    assert others(page) == [f"{GP_LABEL}: Record Dr Patel's signature"]
    [signature] = db.session.scalars(sa.select(PlanSignature).where(PlanSignature.person_id == gran.id)).all()
    assert signature.signer_kind == "network" and signature.method == "by_phone"
    assert signature.role == "Maternal grandmother"


def test_the_grandmother_signs_the_agreed_plan_by_phone_and_the_digest_does_not_change(app, client_request, lead, case):
    gran, digest = _signed_plan_with_gran_action(client_request, case, lead)
    page = client_request.get(f"/assessments/{case.ref}/plan")
    # The people without an account may sign, but are not listed as missing.
    assert GRAN not in " ".join(not_signed(page)) and "Dr Patel" not in " ".join(not_signed(page))
    assert others(page) == [f"{GRAN_LABEL}: Record {GRAN}'s signature", f"{GP_LABEL}: Record Dr Patel's signature"]

    sign_page = client_request.get(f"/assessments/{case.ref}/plan/sign?signer=person:{gran.id}")
    assert sign_page.one("input[name=name]").get("value") == GRAN
    assert sign_page.one("input[name=role]").get("value") == "Maternal grandmother"
    assert "Verbally by phone" in sign_page.words("input[name=method] + label")
    helpers.sign(client_request.client, case, f"person:{gran.id}", method="by_phone")

    page = client_request.get(f"/assessments/{case.ref}/plan")
    assert page.one("code").text_content() == digest and "Version 1: Signed" in page.text
    signed = dict(zip(page.words("#signed dt"), page.words("#signed dd"), strict=True))
    assert signed[GRAN].endswith("(verbally by phone) (signed after the plan was agreed)")
    assert others(page) == [f"{GP_LABEL}: Record Dr Patel's signature"]
    db.session.expire_all()
    version = db.session.scalars(sa.select(PlanVersion)).one()
    assert version.digest == digest and plan_digest(version.signed_content) == digest
    assert [s.person_id for s in version.signatures] == [None, None, gran.id]
    # Signing her again is refused with a message.
    again = helpers.sign(client_request.client, case, f"person:{gran.id}", method="by_phone")
    assert again.status_code == 200 and f"{GRAN} has already signed this version of the plan" in again.get_data(
        as_text=True
    )

    # The PDF prints her action and her later signature, with the same digest.
    pdf = client_request.client.get(f"/assessments/{case.ref}/plan.pdf?version=1&lang=en")
    assert pdf.status_code == 200
    text = squash(pdf_text(pdf.data))
    assert squash("Take Zofia to school on Mondays") in text
    assert text.count(squash(GRAN)) >= 2  # the action's owner and the signature
    assert squash("Verbally by phone") in text and squash("Signed after the plan was agreed") in text
    assert digest in text


def test_a_new_version_keeps_the_grandmother_as_the_owner(client_request, lead, case):
    gran, _digest = _signed_plan_with_gran_action(client_request, case, lead)
    client_request.post(f"/assessments/{case.ref}/plan/change")
    db.session.expire_all()
    draft = db.session.scalars(sa.select(PlanVersion).where(PlanVersion.number == 2)).one()
    assert [a.owner_person_id for a in draft.actions] == [gran.id]
    assert GRAN_LABEL in client_request.get(f"/assessments/{case.ref}/plan").text
