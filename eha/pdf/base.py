"""What the plan and assessment renderers share: fonts, escaping, page geometry, decorations, page X of Y.

A renderer subclass supplies the running header text and the story; this base class owns everything that
must be the same on every printed page (the OFFICIAL-SENSITIVE marking, the reference, page X of Y, the
draft watermark) and the type scale for normal and large print.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from datetime import date, datetime
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    LongTable,
    PageTemplate,
    Paragraph,
    TableStyle,
)
from reportlab.platypus.paragraph import _FUZZ

from eha.formatting import format_date, format_datetime

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "EHASans"
FONT_BOLD = "EHASans-Bold"
MARKING = "OFFICIAL-SENSITIVE"
DRAFT_MARK = "DRAFT - NOT AGREED"
LANG = "en-GB"

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_fonts_lock = threading.Lock()
_fonts_registered = False


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) once per process.

    Parsing a TrueType file costs tens of milliseconds, so it must not happen per render. ReportLab keeps
    per-document subset state inside the TTFont (in a WeakKeyDictionary), so sharing it is safe.
    """
    global _fonts_registered
    if _fonts_registered:
        return
    with _fonts_lock:
        if _fonts_registered:
            return
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
        # ReportLab ASCII85-encodes every compressed stream by default: a quarter bigger and, without the
        # optional C accelerator, a tenth of the render time. Binary streams are plain, valid PDF.
        rl_config.useA85 = 0
        _fonts_registered = True


# C0/C1 control characters (but not tab or newline) and the Unicode line/paragraph separators: ReportLab would
# print them as boxes or choke on them, and nobody means them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean(value: object) -> str:
    """User text as a printable str: NFC, newlines normalised, control characters and lone surrogates gone."""
    if value is None:
        return ""
    text = str(value)
    # A lone surrogate (possible from a badly decoded form post) cannot be encoded into the PDF.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def esc(value: object) -> str:
    """Escape user text for a ReportLab Paragraph: markup prints literally, newlines become line breaks.

    ReportLab's Paragraph parses its text as XML-ish markup, so ``<b>``, ``<img src=x>``, ``<font size=90>``
    or a stray ``&`` in a family's words would otherwise change the layout or raise. Every user string goes
    through here before it reaches a Paragraph; our own markup is added around the escaped text.
    """
    return escape(clean(value)).replace("\n", "<br/>")


def long_date(value: date | datetime | None, empty: str = "Not set") -> str:
    """GOV.UK style date: 5 March 2026 (no locale dependency)."""
    if value is None:
        return empty
    return format_date(value)


def date_time(value: datetime) -> str:
    """ "5 March 2026 at 3:30pm" (a UK wall-clock time: "Printed on" is taken with ``now_in_london``)."""
    return format_datetime(value)


class WrapOnceParagraph(Paragraph):
    """A Paragraph that breaks its lines once per width.

    Tables wrap every cell to size the rows, again when they split across a page and again to draw; line
    breaking is most of the render time, and its result depends only on the width.
    """

    _wrapped_for: float | None = None

    def wrap(self, availWidth, availHeight):  # ReportLab's argument names
        # split() deletes blPara when it gives up on a page: then break the lines again.
        if self._wrapped_for == availWidth and availWidth >= _FUZZ and "blPara" in self.__dict__:
            return self.width, self.height
        result = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        return result


class NumberedCanvas(Canvas):
    """Holds every page back until the end so each can say "Page X of Y" in one layout pass.

    The usual ReportLab recipe: ``showPage`` stores the page's state instead of emitting it, ``save`` replays
    the pages once the total is known. ``page_label`` draws the label; it is bound to the renderer.
    """

    def __init__(self, *args, page_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []
        self._page_label = page_label

    def showPage(self):  # ReportLab's method name
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            if self._page_label is not None:
                self._page_label(self, self._pageNumber, total)
            super().showPage()
        super().save()


class PageNumberedRenderer:
    """Base for eha's printed documents: A4, OFFICIAL-SENSITIVE top and bottom, reference, page X of Y.

    Subclasses set ``header_right`` and ``build_story``; ``title``, ``subject`` and ``author`` go to the PDF
    metadata. Sizes are in points; everything printed is at least ``body_size`` (12 pt, 16 pt large print)
    except the draft watermark.
    """

    PAGE_WIDTH, PAGE_HEIGHT = A4
    MARGIN_X = 18 * mm
    MARGIN_EDGE = 10 * mm  # page edge to the marking lines
    GAP = 4 * mm  # marking lines to the body frame

    # (normal, large print)
    BODY_SIZE = (12, 16)
    H1_SIZE = (22, 28)
    H2_SIZE = (16, 21)
    LEADING_RATIO = 1.35

    WATERMARK_SIZE = 62
    WATERMARK_GREY = colors.Color(0.82, 0.82, 0.82)
    RULE_WIDTH = 0.8

    def __init__(self, *, reference: str, large: bool = False, is_draft: bool = False):
        register_fonts()
        self.large = large
        self.is_draft = is_draft
        self.reference = clean(reference)
        index = 1 if large else 0
        self.body_size = self.BODY_SIZE[index]
        self.h1_size = self.H1_SIZE[index]
        self.h2_size = self.H2_SIZE[index]
        self.leading = round(self.body_size * self.LEADING_RATIO, 1)
        self.styles = self.make_styles()

    # -- things subclasses provide -------------------------------------------------------------------------
    title = ""
    subject = ""
    author = ""

    def header_left(self) -> str:
        return self.reference

    def header_right(self) -> str:
        return ""

    def build_story(self) -> list:
        raise NotImplementedError

    # -- styles --------------------------------------------------------------------------------------------
    def make_styles(self) -> dict[str, ParagraphStyle]:
        body = ParagraphStyle(
            "body",
            fontName=FONT,
            fontSize=self.body_size,
            leading=self.leading,
            textColor=colors.black,
            alignment=TA_LEFT,
            spaceAfter=self.body_size * 0.5,
            splitLongWords=1,
            allowWidows=0,
            allowOrphans=0,
        )
        cell = ParagraphStyle("cell", parent=body, spaceAfter=0)
        return {
            "body": body,
            "bold": ParagraphStyle("bold", parent=body, fontName=FONT_BOLD),
            "cell": cell,
            "cell_bold": ParagraphStyle("cell_bold", parent=cell, fontName=FONT_BOLD),
            "h1": ParagraphStyle(
                "h1",
                parent=body,
                fontName=FONT_BOLD,
                fontSize=self.h1_size,
                leading=round(self.h1_size * 1.2, 1),
                spaceAfter=self.body_size * 0.6,
                keepWithNext=1,
            ),
            "h2": ParagraphStyle(
                "h2",
                parent=body,
                fontName=FONT_BOLD,
                fontSize=self.h2_size,
                leading=round(self.h2_size * 1.25, 1),
                spaceBefore=self.body_size * 1.1,
                spaceAfter=self.body_size * 0.4,
            ),
            "bullet": ParagraphStyle(
                "bullet",
                parent=body,
                leftIndent=self.body_size * 1.3,
                bulletIndent=self.body_size * 0.2,
                bulletFontName=FONT,
                bulletFontSize=self.body_size,
                spaceAfter=self.body_size * 0.25,
            ),
            "boxed": ParagraphStyle(
                "boxed",
                parent=body,
                fontName=FONT_BOLD,
                borderColor=colors.black,
                borderWidth=1.5,
                borderPadding=self.body_size * 0.5,
                spaceBefore=self.body_size * 0.6,
                spaceAfter=self.body_size * 1.1,
            ),
        }

    def heading(self, user_text: object) -> list:
        """A section heading that never sits alone at the foot of a page.

        ``keepWithNext`` would move a heading *and* a following long table or answer to a fresh page, leaving
        most of a page blank; a conditional page break only asks for room for a few lines.
        """
        room = self.h2_size * 1.25 + self.body_size * 1.1 + self.leading * 4
        return [CondPageBreak(room), WrapOnceParagraph(esc(user_text), self.styles["h2"])]

    def para(self, user_text: object, style: str = "body") -> Paragraph:
        """A Paragraph of the user's own words (escaped)."""
        return WrapOnceParagraph(esc(user_text), self.styles[style])

    def markup(self, safe_markup: str, style: str = "body") -> Paragraph:
        """A Paragraph of our own markup; any user text inside must already be ``esc()``-ed."""
        return WrapOnceParagraph(safe_markup, self.styles[style])

    def long_table(self, rows: list[list], col_widths: list[float]) -> LongTable:
        """A ruled table whose first row is a header repeated on every page, and whose long rows split.

        ReportLab's default (split between rows first, then inside a row) places the rest of a split table
        back in the same frame, so a long row would be split there under a second copy of the header, mid
        page. Splitting inside the row first fills the page instead; ``splitInRow`` is the least height, in
        points, left on either side of such a split, so nobody gets a one-line sliver.
        """
        table = LongTable(
            rows,
            colWidths=col_widths,
            repeatRows=1,
            splitByRow=0,
            splitInRow=int(self.leading * 2 + self.body_size),
            hAlign="LEFT",
        )
        table.setStyle(self.table_style())
        return table

    def table_style(self, *, header: bool = True) -> TableStyle:
        pad = self.body_size * 0.35
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ]
        if header:
            # Header row: a thicker rule underneath, not colour, carries the meaning.
            commands.append(("LINEBELOW", (0, 0), (-1, 0), 2, colors.black))
        return TableStyle(commands)

    # -- geometry ------------------------------------------------------------------------------------------
    @property
    def frame_width(self) -> float:
        return self.PAGE_WIDTH - 2 * self.MARGIN_X

    def _marking_lines(self) -> tuple[float, float, float, float]:
        """Baselines of (top marking, header line, footer line, bottom marking)."""
        line = self.leading
        top_marking = self.PAGE_HEIGHT - self.MARGIN_EDGE - self.body_size
        header = top_marking - line
        bottom_marking = self.MARGIN_EDGE
        footer = bottom_marking + line
        return top_marking, header, footer, bottom_marking

    def frames(self) -> list[Frame]:
        _, header, footer, _ = self._marking_lines()
        bottom = footer + self.body_size + self.GAP
        top = header - self.body_size * 0.4 - self.GAP
        return [
            Frame(
                self.MARGIN_X,
                bottom,
                self.frame_width,
                top - bottom,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
                id="body",
            )
        ]

    # -- page decorations ----------------------------------------------------------------------------------
    def draw_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """Everything on every page except "Page X of Y" (drawn at the end, when the total is known)."""
        canvas.saveState()
        if self.is_draft:
            self.draw_watermark(canvas)
        top_marking, header, footer, bottom_marking = self._marking_lines()
        centre = self.PAGE_WIDTH / 2
        left, right = self.MARGIN_X, self.PAGE_WIDTH - self.MARGIN_X
        canvas.setFillColor(colors.black)
        canvas.setStrokeColor(colors.black)

        canvas.setFont(FONT_BOLD, self.body_size)
        canvas.drawCentredString(centre, top_marking, MARKING)
        canvas.drawCentredString(centre, bottom_marking, MARKING)

        canvas.setFont(FONT, self.body_size)
        canvas.drawString(left, header, self.header_left())
        canvas.setFont(FONT_BOLD, self.body_size)
        canvas.drawRightString(right, header, self.header_right())
        canvas.setLineWidth(self.RULE_WIDTH)
        rule_y = header - self.body_size * 0.4
        canvas.line(left, rule_y, right, rule_y)

        rule_y = footer + self.body_size
        canvas.line(left, rule_y, right, rule_y)
        canvas.setFont(FONT, self.body_size)
        canvas.drawString(left, footer, self.footer_left())
        canvas.restoreState()

    def footer_left(self) -> str:
        return self.reference

    def draw_watermark(self, canvas: Canvas) -> None:
        """A large diagonal DRAFT - NOT AGREED behind the content, light enough to read the text through."""
        canvas.saveState()
        canvas.setFillColor(self.WATERMARK_GREY)
        canvas.setFont(FONT_BOLD, self.WATERMARK_SIZE)
        canvas.translate(self.PAGE_WIDTH / 2, self.PAGE_HEIGHT / 2)
        canvas.rotate(55)
        canvas.drawCentredString(0, -self.WATERMARK_SIZE / 3, DRAFT_MARK)
        canvas.restoreState()

    def draw_page_label(self, canvas: Canvas, page: int, total: int) -> None:
        _, _, footer, _ = self._marking_lines()
        canvas.saveState()
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT_BOLD, self.body_size)
        canvas.drawRightString(self.PAGE_WIDTH - self.MARGIN_X, footer, f"Page {page} of {total}")
        canvas.restoreState()

    # -- building ------------------------------------------------------------------------------------------
    def render(self) -> bytes:
        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=self.MARGIN_X,
            rightMargin=self.MARGIN_X,
            title=clean(self.title),
            author=clean(self.author),
            subject=clean(self.subject),
            creator="eha",
            lang=LANG,
            pageCompression=1,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=self.frames(), onPage=self.draw_page)])
        doc.build(self.build_story(), canvasmaker=partial(NumberedCanvas, page_label=self.draw_page_label))
        return buffer.getvalue()
