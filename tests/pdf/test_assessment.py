"""The assessment record PDF: every section and answer, the same markings and escaping as the plan."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from eha.pdf.assessment import render_assessment
from eha.pdf.model import SectionDoc
from tests.pdf.conftest import pdf_pages_text, pdf_text, typical_assessment


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_assessment_record_shows_every_section_question_and_answer(assessment):
    text = squash(pdf_text(render_assessment(assessment)))
    for section in assessment.sections:
        assert squash(section.title) in text
        for label, answer in section.answers:
            assert squash(label) in text
            assert squash(answer) in text
    for words in ("Assessment record", "Plan agreed", "Early Help Assessment (version 3, 2025)", "Bennett"):
        assert squash(words) in text


def test_assessment_pages_are_marked_without_a_plan_version():
    long_answer = "The family told us about their week. " * 400
    doc = typical_assessment(sections=(SectionDoc("Everything", (("Tell us more", long_answer),) * 3),))
    pages = pdf_pages_text(render_assessment(doc))
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2
        assert "EHA-000123" in text
        assert "Assessment record" in text
        assert f"Page {number} of {len(pages)}" in text
        assert "Plan version" not in text
        assert "Answer" in text  # header row repeats


def test_assessment_answers_print_markup_literally_and_keep_accents():
    hostile = "<font size=90>&</font> <img src=x> Łódź İstanbul Nguyễn Thị Hồng Nhung"
    doc = typical_assessment(
        family_name=hostile,
        sections=(SectionDoc(hostile, ((hostile, hostile + "\nsecond line"), ("Empty", ""))),),
    )
    text = pdf_text(render_assessment(doc, large=True))
    assert squash(text).count(squash(hostile)) >= 4
    assert "second line" in text
    assert "Not answered" in text


def test_assessment_metadata():
    reader = PdfReader(io.BytesIO(render_assessment(typical_assessment())))
    assert reader.metadata.title == "Assessment record EHA-000123"
    assert reader.metadata.author == "Northshire County Council"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_an_assessment_with_no_sections_renders():
    text = pdf_text(render_assessment(typical_assessment(sections=(), children=())))
    assert "No part of the assessment has been finished yet" in text


def test_a_right_to_left_edition_of_the_record_prints_and_says_its_language():
    from eha.pdf.i18n import translator

    reader = PdfReader(io.BytesIO(render_assessment(typical_assessment(), language=translator("ar"))))
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    assert "Bennett" in "".join(page.extract_text() for page in reader.pages)
