"""Forms for families and the people in them, and the NHS number check."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import StopValidation, ValidationError

from eha.formatting import format_date
from eha.forms.base import BaseForm
from eha.forms.contacts import EmailAddress, PhoneNumber, Postcode
from eha.forms.fields import (
    GovDateField,
    GovRadioField,
    GovStringField,
    GovTextAreaField,
    MaxLength,
    capitalise,
)
from eha.i18n import current_language
from eha.models.choices import SEXES
from eha.nhs import valid_nhs_number


class Required:
    """GOV.UK "Enter ..." / "Select ..." message; keeps an earlier error (a malformed date) if there is one."""

    def __init__(self, message: str):
        self.message = message
        self.field_flags = {}

    def __call__(self, form, field):
        if field.errors:
            raise StopValidation()
        data = field.data
        if data is None or (isinstance(data, str) and not data.strip()) or data == []:
            raise StopValidation(self.message)


class NhsNumber:
    def __call__(self, form, field):
        if field.data and not valid_nhs_number(field.data):
            raise ValidationError(_l("Enter a valid NHS number, like 943 476 5919"))


class BornInThePast:
    def __call__(self, form, field):
        if isinstance(field.data, date) and field.data >= date.today():
            raise ValidationError(_("%(name)s must be in the past", name=capitalise(field.name_in_errors)))
        if isinstance(field.data, date) and field.data.year < 1900:
            raise ValidationError(_("%(name)s must be after 1900", name=capitalise(field.name_in_errors)))


def _text(label, max_length, required=None, error_name=None, hint="", area=False, extra=()):
    validators = [Required(required)] if required else []
    validators += [MaxLength(max_length), *extra]
    cls = GovTextAreaField if area else GovStringField
    return cls(label, validators=validators, max_length=max_length, error_name=error_name, description=hint)


# The labels of eha.models.choices.SEXES, in the page's language.
SEX_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other"), "not_known": _l("Not known")}
SEX_CHOICES = [(code, SEX_LABELS.get(code, label)) for code, label in SEXES.items()]
YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]


class HouseholdForm(BaseForm):
    """A change to the household: carries the family's version the user started from (see update_family)."""

    version = HiddenField()


class FindChildForm(BaseForm):
    """Step 1 of starting an assessment: look for the child already on record."""

    first_name = _text(_l("First name"), 100)
    last_name = _text(_l("Last name"), 100)
    date_of_birth = GovDateField(
        _l("Date of birth"),
        validators=[BornInThePast()],
        error_name=_l("date of birth"),
        description=_l("For example, 27 3 2015"),
    )
    nhs_number = _text(_l("NHS number"), 20, error_name=_l("NHS number"), hint=_l("10 digits, like 943 476 5919"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and self.nhs_number.data:
            if not valid_nhs_number(self.nhs_number.data):
                self.nhs_number.errors.append(_l("Enter a valid NHS number, like 943 476 5919"))
                return False
        if ok and not (self.last_name.data or self.date_of_birth.data or self.nhs_number.data):
            self.last_name.errors.append(_l("Enter the child's last name, date of birth or NHS number"))
            return False
        return ok

    def typed_child(self):
        """What was typed about the child, kept (in the session, so as plain strings) to pre-fill a new family."""
        dob = self.date_of_birth.data
        return {
            "first_name": self.first_name.data or "",
            "last_name": self.last_name.data or "",
            "date_of_birth": dob.isoformat() if isinstance(dob, date) else "",
            "nhs_number": self.nhs_number.data or "",
        }


class SafetyForm(BaseForm):
    at_risk = GovRadioField(
        _l("Could the child be at risk of significant harm?"),
        choices=YES_NO,
        validators=[Required(_l("Select yes if the child could be at risk of significant harm"))],
        description=_l(
            "Significant harm includes physical, sexual or emotional abuse and neglect. If you are not "
            "sure, answer yes and talk to the front door."
        ),
    )


class FamilyDetailsForm(BaseForm):
    name = _text(
        _l("Family name"),
        200,
        _l("Enter the family name"),
        hint=_l("How the family would like to be known, for example 'The Kowalski family'"),
    )
    address = _text(_l("Address"), 1000, area=True)
    postcode = _text(_l("Postcode"), 10, extra=[Postcode()])


class EditFamilyForm(FamilyDetailsForm, HouseholdForm):
    """The household's details."""


class ChildForm(HouseholdForm):
    first_name = _text(
        _l("First name"), 100, _l("Enter the child's first name"), error_name=_l("the child's first name")
    )
    last_name = _text(_l("Last name"), 100, _l("Enter the child's last name"), error_name=_l("the child's last name"))
    date_of_birth = GovDateField(
        _l("Date of birth"),
        validators=[Required(_l("Enter the child's date of birth")), BornInThePast()],
        error_name=_l("date of birth"),
        description=_l("For example, 27 3 2015"),
    )
    sex = GovRadioField(_l("Sex"), choices=SEX_CHOICES, validators=[Required(_l("Select the child's sex"))])
    school = _text(_l("School or early years setting"), 200)
    nhs_number = _text(
        _l("NHS number (optional)"), 20, error_name=_l("NHS number"), hint=_l("10 digits, like 943 476 5919")
    )

    def validate(self, extra_validators=None):
        extra = dict(extra_validators or {})
        extra.setdefault("nhs_number", []).append(NhsNumber())
        return super().validate(extra)


class CarerForm(HouseholdForm):
    name = _text(_l("Full name"), 200, _l("Enter the parent or carer's full name"), error_name=_l("full name"))
    relationship_to_child = _text(
        _l("Relationship to the child"),
        100,
        _l("Enter their relationship to the child"),
        error_name=_l("relationship to the child"),
        hint=_l("For example, mother, father, grandmother, step-father"),
    )
    phone = _text(_l("Phone number"), 50, extra=[PhoneNumber()])
    email = _text(_l("Email address"), 320, extra=[EmailAddress()])
    address = _text(_l("Address, if different from the family's"), 1000, area=True, error_name=_l("address"))
    preferred_language = _text(_l("Preferred language"), 100, hint=_l("For example, English, Polish, Turkish"))
    interpreter_needed = GovRadioField(
        _l("Is an interpreter needed?"),
        choices=YES_NO,
        validators=[Required(_l("Select yes if an interpreter is needed"))],
    )


class NewFamilyForm(FamilyDetailsForm):
    """Step 3 of starting an assessment for a family not on record: the family, a child and a carer."""

    child_first_name = ChildForm.first_name
    child_last_name = ChildForm.last_name
    child_date_of_birth = ChildForm.date_of_birth
    child_sex = ChildForm.sex
    child_school = ChildForm.school
    child_nhs_number = ChildForm.nhs_number
    carer_name = CarerForm.name
    carer_relationship_to_child = CarerForm.relationship_to_child
    carer_phone = CarerForm.phone
    carer_email = CarerForm.email
    carer_preferred_language = CarerForm.preferred_language
    carer_interpreter_needed = CarerForm.interpreter_needed

    def validate(self, extra_validators=None):
        extra = dict(extra_validators or {})
        extra.setdefault("child_nhs_number", []).append(NhsNumber())
        return super().validate(extra)

    @staticmethod
    def prefill(typed):
        """The form's starting data from what was typed on "Find the child" (``FindChildForm.typed_child``)."""
        typed = typed if isinstance(typed, dict) else {}
        data = {f"child_{k}": str(typed.get(k) or "") for k in ("first_name", "last_name", "nhs_number")}
        try:
            data["child_date_of_birth"] = date.fromisoformat(str(typed.get("date_of_birth") or ""))
        except ValueError:
            pass
        return {k: v for k, v in data.items() if v}

    def child_data(self):
        return {
            k: self[f"child_{k}"].data
            for k in ("first_name", "last_name", "date_of_birth", "sex", "school", "nhs_number")
        }

    def carer_data(self):
        data = {
            k: self[f"carer_{k}"].data
            for k in ("name", "relationship_to_child", "phone", "email", "preferred_language")
        }
        data["interpreter_needed"] = self.carer_interpreter_needed.data
        return data


class NetworkMemberForm(HouseholdForm):
    name = _text(_l("Full name"), 200, _l("Enter their full name"), error_name=_l("full name"))
    relationship_to_family = _text(
        _l("Relationship to the family"),
        100,
        _l("Enter their relationship to the family"),
        error_name=_l("relationship to the family"),
        hint=_l("For example, grandmother, neighbour, family friend"),
    )
    contact = _text(_l("Contact details"), 300)
    support_offered = _text(_l("Support they give or could give"), 2000, area=True, error_name=_l("support"))


class InvolvedAgencyForm(HouseholdForm):
    agency_id = GovRadioField(_l("Agency on record"), choices=[])
    agency_name = _text(
        _l("Or type the agency's name"), 200, error_name=_l("agency name"), hint=_l("If the agency is not in the list")
    )
    contact_name = _text(_l("Contact name"), 200)
    contact_details = _text(_l("Contact details"), 300)
    involvement = _text(_l("What they do with the family"), 2000, area=True, error_name=_l("involvement"))

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        from eha.forms.fields import make_choices

        pairs = [(str(a.id), a.name) for a in agencies]
        self.agency_id.choices = make_choices(pairs)
        self.agency_id.allowed_values = frozenset(v for v, _ in pairs)
        self._agencies = {str(a.id): a for a in agencies}

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not self.agency_id.data and not self.agency_name.data:
            self.agency_id.errors.append(_l("Select an agency or type the agency's name"))
            return False
        return ok

    def chosen_agency(self):
        return self._agencies.get(self.agency_id.data or "")


def _shown(field):
    """A field's value as a person reads it (a choice's label, a date in words)."""
    value = field.data
    if isinstance(value, date):
        return format_date(value, "long", current_language())
    for choice in getattr(field, "choices", None) or ():
        choice_value, label = (choice.value, choice.label) if hasattr(choice, "value") else tuple(choice)[:2]
        if value is not None and str(choice_value) == str(value):
            return label
    return value or ""


def compare(form, saved_form):
    """``[(question, saved now, typed)]`` for the conflict page (saved is None when the user was adding)."""
    return [
        (field.label.text, _shown(saved_form[field.name]) if saved_form else None, _shown(field))
        for field in form
        if field.type not in ("CSRFTokenField", "HiddenField")
    ]
