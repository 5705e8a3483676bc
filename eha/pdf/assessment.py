"""A printable record of an Early Help Assessment: every section, its questions and the answers given.

``render_assessment(doc)`` turns an ``AssessmentDocument`` (plain data) into PDF bytes, with the same
markings as the plan (OFFICIAL-SENSITIVE, reference, page X of Y) and the same escaping.
"""

from __future__ import annotations

from reportlab.platypus import Spacer, Table

from .base import PageNumberedRenderer, clean, date_time, esc, long_date
from .i18n import N_
from .model import AssessmentDocument, SectionDoc

# The printout's fixed text, in plain English (its reading age is tested with the plan's: tests/pdf/test_wording.py).
RECORD_LABEL = N_("Assessment record")
BORN = N_("born {date}")
NONE_RECORDED = N_("None written down")
NO_SECTIONS = N_("No part of the assessment has been finished yet.")
NO_ANSWERS = N_("No questions in this part have been answered.")
NOT_ANSWERED = N_("Not answered")
UNTITLED = N_("Untitled part")
LABELS = {
    "reference": N_("Reference"),
    "family": N_("Family"),
    "children": N_("Children"),
    "stage": N_("Stage"),
    "form": N_("Form"),
    "service": N_("Service"),
    "printed": N_("Printed"),
    "question": N_("Question"),
    "answer": N_("Answer"),
}


class AssessmentRenderer(PageNumberedRenderer):
    """Lays out an assessment record. Use ``render_assessment``."""

    QUESTION_SHARE = 0.36

    def __init__(self, doc: AssessmentDocument, *, large: bool = False):
        super().__init__(reference=doc.reference, large=large, is_draft=False)
        self.doc = doc
        self.title = f"{RECORD_LABEL} {clean(doc.reference)}"
        self.author = clean(doc.organisation)
        self.subject = f"Early Help Assessment record: {clean(doc.definition_label)}".rstrip(": ")

    def header_right(self) -> str:
        return RECORD_LABEL

    def footer_left(self) -> str:
        return f"{self.reference} - {RECORD_LABEL}"

    def build_story(self) -> list:
        d = self.doc
        children = [
            esc(child.name) + (f" ({BORN.format(date=long_date(child.date_of_birth))})" if child.date_of_birth else "")
            for child in d.children
        ]
        service = ", ".join(p for p in (clean(d.service_name), clean(d.organisation)) if p)
        rows = [
            (LABELS["reference"], self.para(d.reference, "cell")),
            (LABELS["family"], self.para(d.family_name, "cell")),
            (LABELS["children"], self.markup("<br/>".join(children) or NONE_RECORDED, "cell")),
            (LABELS["stage"], self.para(d.state_label, "cell")),
            (LABELS["form"], self.para(d.definition_label, "cell")),
            (LABELS["service"], self.para(service, "cell")),
            (LABELS["printed"], self.markup(esc(date_time(d.generated_at)), "cell")),
        ]
        story: list = [
            self.markup(esc(RECORD_LABEL), "h1"),
            self.summary_table(rows),
            Spacer(1, self.body_size),
        ]
        if not d.sections:
            story.append(self.markup(NO_SECTIONS))
        for section in d.sections:
            story += self.section(section)
        return story

    def summary_table(self, rows) -> Table:
        width = self.frame_width
        data = [[self.markup(esc(label), "cell_bold"), value] for label, value in rows]
        table = Table(data, colWidths=[width * 0.25, width * 0.75], hAlign="LEFT")
        pad = self.body_size * 0.2
        table.setStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ]
        )
        return table

    def section(self, section: SectionDoc) -> list:
        story: list = self.heading(section.title or UNTITLED)
        answers = list(section.answers)
        if not answers:
            story.append(self.markup(NO_ANSWERS))
            return story
        width = self.frame_width
        header = [self.markup(LABELS["question"], "cell_bold"), self.markup(LABELS["answer"], "cell_bold")]
        rows = [
            [
                self.para(label, "cell_bold"),
                self.para(answer if clean(answer).strip() else NOT_ANSWERED, "cell"),
            ]
            for label, answer in answers
        ]
        story.append(self.long_table([header, *rows], [width * self.QUESTION_SHARE, width * (1 - self.QUESTION_SHARE)]))
        return story


def render_assessment(doc: AssessmentDocument, large: bool = False) -> bytes:
    """Render an assessment record to PDF bytes. ``large=True`` for large print (16 pt body)."""
    return AssessmentRenderer(doc, large=large).render()
