"""The family plan the family takes home: plain English (or the family's language), A4, large readable type.

``render_plan(doc)`` turns a ``PlanDocument`` (plain data, see ``eha.pdf.model``) into PDF bytes. The app
builds the ``PlanDocument``; nothing here touches the database or Flask. The fixed text comes from
``eha.pdf.wording`` in the language of ``language`` (``eha.pdf.i18n.translator``); the family's words print as
they were written.

Two editions: the standard one lays the actions out as a table whose columns are sized from their content (a
name or a date never breaks inside a word); the large-print one (16 pt) as a single column of cards, one per
action, because five columns of 16 pt text leave no room for a name.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from eha.formatting import without_emergency_line

from . import scripts
from .base import NBSP, PageNumberedRenderer, clean, esc
from .i18n import Translator
from .model import Action, PlanDocument, Signature
from .wording import Wording


class KeepCard(KeepTogether):
    """A card kept whole on the next page when little room is left on this one, but split (its title repeated)
    when at least ``split_room`` points are left and it splits there, rather than leave half a page blank."""

    def __init__(self, card: Table, split_room: float):
        super().__init__([card])
        self.split_room = split_room

    def split(self, aW, aH):  # ReportLab's argument names
        if aH >= self.split_room:
            parts = self._content[0].split(aW, aH)
            if len(parts) > 1:
                return parts
        return super().split(aW, aH)


def digest_groups(digest: str) -> str:
    """The digest in groups of eight, easier to read out and compare (the check page ignores the spaces)."""
    return " ".join(digest[i : i + 8] for i in range(0, len(digest), 8))


class PlanRenderer(PageNumberedRenderer):
    """Lays out one version of a family plan. Use ``render_plan``; the class keeps the parts small."""

    FAMILY_ROW_SHADE = colors.Color(0.9, 0.9, 0.9)  # a helper only: the words say whose action it is
    LABEL_SHARE_MAX = 0.45

    def __init__(
        self, doc: PlanDocument, *, large: bool = False, language: Translator | None = None, interpreter: bool = False
    ):
        super().__init__(reference=doc.reference, large=large, is_draft=doc.is_draft, language=language)
        self.doc = doc
        self.words = w = Wording(self.language)
        self.interpreter = interpreter
        self.title = w.doc_title.format(reference=clean(doc.reference), version=doc.version)
        self.author = clean(doc.organisation)
        self.subject = w.subject + (f" ({w.draft_mark})" if doc.is_draft else "")

    # -- decorations ---------------------------------------------------------------------------------------
    def header_right(self) -> str:
        text = self.words.header_version.format(version=self.doc.version)
        return f"{text} - {self.words.draft_mark}" if self.is_draft else text

    def footer_left(self) -> str:
        return f"{self.reference} - {self.words.header_version.format(version=self.doc.version)}"

    def watermark_text(self) -> str:
        return self.words.draft_mark

    def page_label(self, page: int, total: int) -> str:
        return self.words.page_of.format(page=page, total=total)

    # -- story ---------------------------------------------------------------------------------------------
    def build_story(self) -> list:
        story: list = []
        story += self.title_block()
        story += self.lead_block()
        story += self.team_block()
        story += self.text_block(self.words.worries_heading, self.doc.worries)
        story += self.text_block(self.words.working_well_heading, self.doc.working_well)
        story += self.needs_block()
        story += self.actions_block()
        story += self.review_block()
        story += self.front_door_block()
        # The signatures and the digest go together, so the last page never holds the digest alone.
        story.append(KeepTogether(self.signatures_block() + self.digest_block()))
        return story

    def fixed(self, text: str) -> str:
        """Our fixed text (already translated) escaped for a Paragraph."""
        return esc(self.shape(text))

    def key_values(self, rows: list[tuple[str, Paragraph]]) -> Table:
        """Label/value pairs in a borderless table, labels bold, the label column as wide as its longest label.

        The labels are our own short words, so they are plain table strings: no markup parsing, no line
        breaking (a measurable share of the render time).
        """
        width = self.frame_width
        labels = [self.shape(label) for label, _ in rows]
        pad = self.body_size * 0.2
        label_width = self.content_widths([labels], total=width, style="cell_bold")[0]
        label_width = min(max(label_width, self.body_size * 4) + pad * 2, width * self.LABEL_SHARE_MAX)
        # Labels in a script that needs shaping, or in a right-to-left edition, are Paragraphs.
        plain = all(scripts.is_plain(label, self.language.locale) for label in labels)
        cells = labels if plain else [self.para(label, "cell_bold") for label in labels]
        data, widths = self.mirrored(
            [[label, value] for label, (_, value) in zip(cells, rows, strict=True)], [label_width, width - label_width]
        )
        table = Table(data, colWidths=widths, hAlign="RIGHT" if self.rtl else "LEFT")
        # The gap between label and value is on the label's inner side: its right, or its left when mirrored.
        padding = [
            ("FONT", (0, 0), (0, -1), self.font_bold, self.body_size, self.leading),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad * 2),
        ]
        if self.rtl:
            padding = [("LEFTPADDING", (0, 0), (-1, -1), pad * 2), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
        table.setStyle(
            [
                *padding,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ]
        )
        return table

    def value_width(self) -> float:
        """Room for a value in ``key_values`` at its narrowest (labels take at most ``LABEL_SHARE_MAX``)."""
        return self.frame_width * (1 - self.LABEL_SHARE_MAX)

    def language_notes(self) -> list:
        """What the family must know about the language of this copy, at the top: not translated yet; the
        interpreter (in this language and in English); their own words left as written."""
        w, notes = self.words, []
        if w.not_yet_translated:
            notes.append(self.para(w.not_yet_translated, "boxed"))
        if self.interpreter:
            english = Wording.english().interpreter
            text = w.interpreter if w.interpreter == english else f"{w.interpreter}\n{english}"
            notes.append(self.para(text, "boxed"))
        if not self.language.is_english:
            notes.append(self.para(w.own_words))
        return notes

    def title_block(self) -> list:
        d, w = self.doc, self.words
        width = self.value_width()
        children = [
            w.child(self.fit(child.name, width)[0], self.date(child.date_of_birth) if child.date_of_birth else None)
            for child in d.children
        ]
        status = w.status_draft if d.is_draft else w.status_signed
        rows = [
            (w.family, self.fitted(d.family_name, width)),
            (w.children, self.markup("<br/>".join(children) or self.fixed(w.none_written), "cell")),
            (w.plan_version, self.markup(f"{esc(d.version)} ({self.fixed(status)})", "cell")),
            (w.next_review, self.markup(esc(self.date(d.next_review, w.no_date)), "cell")),
            (w.reference, self.para(d.reference, "cell")),
        ]
        story: list = [self.heading_para(w.title, "h1"), *self.language_notes(), self.key_values(rows)]
        if d.is_draft:
            story.append(self.markup(f"{self.fixed(w.draft_mark)}. {self.fixed(w.draft_box)}", "boxed"))
        else:
            story.append(Spacer(1, self.body_size * 0.6))
        service = ", ".join(clean(part) for part in (d.service_name, d.organisation) if clean(part))
        story.append(self.para(" ".join(w.intro_lines(service))))
        return story

    def lead_block(self) -> list:
        lead, w = self.doc.lead, self.words
        width = self.value_width()
        rows = [(w.name, self.fitted(lead.name, width))]
        for label, value in ((w.job, lead.role), (w.works_for, lead.agency), (w.phone, lead.phone)):
            if clean(value):
                rows.append((label, self.fitted(value, width)))
        if clean(lead.email):
            rows.append((w.email, self.para(lead.email, "cell")))
        return self.section(w.lead_heading, [self.para(w.lead_intro), self.key_values(rows)])

    def team_block(self) -> list:
        members, w = self.doc.taf_members, self.words
        if not members:
            return self.section(w.team_heading, [self.para(w.team_none)])
        header = [w.name, w.works_for, w.job]
        columns = [[m.name for m in members], [m.agency for m in members], [m.role for m in members]]
        rows = [[m.name, m.agency, m.role] for m in members]
        table = self.content_table(header, columns, rows)
        return self.section(w.team_heading, [self.para(w.team_intro), table])

    def content_table(self, header: list[str], columns: list[list[str]], rows: list[list[str]]):
        """A ruled table of plain user texts, columns sized from their content, header repeated."""
        widths = self.content_widths(columns, header)
        inner = [width - 2 * self.cell_padding() for width in widths]
        head = [self.fitted(h, inner[i], "cell_bold") for i, h in enumerate(header)]
        body = [[self.fitted(text, inner[i]) for i, text in enumerate(row)] for row in rows]
        return self.long_table([head, *body], widths)

    def text_block(self, heading: str, text: str) -> list:
        paragraphs = [p for p in clean(text).split("\n\n") if p.strip()] or [self.words.nothing_yet]
        width = self.frame_width
        return self.section(heading, [self.fitted(p, width, "body", free=True) for p in paragraphs], keep=1)

    def needs_block(self) -> list:
        needs = [n for n in self.doc.needs if clean(n).strip()]
        if not needs:
            return self.section(self.words.needs_heading, [self.para(self.words.nothing_yet)])
        width = self.frame_width - self.styles["bullet"].leftIndent
        bullets = []
        for need in needs:
            text, hyphenated = self.fit(need, width, "bullet", free=True)
            bullets.append(self.paragraph(text, "bullet_hyphenated" if hyphenated else "bullet", bullet="\u2022"))
        return self.section(self.words.needs_heading, bullets, keep=1)

    # -- actions -------------------------------------------------------------------------------------------
    def actions_block(self) -> list:
        w = self.words
        actions = list(self.doc.actions)
        mark = f"<b>{self.fixed(w.family_who)}</b>"
        intro = self.markup(self.fixed(w.actions_intro).replace("{mark}", mark))
        if not actions:
            return self.section(w.actions_heading, [intro, self.para(w.no_actions)])
        if self.large:
            return self.section(w.actions_heading, [intro, *self.action_cards(actions)], keep=2)
        return self.section(w.actions_heading, [intro, self.actions_table(actions)])

    def action_texts(self, action: Action) -> dict[str, str]:
        w = self.words
        return {
            "number": clean(action.number),
            "what": clean(action.what),
            "need": clean(action.need).strip(),
            "who": clean(action.who).strip(),
            "when": self.date(action.by_when, w.no_date),
            "success": clean(action.success) or w.not_written,
        }

    def actions_table(self, actions: list[Action]) -> Table:
        w = self.words
        texts = [self.action_texts(a) for a in actions]
        header = [w.col_number, w.col_what, w.col_who, w.col_when, w.col_success]
        columns = [
            [t["number"] for t in texts],
            [t["what"] for t in texts] + [f"{w.helps_with} {t['need']}" for t in texts if t["need"]],
            [t["who"] for t in texts] + ([w.family_who] if any(a.is_family for a in actions) else []),
            [t["when"] for t in texts],
            [t["success"] for t in texts],
        ]
        widths = self.content_widths(columns, header, free={1, 4})
        inner = [width - 2 * self.cell_padding() for width in widths]
        head = [self.fitted(h, inner[i], "cell_bold") for i, h in enumerate(header)]
        rows = [self.action_row(a, t, inner) for a, t in zip(actions, texts, strict=True)]
        table = self.long_table([head, *rows], widths)
        family_rows = []
        for row, action in enumerate(actions, start=1):
            if action.is_family:
                family_rows.append(("BACKGROUND", (0, row), (-1, row), self.FAMILY_ROW_SHADE))
                family_rows.append(("LINEBEFORE", (0, row), (0, row), 4, colors.black))
        table.setStyle(self.mirror_style(family_rows, len(header)))
        return table

    def action_row(self, action: Action, texts: dict[str, str], inner: list[float]) -> list:
        w = self.words
        # Separate Paragraphs: a plain one (one font) splits across pages without breaking its lines again.
        what = [self.fitted(texts["what"], inner[1], free=True)]
        if texts["need"]:
            need = [(f"<i>{self.fixed(w.helps_with)}</i> {{}}", texts["need"])]
            what.append(self.fitted_markup(need, inner[1], free=True))
        if action.is_family:
            # In words and in bold, never by shading alone.
            who = [("<b>{}</b>", w.family_who)] + ([("<br/><b>{}</b>", texts["who"])] if texts["who"] else [])
            number = [("<b>{}</b>", texts["number"])]
        else:
            who, number = [("{}", texts["who"])], [("{}", texts["number"])]
        return [
            self.fitted_markup(number, inner[0]),
            what,
            self.fitted_markup(who, inner[2]),
            self.fitted_markup([("{}", texts["when"])], inner[3]),
            self.fitted(texts["success"], inner[4], free=True),
        ]

    def action_cards(self, actions: list[Action]) -> list:
        """Large print: one card per action, the four questions one under another, the full width."""
        story: list = []
        for action in actions:
            # Whole on one page when it fits, or little room is left; else split there, its title repeated.
            story += [KeepCard(self.action_card(action), self.frame_height() * 0.4), Spacer(1, self.body_size)]
        return story[:-1]

    def action_card(self, action: Action) -> Table:
        w, t = self.words, self.action_texts(action)
        pad = self.cell_padding() * 1.5
        inner = self.frame_width - 2 * pad
        title = [("<b>{}</b>", w.action_card.format(number=t["number"]))]
        if action.is_family:
            title.append(("<br/><b>{}</b>", w.family_card))
        who = [("{}", t["who"])] if not action.is_family else [("<b>{}</b>", w.family_who)]
        if action.is_family and t["who"]:
            who.append(("<br/><b>{}</b>", t["who"]))
        rows = [[self.fitted_markup(title, inner, "cell")]]
        what_cell = [self.para(w.col_what, "cell_bold"), self.fitted(t["what"], inner)]
        if t["need"]:
            what_cell.append(self.fitted_markup([(f"<i>{self.fixed(w.helps_with)}</i> {{}}", t["need"])], inner))
        rows.append([what_cell])
        for label, parts in (
            (w.col_who, who),
            (w.col_when, [("{}", t["when"])]),
            (w.col_success, [("{}", t["success"])]),
        ):
            rows.append([[self.para(label, "cell_bold"), self.fitted_markup(parts, inner, "cell")]])
        card = Table(
            rows,
            colWidths=[self.frame_width],
            repeatRows=1,  # a card split across pages says whose action continues
            splitByRow=1,
            splitInRow=int(self.leading * 3 + self.body_size),
            hAlign="LEFT",
        )
        style = [
            ("BOX", (0, 0), (-1, -1), 1.5, colors.black),
            ("LINEBELOW", (0, 0), (-1, 0), 1.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ]
        if action.is_family:
            style += [
                ("BACKGROUND", (0, 0), (-1, 0), self.FAMILY_ROW_SHADE),
                ("LINEBEFORE", (0, 0), (0, -1), 5, colors.black),
            ]
        card.setStyle(self.mirror_style(style, 1))
        return card

    # -- the end of the plan -------------------------------------------------------------------------------
    def review_block(self) -> list:
        d, w = self.doc, self.words
        if d.next_review:
            when = f"<b>{esc(self.date(d.next_review))}</b>"
            text = self.fixed(w.review_on).replace("{date}", when)
        else:
            text = self.fixed(w.review_none)
        return self.section(w.review_heading, [self.markup(text)])

    def front_door_block(self) -> list:
        w = self.words
        front_door = without_emergency_line(self.doc.front_door) or w.front_door_default
        body = [
            self.markup(f"<b>{self.fixed(w.danger)}</b>"),
            self.para(w.worried),
            self.para(front_door, "boxed"),
        ]
        return self.section(w.worse_heading, body)

    def signatures_block(self) -> list:
        w = self.words
        sigs = list(self.doc.signatures)
        if not sigs:
            return self.section(w.signed_heading, [self.para(w.no_signatures)])
        story = self.section(w.signed_heading, [self.signatures_table(sigs)])
        later = list(self.doc.later_signatures)
        if later:
            story.append(Spacer(1, self.leading / 2))
            story += self.section(w.later_heading, [self.signatures_table(later)], style="bold")
        return story

    def signatures_table(self, sigs: list[Signature]) -> Table:
        w = self.words
        header = [w.name, w.col_role, w.col_date, w.col_method]
        rows = [[s.name, s.role, self.date(s.signed_on), s.method] for s in sigs]
        columns = [list(column) for column in zip(*rows, strict=True)]
        return self.content_table(header, columns, rows)

    def digest_block(self) -> list:
        d, w = self.doc, self.words
        if not d.digest:
            body = [self.markup(f"{self.fixed(w.draft_mark)}: {self.fixed(w.no_digest)}")]
        else:
            how = " ".join(w.digest_how).format(reference=clean(d.reference), version=d.version)
            body = [
                self.markup(f"<b>{self.fixed(w.digest_label)}</b> {esc(digest_groups(d.digest))}"),
                self.para(how),
            ]
        body.append(self.para(w.printed_on.format(date=self.language.date_time(d.generated_at))))
        return self.section(w.check_heading, body)


def render_plan(
    doc: PlanDocument, large: bool = False, *, language: Translator | None = None, interpreter: bool = False
) -> bytes:
    """Render one version of a family plan to PDF bytes. ``large=True`` for large print (16 pt body, action
    cards); ``language`` from ``eha.pdf.i18n.translator`` (English by default); ``interpreter`` adds the note."""
    return PlanRenderer(doc, large=large, language=language, interpreter=interpreter).render()


__all__ = ["NBSP", "PlanRenderer", "digest_groups", "render_plan"]
