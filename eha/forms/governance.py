"""Forms for information governance: legal holds, disposal batches, subject access requests, corrections."""

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import HiddenField, SubmitField
from wtforms.validators import InputRequired, Optional, ValidationError

from eha.forms.base import BaseForm
from eha.forms.fields import (
    GovDateField,
    GovRadioField,
    GovStringField,
    GovTextAreaField,
    MaxLength,
    make_choices,
)
from eha.models.choices import SAR_EXEMPTIONS

REASON_MAX = 2000


def _reason(label, missing):
    return GovTextAreaField(
        label, validators=[InputRequired(message=missing), MaxLength(REASON_MAX)], max_length=REASON_MAX
    )


def as_int(value):
    """A posted id or version as an int (None when it is not a small number: forged or missing)."""
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None


class HoldForm(BaseForm):
    on = GovRadioField(
        "What to hold",
        choices=[("case", "This case"), ("family", "Every case of this family")],
        validators=[InputRequired(message="Select what to hold")],
    )
    reason = _reason(
        "Why the records must be kept (the investigation or litigation)", "Enter why the records must be kept"
    )
    submit = SubmitField("Place legal hold", widget=GovSubmitInput())


class LiftHoldForm(BaseForm):
    hold_id = HiddenField()
    version = HiddenField()
    reason = _reason("Why the hold can be lifted", "Enter why the hold can be lifted")
    submit = SubmitField("Lift legal hold", widget=GovSubmitInput())


class DecisionForm(BaseForm):
    """Approve or cancel (a disposal batch), approve or send back (a request's redactions): a button's value."""

    version = HiddenField()
    decision = HiddenField()

    @property
    def approve(self):
        return self.decision.data == "approve"

    def validate_decision(self, field):
        if field.data not in ("approve", "reject"):
            raise ValidationError("Choose approve or reject")


class OpenRequestForm(BaseForm):
    person = HiddenField()
    received_on = GovDateField(
        "When the request was received", error_name="the date the request was received", past=True
    )
    submit = SubmitField("Open the request", widget=GovSubmitInput())

    def validate_received_on(self, field):
        if field.data is None and not field.errors:
            raise ValidationError("Enter the date the request was received")


class WithholdForm(BaseForm):
    """The lead professional marks one third party of the case to withhold, with the exemption and why."""

    version = HiddenField()
    person = GovRadioField(
        "Whose personal data must be withheld",
        validators=[InputRequired(message="Select whose personal data must be withheld")],
    )
    exemption = GovRadioField(
        "The exemption relied on",
        choices=list(SAR_EXEMPTIONS.items()),
        validators=[InputRequired(message="Select the exemption relied on")],
    )
    reason = _reason(
        "Why it must be withheld (the reviewing manager reads this; the person asking does not)",
        "Enter why it must be withheld",
    )
    submit = SubmitField("Withhold their personal data", widget=GovSubmitInput())

    def set_people(self, people):
        pairs = [(p.key, f"{p.name} ({p.kind_label}: {p.about})") for p in people]
        self.person.choices = make_choices(pairs)
        self.person.allowed_values = frozenset(key for key, _label in pairs)


class VersionForm(BaseForm):
    """A button that changes a record opened at ``version`` (send for review, take a mark off)."""

    version = HiddenField()


def _fact(label, error_name, max_length, required=True):
    checks = [InputRequired(message=f"Enter the {error_name}")] if required else [Optional()]
    return GovStringField(label, validators=[*checks, MaxLength(max_length)], error_name=error_name)


class CorrectionForm(BaseForm):
    version = HiddenField()
    reason = _reason("Why this is being corrected, and who said it was wrong", "Enter why this is being corrected")
    submit = SubmitField("Save the correction", widget=GovSubmitInput())

    FACTS = ()

    def changes(self):
        return {name: self[name].data or None for name in self.FACTS}


class ChildCorrectionForm(CorrectionForm):
    first_name = _fact("First name", "child's first name", 100)
    last_name = _fact("Last name", "child's last name", 100)
    date_of_birth = GovDateField("Date of birth", error_name="the child's date of birth", past=True)
    FACTS = ("first_name", "last_name", "date_of_birth")

    def validate_date_of_birth(self, field):
        if field.data is None and not field.errors:
            raise ValidationError("Enter the child's date of birth")


class CarerCorrectionForm(CorrectionForm):
    name = _fact("Name", "name", 200)
    address = GovTextAreaField("Address (optional)", validators=[Optional(), MaxLength(500)], max_length=500)
    phone = _fact("Phone (optional)", "phone number", 50, required=False)
    email = _fact("Email (optional)", "email address", 320, required=False)
    FACTS = ("name", "address", "phone", "email")


class FamilyCorrectionForm(CorrectionForm):
    address = GovTextAreaField("Address (optional)", validators=[Optional(), MaxLength(500)], max_length=500)
    postcode = _fact("Postcode (optional)", "postcode", 10, required=False)
    FACTS = ("address", "postcode")


class NetworkCorrectionForm(CorrectionForm):
    """The same limits as the family page's network member form."""

    name = _fact("Name", "name", 200)
    relationship_to_family = _fact("Relationship to the family", "relationship to the family", 100)
    contact = _fact("Contact details (optional)", "contact details", 300, required=False)
    support_offered = GovTextAreaField(
        "Support they offer (optional)", validators=[Optional(), MaxLength(2000)], max_length=2000
    )
    FACTS = ("name", "relationship_to_family", "contact", "support_offered")
