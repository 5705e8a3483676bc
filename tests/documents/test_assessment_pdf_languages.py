"""The assessment record in the reader's language (issue 18): a worker who reads eha in Welsh prints the record in
Welsh (the definition's Welsh sections, questions and options, and the record's fixed text), or asks for an
edition with ``?lang``; the family's own words and the names print as they were written."""

import re

import sqlalchemy as sa

from eha.definitions.store import definition_for, localised_definition
from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.pdf.assessment import LABELS, NO_ANSWERS, NOT_ANSWERED, RECORD_LABEL
from tests.documents import helpers


def _pdf(client, case, query=""):
    response = client.get(f"/assessments/{case.ref}/assessment.pdf{query}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response


def _has(text, words):
    """``words`` printed in ``text`` as words (a table cell may wrap a long one onto two lines)."""
    return re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, words.split())) + r"(?!\w)", text) is not None


def test_a_worker_who_reads_eha_in_welsh_prints_the_record_in_welsh(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    client.get("/?lang=cy")  # the footer's "Cymraeg" link: remembered on the account
    response = _pdf(client, case)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{case.ref}-assessment-cy.pdf"'
    text = helpers.pdf_text(response.data)
    flat = helpers.squash(text)

    welsh = localised_definition(case.definition_name, case.definition_version, "cy")
    english = definition_for(case)
    for section, child in welsh.pages(case.children):
        assert helpers.squash(section.title_for(child.name if child else None)) in flat, section.title
    # A question, a chosen option and a score, in Welsh; the English ones are not printed.
    assert helpers.squash("Pa anghenion y mae’r asesiad wedi’u nodi?") in flat
    assert "Cael addysg dda" in text and "Getting a good education" not in text
    assert "3 allan o 10" in text and "out of 10" not in text
    for section in english.sections:
        translated = next(s for s in welsh.sections if s.key == section.key)
        if translated.title != section.title:
            assert not _has(text, section.title), section.title
    # The record's fixed text: headings, labels, "Not answered", dates, the footer and page numbers.
    for words in ("Cofnod asesiad", "Cyfeirnod", "Plant", "Cyfnod", "Ffurflen", "Argraffwyd", "Cwestiwn", "Ateb"):
        assert _has(text, words), words
    assert "Heb ei ateb" in text and f"{case.ref} - Cofnod asesiad" in text and "Tudalen 1 o " in text
    assert "Ynglŷn â’r teulu" in text and "Cytundeb y teulu" in text and "Rhiant neu ofalwr" in text
    assert "(fersiwn " in text and "Wedi’i asesu" in text  # the form's version and the case's stage
    assert re.search(r"\(ganwyd \d{1,2} \w+ \d{4}\)", text)  # a child's birthday, month in Welsh
    english_fixed = [RECORD_LABEL, NOT_ANSWERED, NO_ANSWERS, *LABELS.values(), "Page", "About the family"]
    english_fixed += ["Parent or carer", "Agreed by", "Date agreed", "Assessed", "version"]
    left = [words for words in english_fixed if _has(text, words)]
    assert not left, left
    # The family's words and names as written.
    assert "Zofia misses school." in text and "Zofia wants to go to school." in text
    assert "Zofia Nowak" in text and "Agnieszka Nowak" in text and "The Nowak family" in text


def test_any_reader_can_ask_for_the_welsh_or_the_english_edition(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    english = helpers.pdf_text(_pdf(client, case).data)
    assert "Assessment record" in english and "Not answered" in english and "Getting a good education" in english
    welsh = _pdf(client, case, "?lang=cy&large=1")
    assert welsh.headers["Content-Disposition"].endswith('-assessment-cy-large-print.pdf"')
    assert helpers.font_sizes(welsh.data).most_common(1)[0][0] >= 16
    assert "Cofnod asesiad" in helpers.pdf_text(welsh.data)
    # A Welsh reader can still print the English record.
    client.get("/?lang=cy")
    again = _pdf(client, case, "?lang=en")
    assert again.headers["Content-Disposition"] == f'attachment; filename="{case.ref}-assessment.pdf"'
    assert "Assessment record" in helpers.pdf_text(again.data)
    db.session.expire_all()
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.assessment_id == case.id, AuditEvent.action == "pdf_downloaded")
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.detail["document"], e.detail["lang"]) for e in events] == [("assessment", c) for c in ("en", "cy", "en")]


def test_a_plan_language_prints_the_words_the_record_shares_with_the_plan_and_english_for_the_rest(
    client, signed_in, lead
):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    polish = _pdf(client, case, "?lang=pl")
    assert polish.headers["Content-Disposition"].endswith('-assessment-pl.pdf"')
    text = helpers.pdf_text(polish.data)
    assert "Numer sprawy" in text and "Dzieci" in text and "Strona 1 z " in text  # the plan's own Polish
    assert "Assessment record" in text and "Not answered" in text  # no Polish for these yet


def test_a_language_eha_does_not_have_prints_the_english_record(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    for asked in ("xx", "<script>", "cy" * 40):
        response = _pdf(client, case, f"?lang={asked}")
        assert response.headers["Content-Disposition"] == f'attachment; filename="{case.ref}-assessment.pdf"'
        assert "Assessment record" in helpers.pdf_text(response.data)
