"""Build WTForms classes from a definition's sections, and move answers in and out of them.

A built form renders every question through a GOV.UK widget, so a template needs only::

    {% for field in form if field.type not in ('CSRFTokenField',) %}{{ field() }}{% endfor %}

It validates in two modes:

- ``form.validate_draft()`` refuses only malformed input (an impossible date, text over its limit, an option
  that was not offered) and never requires anything: "save and come back later".
- ``form.validate_complete()`` makes the same checks and also requires every required field.

Fields posted that the section does not define are ignored.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_wtf.form import _Auto
from werkzeug.datastructures import MultiDict

from eha.definitions import FieldSpec, Section, as_score
from eha.formatting import format_date
from eha.forms.base import BaseForm, strip_nul
from eha.forms.fields import (
    GovCheckboxesField,
    GovDateField,
    GovRadioField,
    GovScaleField,
    GovStringField,
    GovTextAreaField,
    MaxLength,
    RequiredToComplete,
)
from eha.i18n import current_language


class SectionForm(BaseForm):
    """Base class of every built section form; ``section`` is the definition's ``Section``."""

    _eha_section: Section
    post_keys = ("action", "version")  # the save buttons and the saved answers' version
    _eha_complete = False
    # The date of birth a past date about the child cannot be before (``make_section_form``'s ``born_on``).
    born_on: date | None = None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self._dates_after_birth() and ok

    def _dates_after_birth(self) -> bool:
        """A past date about the child ("When did you last speak with the child?") is not before they were born."""
        if self.born_on is None:
            return True
        ok = True
        for spec in self._eha_section.fields:
            field = self[spec.key]
            if spec.type == "date" and spec.past and not field.errors and isinstance(field.data, date):
                if field.data < self.born_on:
                    name = spec.name_in_errors
                    field.errors = [
                        _(
                            "%(name)s must be the same as or after %(date)s, when the child was born",
                            name=f"{name[:1].upper()}{name[1:]}",
                            date=format_date(self.born_on, "long", current_language()),
                        )
                    ]
                    ok = False
        return ok

    @property
    def section(self) -> Section:
        return self._eha_section

    def validate_draft(self, extra_validators=None) -> bool:
        """Refuse malformed input only; nothing is required."""
        self._eha_complete = False
        return self.validate(extra_validators=extra_validators)

    def validate_complete(self, extra_validators=None) -> bool:
        """Refuse malformed input and require every required field."""
        self._eha_complete = True
        try:
            return self.validate(extra_validators=extra_validators)
        finally:
            self._eha_complete = False

    def question_fields(self) -> list[Any]:
        """The fields of the section's questions, in order (no CSRF token)."""
        return [self[spec.key] for spec in self._eha_section.fields]

    def answers(self) -> dict[str, Any]:
        return form_to_answers(self)


def _unbound_field(spec: FieldSpec):
    common: dict[str, Any] = {
        "label": spec.label,
        "description": spec.hint or "",
        "error_name": spec.name_in_errors,
    }
    if spec.type in ("text", "textarea"):
        validators: list[Any] = [MaxLength(spec.max_length)]
        if spec.required:
            validators.append(RequiredToComplete("Enter"))
        field_class = GovStringField if spec.type == "text" else GovTextAreaField
        return field_class(validators=validators, max_length=spec.max_length, **common)
    if spec.type == "date":
        validators = [RequiredToComplete("Enter")] if spec.required else []
        return GovDateField(validators=validators, past=spec.past, **common)
    validators = [RequiredToComplete("Select")] if spec.required else []
    if spec.type == "scale":
        return GovScaleField(validators=validators, **common)
    choices = [(option.value, option.label) for option in spec.options]
    hints = {option.value: option.hint for option in spec.options if option.hint}
    if spec.type == "radios":
        return GovRadioField(validators=validators, choices=choices, option_hints=hints, **common)
    if spec.type in ("checkboxes", "needs"):
        return GovCheckboxesField(validators=validators, choices=choices, option_hints=hints, **common)
    raise ValueError(f"unknown field type {spec.type!r}")


_cache: dict[tuple[str, int, str, str], tuple[Section, type[SectionForm]]] = {}
_cache_lock = threading.Lock()


def build_section_form(section: Section) -> type[SectionForm]:
    """The form class for a section, built once per (definition name, version, section key, language).

    If a different section arrives under the same name, version and key (a definition being edited, a test),
    it gets its own class rather than a stale one.
    """
    cache_key = (section.definition_name, section.definition_version, section.key, section.language)
    cached = _cache.get(cache_key)
    if cached is not None and cached[0] == section:
        return cached[1]
    attrs: dict[str, Any] = {"_eha_section": section}
    for spec in section.fields:
        attrs[spec.key] = _unbound_field(spec)
    class_name = "".join(part.capitalize() for part in section.key.split("-")) + "SectionForm"
    form_class = type(class_name, (SectionForm,), attrs)
    with _cache_lock:
        _cache[cache_key] = (section, form_class)
    return form_class


def make_section_form(
    section: Section, answers: dict[str, Any] | None = None, formdata: Any = _Auto, born_on: date | None = None
):
    """An instance of the section's form, prefilled with saved answers.

    On a POST the submitted data wins (Flask-WTF reads ``request.form``); on a GET the saved answers show.
    ``born_on``: the child's date of birth, before which no past date of the section may fall.
    """
    form_class = build_section_form(section)
    form = form_class(formdata=formdata, data=answers_to_data(section, answers))
    form.born_on = born_on
    return form


def _clean_text(value: Any) -> str:
    return strip_nul(value).strip() if isinstance(value, str) else ""


def _text_answer(spec: FieldSpec, field: Any) -> str | None:
    return _clean_text(field.data) or None


def _radio_answer(spec: FieldSpec, field: Any) -> str | None:
    data = field.data
    return data if isinstance(data, str) and data in spec.option_values else None


def _options_answer(spec: FieldSpec, field: Any) -> list[str] | None:
    picked = set(field.data or ())
    return [value for value in spec.option_values if value in picked] or None


def _date_answer(spec: FieldSpec, field: Any) -> str | None:
    return field.data.isoformat() if isinstance(field.data, date) else None


def _scale_answer(spec: FieldSpec, field: Any) -> int | None:
    return field.score


# field type -> its answer from a validated field, or None to leave the answer out
_ANSWER_FROM_FIELD = {
    "text": _text_answer,
    "textarea": _text_answer,
    "radios": _radio_answer,
    "checkboxes": _options_answer,
    "needs": _options_answer,
    "date": _date_answer,
    "scale": _scale_answer,
}


def form_to_answers(form: SectionForm) -> dict[str, Any]:
    """The form's data as a JSON-serialisable answers dict: dates as ISO strings, scales as ints, options in
    the definition's order, and empty answers left out. Call it after ``validate_draft()`` passed."""
    answers: dict[str, Any] = {}
    for spec in form.section.fields:
        value = _ANSWER_FROM_FIELD[spec.type](spec, form[spec.key])
        if value is not None:
            answers[spec.key] = value
    return answers


def _saved_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def answers_to_data(section: Section, answers: dict[str, Any] | None) -> dict[str, Any]:
    """Saved answers as the ``data=`` a section form is constructed with."""
    answers = answers or {}
    data: dict[str, Any] = {}
    for spec in section.fields:
        value = answers.get(spec.key)
        if value is None:
            continue
        if spec.type in ("checkboxes", "needs"):
            data[spec.key] = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        elif spec.type == "date":
            data[spec.key] = _saved_date(value)
        elif spec.type == "scale":
            score = as_score(value)
            data[spec.key] = str(score) if score is not None else None
        else:
            data[spec.key] = str(value)
    return data


def answers_to_formdata(section: Section, answers: dict[str, Any] | None) -> MultiDict:
    """Saved answers as the form data a browser would post for them (dates as day, month and year)."""
    answers = answers or {}
    formdata = MultiDict()
    for spec in section.fields:
        value = answers.get(spec.key)
        if value is None:
            continue
        if spec.type in ("checkboxes", "needs"):
            for item in value if isinstance(value, list | tuple) else [value]:
                formdata.add(spec.key, str(item))
        elif spec.type == "date":
            saved = _saved_date(value)
            if saved is not None:
                for part in (saved.day, saved.month, saved.year):
                    formdata.add(spec.key, str(part))
        elif spec.type == "scale":
            score = as_score(value)
            if score is not None:
                formdata.add(spec.key, str(score))
        else:
            formdata.add(spec.key, str(value))
    return formdata
