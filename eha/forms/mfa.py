"""The security code form for two-factor sign-in and for setting up an authenticator app."""

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from eha.auth.mfa import normalise_code
from eha.forms.base import BaseForm


def _six_digits(form, field):
    if len(normalise_code(field.data)) != 6 or len(field.data or "") > 20:
        raise ValidationError("Enter the 6-digit security code from your authenticator app")


class SecurityCodeForm(BaseForm):
    code = StringField(
        "Security code",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the security code from your authenticator app"),
            Length(max=20, message="Enter the 6-digit security code from your authenticator app"),
            _six_digits,
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
