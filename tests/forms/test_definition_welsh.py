"""The assessment's own questions in Welsh (issue 18): a definition version's text comes from a translation beside
it, checked against the version, while the version's content, digest and the values saved never change."""

import io

import pytest
import sqlalchemy as sa
import yaml

from eha.definitions import latest_definition, shipped_definitions
from eha.definitions.translations import load_translation, shipped_translation_path
from eha.extensions import db
from eha.models.assessments import SectionAnswer
from tests import factories
from tests.assessments import helpers

# The released versions' digests: a translation must never change them (assessments under way pinned them).
SHIPPED_DIGESTS = {
    1: "c6aef52b446926c0c1aa8634e4f5c558fae3e951310c069ea33bcb881199a680",
    2: "264c9b902d588fdaf37ed3a61e50c8d2f82f827e12b44ab0fb6af1517db9e134",
}


def _about_the_child(case):
    return f"/assessments/{case.ref}/sections/about-the-child/children/{case.children[0].id}"


def _saved(case, key):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(SectionAnswer).where(SectionAnswer.assessment_id == case.id, SectionAnswer.section_key == key)
    )


def test_a_section_page_in_welsh_shows_the_welsh_question_hint_and_options(client, client_request, practitioner):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    page = client_request.get(f"{_about_the_child(case)}?lang=cy")
    assert page.h1 == "Ynglŷn â’r plentyn: Zofia Nowak"
    legends = page.words("legend")
    assert "A oes gan y plentyn anabledd?" in legends and "Ethnigrwydd" in legends
    assert "Does the child have a disability?" not in page.text
    assert "Names and relationship to the child." not in page.text
    assert "Enwau a pherthynas â’r plentyn." in page.words(".govuk-hint")
    disability = [label.text_content().strip() for label in page.select("input[name=disability] + label")]
    assert disability == ["Oes", "Nac oes", "Ddim yn hysbys"]
    living = [label.text_content().strip() for label in page.select("input[name=lives-in-household] + label")]
    assert living == ["Ydy", "Nac ydy", "Rhywfaint o’r amser"]


def test_a_user_who_chose_welsh_sees_the_task_list_and_pages_in_welsh_without_asking_again(
    client, client_request, practitioner
):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    client_request.get("/?lang=cy")
    page = client_request.get(f"/assessments/{case.ref}")
    tasks = page.words(".govuk-task-list__name-and-hint")
    assert any(task.startswith("Ynglŷn â’r cais am gymorth") for task in tasks)
    assert any(task.startswith("Gallu i rianta") for task in tasks)
    assert not any(task.startswith("Parenting capacity") for task in tasks)
    assert client_request.get(f"/assessments/{case.ref}/sections/strengths").h1 == "Cryfderau"


def test_saving_in_welsh_stores_the_same_values_as_saving_in_english(client, client_request, practitioner):
    welsh, english = helpers.case(practitioner), helpers.case(practitioner, name="The Evans family")
    factories.sign_in(client, practitioner)
    data = {
        "version": "0",
        "action": "draft",
        "disability": "not-known",
        "lives-in-household": "sometimes",
        "involvement": ["child-in-need", "looked-after"],
        "first-language": "Cymraeg",
    }
    client_request.get(f"{_about_the_child(welsh)}?lang=cy")
    client_request.post(_about_the_child(welsh), data=data)
    client_request.get(f"{_about_the_child(english)}?lang=en")
    client_request.post(_about_the_child(english), data=data)
    assert _saved(welsh, "about-the-child").answers == _saved(english, "about-the-child").answers
    assert _saved(welsh, "about-the-child").answers["lives-in-household"] == "sometimes"

    # What was saved in Welsh reads back in English, the same choices ticked.
    page = client_request.get(_about_the_child(welsh))
    assert page.one("input[name=lives-in-household][checked]").get("value") == "sometimes"
    assert "Some of the time" in page.words("label")
    ticked = [box.get("value") for box in page.select("input[name=involvement][checked]")]
    assert ticked == ["child-in-need", "looked-after"]
    assert page.one("input[name=first-language]").get("value") == "Cymraeg"


def test_a_validation_error_in_welsh_names_the_question_in_welsh(client, client_request, practitioner):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    url = f"/assessments/{case.ref}/sections/child-development/children/{case.children[0].id}"
    client_request.get(f"{url}?lang=cy")
    page = client_request.post(
        url, data={"version": "0", "action": "complete", "health": "Asthma"}, expected_status=200
    )
    assert page.title.startswith("Gwall: ")
    assert page.errors() == ["Rhowch grynodeb o anghenion datblygiadol y plentyn"]
    assert _saved(case, "child-development") is None

    page = client_request.post(
        f"/assessments/{case.ref}/sections/voice-of-child/children/{case.children[0].id}",
        data={"version": "0", "action": "draft", "date-seen": ["31", "2", "2024"]},
        expected_status=200,
    )
    assert len(page.errors()) == 1 and page.errors()[0].startswith("Y dyddiad y siaradoch â’r plentyn ddiwethaf")


# --- the shipped versions ---


def test_the_shipped_versions_and_their_digests_are_unchanged_by_their_translations():
    assert {d.version: d.digest for d in shipped_definitions()} == SHIPPED_DIGESTS
    for definition in shipped_definitions():
        welsh = load_translation(
            shipped_translation_path(definition.name, definition.version, "cy").read_bytes(), definition
        )
        assert welsh.language == "cy" and welsh.version == definition.version


def _texts(definition):
    """Every text of a definition, by the place a translation keys it."""
    out = {("title",): definition.title, ("description",): definition.description}
    for section in definition.sections:
        here = ("sections", section.key)
        out |= {(*here, "title"): section.title, (*here, "description"): section.description}
        for spec in section.fields:
            place = (*here, "fields", spec.key)
            out |= {(*place, k): getattr(spec, k) for k in ("label", "hint", "error_name")}
            for option in spec.options:
                out |= {(*place, "options", option.value, k): getattr(option, k) for k in ("label", "hint")}
    return {place: text for place, text in out.items() if text}


@pytest.mark.parametrize("version", sorted(SHIPPED_DIGESTS))
def test_every_text_of_both_shipped_versions_has_its_welsh(version):
    definition = next(d for d in shipped_definitions() if d.version == version)
    welsh = load_translation(shipped_translation_path(definition.name, version, "cy").read_bytes(), definition)
    english = _texts(definition)
    missing = sorted(".".join(place) for place in english if place not in welsh.texts)
    assert not missing, "texts with no Welsh:\n" + "\n".join(missing)
    labels = [place for place in english if place[-1] == "label" and "options" not in place]
    assert len(labels) > 40
    assert all(welsh.texts[place] != english[place] for place in labels)


# --- a council's own version: uploaded after it, checked, shown where given ---


def _upload_version_3(client_request):
    return client_request.post("/admin/definitions", data={"content": _version_3_text()}).location


WELSH_V3 = """
definition: eha-default
version: 3
language: cy
sections:
  strengths:
    title: Cryfderau’r teulu
    fields:
      support-network:
        label: Pwy all helpu %(name)s?
"""


def test_a_translation_uploaded_after_the_version_shows_in_the_preview_with_english_where_it_is_silent(
    client_request, signed_in, admin
):
    signed_in(admin)
    uploaded = _upload_version_3(client_request)
    page = client_request.get(uploaded)
    assert "No translation: shown in English" in page.text
    client_request.post(f"{uploaded}/translations", data={"content": WELSH_V3})
    page = client_request.get(uploaded)
    assert "Cymraeg" in page.text or "Welsh" in page.text
    assert "2 of " in page.text

    preview = client_request.get(f"{uploaded}/preview/strengths?lang=cy")
    assert preview.h1 == "Rhagolwg: Cryfderau’r teulu"
    assert "Pwy all helpu %(name)s?" in preview.words("label")
    # Left out of the translation: shown in English.
    assert "The family's strengths" in preview.words("label")
    assert "What the family does well and who is there for them." in preview.text
    english = client_request.get(f"{uploaded}/preview/strengths?lang=en")
    assert english.h1.endswith("Strengths") and "Who can help %(name)s?" in english.words("label")


@pytest.mark.parametrize(
    "text, message",
    [
        (WELSH_V3.replace("support-network:", "who-helps:"), "sections.strengths.fields: unknown key 'who-helps'"),
        (WELSH_V3.replace("strengths:", "strenghts:"), "sections: unknown key 'strenghts'"),
        (WELSH_V3.replace("helpu %(name)s?", "helpu?"), "the placeholders (none) are not the English ones (%(name)s)"),
        (
            WELSH_V3 + "  about-the-request:\n    fields:\n      who-asked:\n        options:\n"
            "          agency: {label: Asiantaeth, hint: Awgrym}\n",
            "about-the-request.fields.who-asked.options.agency.hint: the definition has no hint here to translate",
        ),
        (WELSH_V3.replace("version: 3", "version: 9"), "it is for eha-default version 9, not eha-default version 3"),
        (WELSH_V3.replace("language: cy", "language: pl"), "'language' must be one of cy"),
        (WELSH_V3 + "      family-strengths:\n        hint: [not, text]\n", "must be text"),
        ("definition: [unclosed", "not valid YAML or JSON"),
    ],
)
def test_a_bad_translation_is_refused_with_a_clear_message_and_changes_nothing(
    client_request, signed_in, admin, text, message
):
    signed_in(admin)
    uploaded = _upload_version_3(client_request)
    page = client_request.post(f"{uploaded}/translations", data={"content": text}, expected_status=200)
    assert page.title.startswith("Error: ")
    errors = page.errors()
    assert len(errors) == 1 and errors[0].startswith("The translation has a problem: ")
    if message:
        assert message in errors[0], errors[0]
    assert page.one("textarea[name=content]").text_content().strip() == text.strip()
    assert "No translation: shown in English" in client_request.get(uploaded).text


def test_options_for_a_question_without_options_are_refused():
    definition = latest_definition()
    raw = yaml.safe_load(WELSH_V3.replace("version: 3", f"version: {definition.version}"))
    raw["sections"]["about-the-request"] = {"fields": {"reason": {"options": {"x": "y"}}}}
    with pytest.raises(ValueError, match="about-the-request.fields.reason: unknown key 'options'"):
        load_translation(yaml.safe_dump(raw, allow_unicode=True), definition)


# --- the command line ---


def test_the_command_line_checks_stores_and_refuses_translations(app, tmp_path, admin, client_request, signed_in):
    signed_in(admin)
    uploaded = _upload_version_3(client_request)
    runner = app.test_cli_runner()
    template = runner.invoke(args=["definitions", "translation-template", "eha-default", "3"])
    assert template.exit_code == 0 and "label: Who can help %(name)s?" in template.output

    bad = tmp_path / "bad.cy.yaml"
    bad.write_text(WELSH_V3.replace("support-network:", "who-helps:"), encoding="utf-8")
    refused = runner.invoke(args=["definitions", "add-translation", str(bad)])
    assert refused.exit_code == 1
    assert "The translation has a problem: sections.strengths.fields: unknown key 'who-helps'" in refused.output

    good = tmp_path / "good.cy.yaml"
    good.write_text(WELSH_V3, encoding="utf-8")
    checked = runner.invoke(args=["definitions", "add-translation", "--check", str(good)])
    assert checked.exit_code == 0 and "is correct" in checked.output
    assert "No translation: shown in English" in client_request.get(uploaded).text
    stored = runner.invoke(args=["definitions", "add-translation", str(good)])
    assert stored.exit_code == 0, stored.output
    assert client_request.get(f"{uploaded}/preview/strengths?lang=cy").h1.endswith("Cryfderau’r teulu")

    nowhere = tmp_path / "nowhere.cy.yaml"
    nowhere.write_text(WELSH_V3.replace("version: 3", "version: 99"), encoding="utf-8")
    missing = runner.invoke(args=["definitions", "add-translation", str(nowhere)])
    assert missing.exit_code == 1 and "There is no version 99 of eha-default to translate" in missing.output


def _version_3_text():
    shipped = latest_definition()
    text = shipped.to_text().replace(f"version: {shipped.version}", f"version: {shipped.version + 1}", 1)
    return text.replace("label: Who can help?", "label: Who can help %(name)s?", 1)


def test_a_translation_uploaded_with_the_version_is_stored_with_it_or_neither_is(client_request, signed_in, admin):
    signed_in(admin)
    bad = WELSH_V3.replace("support-network:", "who-helps:").encode()
    page = client_request.post(
        "/admin/definitions",
        data={"content": _version_3_text(), "translation": (io.BytesIO(bad), "v3.cy.yaml")},
        content_type="multipart/form-data",
        expected_status=200,
    )
    assert page.errors() == ["The translation has a problem: sections.strengths.fields: unknown key 'who-helps'"]
    assert page.one(".govuk-error-summary__list a").get("href") == "#translation"
    versions = client_request.get("/admin/definitions")
    assert [row.text_content().split()[1] for row in versions.select("tbody tr")] == ["2", "1"]

    uploaded = client_request.post(
        "/admin/definitions",
        data={"content": _version_3_text(), "translation": (io.BytesIO(WELSH_V3.encode()), "v3.cy.yaml")},
        content_type="multipart/form-data",
    ).location
    assert client_request.get(f"{uploaded}/preview/strengths?lang=cy").h1 == "Rhagolwg: Cryfderau’r teulu"


def test_the_conflict_page_in_welsh_compares_the_answers_under_the_welsh_questions(
    client, client_request, practitioner
):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    url = _about_the_child(case)
    client_request.post(url, data={"version": "0", "action": "draft", "lives-in-household": "yes"})
    client_request.get(f"{url}?lang=cy")
    page = client_request.post(
        url, data={"version": "0", "action": "draft", "lives-in-household": "sometimes"}, expected_status=409
    )
    rows = [[cell.text_content().strip() for cell in row.cssselect("th, td")] for row in page.select("tbody tr")]
    assert ["A yw’r plentyn yn byw ar yr aelwyd?", "Ydy", "Rhywfaint o’r amser"] in rows
    assert _saved(case, "about-the-child").answers == {"lives-in-household": "yes"}


def test_the_conflict_page_in_welsh_reads_scores_and_dates_in_welsh(client, client_request, practitioner):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    scaling, request_url = (f"/assessments/{case.ref}/sections/{key}" for key in ("scaling", "about-the-request"))
    client_request.post(scaling, data={"version": "0", "action": "draft", "family-score": "3"})
    client_request.post(
        request_url,
        data={
            "version": "0",
            "action": "draft",
            "start-date": ["5", "3", "2026"],
        },
    )
    client_request.get(f"{scaling}?lang=cy")
    page = client_request.post(
        scaling, data={"version": "0", "action": "draft", "family-score": "7"}, expected_status=409
    )
    rows = [[cell.text_content().strip() for cell in row.cssselect("th, td")] for row in page.select("tbody tr")]
    assert any(row[1:] == ["3 allan o 10", "7 allan o 10"] for row in rows), rows
    assert "out of 10" not in page.text
    page = client_request.post(
        request_url,
        data={
            "version": "0",
            "action": "draft",
            "start-date": ["6", "3", "2026"],
        },
        expected_status=409,
    )
    rows = [[cell.text_content().strip() for cell in row.cssselect("th, td")] for row in page.select("tbody tr")]
    assert any(row[1:] == ["5 Mawrth 2026", "6 Mawrth 2026"] for row in rows), rows
