"""GOV.UK fields and the base form's input hygiene."""

from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict
from wtforms.fields import PasswordField, StringField

from eha.forms.base import BaseForm
from eha.forms.fields import GovCheckboxesField, GovDateField, GovRadioField, GovScaleField


class DateForm(BaseForm):
    born = GovDateField("Date of birth", error_name="date of birth", past=True)


def post(form_class, pairs):
    return form_class(formdata=MultiDict(pairs))


@pytest.mark.parametrize(
    ("parts", "error", "bad"),
    [
        (["", "3", "2020"], "Date of birth must include a day", {"day"}),
        (["1", "", "2020"], "Date of birth must include a month", {"month"}),
        (["1", "", ""], "Date of birth must include a month and year", {"month", "year"}),
        (["a", "3", "2020"], "Date of birth must be a real date", {"day"}),
        (["31", "2", "2020"], "Date of birth must be a real date", {"day"}),
        (["1", "13", "2020"], "Date of birth must be a real date", {"month"}),
        (["1", "3", "20"], "Year must include 4 numbers", {"year"}),
        (["1", "3", "0000"], "Date of birth must be a real date", {"day"}),
        (["１", "3", "2020"], "Date of birth must be a real date", {"day"}),
        (["9" * 5000, "3", "2020"], "Date of birth must be a real date", {"day"}),
        (["1", "2", "2020", "4"], "Date of birth must be a real date", {"day", "month", "year"}),
        (["1"], "Date of birth must include a month and year", {"month", "year"}),
    ],
)
def test_a_bad_date_gets_a_gov_uk_message_and_re_renders(request_ctx, parts, error, bad):
    form = post(DateForm, [("born", p) for p in parts])
    assert not form.validate()
    assert form.born.errors == [error]
    assert form.born.data is None
    html = str(form.born())
    assert error.replace("'", "&#39;") in html
    for part in ("day", "month", "year"):
        marked = f'govuk-input--error" id="born-{part}"' in html
        assert marked == (part in bad)
    shown = [p.strip()[:20] for p in parts[:3]]
    for value in shown:
        assert f'value="{value}"' in html


def test_a_date_in_the_future_is_refused_when_it_must_be_past(request_ctx):
    tomorrow = date.today() + timedelta(days=1)
    form = post(DateForm, [("born", str(tomorrow.day)), ("born", str(tomorrow.month)), ("born", str(tomorrow.year))])
    assert not form.validate()
    assert form.born.errors == ["Date of birth must be today or in the past"]


def test_a_good_date_is_a_date(request_ctx):
    form = post(DateForm, [("born", " 5 "), ("born", "03"), ("born", "2019")])
    assert form.validate()
    assert form.born.data == date(2019, 3, 5)


@pytest.mark.parametrize("pairs", [[], [("born", "")] * 3, [("other", "1")]])
def test_no_date_at_all_is_no_answer_and_renders(request_ctx, pairs):
    form = post(DateForm, pairs)
    assert form.validate()
    assert form.born.data is None
    assert 'id="born-day"' in str(form.born())


def test_a_saved_date_renders_in_its_parts(request_ctx):
    form = DateForm(formdata=None, data={"born": date(2019, 3, 5)})
    html = str(form.born())
    assert 'value="5"' in html and 'value="3"' in html and 'value="2019"' in html


class ChoiceForm(BaseForm):
    colour = GovRadioField("Colour", choices=[("red", "Red"), ("blue", "Blue")])
    score = GovScaleField("Score")
    pets = GovCheckboxesField("Pets", choices=[("cat", "Cat"), ("dog", "Dog")])


def test_choosing_nothing_is_not_an_error(request_ctx):
    form = post(ChoiceForm, [])
    assert form.validate()
    assert (form.colour.data, form.score.data, form.pets.data) == (None, None, [])


def test_forged_choices_are_refused_without_echoing_them(request_ctx):
    form = post(ChoiceForm, [("colour", "<b>green</b>"), ("score", "11"), ("pets", "cat"), ("pets", "<i>")])
    assert not form.validate()
    assert form.colour.errors == ["Select an option from the list"]
    assert form.score.errors == ["Select a number from 0 to 10"]
    assert form.pets.errors == ["Select options from the list"]
    html = str(form.colour()) + str(form.score()) + str(form.pets())
    assert "green" not in html and "&lt;i&gt;" not in html


def test_the_scale_renders_eleven_inline_radios(request_ctx):
    form = post(ChoiceForm, [("score", "0")])
    assert form.validate()
    assert form.score.score == 0
    html = str(form.score())
    assert "govuk-radios--inline" in html
    assert html.count('type="radio"') == 11
    assert 'value="0" checked' in html


class PlainForm(BaseForm):
    name = StringField("Name")
    password = PasswordField("Password")


def test_the_base_form_strips_whitespace_and_nul_but_not_password_spaces(request_ctx):
    form = post(PlainForm, [("name", "  Ann\x00 Smith \n"), ("password", " secret\x00 ")])
    assert form.name.data == "Ann Smith"
    assert form.password.data == " secret "


def test_the_base_form_reads_request_form_and_cleans_it(forms_app):
    with forms_app.test_request_context("/", method="POST", data={"name": "\x00 Bo \x00"}):
        assert PlainForm().name.data == "Bo"


@pytest.mark.parametrize("body", [[1, 2, 3], {"name": ["x"]}, "text", None])
def test_a_json_body_is_an_empty_submission_not_a_crash(forms_app, body):
    with forms_app.test_request_context("/", method="POST", json=body):
        form = ChoiceForm()
        assert form.validate()
        assert form.colour.data is None
