"""A printable record of an Early Help Assessment: every section, its questions and the answers given.

``render_assessment(doc, language=...)`` turns an ``AssessmentDocument`` (plain data) into PDF bytes, with the
same markings as the plan (OFFICIAL-SENSITIVE, reference, page X of Y) and the same escaping.

Its fixed text below is in the plan's gettext domain (``eha.pdf.i18n``; extracted with the plan's, see
eha/translations/plan.cfg), so the record prints in the reader's language as the plan does in the family's; the
strings it shares with the plan ("Reference", "Children", "Page {page} of {total}") come from the plan's
catalogues in every language, the record's own fall back to English where a catalogue has no entry yet. What
the document holds (the definition's questions, the answers, the names) is printed as the service built it.
"""

from __future__ import annotations

from reportlab.platypus import Spacer, Table

from .base import PageNumberedRenderer, clean, esc
from .i18n import N_, Translator
from .model import AssessmentDocument, SectionDoc

# The printout's fixed text, in plain English (its reading age is tested with the plan's: tests/pdf/test_wording.py).
RECORD_LABEL = N_("Assessment record")
# The plan's own wording for a child and their birthday (eha/pdf/wording.py), so every plan language has it.
BORN = N_("{name} (born {date})")
PAGE_OF = N_("Page {page} of {total}")
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

    def __init__(self, doc: AssessmentDocument, *, large: bool = False, language: Translator | None = None):
        super().__init__(reference=doc.reference, large=large, is_draft=False, language=language)
        _ = self.gettext
        self.doc = doc
        self.label = _(RECORD_LABEL)
        self.labels = {key: _(label) for key, label in LABELS.items()}
        self.title = f"{self.label} {clean(doc.reference)}"
        self.author = clean(doc.organisation)
        self.subject = f"{self.label}: {clean(doc.definition_label)}".rstrip(": ")

    def header_right(self) -> str:
        return self.label

    def footer_left(self) -> str:
        return f"{self.reference} - {self.label}"

    def page_label(self, page: int, total: int) -> str:
        return self.gettext(PAGE_OF).format(page=page, total=total)

    def fixed(self, text: str) -> str:
        """Our fixed text, translated, escaped for a Paragraph."""
        return esc(self.shape(self.gettext(text)))

    def build_story(self) -> list:
        d = self.doc
        labels = self.labels
        born = self.gettext(BORN)
        children = [
            esc(born.format(name=clean(child.name), date=self.date(child.date_of_birth)))
            if child.date_of_birth
            else esc(child.name)
            for child in d.children
        ]
        service = ", ".join(p for p in (clean(d.service_name), clean(d.organisation)) if p)
        rows = [
            (labels["reference"], self.para(d.reference, "cell")),
            (labels["family"], self.para(d.family_name, "cell")),
            (labels["children"], self.markup("<br/>".join(children) or self.fixed(NONE_RECORDED), "cell")),
            (labels["stage"], self.para(d.state_label, "cell")),
            (labels["form"], self.para(d.definition_label, "cell")),
            (labels["service"], self.para(service, "cell")),
            (labels["printed"], self.markup(esc(self.language.date_time(d.generated_at)), "cell")),
        ]
        story: list = [
            self.markup(esc(self.label), "h1"),
            self.summary_table(rows),
            Spacer(1, self.body_size),
        ]
        if not d.sections:
            story.append(self.markup(self.fixed(NO_SECTIONS)))
        for section in d.sections:
            story += self.section(section)
        return story

    def summary_table(self, rows) -> Table:
        width = self.frame_width
        data, widths = self.mirrored(
            [[self.markup(esc(label), "cell_bold"), value] for label, value in rows], [width * 0.25, width * 0.75]
        )
        table = Table(data, colWidths=widths, hAlign="RIGHT" if self.rtl else "LEFT")
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
        story: list = self.heading(section.title or self.gettext(UNTITLED))
        answers = list(section.answers)
        if not answers:
            story.append(self.markup(self.fixed(NO_ANSWERS)))
            return story
        width = self.frame_width
        header = [self.markup(esc(self.labels[key]), "cell_bold") for key in ("question", "answer")]
        not_answered = self.gettext(NOT_ANSWERED)
        rows = [
            [
                self.para(label, "cell_bold"),
                self.para(answer if clean(answer).strip() else not_answered, "cell"),
            ]
            for label, answer in answers
        ]
        story.append(self.long_table([header, *rows], [width * self.QUESTION_SHARE, width * (1 - self.QUESTION_SHARE)]))
        return story


def render_assessment(doc: AssessmentDocument, large: bool = False, language: Translator | None = None) -> bytes:
    """Render an assessment record to PDF bytes. ``large=True`` for large print (16 pt body); ``language`` (an
    ``eha.pdf.i18n.translator``) the fixed text's language, English by default."""
    return AssessmentRenderer(doc, large=large, language=language).render()
