"""Administration forms: users, agencies, form definitions, notification settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import EmailField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp

from eha.forms.base import BaseForm
from eha.forms.fields import GovRadioField, make_choices
from eha.i18n import lazy_choices
from eha.models.choices import AGENCY_KINDS, ROLES


def _agency_choices(agencies):
    return [("", _l("Choose an agency"))] + [(str(a.id), a.name) for a in agencies]


class UserDetailsForm(BaseForm):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter the person's full name")),
            Length(max=200, message=_l("Full name must be 200 characters or fewer")),
        ],
    )
    role = GovRadioField(
        _l("Role"), choices=lazy_choices(ROLES), validators=[InputRequired(message=_l("Select a role"))]
    )
    agency = SelectField(
        _l("Agency"),
        widget=GovSelect(),
        validate_choice=False,
        validators=[InputRequired(message=_l("Select an agency"))],
    )
    job_title = StringField(
        _l("Job title (optional)"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message=_l("Job title must be 200 characters or fewer"))],
    )
    phone = StringField(
        _l("Phone number (optional)"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=50, message=_l("Phone number must be 50 characters or fewer"))],
    )
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())

    def set_agencies(self, agencies):
        self.agency.choices = _agency_choices(agencies)
        self._agency_ids = {a.id: a for a in agencies}

    def chosen_agency(self):
        try:
            return self._agency_ids.get(int(self.agency.data))
        except (TypeError, ValueError):
            return None

    def validate_agency(self, field):
        if self.chosen_agency() is None:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Select an agency"))


class NewUserForm(UserDetailsForm):
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter an email address")),
            Length(max=320, message=_l("Email address must be 320 characters or fewer")),
            Email(
                message=_l("Enter an email address in the correct format, like name@example.org"),
                check_deliverability=False,
                granular_message=False,
            ),
        ],
    )
    # No password: the new user chooses one from the link emailed to them.
    submit = SubmitField(_l("Create user"), widget=GovSubmitInput())


class UserActionForm(BaseForm):
    """Disable, enable, unlock: the button pressed is ``action``."""

    action = GovRadioField(
        _l("Action"),
        choices=[("disable", _l("Disable")), ("enable", _l("Enable")), ("unlock", _l("Unlock"))],
        validators=[InputRequired(message=_l("Choose an action"))],
    )


class MfaResetRequestForm(BaseForm):
    reason = TextAreaField(
        _l("Why does their two-factor sign-in need resetting?"),
        widget=GovTextArea(),
        validators=[
            InputRequired(message=_l("Say why their two-factor sign-in needs resetting")),
            Length(max=1000, message=_l("The reason must be 1,000 characters or fewer")),
        ],
    )
    submit = SubmitField(
        _l("Ask for a reset"), id="ask-for-reset", widget=GovSubmitInput()
    )  # beside the details form's


class MfaResetDecisionForm(BaseForm):
    """Approve or decline a reset: the button pressed is ``decision``."""

    decision = GovRadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("decline", _l("Decline"))],
        validators=[InputRequired(message=_l("Choose approve or decline"))],
    )


class AgencyForm(BaseForm):
    name = StringField(
        _l("Agency name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter the agency's name")),
            Length(max=200, message=_l("Agency name must be 200 characters or fewer")),
        ],
    )
    kind = GovRadioField(
        _l("Kind of agency"),
        choices=lazy_choices(AGENCY_KINDS),
        validators=[InputRequired(message=_l("Select the kind of agency"))],
    )
    active = GovRadioField(
        _l("Can staff be added to it?"), choices=[("yes", _l("Yes, active")), ("no", _l("No, deactivated"))]
    )
    password_sign_in = GovRadioField(
        _l("Can its staff sign in with an eha password?"),
        choices=[("yes", _l("Yes, with a password or single sign-on")), ("no", _l("No, only with single sign-on"))],
    )
    submit = SubmitField(_l("Save agency"), widget=GovSubmitInput())


TOO_LONG = _l("The definition must be 500,000 characters or fewer")


class DefinitionUploadForm(BaseForm):
    file = FileField(_l("Upload a definition file (YAML or JSON)"), widget=GovFileInput())
    content = TextAreaField(
        _l("Or paste the definition"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500_000, message=TOO_LONG)],
    )
    translation = FileField(
        _l("Its Welsh text (optional): upload a translation file (YAML)"),
        description=_l("You can also add it later, on the version's page."),
        widget=GovFileInput(),
    )
    submit = SubmitField(_l("Upload definition"), widget=GovSubmitInput())
    nothing_given = _l("Upload a definition file or paste the definition")

    def translation_text(self):
        """The translation file uploaded with the definition, or None (``translation.errors`` set if unreadable)."""
        upload = self.translation.data
        if not (upload and getattr(upload, "filename", "")):
            return None
        try:
            return upload.read(2 * 1024 * 1024 + 1).decode("utf-8")
        except UnicodeDecodeError:
            self.translation.errors = [_l("The translation file must be a YAML text file")]
            return None

    def uploaded(self):
        upload = self.file.data
        return bool(upload and getattr(upload, "filename", ""))

    def definition_text(self):
        """The uploaded file's or the pasted text; None (with the error on its field) when there is none to use."""
        if self.uploaded():
            try:
                return self.file.data.read(2 * 1024 * 1024 + 1).decode("utf-8")
            except UnicodeDecodeError:
                self.file.errors = [_l("The selected file must be a YAML or JSON text file")]
                return None
        if self.content.data:
            return self.content.data
        self.content.errors = [str(self.nothing_given)]
        return None

    def problem_field(self):
        """Where a problem with the definition is shown: on the file when one was uploaded."""
        return "file" if self.uploaded() else "content"


class TranslationUploadForm(DefinitionUploadForm):
    """A definition version's text in another language (``eha.definitions.translations``)."""

    file = FileField(_l("Upload a translation file (YAML)"), widget=GovFileInput())
    content = TextAreaField(
        _l("Or paste the translation"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500_000, message=_l("The translation must be 500,000 characters or fewer"))],
    )
    translation = None  # this form is the translation
    submit = SubmitField(_l("Upload translation"), widget=GovSubmitInput())
    nothing_given = _l("Upload a translation file or paste the translation")


class ConfirmForm(BaseForm):
    """Only the CSRF token (activate a definition)."""


YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]


# Each email address's messages, as whole sentences: (missing, too long, not an email address).
EMAIL_MESSAGES = {
    "sender": (
        _l("Enter the sender email address"),
        _l("The sender email address must be 320 characters or fewer"),
        _l("Enter the sender email address in the correct format, like earlyhelp@northshire.gov.uk"),
    ),
    "reply-to": (
        _l("Enter the reply-to email address"),
        _l("The reply-to email address must be 320 characters or fewer"),
        _l("Enter the reply-to email address in the correct format, like earlyhelp@northshire.gov.uk"),
    ),
}


def _email_validators(which, *, required):
    missing, too_long, not_email = EMAIL_MESSAGES[which]
    presence = InputRequired(message=missing) if required else Optional()
    return [
        presence,
        Length(max=320, message=too_long),
        Email(
            message=not_email,
            check_deliverability=False,
            granular_message=False,
        ),
    ]


class NotificationSettingsForm(BaseForm):
    """The council's digest defaults and the sender of every email; ``version``: the settings' version shown (0:
    never saved)."""

    daily_default = GovRadioField(
        _l("Send the daily summary to people who have not chosen?"),
        choices=YES_NO,
        validators=[InputRequired(message=_l("Select yes if people get the daily summary until they choose"))],
    )
    weekly_default = GovRadioField(
        _l("Send the weekly summary to managers who have not chosen?"),
        choices=YES_NO,
        validators=[InputRequired(message=_l("Select yes if managers get the weekly summary until they choose"))],
    )
    sender_name = StringField(
        _l("Sender name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter the sender name")),
            Length(max=100, message=_l("The sender name must be 100 characters or fewer")),
            # A line break in a From header would stop every email being built.
            Regexp(
                r"^[^\x00-\x1f\x7f]*$", message=_l("The sender name must be on one line, without special characters")
            ),
        ],
    )
    sender_email = EmailField(
        _l("Sender email address"),
        widget=GovTextInput(),
        validators=_email_validators("sender", required=True),
    )
    reply_to = EmailField(
        _l("Reply-to email address (optional)"),
        widget=GovTextInput(),
        validators=_email_validators("reply-to", required=False),
    )
    version = HiddenField()
    submit = SubmitField(_l("Save settings"), widget=GovSubmitInput())


class SsoAccountRuleForm(BaseForm):
    """Which first single sign-ons may create an account: provider, email domain, role and agency."""

    provider = GovRadioField(_l("Single sign-on provider"), validators=[InputRequired(message=_l("Select a provider"))])
    email_domain = StringField(
        _l("Email domain"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter the email domain")),
            Length(max=253, message=_l("Email domain must be 253 characters or fewer")),
        ],
    )
    role = GovRadioField(
        _l("Role"), choices=lazy_choices(ROLES), validators=[InputRequired(message=_l("Select a role"))]
    )
    agency = SelectField(
        _l("Agency"),
        widget=GovSelect(),
        validate_choice=False,
        validators=[InputRequired(message=_l("Select an agency"))],
    )
    submit = SubmitField(_l("Add rule"), widget=GovSubmitInput())

    def set_choices(self, providers, agencies):
        pairs = [(p.name, p.label) for p in providers]
        self.provider.choices = make_choices(pairs)
        self.provider.allowed_values = frozenset(name for name, _label in pairs)
        self.agency.choices = _agency_choices(agencies)
        self._agencies = {str(a.id): a for a in agencies}

    def chosen_agency(self):
        return self._agencies.get(self.agency.data)
