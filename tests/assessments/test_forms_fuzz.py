"""Hostile input to the family, agreement and start-journey forms: never a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.assessments import helpers

junk = st.one_of(
    st.text(max_size=40),
    st.just("\x00"),
    st.builds(lambda n: "ğ" * n, st.integers(min_value=90, max_value=3000)),
    st.sampled_from(["31", "2", "0", "99999", "-1", "carer-1", "child-1", "carer:1", "child:1", "yes", "no", "1"]),
)
FIELDS = {
    "family": ["name", "address", "postcode", "version"],
    "children": ["first_name", "last_name", "date_of_birth", "sex", "school", "nhs_number"],
    "carers": [
        "name",
        "relationship_to_child",
        "phone",
        "email",
        "address",
        "preferred_language",
        "interpreter_needed",
    ],
    "network": ["name", "relationship_to_family", "contact", "support_offered"],
    "agencies": ["agency_id", "agency_name", "contact_name", "contact_details", "involvement"],
    "consent": ["given_by", "given_on", "agencies", "withheld", "legal_basis", "marker"],
    "new": ["first_name", "last_name", "date_of_birth", "nhs_number"],
}
URLS = {
    "family": "/assessments/{ref}/family/edit",
    "children": "/assessments/{ref}/family/children/new",
    "carers": "/assessments/{ref}/family/carers/new",
    "network": "/assessments/{ref}/family/network/new",
    "agencies": "/assessments/{ref}/family/agencies/new",
    "consent": "/assessments/{ref}/consent",
    "new": "/assessments/new",
}


@st.composite
def posts(draw):
    which = draw(st.sampled_from(sorted(FIELDS)))
    data = {}
    for name in FIELDS[which]:
        if draw(st.booleans()):
            data[name] = draw(st.lists(junk, min_size=1, max_size=4))
    return which, data


@pytest.fixture
def started(app, practitioner):
    return helpers.case(practitioner)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(post=posts())
def test_hostile_posts_to_the_family_and_agreement_forms_never_fail(client, signed_in, practitioner, started, post):
    which, data = post
    signed_in(practitioner)
    response = client.post(URLS[which].format(ref=started.ref), data=data)
    assert response.status_code in (200, 302, 409), response.status_code
