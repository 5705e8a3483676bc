"""The change of lead professional form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField

from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import GovDateField, GovRadioField, GovTextAreaField, MaxLength
from eha.forms.plans import RequiredDate
from eha.services.lead import REASON_MAX


class ChangeLeadForm(BaseForm):
    new_lead = GovRadioField(
        _l("Who will be the new lead professional?"),
        validators=[Required(_l("Select the new lead professional"))],
        error_name=_l("the new lead professional"),
        description=_l("Only practitioners from agencies the family agreed may be involved are listed."),
    )
    handed_over_on = GovDateField(
        _l("Date of the handover"),
        past=True,
        validators=[RequiredDate(_l("Enter the date of the handover"))],
        error_name=_l("date of the handover"),
        description=_l("Today or earlier. For example, 27 3 2026"),
    )
    keep_old = GovRadioField(
        _l("Should the current lead professional stay in the Team Around the Family?"),
        choices=[
            ("yes", _l("Yes, they stay in the team and can still see the case")),
            ("no", _l("No, they leave the team")),
        ],
        validators=[Required(_l("Select whether they stay in the Team Around the Family"))],
        error_name=_l("whether they stay in the Team Around the Family"),
    )
    reason = GovTextAreaField(
        _l("Why is the lead professional changing?"),
        validators=[Required(_l("Enter why the lead professional is changing")), MaxLength(REASON_MAX)],
        error_name=_l("why the lead professional is changing"),
        max_length=REASON_MAX,
        description=_l("Everyone who can see the case's history can read this."),
    )
    version = HiddenField()

    def __init__(self, *args, old_lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        if old_lead is not None:
            self.keep_old.label.text = _l("Should %(name)s stay in the Team Around the Family?", name=old_lead.name)

    @property
    def new_lead_id(self):
        value = self.new_lead.data
        return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None
