"""Forms for the plan: an action, a signature, progress on an action. Also small helpers the meeting and
review forms share (choices set at request time, the hidden record version)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import StopValidation, ValidationError

from eha.formatting import format_date
from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import (
    GovDateField,
    GovRadioField,
    GovStringField,
    GovTextAreaField,
    MaxLength,
    make_choices,
)
from eha.i18n import current_language, lazy_choices
from eha.models.choices import ACTION_PROGRESS, SIGNING_METHODS

SHORT_TEXT = 1000
LONG_TEXT = 5000


def set_choices(field, pairs):
    """Give a GOV.UK radios/checkboxes field its choices at request time (they depend on the case)."""
    pairs = [(str(v), str(label)) for v, label in pairs]
    field.choices = make_choices(pairs)
    field.allowed_values = frozenset(v for v, _ in pairs)


def parse_version(value):
    """The record version a form carried, or None when it is missing or not a number."""
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    return None


class RequiredDate:
    """ "Enter <the date>" for a date left blank; keeps the date field's own message for a malformed one."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.errors:
            raise StopValidation()
        if field.data is None:
            raise StopValidation(self.message)


class NotInPast:
    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data is not None and field.data < date.today():
            raise ValidationError(self.message)


class ActionForm(BaseForm):
    """One action of the plan; ``due_bounds`` keeps its date between the plan being made and the horizon."""

    need = GovRadioField(_l("Which need does this action address?"), error_name=_l("the need"))
    what = GovTextAreaField(
        _l("What will be done?"),
        validators=[Required(_l("Enter what will be done")), MaxLength(SHORT_TEXT)],
        error_name=_l("what will be done"),
        max_length=SHORT_TEXT,
    )
    owner = GovRadioField(
        _l("Who will do it?"),
        validators=[Required(_l("Select who will do it"))],
        error_name=_l("who will do it"),
        description=(
            "A member of the Team Around the Family, someone in the family, or someone on the case without an eha "
            "account."
        ),
    )
    due_on = GovDateField(
        _l("By when?"),
        validators=[RequiredDate(_l("Enter the date it will be done by"))],
        error_name=_l("the date"),
        description=_l("For example, 27 3 2026"),
    )
    success = GovTextAreaField(
        _l("How will we know it worked?"),
        validators=[Required(_l("Enter how we will know it worked")), MaxLength(SHORT_TEXT)],
        error_name=_l("how we will know it worked"),
        max_length=SHORT_TEXT,
    )
    version = HiddenField()

    def __init__(self, *args, needs=(), owners=(), due_bounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.due_bounds = due_bounds  # (earliest, latest) from eha.services.plans.action_due_bounds
        set_choices(self.need, needs)
        set_choices(self.owner, owners)
        if needs:
            self.need.validators = [Required(_l("Select the need this action addresses"))]

    def validate_due_on(self, field):
        if field.errors or not isinstance(field.data, date) or not self.due_bounds:
            return
        earliest, latest = self.due_bounds
        if field.data < earliest:
            raise ValidationError(
                _l(
                    "The date it will be done by must be the same as or after %(date)s, when the plan was made",
                    date=format_date(earliest, language=current_language()),
                )
            )
        if field.data > latest:
            raise ValidationError(
                _l(
                    "The date it will be done by must be the same as or before %(date)s",
                    date=format_date(latest, language=current_language()),
                )
            )


class SignatureForm(BaseForm):
    signer = GovRadioField(
        _l("Who is signing?"),
        validators=[Required(_l("Select who is signing the plan"))],
        error_name=_l("who is signing"),
    )
    name = GovStringField(
        _l("Name"),
        validators=[MaxLength(200)],
        error_name=_l("name"),
        description=_l("Leave blank to use the name on record."),
    )
    role = GovStringField(
        _l("Role"),
        validators=[MaxLength(200)],
        error_name=_l("role"),
        description=_l("For example, Mum, Young person or Lead professional. Leave blank to use the role on record."),
    )
    signed_on = GovDateField(
        _l("Date signed"),
        validators=[RequiredDate(_l("Enter the date the plan was signed"))],
        error_name=_l("date signed"),
        past=True,
        description=_l("For example, 27 3 2026"),
    )
    method = GovRadioField(
        _l("How did they sign?"),
        validators=[Required(_l("Select how they signed the plan"))],
        choices=lazy_choices(SIGNING_METHODS),
        error_name=_l("how they signed"),
    )
    version = HiddenField()
    plan = HiddenField()  # the plan version's number: a page opened on a version no longer current is stale

    def __init__(self, *args, signers=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self.signer, signers)


class ProgressForm(BaseForm):
    progress = GovRadioField(
        _l("How is this action going?"),
        validators=[Required(_l("Select how this action is going"))],
        choices=lazy_choices(ACTION_PROGRESS),
        error_name=_l("progress"),
    )
    comment = GovTextAreaField(
        _l("Comment (optional)"), validators=[MaxLength(2000)], error_name=_l("comment"), max_length=2000
    )
    version = HiddenField()
