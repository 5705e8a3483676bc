"""Closing a case, stepping it up, and a manager's decision on a closure awaiting sign-off."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import (
    GovCheckboxesField,
    GovDateField,
    GovRadioField,
    GovStringField,
    GovTextAreaField,
    MaxLength,
    make_choices,
)
from eha.i18n import lazy_choices, translated
from eha.models.choices import NEED_OUTCOMES


def outcome_field_name(code):
    return "outcome_" + code.replace("-", "_")


def comment_field_name(code):
    return "comment_" + code.replace("-", "_")


class CloseForm(BaseForm):
    reason = GovRadioField(_l("Why is the case closing?"), validators=[Required(_l("Select why the case is closing"))])
    notes = GovTextAreaField(
        _l("Closure summary"),
        validators=[MaxLength(4000)],
        max_length=4000,
        error_name=_l("closure summary"),
        description=_l("What has changed for the family, and who will support them now."),
    )

    checked_not_done = GovCheckboxesField(
        _l("Actions not done"),
        choices=[("yes", _l("I have checked the actions not done"))],
        error_name=_l("whether you have checked the actions not done"),
    )

    def validate_checked_not_done(self, field):
        if self._not_done and not field.data:
            raise ValidationError(_l("Confirm you have checked the actions not done"))

    def outcome_fields(self):
        """``[(need label, outcome field, comment field)]`` in the definition's order."""
        return [(label, self[outcome_field_name(code)], self[comment_field_name(code)]) for code, label in self._needs]

    def outcomes(self):
        return {
            code: {"outcome": self[outcome_field_name(code)].data, "comment": self[comment_field_name(code)].data or ""}
            for code, _label in self._needs
        }


def close_form(reasons, needs, not_done=(), **kwargs):
    """A CloseForm for the reasons allowed now and an outcome question per need (``needs``: (code, label)); with
    actions ``not_done``, the lead must confirm they checked them."""

    class _CloseForm(CloseForm):
        pass

    for code, label in needs:
        setattr(
            _CloseForm,
            outcome_field_name(code),
            GovRadioField(
                _("Outcome for '%(need)s'", need=label),
                choices=lazy_choices(NEED_OUTCOMES),
                validators=[Required(_("Select an outcome for the need '%(need)s'", need=label))],
            ),
        )
        setattr(
            _CloseForm,
            comment_field_name(code),
            GovTextAreaField(
                _("Comment on '%(need)s' (optional)", need=label),
                validators=[MaxLength(1000)],
                max_length=1000,
                error_name=_l("comment"),
            ),
        )
    form = _CloseForm(**kwargs)
    form._needs = list(needs)
    form._not_done = list(not_done)
    form.reason.choices = make_choices([(code, translated(label)) for code, label in reasons])
    form.reason.allowed_values = frozenset(code for code, _label in reasons)
    return form


class NotInTheFuture:
    def __call__(self, form, field):
        from datetime import date

        if field.data is not None and field.data > date.today():
            raise ValidationError(_l("Date of the referral must be today or in the past"))


class StepUpForm(BaseForm):
    on = GovDateField(
        _l("Date of the referral"),
        validators=[Required(_l("Enter the date of the referral")), NotInTheFuture()],
        error_name=_l("date of the referral"),
        description=_l("For example, 27 3 2026"),
    )
    team = GovStringField(
        _l("Team referred to"),
        validators=[Required(_l("Enter the team the family was referred to")), MaxLength(200)],
        error_name=_l("team referred to"),
        description=_l("For example, Children's Front Door (MASH) or the assessment team."),
    )
    reason = GovTextAreaField(
        _l("Why is the case being stepped up?"),
        validators=[Required(_l("Enter why the case is being stepped up")), MaxLength(4000)],
        max_length=4000,
        error_name=_l("reason"),
    )


class RejectClosureForm(BaseForm):
    reason = GovTextAreaField(
        _l("Why are you not signing off the closure?"),
        validators=[Required(_l("Enter why the closure is not signed off")), MaxLength(2000)],
        max_length=2000,
        error_name=_l("reason"),
        description=_l("The lead professional sees this on the case."),
    )
