"""The duty-to-share grant form and its revoke button."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import IntegerField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import GovDateField, GovRadioField


class GrantForm(BaseForm):
    # A search over every practitioner (eha.services.pickers): only those found and the one chosen are choices.
    user = GovRadioField(
        _l("Who needs access"),
        validators=[Required(_l("Select the practitioner to give access to"))],
        error_name=_l("the practitioner to give access to"),
    )
    reason = TextAreaField(
        _l("Why they need access without the family's agreement"),
        widget=GovTextArea(),
        validators=[
            InputRequired(message=_l("Enter why they need access without the family's agreement")),
            Length(max=2000, message=_l("Reason must be 2000 characters or fewer")),
        ],
    )
    ends_on = GovDateField(_l("When access ends"), error_name=_l("the date access ends"))
    submit = SubmitField(_l("Give access"), widget=GovSubmitInput())

    @property
    def user_id(self):
        value = self.user.data
        return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None

    def validate_ends_on(self, field):
        if field.data is None and not field.errors:
            raise ValidationError(_l("Enter the date access ends"))


class RevokeGrantForm(BaseForm):
    grant_id = IntegerField("Grant", validators=[InputRequired()])
