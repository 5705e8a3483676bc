"""Recording the family's agreement to early help, and its withdrawal."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

# The labels of eha.models.choices.CONSENT_FORMS and CONSENT_CONTACTS, in the page's language.
CONSENT_FORM_LABELS = {"written": _l("In writing"), "verbal": _l("Verbally")}
CONSENT_CONTACT_LABELS = {"in_person": _l("In person"), "phone": _l("By phone")}
YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]


class NotInTheFuture:
    def __call__(self, form, field):
        if isinstance(field.data, date) and field.data > date.today():
            raise ValidationError(_("%(name)s must be today or in the past", name=field.label.text))


class ConsentForm(BaseForm):
    given_by = GovRadioField(
        _l("Who agreed?"),
        validators=[Required(_l("Select who agreed to early help"))],
        description=_l("A parent or carer, or a young person judged competent to decide for themselves."),
    )
    given_on = GovDateField(
        _l("Date agreed"),
        validators=[Required(_l("Enter the date agreed")), NotInTheFuture()],
        error_name=_l("date agreed"),
        description=_l("For example, 27 3 2026"),
    )
    agencies = GovCheckboxesField(
        _l("Which agencies may be involved and see the case?"),
        error_name=_l("agencies"),
        description=_l(
            "Only agencies the family has agreed to can join the Team Around the Family. Select all that apply."
        ),
    )
    withheld = GovTextAreaField(
        _l("Anything the family wants withheld, and from whom"),
        validators=[MaxLength(2000)],
        max_length=2000,
        error_name=_l("what is withheld"),
        description=_l("For example, 'Not to be shared with the children's father'. Leave empty if nothing."),
    )
    legal_basis = GovTextAreaField(
        _l("Legal basis for sharing information"),
        validators=[Required(_l("Enter the legal basis for sharing")), MaxLength(2000)],
        max_length=2000,
        error_name=_l("legal basis"),
        description=_l(
            "Recorded separately from the family's agreement: the duty to share information to "
            "safeguard a child can override a refusal."
        ),
    )
    competence = GovRadioField(
        _l("If a young person agreed: do you judge them competent to give agreement for themselves?"),
        choices=YES_NO,
        error_name=_l("whether you judge the young person competent"),
    )
    competence_notes = GovTextAreaField(
        _l("If a young person agreed: how did you judge this?"),
        validators=[MaxLength(2000)],
        max_length=2000,
        error_name=_l("how you judged the young person competent"),
        description=_l("For example, what you explained, and what they told you back in their own words."),
    )
    given_as = GovRadioField(
        _l("How was agreement given?"),
        choices=[(code, CONSENT_FORM_LABELS.get(code, label)) for code, label in CONSENT_FORMS.items()],
        error_name=_l("how agreement was given"),
    )
    given_via = GovRadioField(
        _l("Where was agreement given?"),
        choices=[(code, CONSENT_CONTACT_LABELS.get(code, label)) for code, label in CONSENT_CONTACTS.items()],
        error_name=_l("where agreement was given"),
    )
    interpreter_used = GovRadioField(
        _l("Was an interpreter used?"), choices=YES_NO, error_name=_l("whether an interpreter was used")
    )
    interpreter_language = GovStringField(
        _l("If an interpreter was used, in which language?"),
        validators=[MaxLength(100)],
        max_length=100,
        error_name=_l("the interpreter's language"),
    )
    privacy_notice = GovRadioField(
        _l("Was the family given the privacy notice?"),
        choices=YES_NO,
        error_name=_l("whether the privacy notice was given"),
        description=_l("The notice that says how the council and its partners use and share the family's information."),
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
        self.competence.description = _(
            "Only a young person aged %(age)s or over can agree for themselves, and only if they "
            "understand what early help involves and what sharing their information means. Leave empty if a "
            "parent or carer agreed.",
            age=young_people.min_age(),
        )
        pairs = [(giver.ref.value, giver.label) for giver in givers]
        self.given_by.choices = make_choices(pairs)
        self.given_by.allowed_values = frozenset(v for v, _ in pairs)
        agency_pairs = [(str(a.id), a.name) for a in agencies]
        self.agencies.choices = make_choices(agency_pairs)
        self.agencies.allowed_values = frozenset(v for v, _ in agency_pairs)


class WithdrawConsentForm(BaseForm):
    withdrawn_on = GovDateField(
        _l("Date agreement was withdrawn"),
        validators=[Required(_l("Enter the date agreement was withdrawn")), NotInTheFuture()],
        error_name=_l("date agreement was withdrawn"),
    )
    notes = GovTextAreaField(
        _l("Notes"),
        validators=[MaxLength(2000)],
        max_length=2000,
        error_name=_l("notes"),
        description=_l("What the family said and what happens next."),
    )
    marker = HiddenField()
