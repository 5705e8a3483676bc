"""Printing any script: fonts per run, shaping, and right-to-left order for ReportLab.

ReportLab draws glyphs one after another from left to right in one font. A plan in Urdu, or a Polish
family's answer in an English plan, needs three things ReportLab leaves to us:

* **Fonts per run.** Text is split into runs by script (Latin and everything Noto Sans covers, Arabic
  script, Bengali), each run wrapped in ``<font name=…>`` with the bundled Noto font for it. Digits,
  spaces and punctuation belong to the run they sit in, when its font has them.
* **Shaping.** Arabic letters join and Bengali conjuncts form only when the text is shaped. ReportLab
  shapes with HarfBuzz (uharfbuzz) when a paragraph style has ``shaping=1``; we switch it on only for
  paragraphs that need it (shaping costs time). HarfBuzz shapes each right-to-left word into glyphs in
  visual order.
* **Direction.** ReportLab lays words out left to right in the order given, and its own bidi support
  needs ``rlbidi``, which is not on PyPI. So a paragraph with any right-to-left text is broken into lines
  here (logical order, widths measured from the shaped words), each line's words are put in visual order
  by the Unicode bidi algorithm's rules at word level (X/W/N/I rules simplified to whole words, then L2),
  and ReportLab gets one line per ``<br/>``. Right-to-left editions also align right and mirror tables.

Every user string is still escaped: ``paragraph`` takes our markup (``<b>``, ``<i>``, ``<br/>`` and
escaped text only) and re-escapes each run it emits.

Text extraction (pypdf) of a right-to-left line returns Arabic letters as presentation forms (NFKC gives
the letters back) in logical order: pypdf reverses right-to-left runs. Bengali comes back in glyph order:
a vowel sign drawn before its consonant (ি, ে, ৈ) is extracted before it, and conjuncts whose glyph has
no single character extract as private-use characters, though they print correctly.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, unescape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedFragWord, TTFont, shapeFragWord, shapeStr
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Paragraph
from reportlab.platypus import paragraph as rl_paragraph

FONT_DIR = Path(__file__).parent / "fonts"

RTL_LOCALES = frozenset({"ar", "ur"})

# script: (regular name, bold name, regular file, bold file)
_FONTS = {
    "latn": ("EHASans", "EHASans-Bold", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    # Urdu prints in Naskh too. Nastaliq is the style Urdu readers expect in print, and HarfBuzz shapes it
    # well enough, but almost none of its joined glyphs has a character of its own in the font, so
    # ReportLab gives them private-use codes: the PDF's text (search, copy, screen readers) would be lost
    # and it needs twice the line height. Naskh has every Urdu letter and extracts as presentation forms.
    "arab": ("EHANaskh", "EHANaskh-Bold", "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    "beng": ("EHABengali", "EHABengali-Bold", "NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf"),
}
COMPLEX = frozenset({"arab", "beng"})  # scripts that print correctly only when shaped

# Arabic script (Arabic, Urdu, Persian letters, presentation forms) and Bengali blocks.
_RANGES = (
    (0x0600, 0x06FF, "arab"),
    (0x0750, 0x077F, "arab"),
    (0x08A0, 0x08FF, "arab"),
    (0xFB50, 0xFDFF, "arab"),
    (0xFE70, 0xFEFF, "arab"),
    (0x0980, 0x09FF, "beng"),
)

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the bundled Noto fonts once per process (parsing a TrueType file is slow)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for regular, bold, regular_file, bold_file in _FONTS.values():
            pdfmetrics.registerFont(TTFont(regular, str(FONT_DIR / regular_file)))
            pdfmetrics.registerFont(TTFont(bold, str(FONT_DIR / bold_file)))
            pdfmetrics.registerFontFamily(regular, normal=regular, bold=bold, italic=regular, boldItalic=bold)
        _registered = True


def font_for(script: str, bold: bool = False) -> str:
    regular, bold_name, _, _ = _FONTS[script]
    return bold_name if bold else regular


def is_rtl(locale: str | None) -> bool:
    return (locale or "").split("-")[0].split("_")[0].lower() in RTL_LOCALES


def script_of(char: str) -> str | None:
    """The script of one character, or None for characters any run may carry (digits, punctuation, space)."""
    code = ord(char)
    for low, high, script in _RANGES:
        if low <= code <= high:
            # Arabic-Indic digits and Arabic punctuation stay with the Arabic font.
            return script
    if unicodedata.category(char)[0] in "LM":
        return "latn"
    return None


def _covers(font_name: str, char: str) -> bool:
    return ord(char) in pdfmetrics.getFont(font_name).face.charToGlyph


@dataclass(frozen=True)
class Run:
    """Text in one font."""

    text: str
    font: str
    script: str

    @property
    def markup(self) -> str:
        return f'<font name="{self.font}">{escape(self.text)}</font>'


def runs(text: str, bold: bool = False) -> list[Run]:
    """Split text into runs by script; neutral characters join the run before them (or after, at the start)."""
    register_fonts()
    scripts: list[str | None] = [script_of(ch) for ch in text]
    # Neutral characters take the script before them when its font has the glyph, otherwise Latin.
    current = next((s for s in scripts if s), "latn")
    resolved: list[str] = []
    for ch, script in zip(text, scripts, strict=True):
        if script is None:
            # The run's own font if it has the character, else the first of ours that does (a Bengali
            # danda after a Latin bracket, a bracket after Arabic).
            fonts = (current, *(s for s in ("latn", "beng", "arab") if s != current))
            script = next((s for s in fonts if _covers(font_for(s, bold), ch)), "latn")
        else:
            current = script
        resolved.append(script)
    result: list[Run] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or resolved[i] != resolved[start]:
            result.append(Run(text[start:i], font_for(resolved[start], bold), resolved[start]))
            start = i
    return result


def shape_frag_word(word):
    """ReportLab's ``shapeFragWord``, one fragment at a time.

    ReportLab shapes a whole word with the font of its first fragment and then looks the glyphs up in each
    fragment's own font: a word that changes font (Arabic in Noto Naskh with a bracket or hyphen in Noto
    Sans, which the Arabic fonts leave out) prints wrong glyphs. And HarfBuzz reverses a whole right-to-left
    buffer, digits too. Our fragments are already cut by font and bidi class and put in visual order
    (``line_markup``), so each is shaped on its own and the results joined.
    """
    items = word[1:]
    if isinstance(word, ShapedFragWord) or len(items) < 2 or any(hasattr(f, "cbDefn") for f, _ in items):
        return shapeFragWord(word)
    joined, width, changed = [], 0.0, False
    for frag, text in items:
        part = shapeFragWord(word.__class__([pdfmetrics.stringWidth(text, frag.fontName, frag.fontSize), (frag, text)]))
        changed = changed or isinstance(part, ShapedFragWord)
        width += part[0]
        joined += part[1:]
    if not changed:
        return word
    return ShapedFragWord([width, *joined])


# ReportLab's paragraph module calls the name it imported; this is the one place it is replaced.
rl_paragraph.shapeFragWord = shape_frag_word


def _set_rise(self, rise, _original=PDFTextObject.setRise):
    """``PDFTextObject.setRise`` that works when nothing has been written yet.

    ReportLab raises IndexError (it looks at the last operator written) when a shaped fragment's first glyph
    sits above or below the line (an Arabic tanween or hamza, after a comma in the same font) and the
    fragment did not have to switch font first.
    """
    if not self._code:
        self._code.append("")
    _original(self, rise)


PDFTextObject.setRise = _set_rise


# -- our markup in, words out -----------------------------------------------------------------------------
_TAGS = {"<b>": ("bold", True), "</b>": ("bold", False), "<i>": None, "</i>": None}


def _pieces(safe_markup: str) -> list[tuple[str, bool]]:
    """Our own markup as (text, bold) pieces; ``<br/>`` becomes a newline. Italic prints upright.

    Only the tags eha's renderers write are understood; anything else in angle brackets would be user text
    that skipped ``esc()``, so it is refused rather than guessed at.
    """
    pieces: list[tuple[str, bool]] = []
    bold = False
    pos = 0
    while pos < len(safe_markup):
        lt = safe_markup.find("<", pos)
        if lt == -1:
            pieces.append((unescape(safe_markup[pos:]), bold))
            break
        if lt > pos:
            pieces.append((unescape(safe_markup[pos:lt]), bold))
        gt = safe_markup.find(">", lt)
        tag = safe_markup[lt : gt + 1].replace(" ", "")
        if tag in ("<br/>", "<br>"):
            pieces.append(("\n", bold))
        elif tag in _TAGS:
            if _TAGS[tag]:
                bold = _TAGS[tag][1]
        else:
            raise ValueError(f"Unexpected markup {tag!r}: escape user text with esc()")
        pos = gt + 1
    return pieces


@dataclass(frozen=True)
class Word:
    """One space-separated word: its runs and its bidi class ('L', 'R', 'EN' for numbers, 'ON' neutral)."""

    runs: tuple[Run, ...]
    bidi: str

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @property
    def markup(self) -> str:
        return "".join(r.markup for r in self.runs)

    @property
    def pieces(self) -> list[Piece]:
        """The word cut where the font or the bidi class changes: the units put in visual order."""
        out: list[Piece] = []
        for run in self.runs:
            kind = None
            for ch in run.text:
                ch_kind = _char_class(ch, kind)
                if out and kind == ch_kind and out[-1].font == run.font:
                    out[-1] = Piece(out[-1].text + ch, run.font, ch_kind)
                else:
                    out.append(Piece(ch, run.font, ch_kind))
                kind = ch_kind
        return out


@dataclass(frozen=True)
class Piece:
    """Characters of one font and one bidi class ('L', 'R', 'EN' for numbers, 'ON' for the rest)."""

    text: str
    font: str
    bidi: str

    def markup(self, level: int, tagged: bool = True) -> str:
        """The piece for ReportLab; untagged, it takes the paragraph's font."""
        text = self.text
        if self.bidi == "ON" and level % 2:
            # HarfBuzz reverses a right-to-left run of letters itself; punctuation on its own is ours to
            # reverse, brackets mirrored (UAX #9 rule L4).
            text = "".join(_MIRROR.get(ch, ch) for ch in reversed(text))
        return f'<font name="{self.font}">{escape(text)}</font>' if tagged else escape(text)


SPACE = Piece(" ", "", "ON")


def _char_class(ch: str, previous: str | None) -> str:
    kind = unicodedata.bidirectional(ch)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    if kind in ("EN", "AN"):
        return "EN"
    if kind == "NSM" and previous:
        return previous  # a combining mark (an Arabic vowel sign) stays with its letter
    return "ON"


_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))


def _bidi_class(text: str) -> str:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    if any(unicodedata.bidirectional(ch) in ("EN", "AN") for ch in text):
        return "EN"
    return "ON"


def words_of(safe_markup: str, bold: bool = False) -> list[list[Word]]:
    """Hard lines (split at ``<br/>``) of words, in logical order."""
    lines: list[list[Word]] = [[]]
    pending: list[tuple[str, bool]] = []  # pieces of the word being read (a word can change weight)

    def flush():
        if pending:
            text = "".join(t for t, _ in pending)
            word_runs = tuple(r for t, b in pending for r in runs(t, b or bold))
            lines[-1].append(Word(word_runs, _bidi_class(text)))
            pending.clear()

    for text, piece_bold in _pieces(safe_markup):
        for i, part in enumerate(text.replace("\n", " \n ").split(" ")):
            if i:
                flush()
            if part == "\n":
                lines.append([])
            elif part:
                pending.append((part, piece_bold))
    flush()
    return lines


# -- bidi at word level ---------------------------------------------------------------------------------
def word_levels(words: list, base: int) -> list[int]:
    """Embedding levels of words or pieces (anything with ``bidi``): UAX #9 W, N and I rules, simplified."""
    kinds = [w.bidi for w in words]
    # W7 (and W2 in effect): a number after Latin text, or at the start of a left-to-right paragraph, is Latin.
    last_strong = "R" if base else "L"
    for i, kind in enumerate(kinds):
        if kind in ("L", "R"):
            last_strong = kind
        elif kind == "EN" and last_strong == "L":
            kinds[i] = "L"
    # N1/N2: neutrals between words of one direction take it (numbers count as R), otherwise the base.
    strong = ["R" if k == "EN" else k for k in kinds]
    for i, kind in enumerate(kinds):
        if kind != "ON":
            continue
        before = next((s for s in reversed(strong[:i]) if s != "ON"), "R" if base else "L")
        after = next((s for s in strong[i + 1 :] if s != "ON"), "R" if base else "L")
        kinds[i] = before if before == after else ("R" if base else "L")
    # I1/I2
    levels = []
    for kind in kinds:
        if base == 0:
            levels.append({"L": 0, "R": 1, "EN": 2}[kind])
        else:
            levels.append({"L": 2, "R": 1, "EN": 2}[kind])
    return levels


def visual_order(items: list, levels: list[int]) -> list:
    """UAX #9 rule L2: from the highest level down to the lowest odd one, reverse every run at or above it."""
    items = list(items)
    if not levels:
        return items
    odd = [lv for lv in levels if lv % 2] or [min(levels) + 1]
    levels = list(levels)
    for level in range(max(levels), min(odd) - 1, -1):
        i = 0
        while i < len(items):
            if levels[i] >= level:
                j = i
                while j < len(items) and levels[j] >= level:
                    j += 1
                items[i:j] = items[i:j][::-1]
                levels[i:j] = levels[i:j][::-1]
                i = j
            else:
                i += 1
    return items


def line_markup(line: list[Word], base: int, font: str = "") -> str:
    """One line of words as ReportLab markup in visual order (left to right).

    A word that is one piece in the paragraph's ``font`` goes untagged (ReportLab parses every tag, and that
    is most of the time a line costs); pieces of one word are always tagged, so that each stays a fragment
    of its own and is shaped on its own (see ``shape_frag_word``).
    """
    pieces: list[Piece] = []
    alone: list[bool] = []
    for word in line:
        if pieces:
            pieces.append(SPACE)
            alone.append(True)
        word_pieces = word.pieces
        pieces += word_pieces
        alone += [len(word_pieces) == 1] * len(word_pieces)
    levels = word_levels(pieces, base)
    order = visual_order(list(range(len(pieces))), levels)
    return "".join(
        " " if pieces[i] is SPACE else pieces[i].markup(levels[i], tagged=not (alone[i] and pieces[i].font == font))
        for i in order
    )


# -- measuring and line breaking ------------------------------------------------------------------------
def _run_width(run: Run, size: float) -> float:
    if run.script in COMPLEX:
        shaped = shapeStr(run.text, run.font, size)
        data = getattr(shaped, "__shapeData__", None)
        if data is not None:
            return sum(d.x_advance for d in data) * size / 1000
    return pdfmetrics.stringWidth(run.text, run.font, size)


def word_width(word: Word, size: float) -> float:
    return sum(_run_width(r, size) for r in word.runs)


def break_lines(words: list[Word], width: float, size: float) -> list[list[Word]]:
    """Greedy line breaking in logical order; a word wider than the line stands alone on its line."""
    lines: list[list[Word]] = []
    line: list[Word] = []
    used = 0.0
    for word in words:
        w = word_width(word, size)
        space = pdfmetrics.stringWidth(" ", word.runs[0].font, size)
        if line and used + space + w > width:
            lines.append(line)
            line, used = [], 0.0
        used += (space if line else 0) + w
        line.append(word)
    if line:
        lines.append(line)
    return lines


# -- paragraphs -----------------------------------------------------------------------------------------
class ScriptParagraph(Paragraph):
    """A Paragraph whose right-to-left (or mixed) text is broken into lines here and each line reordered.

    Created with ``laid_out`` (the logical words and base level), it breaks its lines again for each new
    width. The pieces ReportLab makes when it splits one across pages are plain lines already in visual
    order (created with ``frags=``), so they need nothing more.
    """

    def __init__(self, text, style=None, bulletText=None, frags=None, *, laid_out=None, **kwargs):
        self._laid_out = laid_out
        self._laid_for: float | None = None
        self._frags_for: dict[float, list] = {}  # width: parsed lines (tables wrap a cell at several widths)
        self._wrapped: tuple | None = None
        super().__init__(text, style, bulletText=bulletText, frags=frags, **kwargs)

    def wrap(self, availWidth, availHeight):  # ReportLab's argument names
        # Breaking shaped lines is slow: keep the result while the width stays (split() drops blPara).
        if self._wrapped and self._wrapped[0] == availWidth and "blPara" in self.__dict__:
            return self._wrapped[1:]
        if self._laid_out is not None and self._laid_for != availWidth:
            if availWidth not in self._frags_for:
                style = self.style
                width = availWidth - style.leftIndent - style.rightIndent - style.firstLineIndent
                # A whisker narrower than ReportLab's own measure, so it never breaks one of our lines again.
                self._setup(self._visual_markup(width - 0.5), style, self.bulletText, None, lambda text: text)
                self._frags_for[availWidth] = self.frags
            self.frags = self._frags_for[availWidth]
            self._laid_for = availWidth
        size = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, *size)
        return size

    def _visual_markup(self, width: float) -> str:
        hard_lines, base = self._laid_out
        size = self.style.fontSize
        out = []
        for hard_line in hard_lines:
            for line in break_lines(hard_line, width, size) or [[]]:
                out.append(line_markup(line, base, self.style.fontName))
        return "<br/>".join(out)


def _style_for(style: ParagraphStyle, used: set[str], rtl: bool, bold: bool) -> ParagraphStyle:
    main = next((s for s in ("arab", "beng") if s in used), "latn")
    changes: dict = {"fontName": font_for(main, bold)}
    if used & COMPLEX:
        changes["shaping"] = 1
        # Naskh and Bengali reach higher and lower than Latin: give their lines a little more room.
        changes["leading"] = max(style.leading, style.fontSize * 1.5)
    if rtl and style.alignment == TA_LEFT:
        changes["alignment"] = TA_RIGHT
        changes["leftIndent"], changes["rightIndent"] = style.rightIndent, style.leftIndent
    return ParagraphStyle(f"{style.name}-{main}{'-rtl' if rtl else ''}", parent=style, **changes)


def is_plain(text: str, locale: str | None = None) -> bool:
    """True when ``text`` needs none of this: a left-to-right edition and only characters Noto Sans prints
    unshaped (then callers may keep ReportLab's fast paths: one-font paragraphs, ``drawString``)."""
    return not is_rtl(locale) and not any(script_of(ch) in COMPLEX for ch in text)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of one line of plain text as it will print (each run in its font, complex scripts shaped)."""
    register_fonts()
    return sum(_run_width(run, size) for run in runs(text, bold))


def base_level(words: list[Word], rtl: bool) -> int:
    """A paragraph's direction (UAX #9 P2, P3): 1, right to left, or 0.

    In a right-to-left edition every paragraph with right-to-left text in it reads right to left (our
    sentences, with names inside); one with none (a Polish answer, a reference) reads left to right, so its
    full stops stay at its end. Elsewhere the first letter decides, as HTML's ``dir="auto"`` does.
    """
    if rtl:
        return 1 if any(w.bidi == "R" for w in words) else 0
    first = next((w.bidi for w in words if w.bidi in ("L", "R")), "L")
    return 1 if first == "R" else 0


def paragraph(
    safe_markup: str,
    style: ParagraphStyle,
    locale: str | None = None,
    *,
    plain: type[Paragraph] = Paragraph,
    bullet: str | None = None,
) -> Paragraph:
    """A Paragraph of our markup (user text inside already ``esc()``-ed) that prints in any script.

    ``locale`` is the edition's language: in Arabic and Urdu editions paragraphs read right to left and align
    right. Text in another direction inside (a name, a number, a family's answer) keeps its own order. Text
    that needs nothing special (``is_plain``) is handed to ``plain`` unchanged, so ReportLab's one-font
    fast paths still apply.
    """
    register_fonts()
    if is_plain(safe_markup, locale):
        return plain(safe_markup, style, bulletText=bullet)
    bold = "Bold" in style.fontName
    rtl = is_rtl(locale)
    if rtl and bullet:
        # ReportLab draws bullets at the left: in a right-to-left paragraph the bullet is its first word.
        safe_markup, bullet = f"{escape(bullet)}\u00a0{safe_markup}", None
    lines = words_of(safe_markup, bold)
    words = [w for line in lines for w in line]
    used = {r.script for w in words for r in w.runs}
    para_style = _style_for(style, used, rtl, bold)
    if rtl or any(w.bidi == "R" for w in words):
        return ScriptParagraph("", para_style, bulletText=bullet, laid_out=(lines, base_level(words, rtl)))
    markup = "<br/>".join(" ".join(w.markup for w in line) for line in lines)
    return ScriptParagraph(markup, para_style, bulletText=bullet)


def draw_line(
    canvas,
    safe_markup: str,
    x: float,
    baseline: float,
    style: ParagraphStyle,
    locale: str | None,
    anchor: str = "start",
) -> None:
    """Draw one line of our markup on a canvas (running headers, footers, page X of Y) shaped and in order.

    ``anchor`` is where ``x`` is: "start", "end" or "centre" of the text, in the edition's reading direction
    ("start" is the right end in right-to-left editions). Nothing wraps: the line is as wide as it needs.
    """
    alignments = {"start": alignment(locale), "centre": TA_CENTER}
    alignments["end"] = TA_LEFT if is_rtl(locale) else TA_RIGHT
    para = paragraph(safe_markup, style, locale)
    para.style.alignment = alignments[anchor]  # a copy made for this paragraph: where x is, not the default
    room = 10_000.0  # wide enough never to wrap; the text is placed by its alignment in this box
    para.wrap(room, 1_000.0)
    left = {TA_LEFT: x, TA_RIGHT: x - room, TA_CENTER: x - room / 2}[para.style.alignment]
    # ReportLab puts the first baseline one font size below the top of the paragraph.
    para.drawOn(canvas, left, baseline - (para.height - para.style.fontSize))


def mirror(row: list, locale: str | None) -> list:
    """A table row (or column widths) in reading order: reversed in right-to-left editions."""
    return list(reversed(row)) if is_rtl(locale) else list(row)


def mirror_style(commands: list[tuple], columns: int, locale: str | None) -> list[tuple]:
    """Table style commands with column indices mirrored to match ``mirror``-ed rows."""
    if not is_rtl(locale):
        return list(commands)

    def flip(col: int) -> int:
        return columns - 1 - (col % columns)

    swap = {"LINEBEFORE": "LINEAFTER", "LINEAFTER": "LINEBEFORE"}
    out = []
    for name, (c0, r0), (c1, r1), *rest in commands:
        a, b = flip(c0), flip(c1)
        out.append((swap.get(name, name), (min(a, b), r0), (max(a, b), r1), *rest))
    return out


def alignment(locale: str | None, centre: bool = False) -> int:
    if centre:
        return TA_CENTER
    return TA_RIGHT if is_rtl(locale) else TA_LEFT
