"""The assessment record PDF: every section of the pinned definition, the family, the children."""

from eha.definitions.store import definition_for
from tests.documents import helpers


def test_the_assessment_record_prints_every_section_and_the_answers(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}/assessment.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{case.ref}-assessment.pdf"'
    text = helpers.pdf_text(response.data)
    flat = helpers.squash(text)
    for section in definition_for(case).sections:
        assert helpers.squash(section.title) in flat, section.title
    assert case.ref in text and "OFFICIAL-SENSITIVE" in text
    assert "Zofia Nowak" in text and "Agnieszka Nowak" in text
    assert "Zofia misses school." in text and "Getting a good education" in text


def test_the_assessment_record_in_large_print(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}/assessment.pdf?large=1")
    assert response.headers["Content-Disposition"].endswith('-assessment-large-print.pdf"')
    assert helpers.font_sizes(response.data).most_common(1)[0][0] >= 16
