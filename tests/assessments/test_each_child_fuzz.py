"""Hypothesis throws hostile input at the forms issue 13 added: the agreement's new questions (who agreed, the
competence judgement, how it was given, the interpreter, the privacy notice) and each child's sections, including
children the case is not about. Never a server error; nothing malformed stored."""

from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eha.extensions import db
from eha.models.assessments import Consent, SectionAnswer
from eha.models.choices import CONSENT_CONTACTS, CONSENT_FORMS
from tests.assessments import helpers

junk = st.one_of(
    st.text(max_size=40),
    st.just("\x00"),
    st.just("a\x00b"),
    st.builds(lambda n: "ğ" * n, st.integers(min_value=90, max_value=3000)),
    st.sampled_from(["yes", "no", "written", "verbal", "in_person", "phone", "child:1", "carer:1", "31", "2"]),
)
CONSENT_FIELDS = [
    "given_by",
    "given_on",
    "competence",
    "competence_notes",
    "given_as",
    "given_via",
    "interpreter_used",
    "interpreter_language",
    "privacy_notice",
    "marker",
]
SETTINGS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def started(app, practitioner):
    return helpers.case(practitioner, dob=date(2011, 5, 1))


@st.composite
def consent_posts(draw, case):
    data = {}
    for name in CONSENT_FIELDS:
        if draw(st.booleans()):
            data[name] = draw(st.lists(junk, min_size=1, max_size=3))
    if draw(st.booleans()):
        # A real choice from the page, so that the service's own rules are reached too.
        data["given_by"] = draw(st.sampled_from([f"carer:{case.family.carers[0].id}", f"child:{case.children[0].id}"]))
        data["given_on"] = ["1", "11", "2026"]
        data["marker"] = "0"
    return data


@SETTINGS
@given(data=st.data())
def test_hostile_posts_to_the_agreement_never_fail_and_store_only_offered_values(
    client, signed_in, practitioner, started, data
):
    signed_in(practitioner)
    post = data.draw(consent_posts(started))
    response = client.post(f"/assessments/{started.ref}/consent", data={"legal_basis": "Public task", **post})
    assert response.status_code in (200, 302, 409), response.status_code
    db.session.expire_all()
    for consent in db.session.scalars(sa.select(Consent)):
        assert consent.given_as in (None, *CONSENT_FORMS) and consent.given_via in (None, *CONSENT_CONTACTS)
        assert consent.interpreter_language is None or (
            "\x00" not in consent.interpreter_language and len(consent.interpreter_language) <= 100
        )
        if consent.given_by_kind == "young_person":
            assert consent.competence_judged is True and consent.competence_notes


@SETTINGS
@given(
    key=st.sampled_from(["about-the-child", "child-development", "voice-of-child", "strengths", "nope"]),
    child=st.one_of(st.just("own"), st.integers(min_value=-5, max_value=10**12)),
    fields=st.dictionaries(
        st.sampled_from(["sen", "ethnicity", "involvement", "child-views", "date-seen", "summary", "version"]),
        st.lists(junk, min_size=1, max_size=3),
    ),
)
def test_hostile_posts_to_each_childs_sections_never_fail(client, signed_in, practitioner, started, key, child, fields):
    signed_in(practitioner)
    child_id = started.children[0].id if child == "own" else child
    response = client.post(f"/assessments/{started.ref}/sections/{key}/children/{child_id}", data=fields)
    assert response.status_code in (200, 302, 404, 409), response.status_code
    db.session.expire_all()
    for saved in db.session.scalars(sa.select(SectionAnswer)):
        assert saved.child_id == started.children[0].id
        assert saved.answers.get("sen") in (None, "none", "sen-support", "ehc-plan")
