"""Forms for API credentials: a personal access token, an OAuth client."""

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import GovCheckboxesField, GovRadioField, GovStringField, MaxLength, make_choices
from eha.models.choices import API_SCOPES
from eha.services.api_credentials import TOKEN_DAYS

PERSONAL_SCOPES = {key: API_SCOPES[key] for key in ("read", "actions:update")}


class TokenForm(BaseForm):
    name = GovStringField(
        "Name",
        description="What the token is for, so you can tell your tokens apart, for example 'School MIS export'.",
        validators=[Required("Enter a name for the token"), MaxLength(100)],
        error_name="name",
        max_length=100,
    )
    scopes = GovCheckboxesField(
        "What may the token do?",
        choices=list(PERSONAL_SCOPES.items()),
        validators=[Required("Select what the token may do")],
        error_name="scopes",
    )
    days = GovRadioField(
        "When does it expire?",
        choices=[(str(days), f"After {days} days") for days in TOKEN_DAYS],
        validators=[Required("Select when the token expires")],
        error_name="days",
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class ClientForm(BaseForm):
    name = GovStringField(
        "Name of the system",
        description="For example 'Northshire Academy MIS' or 'Council data warehouse'.",
        validators=[Required("Enter the name of the system"), MaxLength(100)],
        error_name="name",
        max_length=100,
    )
    user_id = GovRadioField(
        "Which eha user does it act as?",
        description="It sees only the cases this user may see.",
        validators=[Required("Select the eha user the system acts as")],
        error_name="user_id",
    )
    scopes = GovCheckboxesField(
        "What may the system do?",
        choices=list(API_SCOPES.items()),
        validators=[Required("Select what the system may do")],
        error_name="scopes",
    )
    submit = SubmitField("Create client", widget=GovSubmitInput())

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        pairs = [(str(user.id), f"{user.name} ({user.agency.name})") for user in users]
        self.user_id.choices = make_choices(pairs)
        self.user_id.allowed_values = frozenset(value for value, _label in pairs)


class WebhookForm(BaseForm):
    client = GovRadioField(
        "Which system is it for?",
        validators=[Required("Select the system the events are for")],
        error_name="client",
    )
    url = GovStringField(
        "Address that receives the events",
        description="An https:// address of the system, at most 320 characters.",
        validators=[Required("Enter the address that receives the events"), MaxLength(320)],
        error_name="url",
        max_length=320,
    )
    submit = SubmitField("Subscribe", widget=GovSubmitInput())

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        pairs = [(str(client.id), client.name) for client in clients if client.revoked_at is None]
        self.client.choices = make_choices(pairs)
        self.client.allowed_values = frozenset(value for value, _label in pairs)
