"""Sign-in and sign-out forms.

The sign-in form is not a ``BaseForm``: that one silently strips NUL characters, and a NUL or other control
character in an email address or password is refused here with an error instead (PostgreSQL cannot even
compare text holding a NUL, and no one types one).
"""

import unicodedata

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length, StopValidation

EMAIL_FORMAT = _l("Enter an email address in the correct format, like name@example.com")
CHARACTERS_ERROR = _l("Password must only include letters, numbers, spaces and symbols")


def without_control_characters(text):
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def _no_control_characters(message, keep_rest=False):
    """Refuse text with control characters; with ``keep_rest`` the page shows what was typed without them."""

    def check(form, field):
        if isinstance(field.data, str) and without_control_characters(field.data) != field.data:
            if keep_rest:
                field.data = without_control_characters(field.data)
            raise StopValidation(message)

    return check


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter your email address")),
            _no_control_characters(EMAIL_FORMAT, keep_rest=True),
            Length(max=320),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message=_l("Enter your password")),
            _no_control_characters(CHARACTERS_ERROR),
            Length(max=1024),
        ],
    )
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.is_json:
                # An HTML form: a JSON body (which Flask-WTF would turn into form data) is an empty submission.
                return MultiDict()
            return super().wrap_formdata(form, formdata)


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST."""
