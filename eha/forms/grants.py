"""The duty-to-share grant form and its revoke button."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea
from wtforms import IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from eha.forms.base import BaseForm
from eha.forms.fields import GovDateField


class GrantForm(BaseForm):
    user = SelectField(
        "Who needs access",
        widget=GovSelect(),
        validate_choice=False,
        validators=[InputRequired(message="Select the practitioner to give access to")],
    )
    reason = TextAreaField(
        "Why they need access without the family's agreement",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter why they need access without the family's agreement"),
            Length(max=2000, message="Reason must be 2000 characters or fewer"),
        ],
    )
    ends_on = GovDateField("When access ends", error_name="the date access ends")
    submit = SubmitField("Give access", widget=GovSubmitInput())

    def set_users(self, users):
        self.user.choices = [("", "Choose a practitioner")] + [(str(u.id), f"{u.name}, {u.agency.name}") for u in users]
        self._users = {u.id: u for u in users}

    def chosen_user(self):
        try:
            return self._users.get(int(self.user.data))
        except (TypeError, ValueError):
            return None

    def validate_user(self, field):
        if self.chosen_user() is None:
            raise ValidationError("Select the practitioner to give access to")

    def validate_ends_on(self, field):
        if field.data is None and not field.errors:
            raise ValidationError("Enter the date access ends")


class RevokeGrantForm(BaseForm):
    grant_id = IntegerField("Grant", validators=[InputRequired()])
