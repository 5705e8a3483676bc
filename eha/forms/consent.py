"""Recording the family's agreement to early help, and its withdrawal."""

from datetime import date

from wtforms import HiddenField
from wtforms.validators import ValidationError

from eha import young_people
from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import (
    GovCheckboxesField,
    GovDateField,
    GovRadioField,
    GovStringField,
    GovTextAreaField,
    MaxLength,
    make_choices,
)
from eha.models.choices import CONSENT_CONTACTS, CONSENT_FORMS

YES_NO = [("yes", "Yes"), ("no", "No")]


class NotInTheFuture:
    def __call__(self, form, field):
        if isinstance(field.data, date) and field.data > date.today():
            raise ValidationError(f"{field.label.text} must be today or in the past")


class ConsentForm(BaseForm):
    given_by = GovRadioField(
        "Who agreed?",
        validators=[Required("Select who agreed to early help")],
        description="A parent or carer, or a young person judged competent to decide for themselves.",
    )
    given_on = GovDateField(
        "Date agreed",
        validators=[Required("Enter the date agreed"), NotInTheFuture()],
        error_name="date agreed",
        description="For example, 27 3 2026",
    )
    agencies = GovCheckboxesField(
        "Which agencies may be involved and see the case?",
        error_name="agencies",
        description="Only agencies the family has agreed to can join the Team Around the Family. Select all "
        "that apply.",
    )
    withheld = GovTextAreaField(
        "Anything the family wants withheld, and from whom",
        validators=[MaxLength(2000)],
        max_length=2000,
        error_name="what is withheld",
        description="For example, 'Not to be shared with the children's father'. Leave empty if nothing.",
    )
    legal_basis = GovTextAreaField(
        "Legal basis for sharing information",
        validators=[Required("Enter the legal basis for sharing"), MaxLength(2000)],
        max_length=2000,
        error_name="legal basis",
        description="Recorded separately from the family's agreement: the duty to share information to "
        "safeguard a child can override a refusal.",
    )
    competence = GovRadioField(
        "If a young person agreed: do you judge them competent to give agreement for themselves?",
        choices=YES_NO,
        error_name="whether you judge the young person competent",
    )
    competence_notes = GovTextAreaField(
        "If a young person agreed: how did you judge this?",
        validators=[MaxLength(2000)],
        max_length=2000,
        error_name="how you judged the young person competent",
        description="For example, what you explained, and what they told you back in their own words.",
    )
    given_as = GovRadioField(
        "How was agreement given?",
        choices=list(CONSENT_FORMS.items()),
        error_name="how agreement was given",
    )
    given_via = GovRadioField(
        "Where was agreement given?",
        choices=list(CONSENT_CONTACTS.items()),
        error_name="where agreement was given",
    )
    interpreter_used = GovRadioField(
        "Was an interpreter used?", choices=YES_NO, error_name="whether an interpreter was used"
    )
    interpreter_language = GovStringField(
        "If an interpreter was used, in which language?",
        validators=[MaxLength(100)],
        max_length=100,
        error_name="the interpreter's language",
    )
    privacy_notice = GovRadioField(
        "Was the family given the privacy notice?",
        choices=YES_NO,
        error_name="whether the privacy notice was given",
        description="The notice that says how the council and its partners use and share the family's information.",
    )
    marker = HiddenField()

    HOW_FIELDS = (
        "competence",
        "competence_notes",
        "given_as",
        "given_via",
        "interpreter_used",
        "interpreter_language",
        "privacy_notice",
    )

    def how_given(self):
        """The answers on how agreement was given, as ``record_consent`` takes them."""
        return {name: getattr(self, name).data for name in self.HOW_FIELDS}

    def __init__(self, *args, givers=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.competence.description = (
            f"Only a young person aged {young_people.min_age()} or over can agree for themselves, and only if they "
            "understand what early help involves and what sharing their information means. Leave empty if a "
            "parent or carer agreed."
        )
        pairs = [(giver.ref.value, giver.label) for giver in givers]
        self.given_by.choices = make_choices(pairs)
        self.given_by.allowed_values = frozenset(v for v, _ in pairs)
        agency_pairs = [(str(a.id), a.name) for a in agencies]
        self.agencies.choices = make_choices(agency_pairs)
        self.agencies.allowed_values = frozenset(v for v, _ in agency_pairs)


class WithdrawConsentForm(BaseForm):
    withdrawn_on = GovDateField(
        "Date agreement was withdrawn",
        validators=[Required("Enter the date agreement was withdrawn"), NotInTheFuture()],
        error_name="date agreement was withdrawn",
    )
    notes = GovTextAreaField(
        "Notes",
        validators=[MaxLength(2000)],
        max_length=2000,
        error_name="notes",
        description="What the family said and what happens next.",
    )
    marker = HiddenField()
