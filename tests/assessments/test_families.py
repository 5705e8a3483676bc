"""Changing the family's details on a case."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import AssessmentChild
from eha.models.families import Carer, Child, InvolvedAgency, NetworkMember
from tests import factories
from tests.assessments import helpers


def _version(case):
    """The family's version, as the hidden field of a page opened now carries it."""
    db.session.expire_all()
    return str(case.family.version_id)


def test_the_family_page_lists_everyone(client_request, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    page = client_request.get(f"/assessments/{case.ref}/family")
    assert page.h1 == "The family's details"
    assert {"Family name", "Zofia Nowak", "Agnieszka Nowak"} <= set(page.words("dt"))
    assert "Change Agnieszka Nowak" in page.words(".govuk-summary-list__actions a")


def test_changing_the_household(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    response = client.post(
        f"/assessments/{case.ref}/family/edit",
        data={"name": "The Nowak-Wiśniewski family", "address": "1 New Street", "version": "1", "postcode": "nt2 1aa"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert case.family.name == "The Nowak-Wiśniewski family" and case.family.postcode == "NT2 1AA"
    response = client.post(f"/assessments/{case.ref}/family/edit", data={"name": "", "version": "2"})
    assert "Enter the family name" in response.text


def test_a_stale_household_edit_is_not_saved(client_request, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    url = f"/assessments/{case.ref}/family/edit"
    client_request.post(url, data={"name": "The Nowak family", "postcode": "NT9 9ZZ", "version": "1"})
    page = client_request.post(url, data={"name": "The Nowaks", "version": "1"}, expected_status=409)
    assert page.h1 == "Someone else has changed the family's details"
    assert page.one("#name").get("value") == "The Nowaks"
    rows = [[" ".join(cell.text_content().split()) for cell in row] for row in page.select("tbody tr")]
    assert ["Family name", "The Nowak family", "The Nowaks"] in rows  # question, saved now, typed
    db.session.expire_all()
    assert case.family.name == "The Nowak family" and case.family.postcode == "NT9 9ZZ"


def test_a_child_added_to_the_family_joins_the_episode(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    response = client.post(
        f"/assessments/{case.ref}/family/children/new",
        data={
            "first_name": "Jan",
            "last_name": "Nowak",
            "date_of_birth": ["5", "1", "2019"],
            "sex": "male",
            "nhs_number": "4010232137",
            "version": _version(case),
        },
    )
    assert response.status_code == 302, response.text
    jan = db.session.scalar(sa.select(Child).where(Child.first_name == "Jan"))
    assert db.session.scalar(sa.select(AssessmentChild).where(AssessmentChild.child_id == jan.id)).is_open


def test_a_child_with_a_bad_nhs_number_is_refused_with_input_kept(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    response = client.post(
        f"/assessments/{case.ref}/family/children/new",
        data={
            "first_name": "Jan",
            "last_name": "Nowak",
            "date_of_birth": ["5", "1", "2019"],
            "sex": "male",
            "nhs_number": "4010232138",
            "version": _version(case),
        },
    )
    assert response.status_code == 200
    assert "Enter a valid NHS number" in response.text and 'value="Jan"' in response.text


def test_carers_network_and_agencies_can_be_added_and_changed(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    police = factories.agency(name="Northshire Police", kind="police")
    signed_in(practitioner)
    base = f"/assessments/{case.ref}/family"
    assert (
        client.post(
            f"{base}/carers/new",
            data={
                "name": "Piotr Nowak",
                "relationship_to_child": "Father",
                "interpreter_needed": "yes",
                "version": _version(case),
            },
        ).status_code
        == 302
    )
    carer = db.session.scalar(sa.select(Carer).where(Carer.name == "Piotr Nowak"))
    assert carer.interpreter_needed
    assert (
        client.post(
            f"{base}/carers/{carer.id}",
            data={
                "name": "Piotr Nowak",
                "relationship_to_child": "Father",
                "interpreter_needed": "no",
                "version": _version(case),
            },
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert not db.session.get(Carer, carer.id).interpreter_needed
    assert (
        client.post(
            f"{base}/network/new",
            data={
                "name": "Halina Nowak",
                "relationship_to_family": "Grandmother",
                "support_offered": "School pick-ups",
                "version": _version(case),
            },
        ).status_code
        == 302
    )
    assert db.session.scalar(sa.select(NetworkMember.name)) == "Halina Nowak"
    response = client.post(f"{base}/agencies/new", data={"version": _version(case)})
    assert "Select an agency or type the agency" in response.text
    assert (
        client.post(f"{base}/agencies/new", data={"agency_id": str(police.id), "version": _version(case)}).status_code
        == 302
    )
    assert (
        client.post(f"{base}/agencies/new", data={"agency_name": "Food bank", "version": _version(case)}).status_code
        == 302
    )
    assert set(db.session.scalars(sa.select(InvolvedAgency.agency_name))) == {"Northshire Police", "Food bank"}
    assert client.get(f"{base}/carers/99999").status_code == 404


def test_a_taf_member_cannot_change_the_family(client_request, signed_in, practitioner):
    case = helpers.case(practitioner)
    nurse = factories.user(role="practitioner", agency=factories.agency(name="Community Health", kind="health"))
    helpers.consent(case, practitioner, agencies=[nurse.agency])
    helpers.taf_member(case, nurse)
    signed_in(nurse)
    page = client_request.get(f"/assessments/{case.ref}/family")
    assert not page.select(".govuk-summary-list__actions a")
    client_request.post(f"/assessments/{case.ref}/family/edit", data={"name": "X"}, expected_status=403)
