"""The plan's and the assessment printout's fixed text reads at a reading age of 9 or below (GOV.UK plain English).

The strings are extracted from the code as a translator gets them (gettext and ``N_`` calls), not from a
rendered plan, so the family's own words never count. Reading age is the Flesch-Kincaid grade plus 5 (a US
school grade is roughly the reader's age minus 5), measured with textstat.
"""

from __future__ import annotations

import re
from pathlib import Path

import textstat
from babel.messages.extract import extract_from_file

from eha.pdf.i18n import translator
from eha.pdf.plan import render_plan
from eha.pdf.wording import Wording
from tests.pdf.conftest import pdf_text, typical_plan

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("eha/pdf/wording.py", "eha/pdf/assessment.py")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# What the placeholders stand for when the text is read.
EXAMPLES = {
    "name": "Sam",
    "date": "5 May",
    "service": "Early Help",
    "mark": "You and your family",
    "number": "3",
    "reference": "EHA-123",
    "version": "2",
    "page": "1",
    "total": "4",
    "language": "Polish",
    "method": "on paper",
}


def fixed_strings() -> list[str]:
    found = []
    for source in SOURCES:
        for _, message, _, _ in extract_from_file("python", ROOT / source, keywords=KEYWORDS):
            found += [message] if isinstance(message, str) else list(message)
    return found


def as_sentence(message: str) -> str:
    text = re.sub(r"\{(\w+)\}", lambda m: EXAMPLES[m.group(1)], message)
    return text if text.rstrip()[-1:] in ".:!?" else text + "."


def reading_age(text: str) -> float:
    return textstat.flesch_kincaid_grade(text) + 5


def test_every_fixed_string_is_found():
    strings = fixed_strings()
    assert len(strings) > 80
    assert "What we will do" in strings and "Assessment record" in strings


def test_the_fixed_text_has_a_reading_age_of_9_or_below():
    text = " ".join(as_sentence(message) for message in fixed_strings())
    assert reading_age(text) <= 9, reading_age(text)


def test_no_single_sentence_is_hard_to_read():
    """A low average could hide one hard sentence: none is above a reading age of 13 (grade 8)."""
    hard = [m for m in fixed_strings() if len(m.split()) >= 5 and reading_age(as_sentence(m)) > 13]
    assert not hard


def test_a_harder_sentence_would_fail_the_measure():
    """The measure can fail: the old wording's digest sentence alone reads at well above 9."""
    old = (
        "This code is worked out from the signed plan. To check a printed copy, a worker opens the case "
        "in eha, goes to the plan, chooses the version and compares the digest shown there with the one above."
    )
    assert reading_age(old) > 9


def test_the_plan_speaks_to_the_family_as_you():
    text = pdf_text(render_plan(typical_plan()))
    assert "(your action)" not in text
    assert "You and your family" in text
    w = Wording(translator("en"))
    assert w.family_who == "You and your family" and w.actions_intro.startswith("You and your family will")
