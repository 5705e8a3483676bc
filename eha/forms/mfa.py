"""The security code form for two-factor sign-in and for setting up an authenticator app."""

import unicodedata

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from eha.auth.mfa import normalise_code
from eha.forms.base import BaseForm

SIX_DIGITS = _l("Enter the 6-digit security code from your authenticator app")


def _six_digits(form, field):
    """Six digits, perhaps with spaces or dashes between; a control character (a pasted tab) is refused too."""
    data = field.data or ""
    controls = any(unicodedata.category(ch) == "Cc" for ch in data)
    if controls or len(normalise_code(data)) != 6 or len(data) > 20:
        raise ValidationError(SIX_DIGITS)


class SecurityCodeForm(BaseForm):
    code = StringField(
        _l("Security code"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter the security code from your authenticator app")),
            Length(max=20, message=SIX_DIGITS),
            _six_digits,
        ],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())
