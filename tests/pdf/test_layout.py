"""How the plan breaks across lines and pages, checked by extracting the text (pypdf): names and dates never
split inside a word, no heading left last on a page, the digest never alone on the last page, and large print
as one card per action. On a demo-like case with long Polish names, in the standard and large-print editions."""

from __future__ import annotations

import re
from datetime import date

import pytest

from eha.pdf.base import hyphenate_long_words, share_width
from eha.pdf.i18n import translator
from eha.pdf.model import Action, Contact, Member, Person, Signature
from eha.pdf.plan import PlanRenderer, render_plan
from eha.pdf.wording import Wording
from tests.pdf.conftest import long_plan, pdf_pages_text, typical_plan

MUM = "Małgorzata Wiśniewska-Łukasik"
DAD = "Krzysztof Brzęczyszczykiewicz"
CHILDREN = ("Zuzanna Wiśniewska-Łukasik", "Szczepan Wiśniewski-Łukasik")
WORKERS = ("Przemysław Grzegorzewski", "Bartholomew Featherstonehaugh", "Agnieszka Szczepańska-Kowalczyk")
DATES = (date(2026, 12, 18), date(2026, 9, 30), date(2026, 2, 13), date(2026, 11, 25))
NAMES = (MUM, DAD, *CHILDREN, *WORKERS)


def polish_plan(actions: int = 9):
    rows = []
    for i in range(1, actions + 1):
        family = i % 3 == 0
        rows.append(
            Action(
                i,
                "Zuzanna's school attendance is 78% this term",
                f"Action {i}: meet at the school gate every morning and walk {CHILDREN[0]} to class.",
                f"{MUM} (Mum)" if family else WORKERS[i % 3],
                family,
                DATES[i % len(DATES)],
                f"{CHILDREN[0]} is in class by 8:50 on at least 9 days out of 10.",
            )
        )
    return typical_plan(
        family_name="Wiśniewska-Łukasik",
        children=(Person(CHILDREN[0], date(2015, 9, 30)), Person(CHILDREN[1], date(2019, 12, 18))),
        lead=Contact(WORKERS[0], "Designated Safeguarding Lead", "Szkoła Podstawowa Oakfield", "01632 960 123"),
        taf_members=(
            Member(WORKERS[0], "Oakfield Primary School", "Lead professional"),
            Member(WORKERS[1], "Northshire 0-19 Service (Health Visiting)", "Health visitor"),
            Member(WORKERS[2], "Northshire Homes", "Housing Officer"),
            Member(DAD, "Family", "Father"),
        ),
        actions=tuple(rows),
        next_review=DATES[0],
        signatures=(
            Signature(MUM, "Mother", DATES[2], "In person on screen"),
            Signature(DAD, "Father", DATES[2], "On paper"),
            Signature(WORKERS[0], "Lead professional", DATES[2], "In person on screen"),
        ),
    )


def words(text: str) -> list[str]:
    """The printed words; a double-barrelled name may break after its hyphen, so its parts count as words."""
    return [w.strip("(),.:;") for w in re.split(r"[\s\-\u00ad]+", text)]


def fragments(whole_words) -> set[str]:
    """Every strict beginning and end (3 letters or more) of the given words: what a word broken inside leaves."""
    out = set()
    for word in whole_words:
        for cut in range(3, len(word) - 2):
            out.add(word[:cut])
            out.add(word[cut:])
    return out - set(whole_words)


@pytest.fixture(scope="module", params=[False, True], ids=["standard", "large-print"])
def edition(request):
    return request.param, pdf_pages_text(render_plan(polish_plan(), large=request.param))


def test_every_name_prints_whole(edition):
    _, pages = edition
    text = "\n".join(pages)
    flat = " ".join(text.split())
    name_words = {w for name in NAMES for w in re.split(r"[\s-]", name)}
    broken = fragments(name_words) & set(words(text))
    assert not broken, f"names split inside a word: {sorted(broken)[:10]}"
    for name in NAMES:
        assert name in flat, name


def test_every_date_prints_whole(edition):
    """Never a word broken ("18 Dece mber"), and day and month always on one line (in a column too narrow for
    the whole date the year goes to the next line)."""
    _, pages = edition
    text = "\n".join(pages).replace("\xa0", " ")
    lines, flat = text.splitlines(), " ".join(text.split())
    for day in DATES:
        printed = f"{day.day} {day.strftime('%B')} {day.year}"
        assert printed in flat, printed
        assert any(f"{day.day} {day.strftime('%B')}" in line for line in lines), printed
    months = {"September", "December", "February", "November"}
    assert not fragments(months) & set(words(text))


HEADINGS = Wording(translator("en"))
HEADING_TEXTS = {
    HEADINGS.lead_heading,
    HEADINGS.team_heading,
    HEADINGS.worries_heading,
    HEADINGS.working_well_heading,
    HEADINGS.needs_heading,
    HEADINGS.actions_heading,
    HEADINGS.review_heading,
    HEADINGS.worse_heading,
    HEADINGS.signed_heading,
    HEADINGS.later_heading,
    HEADINGS.check_heading,
}
FURNITURE = re.compile(r"^(OFFICIAL-SENSITIVE|EHA-\d+( - Plan version \d+)?|Plan version \d+|Page \d+ of \d+)$")


def last_content_line(page: str) -> str:
    lines = [line.strip() for line in page.splitlines() if line.strip() and not FURNITURE.match(line.strip())]
    return lines[-1] if lines else ""


def check_no_heading_last(pages):
    for number, page in enumerate(pages[:-1], start=1):
        last = last_content_line(page)
        assert last not in HEADING_TEXTS, f"page {number} ends with the heading {last!r}"
        assert not re.fullmatch(r"Action \d+", last), f"page {number} ends with a card's title {last!r}"


def test_no_heading_is_the_last_thing_on_a_page(edition):
    check_no_heading_last(edition[1])


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("lead_in", range(0, 40, 3))
def test_no_heading_is_stranded_wherever_the_page_breaks(large, lead_in):
    """Push everything down a line at a time: wherever the page ends, no heading is left at its foot."""
    worries = "\n\n".join(f"Worry number {i} is written here in the family's words." for i in range(lead_in))
    check_no_heading_last(pdf_pages_text(render_plan(polish_plan(4), large=large) if False else
                                         render_plan(typical_plan(worries=worries or "x"), large=large)))  # fmt: skip


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("actions", range(1, 12))
def test_the_last_page_never_holds_only_the_digest(large, actions):
    pages = pdf_pages_text(render_plan(polish_plan(actions), large=large))
    last = " ".join(pages[-1].split())
    assert "Digest (SHA-256):" in last
    assert HEADINGS.signed_heading in last


def test_large_print_is_one_card_per_action_with_the_four_questions():
    pages = pdf_pages_text(render_plan(polish_plan(4), large=True))
    # Without the page furniture: a card split across pages repeats its title and goes on.
    content = [line for page in pages for line in page.splitlines() if not FURNITURE.match(line.strip())]
    text = " ".join(" ".join(content).split())
    for i in range(1, 5):
        card = text[text.index(f"Action {i} ") :]
        head = card[:500]
        for question in ("What will happen", "Who will do it", "By when", "How we will know it worked"):
            assert question in head, (i, question)
    assert "Action 3 You and your family will do this." in text


def test_a_row_that_fits_on_the_next_page_is_moved_there_whole():
    """Standard edition: a row is split only when it is taller than a page (then the header repeats)."""
    pages = pdf_pages_text(render_plan(polish_plan(12)))
    for i in range(1, 13):
        holding = [n for n, page in enumerate(pages) if f"Action {i}:" in page]
        assert len(holding) == 1, (i, holding)


def test_a_5000_character_answer_still_splits_and_the_header_repeats():
    pages = pdf_pages_text(render_plan(long_plan(3)))
    first = next(n for n, page in enumerate(pages) if "ACTION-001" in page)
    assert "Whatwillhappen" in "".join(pages[first + 1].split()) and "weekly" in pages[first + 1]


def test_columns_are_sized_from_their_content():
    renderer = PlanRenderer(polish_plan())
    dates = ["By when", "18\xa0December\xa02026", "30\xa0September\xa02026"]
    widths = renderer.content_widths([["12"], ["long text " * 40], dates[1:]], ["No.", "What", dates[0]])
    assert widths[0] < widths[2] < widths[1]
    assert abs(sum(widths) - renderer.frame_width) < 0.01


def test_only_a_word_wider_than_its_column_is_hyphenated():
    style = PlanRenderer(polish_plan()).styles["cell"]
    text, changed = hyphenate_long_words(f"{MUM} Konstantynopolitańczykowianeczka", 120, style, "pl_PL")
    assert changed and "\u00ad" in text.split(" ")[-1]
    assert "\u00ad" not in " ".join(text.split(" ")[:-1])


def test_narrow_columns_keep_their_width_beside_a_huge_word():
    widths = share_width([20, 5000, 60], [20, 5000, 60], 500)
    assert widths[0] == 20 and widths[2] == 60 and abs(sum(widths) - 500) < 0.01
