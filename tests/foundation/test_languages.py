"""The interface in English and Welsh (issue 18): chosen in the footer or with ``?lang=``, remembered per user,
and a catalogue that keeps up with the code."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from eha.extensions import db
from eha.models import User
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "eha" / "translations"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "N_": None,
}


def _html_lang(page):
    return page.tree.get("lang")


def test_lang_cy_shows_the_page_in_welsh_and_keeps_it_for_the_visit(client_request):
    page = client_request.get("/sign-in?lang=cy")
    assert _html_lang(page) == "cy"
    assert "Neidio i’r prif gynnwys" in page.words(".govuk-skip-link")
    assert "Datganiad hygyrchedd" in page.words(".govuk-footer__link")
    english = page.one('.govuk-footer__link[hreflang="en"]')
    assert english.text_content() == "English" and english.get("lang") == "en"
    assert english.get("href") == "/sign-in?lang=en"

    again = client_request.get("/sign-in")
    assert _html_lang(again) == "cy"
    back = client_request.get("/sign-in?lang=en")
    assert _html_lang(back) == "en-GB" and "Skip to main content" in back.words(".govuk-skip-link")
    assert back.one('.govuk-footer__link[hreflang="cy"]').text_content() == "Cymraeg"


def test_a_signed_in_users_choice_follows_them_to_their_next_sign_in(app, client, client_request, practitioner):
    factories.sign_in(client, practitioner)
    page = client_request.get("/?lang=cy")
    assert _html_lang(page) == "cy"
    assert "Allgofnodi" in page.text
    db.session.expire_all()
    assert db.session.get(User, practitioner.id).language == "cy"

    other_browser = app.test_client()
    factories.sign_in(other_browser, practitioner)
    assert 'lang="cy"' in other_browser.get("/").get_data(as_text=True)


def test_welsh_chosen_on_the_sign_in_page_stays_after_signing_in_and_out(client, client_request, practitioner):
    assert _html_lang(client_request.get("/sign-in?lang=cy")) == "cy"
    response = client.post("/sign-in", data={"email": practitioner.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    home = client_request.get("/")
    assert _html_lang(home) == "cy" and home.h1 == "Fy achosion"
    db.session.expire_all()
    assert db.session.get(User, practitioner.id).language == "cy"
    signed_out = client.post("/sign-out", follow_redirects=True).get_data(as_text=True)
    assert 'lang="cy"' in signed_out and "<title>Mewngofnodi" in signed_out


def test_the_footer_link_keeps_the_rest_of_the_address(client, client_request, practitioner):
    factories.sign_in(client, practitioner)
    page = client_request.get("/assessments?q=smith&lang=cy")
    assert page.one('.govuk-footer__link[hreflang="en"]').get("href") == "/assessments?q=smith&lang=en"


def test_a_language_eha_does_not_have_or_a_forged_value_is_ignored(client_request):
    for value in ("xx", "cy-GB", "CY' or 1=1", "x" * 5000):
        page = client_request.get(f"/sign-in?lang={value}")
        assert _html_lang(page) == "en-GB"
    assert client_request.get("/sign-in?lang=cy%00", expected_status=400)


def test_the_browser_language_decides_until_the_user_chooses(client_request):
    assert _html_lang(client_request.get("/sign-in", headers={"Accept-Language": "cy,en;q=0.5"})) == "cy"
    assert _html_lang(client_request.get("/sign-in", headers={"Accept-Language": "fr"})) == "en-GB"
    chosen = client_request.get("/sign-in?lang=en", headers={"Accept-Language": "cy"})
    assert _html_lang(chosen) == "en-GB"
    assert _html_lang(client_request.get("/sign-in", headers={"Accept-Language": "cy"})) == "en-GB"


def _strings_in_the_code():
    method_map = [("eha/pdf/**.py", "ignore"), ("eha/**.py", "python"), ("eha/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue(code):
    with open(CATALOGUES / code / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file)


def test_every_string_marked_in_the_code_is_in_the_welsh_catalogue():
    """Someone who marks a new string must run `make translations-update` (and translate it)."""
    catalogue = _catalogue("cy")
    missing = sorted(s for s in _strings_in_the_code() if s and s not in catalogue)
    assert not missing, f"run make translations-update: {missing[:10]}"


def test_welsh_translations_keep_every_placeholder():
    """A translation that drops or renames %(name)s would fail when the page is drawn in Welsh."""
    placeholder = re.compile(r"%\(\w+\)s")
    for message in _catalogue("cy"):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(set(placeholder.findall(ids[-1])))
        for string in strings:
            if string:
                assert sorted(set(placeholder.findall(string))) == expected, (message.id, string)


def test_the_catalogue_is_marked_as_a_draft_for_review():
    status = (CATALOGUES / "cy" / "TRANSLATION-STATUS.md").read_text()
    assert "not yet reviewed" in status.lower() or "awaiting review" in status.lower()
