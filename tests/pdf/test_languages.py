"""The family plan in every language it prints in: headings translated, names whole, the right fonts embedded.

One demo-like case (the Wiśniewska family: a Polish-speaking mother, a worker who writes in English, one
answer the mother wrote in Polish and one a relative wrote in Urdu) printed in each edition, then read
back with pypdf.
"""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from datetime import date

import pytest
from pypdf import PdfReader

from eha.pdf import render_plan
from eha.pdf.i18n import translator
from eha.pdf.model import Action, Contact, Member, Person, Signature

from .conftest import typical_plan

MOTHER = "Katarzyna Wiśniewska"
CHILD = "Oliwia Wiśniewska"
GRANDMOTHER = "Halina Wiśniewska"
POLISH_ANSWER = "Oliwia lubi szkołę, ale źle śpi. Chcę, żeby była szczęśliwa."
URDU_ANSWER = "ہم مدد کرنا چاہتے ہیں"


def wisniewska_plan(**changes):
    doc = typical_plan(
        family_name="Wiśniewska",
        children=(Person(CHILD, date(2012, 6, 18)),),
        lead=Contact("Ffion Pritchard", "Family support worker", "Northshire Early Help", "01632 960 555"),
        taf_members=(
            Member(MOTHER, "Family", "Mother"),
            Member(GRANDMOTHER, "Family", "Grandmother"),
            Member("Dr Ioana Popescu", "Northshire GP Practice", "GP"),
        ),
        worries=f"Oliwia misses school on Mondays.\n\n{POLISH_ANSWER}",
        working_well=f"Grandma calls every week.\n\n{URDU_ANSWER}",
        needs=("Oliwia sleeps well", "Katarzyna has help with forms"),
        actions=(
            Action(
                1,
                "Oliwia sleeps well",
                "Keep a bedtime routine every night.",
                MOTHER,
                True,
                date(2026, 3, 6),
                "Oliwia is in bed by 8pm most nights.",
            ),
            Action(
                2,
                "Katarzyna has help with forms",
                "Help fill in the housing form.",
                "Ffion Pritchard",
                False,
                date(2026, 2, 27),
                "The form is sent.",
            ),
        ),  # fmt: skip
        signatures=(
            Signature(MOTHER, "Mother", date(2026, 2, 13), "In person on paper"),
            Signature("Ffion Pritchard", "Lead professional", date(2026, 2, 13), "In person on screen"),
        ),
    )
    return dataclasses.replace(doc, **changes) if changes else doc


def render(code: str, large: bool = False, **changes) -> bytes:
    return render_plan(wisniewska_plan(**changes), large=large, language=translator(code))


def text_of(pdf: bytes) -> str:
    """All the text, Arabic presentation forms folded back (NFKC), no-break spaces as spaces."""
    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return unicodedata.normalize("NFKC", raw).replace("\u00a0", " ")


def fonts_of(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).split("+")[-1])
            if font["/Subtype"] == "/TrueType":
                assert "/FontFile2" in font["/FontDescriptor"], "every font we use is embedded"
    return names


# Headings chosen without a lam-alef ("لا"): ReportLab maps that ligature to a private-use character, so it
# prints but does not extract (see eha/pdf/scripts.py).
HEADINGS = {
    "en": ["Your family plan", "Who is helping your family", "If things get worse", "Who agreed this plan"],
    "cy": ["Cynllun eich teulu", "Pwy sy'n helpu eich teulu", "Os bydd pethau'n gwaethygu"],
    "pl": ["Plan dla Twojej rodziny", "Kto pomaga Twojej rodzinie", "Jeśli sytuacja się pogorszy"],
    "ro": ["Planul familiei dumneavoastră", "Cine ajută familia dumneavoastră", "Ce vom face"],
    "ur": ["آپ کے خاندان کا منصوبہ", "ہم کیا کریں گے", "ہم دوبارہ کب ملیں گے"],
    "ar": ["خطة عائلتكم", "من يساعد عائلتكم", "ما الذي سنفعله", "متى سنلتقي مرة أخرى"],
    # Bengali headings with no vowel sign drawn before its consonant: those extract in typed order (see below).
    "bn": ["আমরা কী করব", "নাম"],
}
SCRIPT_FONTS = {
    "ur": "NotoNaskhArabic-Bold",
    "ar": "NotoNaskhArabic-Bold",
    "bn": "NotoSansBengali-Bold",
}


@pytest.mark.parametrize("code", sorted(HEADINGS))
@pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
def test_each_edition_prints_its_translated_headings_and_the_familys_names_whole(code, large):
    pdf = render(code, large=large)
    text = text_of(pdf)
    for heading in HEADINGS[code]:
        assert heading in text, heading
    for name in (MOTHER, CHILD, GRANDMOTHER, "Ffion Pritchard", "Dr Ioana Popescu"):
        assert name in text, name
    # The family's own words print as they were written, in any edition.
    assert POLISH_ANSWER in text
    fonts = fonts_of(pdf)
    assert "NotoSans-Regular" in fonts
    if code in SCRIPT_FONTS:
        assert SCRIPT_FONTS[code] in fonts


def test_an_urdu_answer_in_the_english_edition_prints_in_the_arabic_script_font():
    pdf = render("en")
    assert URDU_ANSWER in text_of(pdf)
    assert "NotoNaskhArabic-Regular" in fonts_of(pdf)


def test_latin_only_editions_embed_no_arabic_or_bengali_font():
    pdf = render("pl", working_well="Grandma calls every week.")
    assert not any("Naskh" in name or "Bengali" in name for name in fonts_of(pdf))


@pytest.mark.parametrize("code", ["ur", "ar"])
def test_right_to_left_editions_put_the_page_furniture_and_labels_on_the_right(code):
    pdf = render(code)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    found: dict[str, list[float]] = {}

    def visit(text, cm, tm, *_):
        for key in ("EHA-000123", "Wiśniewska"):
            if key in text:
                found.setdefault(key, []).append(cm[4] + tm[4])

    page.extract_text(visitor_text=visit)
    width = float(page.mediabox.width)
    # The reference opens the running header at the start of the line: the right-hand side.
    assert max(found["EHA-000123"]) > width / 2
    # The family's name is the value of the first label/value row: mirrored, it sits left of its label.
    assert min(found["Wiśniewska"]) < width / 2


def test_welsh_edition_dates_and_page_numbers_are_in_welsh():
    text = text_of(render("cy"))
    assert "Tudalen 1 o " in text
    assert "Mawrth 2026" in text  # 6 March 2026, the first action's date


def test_urdu_page_label_is_shaped_and_printed():
    text = text_of(render("ur"))
    assert "صفحہ" in text


def test_bengali_prints_in_its_font_and_says_what_extracts():
    # Shaped Bengali prints correctly; extraction returns glyph order, so a word with a vowel sign drawn
    # before its consonant (পরিবার: ি before র) comes back reordered. Words without one come back as typed.
    pdf = render("bn")
    text = text_of(pdf)
    assert "আমরা কী করব" in text
    assert "পরিবার" not in text  # documented: extraction, not print, is what is wrong
    assert "NotoSansBengali-Bold" in fonts_of(pdf)


@pytest.mark.parametrize(
    "answer",
    [
        "ب" * 3000,  # one Arabic "word" wider than any column
        ("كلمة word ١٢٣ (نص) " * 300)[:5000],  # mixed scripts and directions, brackets, Arabic digits
        "خطة\x00\x07 عائلتكم\u202e\u200f abc",  # NUL, control and bidi override characters
        '<b>خطة</b> &amp; <font size="90">x</font> ]]>',  # markup typed by a user
    ],
    ids=["long-word", "mixed", "controls", "markup"],
)
def test_any_answer_prints_in_the_urdu_edition(answer):
    first = wisniewska_plan().actions[0]
    pdf = render("ur", worries=answer, family_name=answer[:200], actions=(dataclasses.replace(first, what=answer),))
    assert PdfReader(io.BytesIO(pdf)).pages
    if answer.startswith("<b>"):
        assert "<font" in text_of(pdf)  # printed literally, not obeyed
