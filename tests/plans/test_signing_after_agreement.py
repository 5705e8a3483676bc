"""Signing the signed plan: once the lead and a parent have signed, the version is frozen with its digest; the
other parent, the young person and TAF members can still sign it, from the plan page's "Record … signature"
links, without changing what was signed or its digest."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.families import Carer
from eha.models.plans import PlanSignature, PlanVersion
from eha.pdf.digest import plan_digest
from tests import factories
from tests.documents.helpers import pdf_text, squash
from tests.plans import helpers

FATHER = "Tomasz Nowak"


@pytest.fixture
def case(app, lead, nurse, health):
    """A case at its TAF meeting with a draft plan; the family has a mother and a father; the nurse is in the TAF."""
    case = helpers.assessed_case(lead, agencies=(health,), state="taf_scheduled")
    db.session.add(Carer(family_id=case.family_id, name=FATHER, relationship_to_child="Father"))
    db.session.commit()
    helpers.member(case, nurse)
    helpers.plan(case, lead, actions=2)
    return helpers.reload(case)


def plan_url(case):
    return f"/assessments/{case.ref}/plan"


def record_link(page, name):
    """The href of the plan page's "Record <name>'s signature" link."""
    [link] = [
        a for a in page.select("#not-signed a") if " ".join(a.text_content().split()) == f"Record {name}'s signature"
    ]
    return link.get("href")


def form_data(page, **changes):
    """What the browser sends from the signature page as opened, with ``changes`` made by the user."""
    [form] = [f for f in page.select("form[method=post]") if "/plan/sign" in f.get("action")]
    data = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@type='hidden' or @type='text']")}
    data = {k: v for k, v in data.items() if not k.startswith("signed_on")}
    data.update({i.get("name"): i.get("value") for i in form.xpath(".//input[@type='radio'][@checked]")})
    today = date.today()
    data.update({"signed_on": [str(today.day), str(today.month), str(today.year)], "method": "on_paper"})
    data.update(changes)
    return data


def sign_from_plan_page(client_request, case, name, expected_status=302, **changes):
    """Follow the plan page's "Record <name>'s signature" link and send the signature page as filled in."""
    link = record_link(client_request.get(plan_url(case)), name)
    page = client_request.get(link)
    return client_request.post(link, data=form_data(page, **changes), expected_status=expected_status)


def digest_on(page):
    return page.one("code").text_content()


def signed_names(page):
    return [" ".join(dt.text_content().split()) for dt in page.select("#signed .govuk-summary-list__key")]


def not_signed(page):
    return [" ".join(li.text_content().split()) for li in page.select("#not-signed li")]


def the_version(case):
    db.session.expire_all()
    return db.session.scalars(sa.select(PlanVersion).where(PlanVersion.assessment_id == case.id)).one()


def last_signed_event(case):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.assessment_id == case.id, AuditEvent.action == "plan_signed")
        .order_by(AuditEvent.seq.desc())
    ).first()


def agree(client_request, case):
    """The lead and the mother sign: the version is signed and frozen. Returns its digest as the page shows it."""
    sign_from_plan_page(client_request, case, "Lena Lead")
    sign_from_plan_page(client_request, case, "Agnieszka Nowak")
    page = client_request.get(plan_url(case))
    assert "Version 1: Signed" in page.text
    return digest_on(page)


def test_the_father_signs_the_signed_plan_and_its_digest_does_not_change(app, client_request, signed_in, lead, case):
    signed_in(lead)
    digest = agree(client_request, case)
    page = client_request.get(plan_url(case))
    assert signed_names(page) == ["Lena Lead", "Agnieszka Nowak"]
    assert not_signed(page) == [
        f"{FATHER}, father: Record {FATHER}'s signature",
        "Zofia Nowak, young person: Record Zofia Nowak's signature",
        "Nia Nurse, Northshire Health Visiting: Record Nia Nurse's signature",
    ]

    sign_from_plan_page(client_request, case, FATHER)

    page = client_request.get(plan_url(case))
    assert digest_on(page) == digest and "Version 1: Signed" in page.text
    assert signed_names(page) == ["Lena Lead", "Agnieszka Nowak", FATHER]
    assert page.words("#signed .govuk-summary-list__value")[2].endswith("(signed after the plan was agreed)")
    assert "after the plan was agreed" not in page.words("#signed .govuk-summary-list__value")[1]
    assert [line.split(",")[0] for line in not_signed(page)] == ["Zofia Nowak", "Nia Nurse"]
    version = the_version(case)
    assert version.digest == digest and plan_digest(version.signed_content) == digest
    assert [s["name"] for s in version.signed_content["signatures"]] == ["Lena Lead", "Agnieszka Nowak"]
    event = last_signed_event(case)
    assert event.outcome == "success" and event.detail["version"] == 1 and event.detail["signer"] == "carer"
    assert "digest" not in event.detail and event.detail["after_signing"] is True

    # A printed copy still checks, on the page and on the command line.
    verified = client_request.post("/plans/verify", data={"digest": digest}, expected_status=200)
    assert "Yes, this is the current plan" in verified.text
    result = app.test_cli_runner().invoke(args=["plans", "verify", digest])
    assert result.exit_code == 0 and "plan version 1" in result.output and "current" in result.output

    # The PDF prints all three signatures, the later one marked, with the same digest.
    pdf = client_request.client.get(f"/assessments/{case.ref}/plan.pdf?version=1&lang=en")
    assert pdf.status_code == 200
    text = squash(pdf_text(pdf.data))
    assert all(squash(name) in text for name in ("Lena Lead", "Agnieszka Nowak", FATHER))
    assert text.index(squash("Agnieszka Nowak")) < text.index(squash("Signed after the plan was agreed"))
    assert text.index(squash("Signed after the plan was agreed")) < text.rindex(squash(FATHER))
    assert digest in text


def test_a_taf_member_and_the_young_person_sign_the_signed_plan(client_request, signed_in, lead, case):
    signed_in(lead)
    digest = agree(client_request, case)
    sign_from_plan_page(client_request, case, "Nia Nurse")
    sign_from_plan_page(client_request, case, "Zofia Nowak", method="on_screen")
    page = client_request.get(plan_url(case))
    assert signed_names(page) == ["Lena Lead", "Agnieszka Nowak", "Nia Nurse", "Zofia Nowak"]
    assert not_signed(page) == [f"{FATHER}, father: Record {FATHER}'s signature"]
    assert digest_on(page) == digest
    assert [s.signer_kind for s in the_version(case).signatures] == ["lead", "carer", "taf_member", "young_person"]
    assert last_signed_event(case).detail["signer"] == "young_person"


def test_a_team_member_who_cannot_manage_sees_who_has_not_signed_without_links(
    client_request, signed_in, lead, nurse, case
):
    signed_in(lead)
    agree(client_request, case)
    signed_in(nurse)
    page = client_request.get(plan_url(case))
    assert f"{FATHER}, father" in not_signed(page)
    assert page.select("#not-signed a") == []


def test_signing_twice_for_the_same_person_is_refused(client_request, signed_in, lead, case):
    signed_in(lead)
    agree(client_request, case)
    sign_from_plan_page(client_request, case, FATHER)
    father = next(c for c in case.family.carers if c.name == FATHER)
    link = f"/assessments/{case.ref}/plan/sign?signer=carer:{father.id}"
    page = client_request.post(link, data=form_data(client_request.get(link)), expected_status=200)
    assert page.errors() == [f"{FATHER} has already signed this version of the plan"]
    assert page.title.startswith("Error:")
    assert len(the_version(case).signatures) == 3


def test_a_signature_on_a_version_no_longer_current_is_refused(client_request, signed_in, lead, case):
    signed_in(lead)
    digest = agree(client_request, case)
    father = next(c for c in case.family.carers if c.name == FATHER)
    link = f"/assessments/{case.ref}/plan/sign?signer=carer:{father.id}"
    opened = client_request.get(link)  # opened on version 1, the signed plan
    assert opened.one("input[name=plan]").get("value") == "1"

    # Meanwhile the plan changes, and version 2 is signed: version 1 is superseded.
    client_request.post(f"/assessments/{case.ref}/plan/change")
    sign_from_plan_page(client_request, case, "Lena Lead")
    sign_from_plan_page(client_request, case, "Agnieszka Nowak")

    page = client_request.post(link, data=form_data(opened, name="Tom Nowak"), expected_status=409)
    assert page.h1 == "Someone else has changed the plan"
    assert page.one("input[name=name]").get("value") == "Tom Nowak"  # what they typed, kept
    assert page.one("input[name=plan]").get("value") == "2"  # the version to sign now
    db.session.expire_all()
    v1, v2 = db.session.scalars(
        sa.select(PlanVersion).where(PlanVersion.assessment_id == case.id).order_by(PlanVersion.number)
    ).all()
    assert v1.status == "superseded" and v1.digest == digest and len(v1.signatures) == 2
    assert v2.status == "signed" and [s.name for s in v2.signatures] == ["Lena Lead", "Agnieszka Nowak"]
    assert last_signed_event(case).detail["reason"] == "conflict"


def test_a_signature_without_the_plan_version_is_a_conflict(client_request, signed_in, lead, case):
    signed_in(lead)
    agree(client_request, case)
    link = record_link(client_request.get(plan_url(case)), FATHER)
    opened = client_request.get(link)
    for plan in (None, "", "x1", "99"):
        data = form_data(opened, plan=plan) if plan is not None else {**form_data(opened)}
        if plan is None:
            del data["plan"]
        page = client_request.post(link, data=data, expected_status=409)
        assert page.one("input[name=name]").get("value") == FATHER
    assert len(the_version(case).signatures) == 2


def test_bad_input_on_the_signed_plan_is_an_error_with_the_input_kept(client_request, signed_in, lead, case):
    signed_in(lead)
    agree(client_request, case)
    link = record_link(client_request.get(plan_url(case)), FATHER)
    opened = client_request.get(link)
    future = date.today() + timedelta(days=1)

    page = client_request.post(
        link,
        data=form_data(opened, signed_on=[str(future.day), str(future.month), str(future.year)]),
        expected_status=200,
    )
    assert page.errors() == ["Date signed must be today or in the past"]
    assert page.one("input[name=name]").get("value") == FATHER

    page = client_request.post(link, data=form_data(opened, name="T" * 50_000), expected_status=200)
    assert page.title.startswith("Error:") and len(page.errors()) == 1
    page = client_request.post(link, data=form_data(opened, role="R" * 50_000), expected_status=200)
    assert page.title.startswith("Error:") and len(page.errors()) == 1

    stranger = factories.user(role="practitioner", name="Sam Stranger")
    for forged in (f"taf:{stranger.id}", "carer:999999", "lead:0", "user:1", "carer:1 OR 1=1", "x" * 5000):
        page = client_request.post(link, data=form_data(opened, signer=forged), expected_status=200)
        assert page.title.startswith("Error:") and forged not in page.text
    page = client_request.post(link, data=form_data(opened, method="fingerprint"), expected_status=200)
    assert page.title.startswith("Error:")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanSignature)) == 2
