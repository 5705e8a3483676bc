"""Forms for information governance: legal holds, disposal batches, subject access requests, corrections."""

from flask_babel import lazy_gettext as _l
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
from eha.i18n import lazy_choices, translated
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
        _l("What to hold"),
        choices=[("case", _l("This case")), ("family", _l("Every case of this family"))],
        validators=[InputRequired(message=_l("Select what to hold"))],
    )
    reason = _reason(
        _l("Why the records must be kept (the investigation or litigation)"), _l("Enter why the records must be kept")
    )
    submit = SubmitField(_l("Place legal hold"), widget=GovSubmitInput())


class LiftHoldForm(BaseForm):
    hold_id = HiddenField()
    version = HiddenField()
    reason = _reason(_l("Why the hold can be lifted"), _l("Enter why the hold can be lifted"))
    submit = SubmitField(_l("Lift legal hold"), widget=GovSubmitInput())


class DecisionForm(BaseForm):
    """Approve or cancel (a disposal batch), approve or send back (a request's redactions): a button's value."""

    version = HiddenField()
    decision = HiddenField()

    @property
    def approve(self):
        return self.decision.data == "approve"

    def validate_decision(self, field):
        if field.data not in ("approve", "reject"):
            raise ValidationError(_l("Choose approve or reject"))


class OpenRequestForm(BaseForm):
    person = HiddenField()
    received_on = GovDateField(
        _l("When the request was received"), error_name=_l("the date the request was received"), past=True
    )
    submit = SubmitField(_l("Open the request"), widget=GovSubmitInput())

    def validate_received_on(self, field):
        if field.data is None and not field.errors:
            raise ValidationError(_l("Enter the date the request was received"))


class WithholdForm(BaseForm):
    """The lead professional marks one third party of the case to withhold, with the exemption and why."""

    version = HiddenField()
    person = GovRadioField(
        _l("Whose personal data must be withheld"),
        validators=[InputRequired(message=_l("Select whose personal data must be withheld"))],
    )
    exemption = GovRadioField(
        _l("The exemption relied on"),
        choices=lazy_choices(SAR_EXEMPTIONS),
        validators=[InputRequired(message=_l("Select the exemption relied on"))],
    )
    reason = _reason(
        _l("Why it must be withheld (the reviewing manager reads this; the person asking does not)"),
        _l("Enter why it must be withheld"),
    )
    submit = SubmitField(_l("Withhold their personal data"), widget=GovSubmitInput())

    def set_people(self, people):
        pairs = [(p.key, f"{p.name} ({translated(p.kind_label)}: {p.about})") for p in people]
        self.person.choices = make_choices(pairs)
        self.person.allowed_values = frozenset(key for key, _label in pairs)


class VersionForm(BaseForm):
    """A button that changes a record opened at ``version`` (send for review, take a mark off)."""

    version = HiddenField()


def _fact(label, error_name, max_length, missing=None):
    checks = [InputRequired(message=missing)] if missing else [Optional()]
    return GovStringField(label, validators=[*checks, MaxLength(max_length)], error_name=error_name)


class CorrectionForm(BaseForm):
    version = HiddenField()
    reason = _reason(
        _l("Why this is being corrected, and who said it was wrong"), _l("Enter why this is being corrected")
    )
    submit = SubmitField(_l("Save the correction"), widget=GovSubmitInput())

    FACTS = ()

    def changes(self):
        return {name: self[name].data or None for name in self.FACTS}


class ChildCorrectionForm(CorrectionForm):
    first_name = _fact(_l("First name"), _l("child's first name"), 100, _l("Enter the child's first name"))
    last_name = _fact(_l("Last name"), _l("child's last name"), 100, _l("Enter the child's last name"))
    date_of_birth = GovDateField(_l("Date of birth"), error_name=_l("the child's date of birth"), past=True)
    FACTS = ("first_name", "last_name", "date_of_birth")

    def validate_date_of_birth(self, field):
        if field.data is None and not field.errors:
            raise ValidationError(_l("Enter the child's date of birth"))


class CarerCorrectionForm(CorrectionForm):
    name = _fact(_l("Name"), _l("name"), 200, _l("Enter the name"))
    address = GovTextAreaField(_l("Address (optional)"), validators=[Optional(), MaxLength(500)], max_length=500)
    phone = _fact(_l("Phone (optional)"), _l("phone number"), 50)
    email = _fact(_l("Email (optional)"), _l("email address"), 320)
    FACTS = ("name", "address", "phone", "email")


class FamilyCorrectionForm(CorrectionForm):
    address = GovTextAreaField(_l("Address (optional)"), validators=[Optional(), MaxLength(500)], max_length=500)
    postcode = _fact(_l("Postcode (optional)"), _l("postcode"), 10)
    FACTS = ("address", "postcode")


class NetworkCorrectionForm(CorrectionForm):
    """The same limits as the family page's network member form."""

    name = _fact(_l("Name"), _l("name"), 200, _l("Enter the name"))
    relationship_to_family = _fact(
        _l("Relationship to the family"),
        _l("relationship to the family"),
        100,
        _l("Enter the relationship to the family"),
    )
    contact = _fact(_l("Contact details (optional)"), _l("contact details"), 300)
    support_offered = GovTextAreaField(
        _l("Support they offer (optional)"), validators=[Optional(), MaxLength(2000)], max_length=2000
    )
    FACTS = ("name", "relationship_to_family", "contact", "support_offered")
