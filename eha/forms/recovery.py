"""Forgotten passwords: asking for a link, and choosing a new password from it."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from eha.forms.base import BaseForm


class ForgottenPasswordForm(BaseForm):
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter your email address")),
            Length(max=320, message=_l("Email address must be 320 characters or fewer")),
            Email(
                message=_l("Enter an email address in the correct format, like name@example.org"),
                check_deliverability=False,
                granular_message=False,
            ),
        ],
    )
    submit = SubmitField(_l("Send me a link"), widget=GovSubmitInput())


class ChoosePasswordForm(BaseForm):
    password = PasswordField(
        _l("New password"), widget=GovPasswordInput(), validators=[InputRequired(message=_l("Enter a new password"))]
    )
    confirm = PasswordField(
        _l("Confirm your new password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(message=_l("Enter your new password again"))],
    )
    submit = SubmitField(_l("Save password"), widget=GovSubmitInput())

    def validate_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError(_l("The passwords do not match. Enter the same password twice"))
