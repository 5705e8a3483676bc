"""The change of lead professional form."""

from __future__ import annotations

from wtforms import HiddenField

from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import GovDateField, GovRadioField, GovTextAreaField, MaxLength
from eha.forms.plans import RequiredDate
from eha.services.lead import REASON_MAX


class ChangeLeadForm(BaseForm):
    new_lead = GovRadioField(
        "Who will be the new lead professional?",
        validators=[Required("Select the new lead professional")],
        error_name="the new lead professional",
        description="Only practitioners from agencies the family agreed may be involved are listed.",
    )
    handed_over_on = GovDateField(
        "Date of the handover",
        past=True,
        validators=[RequiredDate("Enter the date of the handover")],
        error_name="date of the handover",
        description="Today or earlier. For example, 27 3 2026",
    )
    keep_old = GovRadioField(
        "Should the current lead professional stay in the Team Around the Family?",
        choices=[("yes", "Yes, they stay in the team and can still see the case"), ("no", "No, they leave the team")],
        validators=[Required("Select whether they stay in the Team Around the Family")],
        error_name="whether they stay in the Team Around the Family",
    )
    reason = GovTextAreaField(
        "Why is the lead professional changing?",
        validators=[Required("Enter why the lead professional is changing"), MaxLength(REASON_MAX)],
        error_name="why the lead professional is changing",
        max_length=REASON_MAX,
        description="Everyone who can see the case's history can read this.",
    )
    version = HiddenField()

    def __init__(self, *args, old_lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        if old_lead is not None:
            self.keep_old.label.text = f"Should {old_lead.name} stay in the Team Around the Family?"

    @property
    def new_lead_id(self):
        value = self.new_lead.data
        return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None
