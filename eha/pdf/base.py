"""What the plan and assessment renderers share: fonts, escaping, page geometry, decorations, page X of Y.

A renderer subclass supplies the running header text and the story; this base class owns everything that
must be the same on every printed page (the OFFICIAL-SENSITIVE marking, the reference, page X of Y, the
draft watermark) and the type scale for normal and large print.
"""

from __future__ import annotations

import functools
import io
import re
import threading
import unicodedata
from datetime import date, datetime
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

import pyphen
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    LongTable,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import _FUZZ

from eha.formatting import format_date, format_datetime

from . import scripts
from .i18n import Translator, translator

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
    """Register the Noto fonts (``eha.pdf.scripts``: Noto Sans as ``EHASans``, Arabic, Bengali) once per process.

    Parsing a TrueType file costs tens of milliseconds, so it must not happen per render. ReportLab keeps
    per-document subset state inside the TTFont (in a WeakKeyDictionary), so sharing it is safe.
    """
    global _fonts_registered
    if _fonts_registered:
        return
    with _fonts_lock:
        if _fonts_registered:
            return
        scripts.register_fonts()
        # ReportLab ASCII85-encodes every compressed stream by default: a quarter bigger and, without the
        # optional C accelerator, a tenth of the render time. Binary streams are plain, valid PDF.
        rl_config.useA85 = 0
        _fonts_registered = True


NBSP = "\u00a0"
SOFT_HYPHEN = "\u00ad"
# pyphen dictionaries for the plan's languages (names are hyphenated by the plan's language: the nearest guess).
HYPHEN_LANGS = {"en": "en_GB", "cy": "cy_GB", "pl": "pl_PL", "ro": "ro_RO"}


@functools.lru_cache(maxsize=8)
def _hyphenator(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=lang if lang in pyphen.LANGUAGES else "en_GB")


_HYPHEN_PARTS = re.compile(r"[^-]+-?|-")


def word_parts(word: str, free: bool) -> list[str]:
    """The pieces of ``word`` no line break may fall inside: the whole word, or (``free`` text, where a line may
    break after a hyphen) each hyphenated part with its hyphen: "Wiśniewska-", "Łukasik"."""
    return _HYPHEN_PARTS.findall(word) if free and "-" in word[1:-1] else [word]


def hyphenate_long_words(
    text: str, width: float, style: ParagraphStyle, lang: str, free: bool = False
) -> tuple[str, bool]:
    """``text`` with each word wider than ``width`` made to fit; whether soft hyphens were added (then the
    Paragraph needs the ``_hyphenated`` style, which breaks at them).

    Only such words change; every other word stays whole. In ``free`` (running) text a hyphenated word wider than
    the column breaks after its own hyphens first: a space goes in after each, which can never show, because
    the whole word cannot fit on one line. A word, or part, still too wide gets soft hyphens at its syllables
    (pyphen); one with no syllable break left still fits, because the style splits long words as a last resort.
    """

    def wide(piece: str) -> bool:
        return len(piece) > 3 and pdfmetrics.stringWidth(piece, style.fontName, style.fontSize) > width

    words = text.split(" ")
    changed = False
    for index, word in enumerate(words):
        if not wide(word):
            continue
        parts = word_parts(word, free)
        for number, part in enumerate(parts):
            if wide(part):
                parts[number] = _hyphenator(lang).inserted(part, hyphen=SOFT_HYPHEN)
                changed = True
        words[index] = " ".join(parts)
    return " ".join(words), changed


def text_width(text: str, font: str, size: float) -> float:
    """Printed width of one line: Latin by the font's metrics, other scripts in their own fonts, shaped."""
    if scripts.is_plain(text):
        return pdfmetrics.stringWidth(text, font, size)
    return scripts.text_width(text, size, bold="Bold" in font)


def share_width(least: list[float], most: list[float], total: float) -> list[float]:
    """Widths summing to ``total``: each column its least width, then the rest shared out so that a column that
    wants little more (``most - least``) gets all of it and long text shares what is left; any left over after
    that goes in proportion to ``most``. When even the least widths do not fit, see ``_fair_shares``."""
    floor = sum(least)
    if not least:
        return []
    if floor >= total:
        return _fair_shares(least, total)
    spare = total - floor
    wants = [max(m - w, 0) for w, m in zip(least, most, strict=True)]
    wanted = sum(wants)
    if wanted >= spare:
        # Columns that want little (a date, a number, a name) get all of it; long text shares the rest.
        return [w + extra for w, extra in zip(least, _fair_shares(wants, spare), strict=True)]
    widths = [max(w, m) for w, m in zip(least, most, strict=True)]
    left, weight = total - sum(widths), sum(widths)
    return [w + left * w / weight for w in widths]


def _fair_shares(least: list[float], total: float) -> list[float]:
    """When the columns' least widths do not fit: the narrow ones keep theirs, the wide ones share what is left
    equally (their long words hyphenate), so a "No." column never shrinks to nothing beside a 500-letter word."""
    widths = [0.0] * len(least)
    left, remaining = total, len(least)
    for index in sorted(range(len(least)), key=least.__getitem__):
        widths[index] = min(least[index], left / remaining)
        left -= widths[index]
        remaining -= 1
    return widths


class KeepRoom(CondPageBreak):
    """A page break unless ``heading`` and the start of ``body`` fit in the space left on the page.

    The start of ``body`` is every flowable but the last whole, then the last one's first piece: two lines of a
    paragraph (widows and orphans are not allowed), or a table's header and first row (or, for a row taller than
    a page, as much as the table splits inside a row). Unlike ``keepWithNext`` it never drags a long table to
    the next page whole.
    """

    def __init__(self, heading: Flowable, body: list):
        super().__init__(0)
        self.heading = heading
        self.body = body

    def wrap(self, availWidth, availHeight):  # ReportLab's argument names
        self.height = self.room(availWidth)
        return super().wrap(availWidth, availHeight)

    def room(self, width: float) -> float:
        big = 10_000
        canv = getattr(self, "canv", None)
        heading = self.heading
        height = heading.getSpaceBefore() + heading.wrapOn(canv, width, big)[1] + heading.getSpaceAfter()
        for index, flowable in enumerate(self.body):
            full = flowable.wrapOn(canv, width, big)[1] + flowable.getSpaceBefore()
            if index < len(self.body) - 1:
                height += full + flowable.getSpaceAfter()
            else:
                height += min(full, _first_piece(flowable, full))
        return height + 2  # rounding in the frame's own sums


def _first_piece(flowable: Flowable, full: float) -> float:
    """The least of ``flowable`` (already wrapped) that may start a page: a table's header and first row (or
    as much of that row as it splits inside), a paragraph's first two lines, anything else whole."""
    if isinstance(flowable, Table):
        rows = flowable._rowHeights  # set by wrap()
        repeat = flowable.repeatRows if isinstance(flowable.repeatRows, int) else 1
        first = rows[min(len(rows) - 1, repeat)]
        return sum(rows[:repeat]) + min(first, flowable.splitInRow or first)
    if isinstance(flowable, Paragraph):
        # No widows or orphans: three lines or fewer move whole, a longer paragraph may leave two behind.
        lines = len(getattr(flowable, "blPara", None).lines) if "blPara" in flowable.__dict__ else 0
        return full if lines <= 3 else flowable.getSpaceBefore() + flowable.style.leading * 2
    return full


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
    SPLIT_SLACK = 30  # points: more than any cell's left and right padding

    def wrap(self, availWidth, availHeight):  # ReportLab's argument names
        # split() deletes blPara when it gives up on a page: then break the lines again.
        if self._wrapped_for == availWidth and availWidth >= _FUZZ and "blPara" in self.__dict__:
            return self.width, self.height
        result = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        return result

    def split(self, availWidth, availHeight):  # ReportLab's argument names
        """Split as ReportLab does, but hand both halves the lines already broken.

        ReportLab breaks the lines of each half again; for a 5,000-character answer running over several pages
        that is most of the render time. Greedy line breaking does not depend on where a line starts on the
        page, so the second half's lines are the first's remaining ones at the same width.
        """
        # A table splits a cell's Paragraph at the column's full width but wraps and draws it inside the cell's
        # padding: split at the width it was wrapped to, or the halves' lines would not be the ones drawn.
        wrapped = self._wrapped_for
        if wrapped and "blPara" in self.__dict__ and wrapped < availWidth <= wrapped + self.SPLIT_SLACK:
            availWidth = wrapped
        parts = super().split(availWidth, availHeight)
        # Only plain paragraphs (one font, ``kind`` 0): mixed-font lines index into their paragraph's fragments.
        if len(parts) != 2 or self.blPara.kind != 0 or self.style.endDots:
            return parts
        if getattr(self.style, "autoLeading", "") not in ("", "off"):
            return parts
        first, second = parts
        if self.style.firstLineIndent:
            return parts
        lines = self.blPara.lines
        count = len(first.blPara.lines)
        first.blPara = self.blPara.clone(lines=lines[:count])  # ReportLab's own is a stand-in, not drawable
        first._wrapped_for = availWidth
        second.blPara = self.blPara.clone(lines=lines[count:])
        second.width = availWidth
        second.height = len(lines[count:]) * self.style.leading
        second._wrapped_for = availWidth
        return parts


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

    font = FONT
    font_bold = FONT_BOLD
    FREE_COLUMN_SHARE = 0.2  # of the width, at least, for a column of running text beside names and dates

    def __init__(
        self, *, reference: str, large: bool = False, is_draft: bool = False, language: Translator | None = None
    ):
        register_fonts()
        self.language = language or translator()
        self.gettext = self.language.gettext
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
            fontName=self.font,
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
        styles = {
            "body": body,
            "bold": ParagraphStyle("bold", parent=body, fontName=self.font_bold),
            "cell": cell,
            "cell_bold": ParagraphStyle("cell_bold", parent=cell, fontName=self.font_bold),
            **self._heading_styles(body),
            **self._block_styles(body),
        }
        # Break at the soft hyphens ``fitted`` puts in a word too wide for its column (and only there).
        for name in list(styles):
            styles[f"{name}_hyphenated"] = ParagraphStyle(
                f"{name}_hyphenated", parent=styles[name], embeddedHyphenation=1
            )
        return styles

    def _heading_styles(self, body) -> dict[str, ParagraphStyle]:
        return {
            "h1": ParagraphStyle(
                "h1",
                parent=body,
                fontName=self.font_bold,
                fontSize=self.h1_size,
                leading=round(self.h1_size * 1.2, 1),
                spaceAfter=self.body_size * 0.6,
                keepWithNext=1,
            ),
            "h2": ParagraphStyle(
                "h2",
                parent=body,
                fontName=self.font_bold,
                fontSize=self.h2_size,
                leading=round(self.h2_size * 1.25, 1),
                spaceBefore=self.body_size * 1.1,
                spaceAfter=self.body_size * 0.4,
            ),
        }

    def _block_styles(self, body) -> dict[str, ParagraphStyle]:
        return {
            "bullet": ParagraphStyle(
                "bullet",
                parent=body,
                leftIndent=self.body_size * 1.3,
                bulletIndent=self.body_size * 0.2,
                bulletFontName=self.font,
                bulletFontSize=self.body_size,
                spaceAfter=self.body_size * 0.25,
            ),
            "boxed": ParagraphStyle(
                "boxed",
                parent=body,
                fontName=self.font_bold,
                borderColor=colors.black,
                borderWidth=1.5,
                borderPadding=self.body_size * 0.5,
                spaceBefore=self.body_size * 0.6,
                spaceAfter=self.body_size * 1.1,
            ),
        }

    # -- text ----------------------------------------------------------------------------------------------
    def shape(self, text: str) -> str:
        """Text as it must be drawn: the hook for scripts that need shaping and right-to-left order."""
        return text

    def date(self, value: date | None, empty: str = "") -> str:
        """A date in the plan's language whose day and month never part (a no-break space); only the year may
        go to the next line, in a column too narrow for the whole date."""
        if value is None:
            return empty
        day, _, rest = self.language.date(value, empty).partition(" ")
        return f"{day}{NBSP}{rest}" if rest else day

    def paragraph(self, safe_markup: str, style: str = "body", bullet: str | None = None) -> Paragraph:
        """Every Paragraph the renderers draw: our markup (user text inside ``esc()``-ed) in the plan's language,
        each script in its font, shaped, right to left where it should be (``eha.pdf.scripts``)."""
        return scripts.paragraph(
            safe_markup, self.styles[style], self.language.locale, plain=WrapOnceParagraph, bullet=bullet
        )

    def heading_para(self, text: object, style: str = "h2") -> Paragraph:
        return self.paragraph(esc(self.shape(clean(text))), style)

    def section(self, heading: object, body: list, keep: int | None = None, style: str = "h2") -> list:
        """A heading and what follows it: the heading moves to the next page unless the start of ``body`` fits
        under it: its first ``keep`` flowables (all by default), the last of them only its first lines or row."""
        title = self.heading_para(heading, style)
        return [KeepRoom(title, body[:keep] if keep else body), title, *body]

    def heading(self, user_text: object) -> list:
        """A bare section heading (kept with the first lines after it only as far as ``CondPageBreak`` can)."""
        room = self.h2_size * 1.25 + self.body_size * 1.1 + self.leading * 4
        return [CondPageBreak(room), self.heading_para(user_text)]

    def para(self, user_text: object, style: str = "body") -> Paragraph:
        """A Paragraph of the user's own words, or of our fixed text (escaped)."""
        return self.paragraph(esc(self.shape(clean(user_text))), style)

    def markup(self, safe_markup: str, style: str = "body") -> Paragraph:
        """A Paragraph of our own markup; any user text inside must already be ``esc()``-ed."""
        return self.paragraph(safe_markup, style)

    def fit(self, user_text: object, width: float, style: str = "cell", free: bool = False) -> tuple[str, bool]:
        """``user_text`` escaped for a column ``width`` wide: a word wider than the column (and only such a
        word) gets soft hyphens at its syllables; whether it did (use the ``_hyphenated`` style). ``free``:
        running text, where a line may also break after a hyphen already in a word; a name's column is not
        free, so "Wiśniewska-Łukasik" stays on one line there."""
        text, hyphenated = hyphenate_long_words(
            self.shape(clean(user_text)), width, self.styles[style], self.hyphen_lang(), free
        )
        return esc(text), hyphenated

    def fitted(self, user_text: object, width: float, style: str = "cell", free: bool = False) -> Paragraph:
        """The user's words as a Paragraph in a column ``width`` wide, broken between words only (see ``fit``)."""
        text, hyphenated = self.fit(user_text, width, style, free)
        return self.paragraph(text, style + "_hyphenated" if hyphenated else style)

    def fitted_markup(
        self, parts: list[tuple[str, str]], width: float, style: str = "cell", free: bool = False
    ) -> Paragraph:
        """A Paragraph of ``(template, user text)`` parts, each template our markup with one ``{}`` for the
        fitted, escaped user text (``"<b>{}</b>"``), joined as they are."""
        hyphenated = False
        pieces = []
        for template, text in parts:
            fitted, changed = self.fit(text, width, style, free)
            hyphenated = hyphenated or changed
            pieces.append(template.format(fitted))
        return self.paragraph("".join(pieces), style + "_hyphenated" if hyphenated else style)

    def hyphen_lang(self) -> str:
        return HYPHEN_LANGS.get(self.language.locale, "en_GB")

    # -- tables --------------------------------------------------------------------------------------------
    def cell_padding(self) -> float:
        return self.body_size * 0.35

    def content_widths(
        self,
        columns: list[list[str]],
        header: list[str] | None = None,
        *,
        total: float | None = None,
        free: frozenset[int] | set[int] = frozenset(),
        style: str = "cell",
    ) -> list[float]:
        """Column widths from what is in them: each at least as wide as its longest word (a date is one word;
        in a ``free`` column, running text, the longest hyphenated part), the space left shared by how much
        more each column would need to print on one line. ``header`` texts are measured in bold."""
        total = self.frame_width if total is None else total
        pad = 2 * self.cell_padding() + 1
        least, most = [], []
        for index, texts in enumerate(columns):
            heads = [header[index]] if header else []
            longest, widest = self._measure(texts, self.styles[style], index in free)
            head_longest, head_widest = self._measure(heads, self.styles["cell_bold"], False)
            least.append(max(longest, head_longest) + pad)
            most.append(max(widest, head_widest, longest, head_longest) + pad)
        # Running text gets a floor before names and dates take their fill, as far as the width allows.
        floors = [max(0, total * self.FREE_COLUMN_SHARE - least[i]) if i in free else 0 for i in range(len(least))]
        raised = _fair_shares(floors, max(0, total - sum(least))) if sum(floors) else floors
        least = [w + extra for w, extra in zip(least, raised, strict=True)]
        most = [max(m, w) for m, w in zip(most, least, strict=True)]
        return share_width(least, most, total)

    @staticmethod
    def _measure(texts: list[str], style: ParagraphStyle, free: bool) -> tuple[float, float]:
        """(longest unbreakable piece, longest line) of ``texts`` in ``style``, in points."""
        name, size = style.fontName, style.fontSize
        lines = [line for text in texts for line in clean(text).split("\n")]
        pieces = {part for line in lines for word in line.split(" ") if word for part in word_parts(word, free)}
        longest = max((text_width(p, name, size) for p in pieces), default=0)
        widest = max((text_width(line, name, size) for line in lines), default=0)
        return longest, widest

    @property
    def rtl(self) -> bool:
        return scripts.is_rtl(self.language.locale)

    def mirrored(self, rows: list[list], col_widths: list[float]) -> tuple[list[list], list[float]]:
        """Rows and widths in reading order: right to left editions put the first column on the right."""
        return [scripts.mirror(row, self.language.locale) for row in rows], scripts.mirror(
            col_widths, self.language.locale
        )

    def mirror_style(self, commands: list[tuple], columns: int) -> list[tuple]:
        """Table style commands for ``mirrored`` rows (column indices and before/after swapped)."""
        return scripts.mirror_style(commands, columns, self.language.locale)

    def long_table(self, rows: list[list], col_widths: list[float]) -> LongTable:
        """A ruled table whose first row is a header repeated on every page.

        Rows are not split: a row that does not fit moves to the next page whole. Only a row taller than a
        whole page is split inside (``splitInRow`` is the least height left on either side, so nobody gets a
        one-line sliver), and the header is repeated above its continuation.
        """
        rows, col_widths = self.mirrored(rows, col_widths)
        table = LongTable(
            rows,
            colWidths=col_widths,
            repeatRows=1,
            splitByRow=1,
            splitInRow=int(self.leading * 2 + self.body_size),
            hAlign="RIGHT" if self.rtl else "LEFT",
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

    def frame_height(self) -> float:
        _, header, footer, _ = self._marking_lines()
        return (header - self.body_size * 0.4 - self.GAP) - (footer + self.body_size + self.GAP)

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

        canvas.setFont(self.font_bold, self.body_size)
        canvas.drawCentredString(centre, top_marking, MARKING)
        canvas.drawCentredString(centre, bottom_marking, MARKING)

        self.draw_text(canvas, self.header_left(), "start", header)
        self.draw_text(canvas, self.header_right(), "end", header, bold=True)
        canvas.setLineWidth(self.RULE_WIDTH)
        rule_y = header - self.body_size * 0.4
        canvas.line(left, rule_y, right, rule_y)

        rule_y = footer + self.body_size
        canvas.line(left, rule_y, right, rule_y)
        self.draw_text(canvas, self.footer_left(), "start", footer)
        canvas.restoreState()

    def draw_text(
        self,
        canvas: Canvas,
        text: str,
        anchor: str,
        baseline: float,
        *,
        bold: bool = False,
        size: float | None = None,
        x: float | None = None,
        color: colors.Color = colors.black,
    ) -> None:
        """One line of page furniture at the ``start`` or ``end`` of the line, in reading order (the start is
        the right margin in right-to-left editions), or centred on ``x``; shaped where the script needs it."""
        size = size or self.body_size
        font = self.font_bold if bold else self.font
        if x is None:
            left, right = self.MARGIN_X, self.PAGE_WIDTH - self.MARGIN_X
            x = {"start": right if self.rtl else left, "end": left if self.rtl else right}[anchor]
        text = clean(text)
        if scripts.is_plain(text, self.language.locale):
            canvas.setFont(font, size)
            canvas.setFillColor(color)
            draw = {"start": canvas.drawString, "end": canvas.drawRightString, "centre": canvas.drawCentredString}
            draw[anchor](x, baseline, self.shape(text))
            return
        style = ParagraphStyle("furniture", fontName=font, fontSize=size, leading=size * 1.2, textColor=color)
        scripts.draw_line(canvas, esc(text), x, baseline, style, self.language.locale, anchor)

    def footer_left(self) -> str:
        return self.reference

    def watermark_text(self) -> str:
        return DRAFT_MARK

    def page_label(self, page: int, total: int) -> str:
        return f"Page {page} of {total}"

    def draw_watermark(self, canvas: Canvas) -> None:
        """A large diagonal DRAFT - NOT AGREED behind the content, light enough to read the text through."""
        canvas.saveState()
        canvas.setFillColor(self.WATERMARK_GREY)
        canvas.translate(self.PAGE_WIDTH / 2, self.PAGE_HEIGHT / 2)
        canvas.rotate(55)
        self.draw_text(
            canvas,
            self.watermark_text(),
            "centre",
            -self.WATERMARK_SIZE / 3,
            bold=True,
            size=self.WATERMARK_SIZE,
            x=0,
            color=self.WATERMARK_GREY,
        )
        canvas.restoreState()

    def draw_page_label(self, canvas: Canvas, page: int, total: int) -> None:
        _, _, footer, _ = self._marking_lines()
        canvas.saveState()
        canvas.setFillColor(colors.black)
        self.draw_text(canvas, self.page_label(page, total), "end", footer, bold=True)
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
            lang=self.language.tag,
            pageCompression=1,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=self.frames(), onPage=self.draw_page)])
        doc.build(self.build_story(), canvasmaker=partial(NumberedCanvas, page_label=self.draw_page_label))
        return buffer.getvalue()
