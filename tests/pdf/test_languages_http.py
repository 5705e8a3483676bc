"""The plan's language through the app: the carer's preferred language by default, ``?lang`` for any edition."""

from __future__ import annotations

import pytest

from tests import factories
from tests.documents import helpers

from .test_languages import fonts_of, text_of


@pytest.fixture
def lead(app):
    school = factories.agency(name="Northtown Primary School", kind="school")
    return factories.user(role="practitioner", agency=school, name="Lena Lead")


def test_a_polish_speaking_carers_plan_prints_in_polish_and_any_edition_can_be_asked_for(client, signed_in, lead):
    case = helpers.assessed_case(lead)  # the carer's preferred language is Polish
    helpers.signed_plan(case, lead, whats=["Walk Zofia to school"])
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}/plan.pdf")
    assert response.status_code == 200
    assert "Plan dla Twojej rodziny" in text_of(response.data)
    assert response.headers["Content-Disposition"].endswith('-pl.pdf"')
    urdu = client.get(f"/assessments/{case.ref}/plan.pdf?lang=ur&large=1")
    assert urdu.status_code == 200
    assert "آپ کے خاندان کا منصوبہ" in text_of(urdu.data)
    assert "Walk Zofia to school" in text_of(urdu.data)
    assert "NotoNaskhArabic-Bold" in fonts_of(urdu.data)
