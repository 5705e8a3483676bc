"""A printable record of an Early Help Assessment: every section, its questions and the answers given.

``render_assessment(doc)`` turns an ``AssessmentDocument`` (plain data) into PDF bytes, with the same
markings as the plan (OFFICIAL-SENSITIVE, reference, page X of Y) and the same escaping.
"""

from __future__ import annotations

from reportlab.platypus import Spacer, Table

from .base import PageNumberedRenderer, clean, date_time, esc, long_date
from .model import AssessmentDocument, SectionDoc

RECORD_LABEL = "Assessment record"


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
            esc(child.name) + (f" (born {long_date(child.date_of_birth)})" if child.date_of_birth else "")
            for child in d.children
        ]
        rows = [
            ("Reference", self.para(d.reference, "cell")),
            ("Family", self.para(d.family_name, "cell")),
            ("Children", self.markup("<br/>".join(children) or "None recorded", "cell")),
            ("Stage", self.para(d.state_label, "cell")),
            ("Form", self.para(d.definition_label, "cell")),
            (
                "Service",
                self.para(", ".join(p for p in (clean(d.service_name), clean(d.organisation)) if p), "cell"),
            ),
            ("Printed", self.markup(esc(date_time(d.generated_at)), "cell")),
        ]
        story: list = [
            self.markup(esc(RECORD_LABEL), "h1"),
            self.summary_table(rows),
            Spacer(1, self.body_size),
        ]
        if not d.sections:
            story.append(self.markup("No sections have been completed yet."))
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
        story: list = self.heading(section.title or "Untitled section")
        answers = list(section.answers)
        if not answers:
            story.append(self.markup("No questions answered in this section."))
            return story
        width = self.frame_width
        header = [self.markup("Question", "cell_bold"), self.markup("Answer", "cell_bold")]
        rows = [
            [
                self.para(label, "cell_bold"),
                self.para(answer if clean(answer).strip() else "Not answered", "cell"),
            ]
            for label, answer in answers
        ]
        story.append(self.long_table([header, *rows], [width * self.QUESTION_SHARE, width * (1 - self.QUESTION_SHARE)]))
        return story


def render_assessment(doc: AssessmentDocument, large: bool = False) -> bytes:
    """Render an assessment record to PDF bytes. ``large=True`` for large print (16 pt body)."""
    return AssessmentRenderer(doc, large=large).render()
