"""Forms for API credentials: a personal access token, an OAuth client."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import GovCheckboxesField, GovRadioField, GovStringField, MaxLength, make_choices
from eha.i18n import lazy_choices
from eha.models.choices import API_SCOPES
from eha.services.api_credentials import TOKEN_DAYS

PERSONAL_SCOPES = {key: API_SCOPES[key] for key in ("read", "actions:update")}


class TokenForm(BaseForm):
    name = GovStringField(
        _l("Name"),
        description=_l("What the token is for, so you can tell your tokens apart, for example 'School MIS export'."),
        validators=[Required(_l("Enter a name for the token")), MaxLength(100)],
        error_name=_l("name"),
        max_length=100,
    )
    scopes = GovCheckboxesField(
        _l("What may the token do?"),
        choices=lazy_choices(PERSONAL_SCOPES),
        validators=[Required(_l("Select what the token may do"))],
        error_name=_l("scopes"),
    )
    days = GovRadioField(
        _l("When does it expire?"),
        choices=[(str(days), _l("After %(num)d days", num=days)) for days in TOKEN_DAYS],
        validators=[Required(_l("Select when the token expires"))],
        error_name=_l("days"),
    )
    submit = SubmitField(_l("Create token"), widget=GovSubmitInput())


class ClientForm(BaseForm):
    name = GovStringField(
        _l("Name of the system"),
        description=_l("For example 'Northshire Academy MIS' or 'Council data warehouse'."),
        validators=[Required(_l("Enter the name of the system")), MaxLength(100)],
        error_name=_l("name"),
        max_length=100,
    )
    user_id = GovRadioField(
        _l("Which eha user does it act as?"),
        description=_l("It sees only the cases this user may see."),
        validators=[Required(_l("Select the eha user the system acts as"))],
        error_name=_l("user_id"),
    )
    scopes = GovCheckboxesField(
        _l("What may the system do?"),
        choices=lazy_choices(API_SCOPES),
        validators=[Required(_l("Select what the system may do"))],
        error_name=_l("scopes"),
    )
    submit = SubmitField(_l("Create client"), widget=GovSubmitInput())

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        pairs = [(str(user.id), f"{user.name} ({user.agency.name})") for user in users]
        self.user_id.choices = make_choices(pairs)
        self.user_id.allowed_values = frozenset(value for value, _label in pairs)


class WebhookForm(BaseForm):
    client = GovRadioField(
        _l("Which system is it for?"),
        validators=[Required(_l("Select the system the events are for"))],
        error_name=_l("client"),
    )
    url = GovStringField(
        _l("Address that receives the events"),
        description=_l("An https:// address of the system, at most 320 characters."),
        validators=[Required(_l("Enter the address that receives the events")), MaxLength(320)],
        error_name=_l("url"),
        max_length=320,
    )
    submit = SubmitField(_l("Subscribe"), widget=GovSubmitInput())

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        pairs = [(str(client.id), client.name) for client in clients if client.revoked_at is None]
        self.client.choices = make_choices(pairs)
        self.client.allowed_values = frozenset(value for value, _label in pairs)
