"""UK phone numbers, postcodes and email addresses on the family forms (issue 13 item 5): checked, GOV.UK wording,
the input kept; tidied when right. Royal Mail's postcode format rules are a function, tested here."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eha.contacts import uk_phone_number, uk_postcode
from eha.extensions import db
from eha.models.families import Carer
from tests.assessments import helpers
from tests.assessments.test_start import NEW_FAMILY, _through_safety

PHONE_ERROR = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("nt1 2ab", "NT1 2AB"),
        ("SW1A1AA", "SW1A 1AA"),
        ("ec1a 1bb", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("DN55 1PT", "DN55 1PT"),
        ("  cr2   6xh ", "CR2 6XH"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_postcodes_in_royal_mail_formats_are_accepted_and_tidied(typed, saved):
    assert uk_postcode(typed) == saved


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12345",
        "NT1",
        "NT1 2A",
        "NT1 2ABC",
        "QA1 1AA",  # Q never comes first
        "AJ1 1AA",  # J never second
        "W1I 1AA",  # I never follows the district digit in A9A
        "EC1Z 1AA",  # Z never ends an AA9A outward code
        "NT1 2CA",  # C never in the inward code
        "NT1 2AV",
        "ＮＴ1 2AB",  # full-width letters
        "NT1\x002AB",
    ],
)
def test_anything_else_is_not_a_postcode(typed):
    assert uk_postcode(typed) is None


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("07700 900123", "07700 900123"),
        ("+44 7700 900456", "07700 900456"),
        ("0161 496 0999", "0161 496 0999"),
        ("02079460000", "020 7946 0000"),
        ("0300 123 4567", "0300 123 4567"),
        ("+48 601 234 567", "+48 601 234 567"),
    ],
)
def test_phone_numbers_dialable_from_the_uk_are_accepted_and_tidied(typed, saved):
    assert uk_phone_number(typed) == saved


@pytest.mark.parametrize("typed", ["12345", "0800 123", "07700 90012", "999", "phone me", "+44", "0" * 60])
def test_anything_else_is_not_a_phone_number(typed):
    assert uk_phone_number(typed) is None


def _carer(client_request, case, expected_status=302, **fields):
    data = {"name": "Piotr Nowak", "relationship_to_child": "Father", "interpreter_needed": "no"}
    db.session.expire_all()
    data.update(fields, version=str(case.family.version_id))
    return client_request.post(f"/assessments/{case.ref}/family/carers/new", data=data, expected_status=expected_status)


def test_a_carer_s_phone_and_email_are_checked_with_the_input_kept(client_request, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    page = _carer(client_request, case, 200, phone="0161 496", email="piotr@@example")
    assert page.errors() == [PHONE_ERROR, "Enter an email address in the correct format, like name@example.com"]
    assert page.one("#phone").get("value") == "0161 496" and page.one("#email").get("value") == "piotr@@example"
    _carer(client_request, case, phone="+44 161 496 0999", email="piotr@example.org")
    saved = db.session.scalar(sa.select(Carer).where(Carer.name == "Piotr Nowak"))
    assert saved.phone == "0161 496 0999" and saved.email == "piotr@example.org"


def test_the_family_postcode_is_checked_and_tidied(client_request, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    url = f"/assessments/{case.ref}/family/edit"
    page = client_request.post(
        url, data={"name": "The Nowak family", "postcode": "NT1 2CA", "version": "1"}, expected_status=200
    )
    assert page.errors() == ["Enter a real postcode, like SW1A 1AA"] and page.one("#postcode").get("value") == "NT1 2CA"
    client_request.post(url, data={"name": "The Nowak family", "postcode": "nt12ab", "version": "1"})
    db.session.expire_all()
    assert case.family.postcode == "NT1 2AB"


def test_the_new_family_form_checks_the_carer_s_contacts_and_the_postcode(client_request, signed_in, practitioner):
    signed_in(practitioner)
    _through_safety(client_request.client)
    data = dict(NEW_FAMILY, carer_phone="12345", carer_email="not an email", postcode="Northtown")
    page = client_request.post("/assessments/new/family", data=data, expected_status=200)
    assert set(page.errors()) >= {
        PHONE_ERROR,
        "Enter an email address in the correct format, like name@example.com",
        "Enter a real postcode, like SW1A 1AA",
    }
    assert page.one("#carer_phone").get("value") == "12345"


def test_someone_without_an_account_gets_their_phone_checked(client_request, signed_in, practitioner):
    from tests.plans import helpers as plan_helpers

    case = plan_helpers.assessed_case(practitioner, state="taf_scheduled")
    signed_in(practitioner)
    data = {
        "kind": "professional",
        "name": "Dr Patel",
        "role": "GP",
        "organisation": "",
        "email": "",
        "communication_needs": "",
        "interpreter_language": "",
        "phone": "call the surgery",
    }
    page = client_request.post(f"/assessments/{case.ref}/people/new", data=data, expected_status=200)
    assert PHONE_ERROR in page.errors()


@pytest.fixture
def started(app, practitioner):
    return helpers.case(practitioner)


contact = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A\+?[0-9 ()-]{0,20}\Z"),
    st.from_regex(r"\A[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}\Z"),
    st.sampled_from(["\x00", "07700 900123", "nt1 2ab", "a@b.c", "@", "ğ" * 400]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(phone=contact, email=contact)
def test_whatever_is_typed_as_a_carer_s_contacts_is_never_a_server_error_and_only_real_ones_are_saved(
    client, signed_in, practitioner, started, phone, email
):
    case = started
    signed_in(practitioner)
    db.session.expire_all()
    data = {
        "name": "Fuzz",
        "relationship_to_child": "Aunt",
        "interpreter_needed": "no",
        "phone": phone,
        "email": email,
        "version": str(case.family.version_id),
    }
    response = client.post(f"/assessments/{case.ref}/family/carers/new", data=data)
    assert response.status_code in (200, 302), response.status_code
    for carer in db.session.scalars(sa.select(Carer).where(Carer.name == "Fuzz")):
        assert carer.phone is None or uk_phone_number(carer.phone) == carer.phone
        assert carer.email is None or "@" in carer.email


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(postcode=contact, nhs=st.one_of(st.text(max_size=15), st.sampled_from(["943 476 5919", "4010232137"])))
def test_whatever_is_typed_on_about_the_family_is_never_a_server_error(client, signed_in, practitioner, postcode, nhs):
    signed_in(practitioner)
    _through_safety(client)
    response = client.post("/assessments/new/family", data=dict(NEW_FAMILY, postcode=postcode, child_nhs_number=nhs))
    assert response.status_code in (200, 302), response.status_code
