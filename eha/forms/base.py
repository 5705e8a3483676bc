"""The base form every eha form subclasses.

- Strips NUL characters from all string input before any field sees it: PostgreSQL cannot store "\\x00" in
  text, and a NUL would otherwise reach the database (a 500) or the re-rendered page.
- Drops anything in the form data that is not text or an uploaded file (Flask-WTF turns a JSON body into form
  data, so a forged request could hand a field a number, a list or a mapping).
- Strips surrounding whitespace from string data (not from passwords, where spaces are characters like any
  other).
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms.fields import PasswordField

NUL = "\x00"


def strip_nul(value: Any) -> Any:
    """Remove NUL characters from a string (and from the strings in a list); leave anything else alone."""
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, list | tuple):
        return type(value)(strip_nul(item) for item in value)
    return value


def strip_whitespace(value: Any) -> Any:
    """Field filter: strip surrounding whitespace from string data and from the strings in list data."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [item.strip() if isinstance(item, str) else item for item in value]
    return value


def clean_formdata(formdata: Any) -> MultiDict:
    """A copy of the submitted form data with NULs removed and non-text values dropped."""
    cleaned = MultiDict()
    for key, value in formdata.items(multi=True):
        if not isinstance(key, str):
            continue
        if isinstance(value, str):
            cleaned.add(strip_nul(key), strip_nul(value))
        elif isinstance(value, FileStorage):
            cleaned.add(strip_nul(key), value)
    return cleaned


class BaseForm(FlaskForm):
    """FlaskForm with input hygiene; subclass it for every form in eha.

    Validating a submitted form also notes any posted key that is not one of its fields (a forged
    ``state``, ``lead_id`` ...) as a ``forged_field`` audit event; such values are never applied.
    ``post_keys`` names keys a page legitimately posts beside the form's fields (a button's name).
    """

    post_keys: tuple[str, ...] = ()

    def validate(self, extra_validators=None):
        if request and request.method == "POST":
            from eha.forms.protected import note_forged_fields

            note_forged_fields(self, request, allowed=self.post_keys)
        return super().validate(extra_validators=extra_validators)

    def add_error(self, error):
        """Show a service's ``eha.errors.Invalid`` on its field (or on the first field, when it names none)."""
        field = getattr(self, error.field, None) if error.field else None
        if field is None:
            field = next((f for f in self if f.type not in ("CSRFTokenField", "HiddenField", "SubmitField")), None)
        if field is not None:
            field.errors = [*field.errors, error.message]

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.is_json:
                # Our forms are HTML forms. Flask-WTF would build form data from a JSON body (and a JSON list
                # makes it raise); treat such a request as an empty submission instead.
                return MultiDict()
            formdata = super().wrap_formdata(form, formdata)
            if formdata is None:
                return None
            return clean_formdata(formdata)

        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, PasswordField) or getattr(
                unbound_field.field_class, "keep_whitespace", False
            ):
                return super().bind_field(form, unbound_field, options)
            filters = [strip_whitespace, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)
