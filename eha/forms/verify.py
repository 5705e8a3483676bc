"""Checking a printout: the code printed on a plan."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from eha.forms.base import BaseForm
from eha.services.documents import normalise_digest

FORMAT_MESSAGE = _l("Enter the 64-character code printed on the plan")


def _digest_format(form, field):
    if normalise_digest(field.data) is None:
        raise ValidationError(FORMAT_MESSAGE)


class VerifyForm(BaseForm):
    digest = TextAreaField(
        _l("Code printed on the plan"),
        description=_l(
            "It is on the last page of the plan, under 'Checking this copy'. Spaces, line breaks "
            "and capital letters do not matter."
        ),
        widget=GovTextArea(),
        validators=[InputRequired(message=FORMAT_MESSAGE), _digest_format],
    )
    submit = SubmitField(_l("Check the code"), widget=GovSubmitInput())
