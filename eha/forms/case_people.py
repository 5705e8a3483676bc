"""The form for someone on a case without an eha account (the family's network, a professional)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField

from eha.forms.base import BaseForm
from eha.forms.contacts import EmailAddress, PhoneNumber
from eha.forms.families import Required
from eha.forms.fields import GovRadioField, GovStringField, GovTextAreaField, MaxLength
from eha.models.choices import CASE_PERSON_KINDS
from eha.services.case_people import LIMITS


def _text(label, name, required=None, hint="", area=False, extra=(), error_name=None):
    """``error_name``: how messages name the field ("Enter their full name"), the label without "(optional)"."""
    validators = [Required(required)] if required else []
    validators += [MaxLength(LIMITS[name]), *extra]
    cls = GovTextAreaField if area else GovStringField
    return cls(label, validators=validators, max_length=LIMITS[name], description=hint, error_name=error_name)


# The labels of eha.models.choices.CASE_PERSON_KINDS, in the page's language.
KIND_LABELS = {"network": _l("Family network"), "professional": _l("Professional without an eha account")}


class CasePersonForm(BaseForm):
    kind = GovRadioField(
        _l("Who are they?"),
        choices=[(code, KIND_LABELS.get(code, label)) for code, label in CASE_PERSON_KINDS.items()],
        validators=[Required(_l("Select whether they are in the family's network or a professional"))],
        error_name=_l("who they are"),
        option_hints={
            "network": _l("Family or friends: a grandparent, an aunt, a neighbour, a family friend"),
            "professional": _l("For example, a GP, an advocate, an interpreter"),
        },
    )
    name = _text(_l("Full name"), "name", _l("Enter their full name"), error_name=_l("full name"))
    role = _text(
        _l("Role or relationship to the family"),
        "role",
        _l("Enter their role or relationship to the family"),
        error_name=_l("role or relationship to the family"),
        hint=_l("For example, maternal grandmother, family friend, GP, advocate"),
    )
    organisation = _text(
        _l("Organisation (optional)"),
        "organisation",
        hint=_l("For example, Riverside Surgery"),
        error_name=_l("organisation"),
    )
    email = _text(_l("Email address (optional)"), "email", extra=[EmailAddress()], error_name=_l("email address"))
    phone = _text(_l("Phone number (optional)"), "phone", extra=[PhoneNumber()], error_name=_l("phone number"))
    communication_needs = _text(
        _l("Communication needs (optional)"),
        "communication_needs",
        error_name=_l("communication needs"),
        hint=_l("For example, uses British Sign Language, needs large print, cannot read letters"),
        area=True,
    )
    interpreter_language = _text(
        _l("Interpreter needed (optional)"),
        "interpreter_language",
        error_name=_l("interpreter needed"),
        hint=_l("The language they need an interpreter for, for example Polish. Leave blank if none."),
    )
    network_member = HiddenField()
    version = HiddenField()

    def fields(self):
        """What the user entered, for the service."""
        return {name: self[name].data for name in ("kind", *LIMITS)}

    @property
    def network_member_id(self):
        value = self.network_member.data
        return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None

    @property
    def network_member_forged(self):
        """A value was sent that is not an id at all."""
        value = self.network_member.data
        return bool(value) and self.network_member_id is None


class RemovePersonForm(BaseForm):
    version = HiddenField()
    confirm = HiddenField()
