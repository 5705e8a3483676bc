"""The form for someone on a case without an eha account (the family's network, a professional)."""

from __future__ import annotations

from wtforms import HiddenField

from eha.forms.base import BaseForm
from eha.forms.contacts import EmailAddress, PhoneNumber
from eha.forms.families import Required
from eha.forms.fields import GovRadioField, GovStringField, GovTextAreaField, MaxLength
from eha.models.choices import CASE_PERSON_KINDS
from eha.services.case_people import LIMITS


def _text(label, name, required=None, hint="", area=False, extra=()):
    validators = [Required(required)] if required else []
    validators += [MaxLength(LIMITS[name]), *extra]
    cls = GovTextAreaField if area else GovStringField
    error_name = label.removesuffix(" (optional)")
    error_name = error_name[:1].lower() + error_name[1:]
    return cls(label, validators=validators, max_length=LIMITS[name], description=hint, error_name=error_name)


class CasePersonForm(BaseForm):
    kind = GovRadioField(
        "Who are they?",
        choices=list(CASE_PERSON_KINDS.items()),
        validators=[Required("Select whether they are in the family's network or a professional")],
        error_name="who they are",
        option_hints={
            "network": "Family or friends: a grandparent, an aunt, a neighbour, a family friend",
            "professional": "For example, a GP, an advocate, an interpreter",
        },
    )
    name = _text("Full name", "name", "Enter their full name")
    role = _text(
        "Role or relationship to the family",
        "role",
        "Enter their role or relationship to the family",
        hint="For example, maternal grandmother, family friend, GP, advocate",
    )
    organisation = _text("Organisation (optional)", "organisation", hint="For example, Riverside Surgery")
    email = _text("Email address (optional)", "email", extra=[EmailAddress()])
    phone = _text("Phone number (optional)", "phone", extra=[PhoneNumber()])
    communication_needs = _text(
        "Communication needs (optional)",
        "communication_needs",
        hint="For example, uses British Sign Language, needs large print, cannot read letters",
        area=True,
    )
    interpreter_language = _text(
        "Interpreter needed (optional)",
        "interpreter_language",
        hint="The language they need an interpreter for, for example Polish. Leave blank if none.",
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
