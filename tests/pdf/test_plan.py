"""The family plan PDF: content, markings, large print, escaping, languages, page X of Y, metadata."""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from datetime import date

import pytest
from pypdf import PdfReader

from eha.pdf.digest import signed_plan_content
from eha.pdf.model import Action, Contact, Member, Person, Signature
from eha.pdf.plan import render_plan
from tests.pdf.conftest import DIGEST, long_plan, pdf_pages_text, pdf_text, typical_plan


def squash(text: str) -> str:
    """Extracted text with all whitespace removed: line breaks fall wherever the layout puts them."""
    return re.sub(r"\s+", "", text)


def in_order(phrase: str, text: str) -> bool:
    """Every word of ``phrase`` appears in ``squash(text)`` in order.

    A table row split across two pages is extracted cell by cell, so its text is interleaved with the other
    cells of the row, the page markings and the repeated header; the words are still there, in order.
    """
    haystack, position = squash(text), 0
    for word in phrase.split():
        position = haystack.find(word, position)
        if position < 0:
            return False
        position += len(word)
    return True


def font_sizes(pdf: bytes) -> Counter:
    """Effective size (points) of every visible piece of text, from the content streams."""
    sizes: Counter = Counter()
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
                sizes[round(size * scale, 1)] += 1

        page.extract_text(visitor_text=visit)
    return sizes


@pytest.fixture(scope="module")
def typical_pdf() -> bytes:
    return render_plan(typical_plan())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_plan(long_plan())


def test_plan_is_an_a4_pdf(typical_pdf):
    reader = PdfReader(io.BytesIO(typical_pdf))
    assert typical_pdf.startswith(b"%PDF-")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_plan_shows_family_lead_team_and_everything_agreed(typical_pdf):
    plan = typical_plan()
    text = squash(pdf_text(typical_pdf))
    expected = [
        "Your family plan",
        "What we are worried about",
        "What is going well",
        "What needs to change",
        "What we will do",
        "If things get worse",
        "Who agreed this plan",
        plan.reference,
        plan.family_name,
        *(child.name for child in plan.children),
        "3 May 2015",
        plan.lead.name,
        plan.lead.agency,
        plan.lead.phone,
        plan.lead.email,
        *(m.name for m in plan.taf_members),
        *(m.agency for m in plan.taf_members),
        "Sam has missed a lot of school",
        "Grandma lives nearby",
        *plan.needs,
        "10 April 2026",  # next review
        "0300 123 4567",  # front door
        "call 999",
    ]
    for item in expected:
        assert squash(item) in text, item


def test_plan_lists_every_action_with_who_when_and_success(typical_pdf):
    text = pdf_text(typical_pdf)
    for action in typical_plan().actions:
        for part in (action.what, action.who, action.success):
            assert in_order(part, text), part
    assert "6March2026" in squash(text)
    assert "Nodateset" in squash(text)  # action 6 has no date


def test_plan_lists_the_signatures_with_role_date_and_method(typical_pdf):
    text = squash(pdf_text(typical_pdf))
    for sig in typical_plan().signatures:
        assert squash(sig.name) in text
    for words in ("Parent", "Lead professional", "13 February 2026", "In person on screen", "On paper"):
        assert squash(words) in text


def test_signatures_after_the_plan_was_agreed_are_printed_apart_and_leave_the_digest_alone():
    later = [Signature(name="Tomasz <b>Nowak</b>", role="Father", signed_on=date(2026, 3, 2), method="On paper")]
    plan = typical_plan(later_signatures=later)
    text = squash(pdf_text(render_plan(plan)))
    agreed = text.index(squash(typical_plan().signatures[-1].name))
    heading = text.index("Signedaftertheplanwasagreed")
    assert agreed < heading < text.index(squash("Tomasz <b>Nowak</b>"))  # escaped: the markup prints as typed
    assert squash("2 March 2026") in text and "Digest(SHA-256):" + DIGEST in text
    assert signed_plan_content(plan) == signed_plan_content(typical_plan())
    assert "Signedaftertheplanwasagreed" not in squash(pdf_text(render_plan(typical_plan())))


def bold_text(pdf: bytes) -> str:
    pieces: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(
            visitor_text=lambda t, cm, tm, font, size: (
                pieces.append(t) if font is not None and "Bold" in str(font.get("/BaseFont")) else None
            )
        )
    return squash("".join(pieces))


@pytest.mark.parametrize("large", [False, True])
def test_family_actions_say_you_and_your_family_in_words_and_bold(large):
    plan = typical_plan(
        actions=(
            Action(1, "Need", "Worker does this", "Priya Patel", False, None, "ok"),
            Action(2, "Need", "Family does this", "Kelly (Mum)", True, None, "ok"),
        )
    )
    pdf = render_plan(plan, large=large)
    text = pdf_text(pdf)
    assert "(your action)" not in text
    assert in_order("You and your family will do the actions marked You and your family", text)
    assert in_order("Family does this You and your family Kelly (Mum)", text)
    bold = bold_text(pdf)
    assert "Youandyourfamily" in bold and "Kelly(Mum)" in bold
    assert "PriyaPatel" not in bold


def test_every_page_has_marking_reference_version_and_page_x_of_y(typical_pdf):
    pages = pdf_pages_text(typical_pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2  # top and bottom
        assert "EHA-000123" in text
        assert "Plan version 2" in text
        assert f"Page {number} of {len(pages)}" in text


def test_the_digest_is_on_the_last_page_with_how_to_check_it(typical_pdf):
    pages = pdf_pages_text(typical_pdf)
    last = squash(pages[-1])
    assert "Digest(SHA-256):" + DIGEST in last
    assert "Tocheckaprintedcopy" in last
    assert not any(DIGEST in squash(page) for page in pages[:-1])


def test_a_draft_is_marked_on_every_page_and_has_no_digest():
    pdf = render_plan(typical_plan(is_draft=True, digest=None, signatures=()))
    pages = pdf_pages_text(pdf)
    for text in pages:
        assert "DRAFT - NOT AGREED" in text
    assert "Digest (SHA-256)" not in pdf_text(pdf)
    assert "No one has signed" in pdf_text(pdf)
    # The diagonal watermark: very large text, once per page.
    assert font_sizes(pdf)[62.0] == len(pages)
    assert "DRAFT - NOT AGREED" in PdfReader(io.BytesIO(pdf)).metadata.subject


def test_a_signed_plan_has_no_draft_marking(typical_pdf):
    assert "DRAFT" not in pdf_text(typical_pdf)


def test_body_text_is_at_least_12_point(typical_pdf):
    sizes = font_sizes(typical_pdf)
    assert min(sizes) >= 12
    assert sizes.most_common(1)[0][0] == 12


def test_large_print_uses_at_least_16_point_everywhere_with_bigger_headings():
    normal = font_sizes(render_plan(typical_plan()))
    large = font_sizes(render_plan(typical_plan(), large=True))
    assert min(large) >= 16
    assert large.most_common(1)[0][0] == 16
    assert max(large) > max(normal)  # headings scale too
    # The action cards are in the body style: their text is 16 pt as well.
    text = pdf_text(render_plan(typical_plan(), large=True))
    assert all(in_order(action.what, text) for action in typical_plan().actions)


HOSTILE = [
    "<b>not bold</b>",
    "<img src=x>",
    "<font size=90>huge</font>",
    "Tom & Jerry &amp; co",
    "unbalanced <i>tag",
    "</para>",
    "<br/>",
    "a < b > c",
    '<a href="javascript:alert(1)">click</a>',
    "&#x41;&nbsp;",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_markup_in_user_text_prints_literally(hostile):
    plan = typical_plan(
        family_name=hostile,
        worries=f"Before {hostile} after",
        needs=(hostile,),
        actions=(Action(1, hostile, hostile, hostile, True, None, hostile),),
        lead=Contact(hostile, hostile, hostile, hostile, hostile),
        taf_members=(Member(hostile, hostile, hostile),),
        signatures=(Signature(hostile, hostile, date(2026, 2, 13), hostile),),
        front_door=hostile,
    )
    pdf = render_plan(plan)
    # A word wider than its column is hyphenated at a line end: join it up again before counting.
    text = squash(pdf_text(pdf).replace("-\n", ""))
    assert text.count(squash(hostile)) >= 10
    assert max(font_sizes(pdf)) < 40  # <font size=90> did nothing


def test_control_characters_and_lone_surrogates_do_not_break_rendering():
    nasty = "tab\there\x00nul\x1bescape\ud800surrogate\u2028sep\r\nwindows\rmac"
    pdf = render_plan(typical_plan(worries=nasty, family_name=nasty))
    text = pdf_text(pdf)
    assert "nul" in text and "windows" in text and "mac" in text


def test_a_500_character_word_wraps_instead_of_failing():
    word = "x" * 500
    plan = typical_plan(
        family_name=word,
        worries=word,
        needs=(word,),
        actions=(Action(1, word, word, word, True, None, word),),
        taf_members=(Member(word, word, word),),
    )
    for large in (False, True):
        pdf = render_plan(plan, large=large)
        assert squash(pdf_text(pdf)).count(word) >= 5


def test_emoji_and_scripts_outside_the_font_do_not_raise():
    pdf = render_plan(typical_plan(worries="Family said \U0001f600 and 家庭 and \u200b zero width"))
    assert "Family said" in pdf_text(pdf)


@pytest.mark.parametrize(
    "name",
    [
        "Łódź Żółć Ścisły",
        "İstanbul Şükrü Çağlar ğ ı",
        "Nguyễn Thị Hồng Nhung",
        "Đặng Văn Đức",
        "Siobhán Ó Súilleabháin",
        "Chloë Brontë-Zoë",
    ],
)
def test_names_in_other_languages_survive_extraction(name):
    plan = typical_plan(
        family_name=name,
        children=(Person(name, date(2016, 1, 2)),),
        lead=Contact(name, "Role", "Agency"),
        actions=(Action(1, "Need", f"Meet {name}", name, True, None, "ok"),),
    )
    pdf = render_plan(plan)
    assert squash(pdf_text(pdf)).count(squash(name)) >= 4


def test_decomposed_vietnamese_prints_the_same_as_composed():
    decomposed = "Nguye\u0302\u0303n"  # what some keyboards send
    text = pdf_text(render_plan(typical_plan(family_name=decomposed)))
    assert "Nguyễn" in text


def test_a_long_plan_numbers_every_page_with_the_right_total(long_pdf):
    pages = pdf_pages_text(long_pdf)
    total = len(pages)
    assert total > 10
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert text.count("OFFICIAL-SENSITIVE") == 2


def test_a_long_plan_repeats_the_action_table_header_on_following_pages(long_pdf):
    pages = pdf_pages_text(long_pdf)
    first_table_page = next(i for i, text in enumerate(pages) if "ACTION-001" in text)
    last_table_page = next(i for i, text in reversed(list(enumerate(pages))) if "SUCCESS-040" in text)
    assert last_table_page - first_table_page > 5
    for text in pages[first_table_page : last_table_page + 1]:
        assert "Whatwillhappen" in squash(text)
        assert "Howwewillknowitworked" in squash(text)


def test_a_5000_character_answer_splits_across_pages(long_pdf):
    pages = pdf_pages_text(long_pdf)
    holding_action_1 = [i for i, text in enumerate(pages) if "ACTION-001" in text]
    text = squash(pdf_text(long_pdf))
    for i in (1, 20, 40):
        assert f"ACTION-{i:03d}" in text and f"SUCCESS-{i:03d}" in text
    # The first action's text starts on one page and is still running on the next.
    start = holding_action_1[0]
    assert "weekly" in pages[start + 1]
    assert pages[-1].count("Digest (SHA-256):") == 1


def test_metadata_has_title_author_subject_and_language(typical_pdf):
    reader = PdfReader(io.BytesIO(typical_pdf))
    meta = reader.metadata
    assert meta.title == "Family plan EHA-000123 version 2"
    assert meta.author == "Northshire County Council"
    assert meta.subject == "Early help family plan"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_the_font_is_embedded_dejavu_sans(typical_pdf):
    reader = PdfReader(io.BytesIO(typical_pdf))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            if font["/Subtype"] == "/TrueType":
                assert "/FontFile2" in font["/FontDescriptor"]
    assert any("NotoSans" in name for name in fonts)


def test_an_empty_plan_still_renders():
    plan = typical_plan(
        children=(),
        taf_members=(),
        worries="",
        working_well="",
        needs=(),
        actions=(),
        signatures=(),
        next_review=None,
        front_door="",
        digest=None,
        is_draft=True,
        lead=Contact(""),
    )
    text = pdf_text(render_plan(plan, large=True))
    assert "No actions agreed yet" in text
    assert "Page 1 of" in text
