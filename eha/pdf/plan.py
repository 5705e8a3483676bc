"""The family plan the family takes home: plain English, A4, large readable type.

``render_plan(doc)`` turns a ``PlanDocument`` (plain data, see ``eha.pdf.model``) into PDF bytes. The app
builds the ``PlanDocument``; nothing here touches the database or Flask.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from eha.formatting import without_emergency_line

from .base import DRAFT_MARK, FONT_BOLD, PageNumberedRenderer, WrapOnceParagraph, clean, date_time, esc, long_date
from .model import Action, PlanDocument

FAMILY_WHO = "Your family"
FAMILY_TAG = "(your action)"


class PlanRenderer(PageNumberedRenderer):
    """Lays out one version of a family plan. Use ``render_plan``; the class keeps the parts small."""

    # Action table column shares of the frame width: No., What, Who, By when, How we'll know it worked.
    ACTION_COLUMNS = (0.08, 0.31, 0.19, 0.16, 0.26)
    ACTION_COLUMNS_LARGE = (0.09, 0.30, 0.20, 0.17, 0.24)
    FAMILY_ROW_SHADE = colors.Color(0.9, 0.9, 0.9)  # a helper only: the words say whose action it is

    def __init__(self, doc: PlanDocument, *, large: bool = False):
        super().__init__(reference=doc.reference, large=large, is_draft=doc.is_draft)
        self.doc = doc
        self.title = f"Family plan {clean(doc.reference)} version {doc.version}"
        self.author = clean(doc.organisation)
        self.subject = "Early help family plan" + (f" ({DRAFT_MARK})" if doc.is_draft else "")

    # -- decorations ---------------------------------------------------------------------------------------
    def header_right(self) -> str:
        text = f"Plan version {self.doc.version}"
        return f"{text} - {DRAFT_MARK}" if self.is_draft else text

    def footer_left(self) -> str:
        return f"{self.reference} - Plan version {self.doc.version}"

    # -- story ---------------------------------------------------------------------------------------------
    def build_story(self) -> list:
        story: list = []
        story += self.title_block()
        story += self.lead_block()
        story += self.team_block()
        story += self.text_block("What we are worried about", self.doc.worries)
        story += self.text_block("What is working well", self.doc.working_well)
        story += self.needs_block()
        story += self.actions_block()
        story += self.review_block()
        story += self.front_door_block()
        story += self.signatures_block()
        story += self.digest_block()
        return story

    def h1(self, text: str) -> Paragraph:
        return self.markup(esc(text), "h1")

    def key_values(self, rows: list[tuple[str, Paragraph]], label_share: float = 0.3) -> Table:
        """Label/value pairs in a borderless table, labels bold.

        The labels are our own short words, so they are plain table strings: no markup parsing, no line
        breaking (a measurable share of the render time).
        """
        width = self.frame_width
        data = [[label, value] for label, value in rows]
        table = Table(data, colWidths=[width * label_share, width * (1 - label_share)], hAlign="LEFT")
        pad = self.body_size * 0.2
        table.setStyle(
            [
                ("FONT", (0, 0), (0, -1), FONT_BOLD, self.body_size, self.leading),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad * 2),
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ]
        )
        return table

    def title_block(self) -> list:
        d = self.doc
        children = [
            esc(child.name) + (f" (born {long_date(child.date_of_birth)})" if child.date_of_birth else "")
            for child in d.children
        ]
        status = "Draft - not agreed yet" if d.is_draft else "Agreed and signed"
        rows = [
            ("Family", self.para(d.family_name, "cell")),
            ("Children", self.markup("<br/>".join(children) or "None recorded", "cell")),
            ("Plan version", self.markup(f"{esc(d.version)} ({status})", "cell")),
            ("Next review", self.markup(esc(long_date(d.next_review, "Not set yet")), "cell")),
            ("Reference", self.para(d.reference, "cell")),
        ]
        story: list = [self.h1("Your family plan"), self.key_values(rows)]
        if d.is_draft:
            story.append(
                self.markup(
                    f"{DRAFT_MARK}. This plan has not been agreed and signed yet, so it may still change.",
                    "boxed",
                )
            )
        else:
            story.append(Spacer(1, self.body_size * 0.6))
        service = ", ".join(esc(part) for part in (d.service_name, d.organisation) if clean(part))
        story.append(
            self.markup(
                "This plan was made with your family and the people working with you"
                + (f" ({service})" if service else "")
                + ". It says what we are worried about, what is going well and what everyone will do. "
                "Please keep it somewhere safe."
            )
        )
        return story

    def lead_block(self) -> list:
        lead = self.doc.lead
        rows = [("Name", self.para(lead.name, "cell"))]
        for label, value in (("Role", lead.role), ("Agency", lead.agency), ("Phone", lead.phone)):
            if clean(value):
                rows.append((label, self.para(value, "cell")))
        if clean(lead.email):
            rows.append(("Email", self.para(lead.email, "cell")))
        return [
            *self.heading("Your main contact (lead professional)"),
            self.markup("This is the person to contact first about your plan."),
            self.key_values(rows, label_share=0.22),
        ]

    def team_block(self) -> list:
        members = self.doc.taf_members
        story: list = [*self.heading("Who is helping your family")]
        if not members:
            story.append(self.markup("No one else has joined the team around your family yet."))
            return story
        story.append(self.markup("These people make up the team around your family (TAF):"))
        width = self.frame_width
        header = [self.markup(h, "cell_bold") for h in ("Name", "Agency", "Role")]
        rows = [[self.para(m.name, "cell"), self.para(m.agency, "cell"), self.para(m.role, "cell")] for m in members]
        story.append(self.long_table([header, *rows], [width * 0.32, width * 0.38, width * 0.30]))
        return story

    def text_block(self, heading: str, text: str) -> list:
        paragraphs = [p for p in clean(text).split("\n\n") if p.strip()] or ["Nothing written yet."]
        return [*self.heading(heading), *(self.para(p) for p in paragraphs)]

    def needs_block(self) -> list:
        story: list = [*self.heading("What needs to change")]
        needs = [n for n in self.doc.needs if clean(n).strip()]
        if not needs:
            story.append(self.markup("No needs written yet."))
        for need in needs:
            story.append(WrapOnceParagraph(esc(need), self.styles["bullet"], bulletText="\u2022"))
        return story

    def action_row(self, action: Action) -> list:
        what = esc(action.what)
        if clean(action.need).strip():
            what += f"<br/><i>For:</i> {esc(action.need)}"
        if action.is_family:
            # In words and in bold, never by shading alone.
            who_markup = f"<b>{FAMILY_WHO} {FAMILY_TAG}</b>"
            if clean(action.who).strip():
                who_markup += f"<br/><b>{esc(action.who)}</b>"
            number = f"<b>{esc(action.number)}</b>"
        else:
            who_markup = esc(action.who)
            number = esc(action.number)
        return [
            self.markup(number, "cell"),
            self.markup(what, "cell"),
            self.markup(who_markup, "cell"),
            self.markup(esc(long_date(action.by_when, "No date set")), "cell"),
            self.para(action.success or "Not written yet", "cell"),
        ]

    def actions_block(self) -> list:
        story: list = [
            *self.heading("What we will do"),
            self.markup(
                f"Actions marked <b>{FAMILY_WHO} {FAMILY_TAG}</b> are the things your family has agreed to do."
            ),
        ]
        actions = list(self.doc.actions)
        if not actions:
            story.append(self.markup("No actions agreed yet."))
            return story
        header = [
            self.markup(h, "cell_bold")
            for h in ("No.", "What will happen", "Who will do it", "By when", "How we will know it worked")
        ]
        shares = self.ACTION_COLUMNS_LARGE if self.large else self.ACTION_COLUMNS
        table = self.long_table(
            [header, *(self.action_row(a) for a in actions)], [self.frame_width * share for share in shares]
        )
        family_rows = []
        for row, action in enumerate(actions, start=1):
            if action.is_family:
                family_rows.append(("BACKGROUND", (0, row), (-1, row), self.FAMILY_ROW_SHADE))
                family_rows.append(("LINEBEFORE", (0, row), (0, row), 4, colors.black))
        table.setStyle(family_rows)
        story.append(table)
        return story

    def review_block(self) -> list:
        d = self.doc
        if d.next_review:
            when = esc(long_date(d.next_review))
            text = f"We will meet again to check how the plan is going on <b>{when}</b>."
        else:
            text = "The date of the next review has not been set yet. Your lead professional will tell you."
        return [*self.heading("When we will next meet"), self.markup(text)]

    def front_door_block(self) -> list:
        story: list = [
            *self.heading("If things get worse"),
            self.markup("<b>If a child is in danger right now, call 999.</b>"),
            self.markup("If you are worried things are getting worse, contact your lead professional or:"),
        ]
        front_door = without_emergency_line(self.doc.front_door) or "Your local council's children's services."
        story.append(self.para(front_door, "boxed"))
        return story

    def signatures_block(self) -> list:
        sigs = list(self.doc.signatures)
        story: list = [*self.heading("Who agreed this plan")]
        if not sigs:
            story.append(self.markup("Nobody has signed this version of the plan yet."))
            return story
        story.append(self.signatures_table(sigs))
        later = list(self.doc.later_signatures)
        if later:
            story.append(Spacer(1, self.leading / 2))
            story.append(self.markup("<b>Signed after the plan was agreed</b>"))
            story.append(self.signatures_table(later))
        return story

    def signatures_table(self, sigs):
        width = self.frame_width
        header = [self.markup(h, "cell_bold") for h in ("Name", "Role", "Date", "How signed")]
        rows = [
            [
                self.para(s.name, "cell"),
                self.para(s.role, "cell"),
                self.markup(esc(long_date(s.signed_on)), "cell"),
                self.para(s.method, "cell"),
            ]
            for s in sigs
        ]
        shares = (0.28, 0.26, 0.21, 0.25) if not self.large else (0.27, 0.24, 0.24, 0.25)
        return self.long_table([header, *rows], [width * s for s in shares])

    def digest_block(self) -> list:
        d = self.doc
        story: list = [*self.heading("Checking this copy")]
        if d.digest:
            story.append(self.markup(f"<b>Digest (SHA-256):</b> {esc(d.digest)}"))
            story.append(
                self.markup(
                    "This code is worked out from the signed plan. To check a printed copy, a worker "
                    f"opens the case {esc(d.reference)} in eha, goes to the plan, chooses version "
                    f"{esc(d.version)} and compares the digest shown there with the one above. If they are "
                    "different, this copy is not the plan that was agreed."
                )
            )
        else:
            story.append(self.markup(f"{DRAFT_MARK}: this version has not been signed, so it has no digest yet."))
        story.append(self.markup(f"Printed on {esc(date_time(d.generated_at))}."))
        return [KeepTogether(story)]


def render_plan(doc: PlanDocument, large: bool = False) -> bytes:
    """Render one version of a family plan to PDF bytes. ``large=True`` for large print (16 pt body)."""
    return PlanRenderer(doc, large=large).render()
