"""Recording the family's agreement and its withdrawal, and what that does to access."""

from datetime import date, timedelta

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Consent
from tests import factories
from tests.assessments import helpers


def _form(case, **overrides):
    carer = case.family.carers[0]
    data = {
        "given_by": f"carer:{carer.id}",
        "given_on": ["3", "11", "2026"],
        "withheld": "Not to be shared with the children's father",
        "legal_basis": case.legal_basis,
        "marker": "0",
    }
    data["given_on"] = [str(date.today().day), str(date.today().month), str(date.today().year)]
    data.update(overrides)
    return data


def test_the_lead_records_agreement_naming_agencies(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    health = factories.agency(name="Community Health", kind="health")
    housing = factories.agency(name="Northshire Homes", kind="housing")
    signed_in(practitioner)
    assert "Record agreement" in client.get(f"/assessments/{case.ref}/consent").text
    response = client.post(
        f"/assessments/{case.ref}/consent", data=_form(case, agencies=[str(health.id), str(housing.id)])
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    consent = db.session.scalar(sa.select(Consent))
    assert consent.given_by_name == "Agnieszka Nowak" and consent.given_by_kind == "carer"
    assert {a.name for a in consent.agencies} == {"Community Health", "Northshire Homes"}
    assert consent.withheld == "Not to be shared with the children's father"
    page = client.get(f"/assessments/{case.ref}")
    assert "Given by Agnieszka Nowak" in page.text


def test_a_young_person_can_agree_for_themselves(client, signed_in, practitioner):
    case = helpers.case(practitioner, dob=date(2010, 3, 27))
    signed_in(practitioner)
    child = case.children[0]
    response = client.post(
        f"/assessments/{case.ref}/consent",
        data=_form(
            case,
            given_by=f"child:{child.id}",
            competence="yes",
            competence_notes="She explained back what sharing means.",
        ),
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Consent.given_by_kind)) == "young_person"


def test_agreement_needs_who_and_a_date_not_in_the_future(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    tomorrow = date.today() + timedelta(days=1)
    response = client.post(
        f"/assessments/{case.ref}/consent",
        data=_form(case, given_by="", given_on=[str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]),
    )
    assert response.status_code == 200
    assert "Select who agreed to early help" in response.text
    assert "Date agreed must be today or in the past" in response.text
    response = client.post(f"/assessments/{case.ref}/consent", data=_form(case, given_by="carer:99999"))
    assert "Select an option from the list" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 0


def test_withdrawal_ends_a_taf_members_access_and_a_new_agreement_is_a_new_record(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    nurse = factories.user(role="practitioner", agency=factories.agency(name="Community Health", kind="health"))
    consent = helpers.consent(case, practitioner, agencies=[nurse.agency])
    helpers.taf_member(case, nurse)
    signed_in(nurse)
    assert client.get(f"/assessments/{case.ref}").status_code == 200
    assert client.post(f"/assessments/{case.ref}/consent/withdraw", data={}).status_code == 403
    signed_in(practitioner)
    today = date.today()
    response = client.post(
        f"/assessments/{case.ref}/consent/withdraw",
        data={
            "withdrawn_on": [str(today.day), str(today.month), str(today.year)],
            "notes": "Mum no longer wants support",
            "marker": f"{consent.id}.1",
        },
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_recorded_by_id == practitioner.id
    signed_in(nurse)
    assert client.get(f"/assessments/{case.ref}").status_code == 404
    signed_in(practitioner)
    response = client.post(
        f"/assessments/{case.ref}/consent", data=_form(case, agencies=[str(nurse.agency_id)], marker=f"{consent.id}.2")
    )
    assert response.status_code == 302, response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 2
    signed_in(nurse)
    assert client.get(f"/assessments/{case.ref}").status_code == 200


def test_a_stale_agreement_form_is_not_saved_over_a_newer_one(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    helpers.consent(case, practitioner)
    signed_in(practitioner)
    response = client.post(f"/assessments/{case.ref}/consent", data=_form(case, marker="0"))
    assert response.status_code == 409
    assert "Someone else changed the family" in response.text
    assert "Not to be shared with the children" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 1


def test_a_taf_member_cannot_record_agreement(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    nurse = factories.user(role="practitioner", agency=factories.agency(name="Community Health", kind="health"))
    helpers.consent(case, practitioner, agencies=[nurse.agency])
    helpers.taf_member(case, nurse)
    signed_in(nurse)
    assert "Save agreement" not in client.get(f"/assessments/{case.ref}/consent").text
    assert client.post(f"/assessments/{case.ref}/consent", data=_form(case)).status_code == 403
