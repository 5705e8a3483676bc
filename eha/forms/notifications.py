"""Choosing which email summaries to get."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from eha.forms.base import BaseForm
from eha.forms.fields import GovCheckboxesField, make_choices
from eha.i18n import lazy_choices
from eha.models.choices import DIGEST_KINDS


class DigestChoiceForm(BaseForm):
    digests = GovCheckboxesField(
        _l("Which email summaries do you want?"),
        choices=lazy_choices(DIGEST_KINDS),
        description=_l("Select all that apply. Meeting invitations and messages about your actions always come."),
        error_name=_l("digests"),
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def __init__(self, *args, manager=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Only managers get the weekly summary, so only they are offered it.
        pairs = [(kind, label) for kind, label in DIGEST_KINDS.items() if manager or kind != "weekly"]
        self.digests.choices = make_choices(pairs)
        self.digests.allowed_values = frozenset(kind for kind, _label in pairs)
