"""Section forms built from a definition: rendering, the two validation modes, answers in and out."""

import json
from html.parser import HTMLParser

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from eha.definitions import load_definition
from eha.forms.builder import (
    answers_to_data,
    answers_to_formdata,
    build_section_form,
    form_to_answers,
    make_section_form,
)

LOOP = "{% for field in form if field.type not in ('CSRFTokenField',) %}{{ field() }}{% endfor %}"

ALL_TYPES = {
    "name": "all-types",
    "version": 1,
    "title": "Every field type",
    "sections": [
        {
            "key": "everything",
            "title": "Everything",
            "fields": [
                {"key": "name", "type": "text", "label": "Name", "required": True, "max_length": 10},
                {"key": "story", "type": "textarea", "label": "Story", "hint": "Tell us", "required": True},
                {
                    "key": "pet",
                    "type": "radios",
                    "label": "Pet",
                    "required": True,
                    "options": [
                        {"value": "cat", "label": "Cat"},
                        {"value": "dog", "label": "Dog", "hint": "Woof"},
                    ],
                },
                {
                    "key": "foods",
                    "type": "checkboxes",
                    "label": "Foods",
                    "required": True,
                    "options": [{"value": "egg", "label": "Egg"}, {"value": "ham", "label": "Ham"}],
                },
                {"key": "born", "type": "date", "label": "Date of birth", "required": True, "past": True},
                {"key": "mood", "type": "scale", "label": "Mood", "required": True, "role": "family"},
                {
                    "key": "needs",
                    "type": "needs",
                    "label": "Needs",
                    "required": True,
                    "error_name": "at least one need",
                    "codes": [{"value": "n1", "label": "One"}, {"value": "n2", "label": "Two"}],
                },
                {"key": "extra", "type": "textarea", "label": "Extra", "required": False},
            ],
        }
    ],
}

GOOD = [
    ("name", "Ann"),
    ("story", "Once upon a time"),
    ("pet", "dog"),
    ("foods", "ham"),
    ("foods", "egg"),
    ("born", "5"),
    ("born", "3"),
    ("born", "2019"),
    ("mood", "0"),
    ("needs", "n2"),
]


@pytest.fixture
def section():
    return load_definition(ALL_TYPES).section("everything")


class MarkupChecker(HTMLParser):
    """Collects ids, label targets, aria-describedby references and unclosed tags."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self):
        super().__init__()
        self.ids, self.label_for, self.described_by, self.stack, self.names = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_for.append(attrs["for"])
        if attrs.get("aria-describedby"):
            self.described_by.extend(attrs["aria-describedby"].split())
        if tag in ("input", "textarea"):
            self.names.append(attrs.get("name"))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()


def check_markup(html):
    checker = MarkupChecker()
    checker.feed(html)
    checker.close()
    assert not checker.stack, f"unclosed {checker.stack}"
    assert len(checker.ids) == len(set(checker.ids)), "duplicate ids"
    assert set(checker.label_for) <= set(checker.ids), "a label points at nothing"
    assert set(checker.described_by) <= set(checker.ids), "aria-describedby points at nothing"
    assert all(checker.names), "an input without a name"
    return checker


def render(form):
    return render_template_string(LOOP, form=form)


def test_the_template_loop_renders_every_field_type_as_gov_uk_markup(request_ctx, section):
    form = build_section_form(section)(formdata=None)
    html = render(form)
    checker = check_markup(html)
    for expected in (
        'class="govuk-input',
        "govuk-character-count",
        'data-maxlength="5000"',
        "govuk-radios",
        "govuk-checkboxes",
        "govuk-date-input",
        "govuk-radios--inline",
        "govuk-label--s",
        "govuk-fieldset__legend--s",
        "Tell us",
        "Woof",
    ):
        assert expected in html, expected
    assert " required" not in html, "a draft must be savable with empty fields"
    assert set(checker.names) == {s.key for s in section.fields}


def test_the_template_loop_renders_errors_with_the_users_input(request_ctx, section):
    form = build_section_form(section)(formdata=MultiDict([("name", "x" * 11), ("born", "1"), ("born", "")]))
    assert not form.validate_complete()
    html = render(form)
    check_markup(html)
    assert html.count("govuk-error-message") == len(form.errors)
    assert "x" * 11 in html
    assert "Name must be 10 characters or fewer" in html
    assert "Date of birth must include a month and year" in html


def test_a_built_default_section_renders_in_the_loop(request_ctx, default_definition):
    for section in default_definition.sections:
        check_markup(render(build_section_form(section)(formdata=None)))


def test_built_classes_are_cached_per_definition_section(section, default_definition):
    assert build_section_form(section) is build_section_form(section)
    other = default_definition.section("analysis")
    assert build_section_form(other) is not build_section_form(section)
    changed = load_definition({**ALL_TYPES, "title": "Changed"}).section("everything")
    assert build_section_form(changed) is build_section_form(section)  # same section content


def test_a_different_section_under_the_same_name_and_version_gets_its_own_class(section):
    data = json.loads(json.dumps(ALL_TYPES))
    data["sections"][0]["fields"][0]["label"] = "Full name"
    changed = load_definition(data).section("everything")
    assert build_section_form(changed) is not build_section_form(section)
    assert build_section_form(changed).name.kwargs["label"] == "Full name"


def test_an_empty_draft_is_valid_but_not_complete(request_ctx, section):
    form = build_section_form(section)(formdata=MultiDict())
    assert form.validate_draft()
    assert form_to_answers(form) == {}
    assert not form.validate_complete()
    assert form.errors == {
        "name": ["Enter name"],
        "story": ["Enter story"],
        "pet": ["Select pet"],
        "foods": ["Select foods"],
        "born": ["Enter date of birth"],
        "mood": ["Select mood"],
        "needs": ["Select at least one need"],
    }


@pytest.mark.parametrize(
    ("pairs", "field", "error"),
    [
        ([("name", "x" * 11)], "name", "Name must be 10 characters or fewer"),
        ([("story", "y" * 5001)], "story", "Story must be 5000 characters or fewer"),
        ([("pet", "fish")], "pet", "Select an option from the list"),
        ([("foods", "egg"), ("foods", "toast")], "foods", "Select options from the list"),
        ([("born", "30"), ("born", "2"), ("born", "2020")], "born", "Date of birth must be a real date"),
        ([("mood", "-1")], "mood", "Select a number from 0 to 10"),
        ([("needs", "n9")], "needs", "Select options from the list"),
    ],
)
def test_a_draft_refuses_malformed_input(request_ctx, section, pairs, field, error):
    form = build_section_form(section)(formdata=MultiDict(pairs))
    assert not form.validate_draft()
    assert form.errors == {field: [error]}
    form = build_section_form(section)(formdata=MultiDict(pairs))
    assert not form.validate_complete()
    assert form.errors[field] == [error]


def test_crlf_counts_as_one_character(request_ctx, section):
    form = build_section_form(section)(formdata=MultiDict([("story", "ab\r\n" * 1250)]))
    assert form.validate_draft()
    assert len(form_to_answers(form)["story"]) == 3 * 1250 - 1  # stripped of the last newline


def test_a_complete_form_gives_json_answers(request_ctx, section):
    form = build_section_form(section)(formdata=MultiDict([*GOOD, ("forged", "x"), ("csrf_token", "y")]))
    assert form.validate_complete(), form.errors
    answers = form_to_answers(form)
    assert answers == {
        "name": "Ann",
        "story": "Once upon a time",
        "pet": "dog",
        "foods": ["egg", "ham"],
        "born": "2019-03-05",
        "mood": 0,
        "needs": ["n2"],
    }
    assert json.loads(json.dumps(answers)) == answers
    assert "forged" not in form.data


def test_saved_answers_re_render_and_round_trip(request_ctx, section):
    answers = form_to_answers(build_section_form(section)(formdata=MultiDict(GOOD)))
    again = build_section_form(section)(formdata=answers_to_formdata(section, answers))
    assert again.validate_complete()
    assert form_to_answers(again) == answers
    prefilled = build_section_form(section)(formdata=None, data=answers_to_data(section, answers))
    assert prefilled.validate_complete()
    assert form_to_answers(prefilled) == answers
    html = render(prefilled)
    assert 'value="2019"' in html and 'value="dog" checked' in html and "Once upon a time" in html


def test_make_section_form_prefills_on_get_and_takes_the_post(forms_app, section):
    saved = {"name": "Ann", "pet": "cat", "foods": ["egg"]}
    with forms_app.test_request_context("/", method="GET"):
        assert form_to_answers(make_section_form(section, saved)) == saved
    with forms_app.test_request_context("/", method="POST", data={"name": "Bo"}):
        form = make_section_form(section, saved)
        assert form.validate_draft()
        # Unticking every checkbox sends nothing for it, so the saved ticks go.
        assert form_to_answers(form) == {"name": "Bo", "pet": "cat"}


def test_validate_on_submit_is_a_draft_check(forms_app, section):
    with forms_app.test_request_context("/", method="POST", data={"extra": "just this"}):
        form = make_section_form(section)
        assert form.validate_on_submit()
        assert form.question_fields()[0] is form["name"]
        assert form.section == section
