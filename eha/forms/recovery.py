"""Forgotten passwords: asking for a link, and choosing a new password from it."""

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from eha.forms.base import BaseForm


class ForgottenPasswordForm(BaseForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.org",
                check_deliverability=False,
                granular_message=False,
            ),
        ],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class ChoosePasswordForm(BaseForm):
    password = PasswordField(
        "New password", widget=GovPasswordInput(), validators=[InputRequired(message="Enter a new password")]
    )
    confirm = PasswordField(
        "Confirm your new password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your new password again")],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())

    def validate_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError("The passwords do not match. Enter the same password twice")
