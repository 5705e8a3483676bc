"""The plan's translator: supported codes, the carer's language as a code, catalogues read from .po files, and
the template of every fixed string kept in step with the code."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from eha.pdf import i18n
from eha.pdf.i18n import language_code, plan_language, supported, translator
from eha.pdf.plan import render_plan
from eha.pdf.wording import Wording
from tests.pdf.conftest import pdf_text, typical_plan

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("English", "en"),
        ("en-GB", "en"),
        ("Welsh", "cy"),
        ("Cymraeg", "cy"),
        ("Polish", "pl"),
        ("polski", "pl"),
        ("  POLSKI ", "pl"),
        ("pl-PL", "pl"),
        ("Romanian", "ro"),
        ("Română", "ro"),
        ("romana", "ro"),
        ("Urdu", "ur"),
        ("اردو", "ur"),
        ("Urdu (Pakistan)", "ur"),
        ("Arabic", "ar"),
        ("العربية", "ar"),
        ("Bengali", "bn"),
        ("Bangla", "bn"),
        ("বাংলা", "bn"),
        ("Sylheti", "bn"),
        ("Polish, English", "pl"),
        ("Polish / Russian", "pl"),
        ("Klingon", None),
        ("", None),
        (None, None),
        ("x" * 5000, None),
    ],
)
def test_a_preferred_language_as_typed_maps_to_a_supported_code(typed, code):
    assert language_code(typed) == code


class Carer:
    def __init__(self, preferred_language=None, interpreter_needed=False):
        self.preferred_language = preferred_language
        self.interpreter_needed = interpreter_needed


def test_the_plan_is_in_the_first_carers_language_else_english():
    assert plan_language([Carer("polski"), Carer("Urdu")]) == "pl"
    assert plan_language([Carer("Tigrinya"), Carer("Urdu")]) == "en"  # the first carer's, not any carer's
    assert plan_language([Carer(None)]) == "en"
    assert plan_language([]) == "en"


@pytest.mark.parametrize("code", ["xx", "", None, 3, "pl\x00", "../../etc/passwd", "EN", "en_GB", "e" * 1000])
def test_an_unknown_code_is_english_and_never_an_error(code):
    assert supported(code) in i18n.SUPPORTED
    t = translator(code)
    assert t.gettext("Your family plan") in ("Your family plan",) or t.translated


def test_english_needs_no_catalogue_and_unpacks_as_gettext_and_ngettext():
    gettext, ngettext = translator("en")
    assert gettext("Your family plan") == "Your family plan"
    assert ngettext("one action", "{n} actions", 2) == "{n} actions"
    assert translator("en").translated and translator("en").direction == "ltr"


def write_po(path: Path, entries: dict[str, str], *, fuzzy: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for msgid, msgstr in entries.items():
        if msgid == fuzzy:
            body.append("#, fuzzy")
        body += [f'msgid "{msgid}"', f'msgstr "{msgstr}"', ""]
    path.write_text("\n".join(body), encoding="utf-8")


def test_a_catalogue_is_read_from_its_po_file_and_fuzzy_entries_are_left_out(tmp_path):
    write_po(
        i18n.catalogue_path("pl", tmp_path),
        {"Your family plan": "Plan dla Twojej rodziny", "What we will do": "Co zrobimy"},
        fuzzy="What we will do",
    )
    t = translator("pl", directory=tmp_path)
    assert t.translated and t.locale == "pl" and t.tag == "pl"
    assert t.gettext("Your family plan") == "Plan dla Twojej rodziny"
    assert t.gettext("What we will do") == "What we will do"  # fuzzy: not trusted yet
    assert t.date(date(2026, 12, 18)) == "18 grudnia 2026"


def test_a_missing_or_broken_catalogue_prints_english_and_says_so(tmp_path):
    t = translator("ro", directory=tmp_path)
    assert not t.translated and t.locale == "en" and t.untranslated_request
    broken = i18n.catalogue_path("cy", tmp_path)
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b'msgid "x\n\xff\xfe garbage')
    t = translator("cy", directory=tmp_path)
    assert not t.translated and t.gettext("Your family plan") == "Your family plan"
    text = pdf_text(render_plan(typical_plan(), language=t))
    assert "This plan is not ready in Welsh yet, so it is printed in English." in " ".join(text.split())


def test_a_translated_plan_prints_its_own_text_and_says_the_familys_words_are_not_translated(tmp_path):
    write_po(i18n.catalogue_path("pl", tmp_path), {"Your family plan": "Plan dla Twojej rodziny"})
    t = translator("pl", directory=tmp_path)
    text = " ".join(pdf_text(render_plan(typical_plan(), language=t, interpreter=True)).split())
    assert "Plan dla Twojej rodziny" in text
    assert Wording(t).own_words in text
    assert "Grandma lives nearby" in text  # the family's words as written
    assert text.count("If you need an interpreter") == 1  # English only once (the Polish line is untranslated here)
    assert "18 grudnia" not in text and "10 kwietnia 2026" in text  # dates in Polish


def test_right_to_left_languages_say_so():
    assert translator("ar").requested == "ar" and i18n.RIGHT_TO_LEFT == {"ar", "ur"}


def test_the_template_holds_every_fixed_string_of_the_plan(tmp_path):
    """eha/translations/plan.pot is what ``pybabel extract`` makes of the code now (re-run the command in
    eha/translations/plan.cfg after changing a sentence)."""
    out = tmp_path / "plan.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "eha/translations/plan.cfg",
         "-k", "N_", "-k", "ngettext:1,2", "-o", str(out), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with out.open("rb") as fresh, (ROOT / "eha/translations/plan.pot").open("rb") as shipped:
        assert {m.id for m in read_po(fresh) if m.id} == {m.id for m in read_po(shipped) if m.id}
