"""Printing any script: fonts per run, shaping, right-to-left order (checked by extracting the text)."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Table

from eha.pdf import scripts
from eha.pdf.base import esc

URDU_TITLE = "آپ کے خاندان کا منصوبہ"
URDU_LONG = (
    "یہ منصوبہ آپ کے خاندان اور آپ کے ساتھ کام کرنے والے لوگوں نے مل کر بنایا ہے۔ "
    "اس میں لکھا ہے کہ ہمیں کس بات کی فکر ہے، کیا اچھا چل رہا ہے اور ہر کوئی کیا کرے گا۔"
)
ARABIC = "خطتك العائلية"
POLISH_NAME = "Małgorzata Wiśniewska-Łukasik"


def body(size=14, bold=False):
    scripts.register_fonts()
    return ParagraphStyle("body", fontName="EHASans-Bold" if bold else "EHASans", fontSize=size, leading=size * 1.35)


def build(flowables, width=170 * mm) -> PdfReader:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, leftMargin=20 * mm, rightMargin=210 * mm - 20 * mm - width)
    doc.build(flowables)
    return PdfReader(io.BytesIO(buffer.getvalue()))


def lines(reader: PdfReader) -> list[str]:
    """Extracted lines, Arabic presentation forms folded back to letters (NFKC)."""
    text = "\n".join(page.extract_text() for page in reader.pages)
    return [unicodedata.normalize("NFKC", line).strip() for line in text.splitlines() if line.strip()]


def embedded_fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_an_urdu_heading_reads_right_to_left_and_comes_back_in_reading_order():
    # pypdf reverses right-to-left runs when it extracts them: the words come back in reading order only
    # if they were drawn right to left (first word rightmost).
    reader = build([scripts.paragraph(esc(URDU_TITLE), body(20, bold=True), "ur")])
    assert lines(reader) == [URDU_TITLE]
    assert "NotoNaskhArabic-Bold" in embedded_fonts(reader)


def test_a_long_urdu_paragraph_breaks_into_lines_that_each_read_right_to_left():
    reader = build([scripts.paragraph(esc(URDU_LONG), body(), "ur")], width=110 * mm)
    extracted = lines(reader)
    assert len(extracted) >= 3
    # Line by line in reading order, every word once: joined they are the paragraph.
    assert " ".join(extracted).split() == URDU_LONG.split()


def test_a_latin_name_inside_urdu_keeps_its_own_order_and_comes_back_whole():
    text = f"{URDU_TITLE} {esc(POLISH_NAME)} 18 December 2026"
    reader = build([scripts.paragraph(text, body(), "ur")])
    [line] = lines(reader)
    assert f"{POLISH_NAME} 18 December 2026" in line
    assert URDU_TITLE in line


def test_arabic_words_in_an_english_paragraph_are_reordered_but_the_english_is_not():
    text = f"Your plan is called {ARABIC} in Arabic."
    reader = build([scripts.paragraph(text, body(), "en")])
    # pypdf moves the space at a change of direction; the letters and their order are what matter.
    assert lines(reader)[0].replace(" ", "") == text.replace(" ", "")


def test_welsh_polish_and_romanian_letters_print_in_noto_sans_and_come_back_whole():
    words = "Gŵyl ŷd Ŵ Ŷ ștergător țară łąka gęś Żółć"
    reader = build([scripts.paragraph(esc(words), body(), "cy")])
    assert lines(reader) == [words]
    assert {"NotoSans-Regular"} <= embedded_fonts(reader)
    assert not any("Naskh" in name or "Bengali" in name for name in embedded_fonts(reader))


def test_bengali_is_shaped_in_its_own_font_and_simple_words_come_back():
    # আমরা and সাহায্য have no vowel sign drawn before its consonant, so they extract as typed. Words
    # like পরিবার print correctly but extract in glyph order (the ি before its consonant).
    text = "আমরা সাহায্য করব"
    para = scripts.paragraph(esc(text), body(), "bn")
    assert para.style.shaping == 1
    reader = build([para])
    assert "আমরা" in lines(reader)[0]
    assert "NotoSansBengali-Regular" in embedded_fonts(reader)


def test_a_bengali_conjunct_is_drawn_as_one_glyph_when_shaped():
    conjunct = "ক্ষ"  # KA + VIRAMA + SSA
    shaped = scripts.shapeStr(conjunct, "EHABengali", 12)
    assert len(shaped) < len(conjunct)


def test_a_lam_alef_ligature_prints_but_extracts_as_private_use_characters():
    # A known limit of ReportLab's shaping: a ligature glyph with no character of its own in the font's
    # cmap is given a private-use code, so extraction cannot return "لا". The print is right.
    reader = build([scripts.paragraph("الاسم", body(), "ar")])
    [line] = lines(reader)
    assert "سم" in line and any(0xE000 <= ord(ch) <= 0xF8FF for ch in line)


def test_arabic_letters_are_joined_by_shaping():
    # Shaped, a three-letter word uses initial/medial/final forms; the isolated letters would be wider.
    scripts.register_fonts()
    shaped = scripts.shapeStr("كتب", "EHANaskh", 12)
    assert any(0xFB50 <= ord(ch) <= 0xFEFF for ch in shaped) or shaped != "كتب"


def test_user_markup_prints_literally_and_unescaped_markup_is_refused():
    hostile = '<b>bold</b> & <font size="90">big</font>'
    reader = build([scripts.paragraph(esc(hostile), body(), "ar")])
    assert lines(reader) == [hostile]
    with pytest.raises(ValueError):
        scripts.paragraph('<font size="90">x</font>', body(), "ar")


def test_bold_in_our_markup_picks_the_bold_font_of_each_script():
    reader = build([scripts.paragraph(f"<b>{ARABIC}</b> Kelly", body(), "ar")])
    fonts = embedded_fonts(reader)
    assert "NotoNaskhArabic-Bold" in fonts
    assert "NotoSans-Regular" in fonts


def test_right_to_left_paragraphs_align_right():
    assert scripts.paragraph("x", body(), "ur").style.alignment == TA_RIGHT
    assert scripts.paragraph("x", body(), "pl").style.alignment != TA_RIGHT


def test_a_long_right_to_left_answer_splits_across_pages_without_losing_words():
    text = " ".join([URDU_LONG] * 40)
    reader = build([scripts.paragraph(esc(text), body(), "ur")], width=120 * mm)
    assert len(reader.pages) >= 2
    assert " ".join(lines(reader)).split() == text.split()


def test_table_columns_are_mirrored_in_right_to_left_editions():
    style = [("FONT", (0, 0), (0, -1), "EHASans-Bold"), ("LINEBEFORE", (0, 1), (0, 1), 4, None)]
    assert scripts.mirror(["label", "value"], "ar") == ["value", "label"]
    assert scripts.mirror(["label", "value"], "cy") == ["label", "value"]
    assert scripts.mirror_style(style, 2, "ur") == [
        ("FONT", (1, 0), (1, -1), "EHASans-Bold"),
        ("LINEAFTER", (1, 1), (1, 1), 4, None),
    ]
    rows = [scripts.mirror([scripts.paragraph("الهاتف", body(), "ar"), scripts.paragraph("Kelly", body(), "ar")], "ar")]
    reader = build([Table(rows, colWidths=[60 * mm, 60 * mm])])
    assert lines(reader) == ["Kelly", "الهاتف"]  # drawn left to right: the label is on the right


@pytest.mark.parametrize(
    ("words", "base", "expected"),
    [
        # An English name and a number in an Arabic sentence read left to right as a group.
        (["R1", "R2", "L1", "L2", "12", "R3"], 1, ["R3", "L1", "L2", "12", "R2", "R1"]),
        # Arabic words in an English sentence swap; the English does not.
        (["L1", "R1", "R2", "L2"], 0, ["L1", "R2", "R1", "L2"]),
        # Punctuation between two Arabic words stays between them.
        (["R1", "-", "R2"], 0, ["R2", "-", "R1"]),
    ],
)
def test_word_order_follows_the_bidi_algorithm(words, base, expected):
    def word(label):
        text = {"R": "ب", "L": "b"}.get(label[0], label) + label[1:]
        return scripts.Word((scripts.Run(text, "EHASans", "latn"),), scripts._bidi_class(text))

    items = [word(w) for w in words]
    order = scripts.visual_order(list(range(len(items))), scripts.word_levels(items, base))
    assert [words[i] for i in order] == expected


def test_a_running_footer_in_urdu_is_drawn_shaped_at_its_reading_start():
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    page_label = "صفحہ 1 از 3"
    scripts.draw_line(canvas, esc(page_label), 500, 40, body(12), "ur", anchor="start")
    scripts.draw_line(canvas, esc("EHA-000123"), 100, 40, body(12), "ur", anchor="end")
    canvas.showPage()
    canvas.save()
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    found = []
    reader.pages[0].extract_text(
        visitor_text=lambda t, cm, tm, *_: t.strip() and found.append((tm[4] + cm[4], tm[5] + cm[5]))
    )
    text = lines(reader)
    # pypdf's reversal of right-to-left runs shuffles the digits among them; the words are all there.
    assert sorted(text[0].replace(" ", "")) == sorted(page_label.replace(" ", ""))
    assert "صفحہ" in text[0]
    assert "EHA-000123" in " ".join(text)
    xs = sorted(x for x, _ in found)
    # Both on the baseline asked for; the reference starts at x (the left end), the label ends at 500.
    assert all(abs(y - 40) < 1 for _, y in found)
    assert abs(xs[0] - 100) < 1
    assert xs[-1] < 500


def test_plain_latin_text_in_a_left_to_right_edition_keeps_reportlabs_own_paragraph():
    from eha.pdf.base import WrapOnceParagraph

    para = scripts.paragraph("<b>Rhif</b> Gŵyl", body(), "cy", plain=WrapOnceParagraph)
    assert type(para) is WrapOnceParagraph
    assert type(scripts.paragraph(ARABIC, body(), "cy", plain=WrapOnceParagraph)) is scripts.ScriptParagraph


def test_a_bullet_in_a_right_to_left_paragraph_is_its_first_word():
    para = scripts.paragraph(esc(URDU_TITLE), body(), "ur", bullet="\u2022")
    assert para.bulletText is None
    reader = build([para])
    drawn = []
    reader.pages[0].extract_text(visitor_text=lambda t, cm, tm, *_: t.strip() and drawn.append((tm[4], t.strip())))
    # ReportLab draws a line's pieces left to right: the bullet, drawn last, is the rightmost.
    assert drawn[-1][1] == "\u2022"
    assert "\u2022" not in "".join(t for _, t in drawn[:-1])


def test_an_arabic_word_in_brackets_is_shaped_in_its_own_font_beside_the_latin_brackets():
    # Noto Naskh has no brackets: "(" and ")" print in Noto Sans, inside the same word as the Arabic.
    word = "(تاريخ)"
    reader = build([scripts.paragraph(esc(f"{word} {ARABIC}"), body(), "ar")])
    [line] = lines(reader)
    assert "تاريخ" in line and ARABIC in line
    assert {"NotoNaskhArabic-Regular", "NotoSans-Regular"} <= embedded_fonts(reader)


def test_brackets_and_numbers_in_an_arabic_line_are_placed_and_mirrored_as_the_bidi_algorithm_says():
    import re

    [line] = scripts.words_of("(تاريخ الميلاد 5 مارس 2015) خطتك")
    drawn = re.findall(r">([^<]*)</font>", scripts.line_markup(line, 1))
    # Left to right on the page. The closing bracket is logically after 2015, so in a right-to-left line it
    # is to the left of the number, and mirrored; the opening bracket is the rightmost glyph, mirrored.
    assert drawn == ["خطتك", "(", "2015", "مارس", "5", "الميلاد", "تاريخ", ")"]


def test_a_mark_above_the_first_glyph_after_a_comma_in_the_same_font_prints():
    # ReportLab used to raise IndexError here (setRise on an empty fragment).
    text = "تزداد سوءاً، اتصلوا"
    reader = build([scripts.paragraph(text, body(), "ar")])
    assert "اتصلوا" in lines(reader)[0]


def test_a_latin_answer_in_an_arabic_edition_reads_left_to_right_with_its_full_stop_at_the_end():
    answer = "Oliwia lubi szkołę, ale źle śpi."
    reader = build([scripts.paragraph(esc(answer), body(), "ar")])
    assert lines(reader) == [answer]


def test_a_bengali_danda_after_latin_text_prints_in_the_bengali_font():
    # Noto Sans has no danda (।): it must not print as a missing-glyph box after "Council)".
    [line] = scripts.words_of("পরিবার (Early Help Council)। এতে")
    danda = [r for w in line for r in w.runs if "।" in r.text]
    assert [r.font for r in danda] == ["EHABengali"]
