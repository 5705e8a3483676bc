"""GOV.UK-flavoured WTForms fields and widgets.

govuk-frontend-wtf's widgets render through the govuk-frontend-jinja macros. The subclasses here fix the traps
we met and set the defaults a page with several questions needs:

- ``GovDateField``: govuk-frontend-wtf's ``GovDateInput`` unpacks ``field.raw_data`` into exactly three parts,
  so a POST with a date part missing (or the whole date missing, or four parts) raised while rendering, and
  WTForms' ``DateField`` says "Not a valid date value.". This field keeps the parts the user typed, reports
  GOV.UK messages ("Date of birth must include a month", "Date of birth must be a real date") and re-renders
  the input.
- ``GovRadioField`` / ``GovCheckboxesField``: WTForms' ``RadioField`` says "Not a valid choice." when nothing
  is chosen, even for an optional question, and ``SelectMultipleField`` echoes a forged value back in its
  message. Here nothing chosen is simply no answer, and a value not offered gets a GOV.UK message.
- ``GovScaleField``: a 0 to 10 scale as inline radios.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovIterableBase,
    GovPasswordInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field
from wtforms.fields import RadioField, SelectMultipleField, StringField, TextAreaField

# WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice; 3.4 removes them.
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from eha.formatting import lower_first
from eha.i18n import current_language

SCALE_VALUES = tuple(str(n) for n in range(0, 11))


def make_choices(pairs) -> list:
    """``(value, label)`` pairs as the choices this WTForms version prefers."""
    pairs = [(str(value), label if isinstance(label, LazyString) else str(label)) for value, label in pairs]
    return [SelectChoice(value, label) for value, label in pairs]


_DIGITS = re.compile(r"^[0-9]+$")
_PART_NAMES = ("day", "month", "year")
# Echo back at most this much of what was typed into a date part.
_MAX_PART_ECHO = 20


def capitalise(text: str) -> str:
    """First letter upper case, the rest untouched ("date of birth" -> "Date of birth")."""
    return text[:1].upper() + text[1:]


# A date part as error messages name it ("must include a month").
_PART_WORDS = {"day": _l("day"), "month": _l("month"), "year": _l("year")}
_PART_LABELS = {"day": _l("Day"), "month": _l("Month"), "year": _l("Year")}


def _join_parts(parts: list[str]) -> str:
    words = [str(_PART_WORDS.get(part, part)) for part in parts]
    if len(words) == 1:
        return words[0]
    return _("%(parts)s and %(last)s", parts=", ".join(words[:-1]), last=words[-1])


def normalise_newlines(value: Any) -> Any:
    """Filter: browsers send textarea line breaks as CRLF; count and store them as one character."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class _ErrorNameMixin:
    """Fields know how error messages name them ("Enter <name>", "<Name> must ...")."""

    def _init_error_name(self, error_name: str | None) -> None:
        self.error_name = error_name

    @property
    def name_in_errors(self) -> str:
        if getattr(self, "error_name", None):
            return str(self.error_name)  # a lazy name is read in the page's language
        text = self.label.text.rstrip("?").strip()
        if len(text) > 1 and text[1].isupper():
            return text
        return lower_first(text)


# --- widgets ---


def _error_prefix(params: dict) -> None:
    """The hidden "Error:" before a field's message, in the page's language (the macro's default is English)."""
    if isinstance(params.get("errorMessage"), dict):
        params["errorMessage"].setdefault("visuallyHiddenText", _("Error"))


def _plural_forms(one, other) -> dict:
    """The character count's plural messages. GOV.UK Frontend picks a form with the browser's ``Intl.PluralRules``
    for the page's ``lang``: Welsh has six forms (zero, one, two, few, many, other), English two."""
    one, other = str(one), str(other)
    if current_language() == "cy":
        return {"zero": other, "one": one, "two": other, "few": other, "many": other, "other": other}
    return {"one": one, "other": other}


def _character_count_texts(params: dict) -> None:
    params.setdefault("textareaDescriptionText", _("You can enter up to %{count} characters"))
    params.setdefault(
        "charactersUnderLimitText",
        _plural_forms(_("You have %{count} character remaining"), _("You have %{count} characters remaining")),
    )
    params.setdefault("charactersAtLimitText", _("You have 0 characters remaining"))
    params.setdefault(
        "charactersOverLimitText",
        _plural_forms(_("You have %{count} character too many"), _("You have %{count} characters too many")),
    )


def _password_texts(params: dict) -> None:
    params.setdefault("showPasswordText", _("Show"))
    params.setdefault("hidePasswordText", _("Hide"))
    params.setdefault("showPasswordAriaLabelText", _("Show password"))
    params.setdefault("hidePasswordAriaLabelText", _("Hide password"))
    params.setdefault("passwordShownAnnouncementText", _("Your password is visible"))
    params.setdefault("passwordHiddenAnnouncementText", _("Your password is hidden"))


_gov_map_gov_params = GovFormBase.map_gov_params


def _map_gov_params_in_the_pages_language(self, field, **kwargs):
    """Every GOV.UK widget (ours and govuk-frontend-wtf's own, as on the sign-in form) gets the macros' fixed
    words in the page's language."""
    params = _gov_map_gov_params(self, field, **kwargs)
    _error_prefix(params)
    if isinstance(self, GovPasswordInput):
        _password_texts(params)
    if isinstance(self, GovCharacterCount):
        _character_count_texts(params)
    return params


GovFormBase.map_gov_params = _map_gov_params_in_the_pages_language

_iterable_map_gov_params = GovIterableBase.map_gov_params


def _iterable_map_gov_params_in_the_pages_language(self, field, **kwargs):
    """Radios and checkboxes map their own params (not through ``GovFormBase``): the same hidden "Error:"."""
    params = _iterable_map_gov_params(self, field, **kwargs)
    _error_prefix(params)
    return params


GovIterableBase.map_gov_params = _iterable_map_gov_params_in_the_pages_language


def _option_hints(field, params: dict) -> None:
    hints = getattr(field, "option_hints", None) or {}
    for item in params.get("items") or ():
        hint = hints.get(item.get("value"))
        if hint:
            item.setdefault("hint", {"text": hint})


def _legend_classes(params: dict) -> None:
    legend = (params.get("fieldset") or {}).get("legend")
    if isinstance(legend, dict):
        legend.setdefault("classes", "govuk-fieldset__legend--s")


class _QuestionLabel:
    """A label styled as a question on a page of several."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if isinstance(params.get("label"), dict):
            params["label"].setdefault("classes", "govuk-label--s")
        return params


class GovLabelledTextInput(_QuestionLabel, GovTextInput):
    """Text input whose label is styled as a question on a page of several."""


class GovLabelledTextArea(_QuestionLabel, GovTextArea):
    pass


class GovCharacterCountInput(_QuestionLabel, GovCharacterCount):
    """Textarea with the GOV.UK character count, its limit taken from the field's ``max_length``."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if getattr(field, "max_length", None):
            params.setdefault("maxlength", field.max_length)
            # Only start counting down once three quarters of the limit is used.
            params.setdefault("threshold", 75)
        return params


class _ChoiceParams:
    """Radios and checkboxes alike: a small legend, hints per option, no empty hint."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        _legend_classes(params)
        _option_hints(field, params)
        if not field.description:
            params.pop("hint", None)
        return params


class GovRadios(_ChoiceParams, GovRadioInput):
    pass


class GovInlineRadios(GovRadios):
    """Radios laid out in a row (for the 0-10 scale)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("classes", "govuk-radios--inline")
        return params


class GovCheckboxes(_ChoiceParams, GovCheckboxesInput):
    pass


class GovSafeDateInput(GovDateInput):
    """``GovDateInput`` that reads the parts from ``GovDateField`` instead of unpacking ``raw_data``."""

    def map_gov_params(self, field, **kwargs):
        params = GovFormBase.map_gov_params(self, field, **kwargs)
        params.pop("value", None)
        params.setdefault(
            "fieldset",
            {"legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}},
        )
        bad = set(getattr(field, "bad_parts", ()) or ()) if field.errors else set()
        if field.errors and not bad:
            bad = set(_PART_NAMES)
        day, month, year = field.display_parts()
        items = []
        for part, value, width in (("day", day, 2), ("month", month, 2), ("year", year, 4)):
            classes = f"govuk-input--width-{width}" + (" govuk-input--error" if part in bad else "")
            items.append(
                {
                    "label": str(_PART_LABELS[part]),
                    "id": f"{field.id}-{part}",
                    "name": field.name,
                    "classes": classes,
                    "value": value,
                }
            )
        params.setdefault("items", items)
        return params


# --- fields ---


class GovStringField(_ErrorNameMixin, StringField):
    widget = GovLabelledTextInput()

    def __init__(self, label=None, validators=None, error_name=None, max_length=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self._init_error_name(error_name)
        self.max_length = max_length


class GovTextAreaField(_ErrorNameMixin, TextAreaField):
    widget = GovCharacterCountInput()

    def __init__(self, label=None, validators=None, error_name=None, max_length=None, **kwargs):
        kwargs["filters"] = [*kwargs.get("filters", ()), normalise_newlines]
        super().__init__(label, validators, **kwargs)
        self._init_error_name(error_name)
        self.max_length = max_length


class GovRadioField(_ErrorNameMixin, RadioField):
    """Radios where choosing nothing is no answer (not an error) and a forged value gets a GOV.UK message."""

    widget = GovRadios()

    def __init__(self, label=None, validators=None, error_name=None, option_hints=None, **kwargs):
        kwargs.setdefault("coerce", str)
        pairs = list(kwargs.pop("choices", None) or ())
        self.allowed_values = frozenset(str(value) for value, _label in pairs)
        super().__init__(label, validators, choices=make_choices(pairs), **kwargs)
        self._init_error_name(error_name)
        self.option_hints = dict(option_hints or {})

    def process_data(self, value):
        self.data = str(value) if value is not None and value != "" else None

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = valuelist[0] if valuelist[0] != "" else None

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.data not in self.allowed_values:
            self.data = None
            # Only a forged POST gets here; the message must not echo what was sent.
            raise StopValidation(_("Select an option from the list"))


class GovScaleField(GovRadioField):
    """A 0 to 10 "where are things now?" scale, rendered as inline radios."""

    widget = GovInlineRadios()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs["choices"] = [(value, value) for value in SCALE_VALUES]
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        if isinstance(value, bool):
            value = None
        super().process_data(value)

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.data not in self.allowed_values:
            self.data = None
            raise StopValidation(_("Select a number from 0 to 10"))

    @property
    def score(self) -> int | None:
        """The chosen score as an integer, or None."""
        if self.data in SCALE_VALUES:
            return int(self.data)
        return None


class GovCheckboxesField(_ErrorNameMixin, SelectMultipleField):
    """Checkboxes (a ``SelectMultipleField``) whose messages never echo what was submitted."""

    widget = GovCheckboxes()

    def __init__(self, label=None, validators=None, error_name=None, option_hints=None, **kwargs):
        kwargs.setdefault("coerce", str)
        pairs = list(kwargs.pop("choices", None) or ())
        self.allowed_values = frozenset(str(value) for value, _label in pairs)
        super().__init__(label, validators, choices=make_choices(pairs), **kwargs)
        self._init_error_name(error_name)
        self.option_hints = dict(option_hints or {})

    def process_data(self, value):
        if value is None or isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            self.data = [] if value in (None, "") else [str(value)]
            return
        self.data = [str(v) for v in value]

    def process_formdata(self, valuelist):
        seen: list[str] = []
        for value in valuelist:
            if value != "" and value not in seen:
                seen.append(value)
        self.data = seen

    def pre_validate(self, form):
        if not self.data:
            return
        if any(value not in self.allowed_values for value in self.data):
            self.data = [value for value in self.data if value in self.allowed_values]
            raise StopValidation(_("Select options from the list"))


class GovDateField(_ErrorNameMixin, Field):
    """A day/month/year date that never raises on bad input and gives GOV.UK error messages.

    ``data`` is a ``datetime.date`` or None; ``parts`` keeps what the user typed so it can be shown again.
    With ``past=True`` a date after today is refused.
    """

    widget = GovSafeDateInput()

    def __init__(self, label=None, validators=None, error_name=None, past=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self._init_error_name(error_name)
        self.past = past
        self.parts: tuple[str, str, str] | None = None
        self.bad_parts: tuple[str, ...] = ()

    def _value(self):
        return ""

    def display_parts(self) -> tuple[str, str, str]:
        if self.parts is not None:
            return self.parts
        if isinstance(self.data, date):
            return (str(self.data.day), str(self.data.month), str(self.data.year))
        return ("", "", "")

    def process_data(self, value):
        self.parts = None
        self.bad_parts = ()
        if isinstance(value, date):
            self.data = value
        elif isinstance(value, str) and value:
            try:
                self.data = date.fromisoformat(value)
            except ValueError:
                self.data = None
        else:
            self.data = None

    def process_formdata(self, valuelist):
        if not valuelist:
            # Not in the POST at all: keep what was there (or nothing).
            return
        raw = [value if isinstance(value, str) else "" for value in valuelist[:3]]
        raw += [""] * (3 - len(raw))
        parts = tuple(value.strip() for value in raw)
        self.parts = tuple(value[:_MAX_PART_ECHO] for value in parts)  # type: ignore[assignment]
        self.data = None
        name = capitalise(self.name_in_errors)
        real_date = _("%(name)s must be a real date", name=name)
        if len(valuelist) > 3:
            self.bad_parts = _PART_NAMES
            raise ValueError(real_date)
        if not any(parts):
            return
        missing = [part for part, value in zip(_PART_NAMES, parts, strict=True) if not value]
        if missing:
            self.bad_parts = tuple(missing)
            raise ValueError(_("%(name)s must include a %(parts)s", name=name, parts=_join_parts(missing)))
        # At most 4 digits a part: no bigger number can be part of a real date, and int() and date() must
        # never see one (date() raises OverflowError, not ValueError).
        not_numbers = [
            part for part, value in zip(_PART_NAMES, parts, strict=True) if not _DIGITS.match(value) or len(value) > 4
        ]
        if not_numbers:
            self.bad_parts = tuple(not_numbers)
            raise ValueError(real_date)
        day, month, year = (int(value) for value in parts)
        if len(parts[2]) != 4:
            self.bad_parts = ("year",)
            raise ValueError(_("Year must include 4 numbers"))
        if not 1 <= month <= 12:
            self.bad_parts = ("month",)
            raise ValueError(real_date)
        try:
            value = date(year, month, day)
        except ValueError:
            self.bad_parts = ("day",)
            raise ValueError(real_date) from None
        if self.past and value > date.today():
            self.bad_parts = _PART_NAMES
            raise ValueError(_("%(name)s must be today or in the past", name=name))
        self.data = value


# --- validators ---


class MaxLength:
    """ "<Name> must be N characters or fewer" (no ``maxlength`` attribute: GOV.UK lets people type on and
    see the message, rather than silently cutting their words off)."""

    def __init__(self, max_length: int):
        self.max_length = max_length

    def __call__(self, form, field):
        if isinstance(field.data, str) and len(field.data) > self.max_length:
            raise ValidationError(
                _(
                    "%(name)s must be %(max)s characters or fewer",
                    name=capitalise(field.name_in_errors),
                    max=self.max_length,
                )
            )


class RequiredToComplete:
    """Required only when the form is validated to complete ("Enter ...", "Select ...").

    Deliberately sets no ``required`` flag: the HTML ``required`` attribute would stop a browser saving a
    draft.
    """

    MESSAGES = {"Enter": _l("Enter %(name)s"), "Select": _l("Select %(name)s")}

    def __init__(self, verb: str = "Enter"):
        self.verb = verb

    def __call__(self, form, field):
        if not getattr(form, "_eha_complete", False) or field.errors:
            return
        data = field.data
        if data is None or (isinstance(data, str) and not data.strip()) or (isinstance(data, list) and not data):
            raise StopValidation(str(self.MESSAGES[self.verb]) % {"name": field.name_in_errors})
