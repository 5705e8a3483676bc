"""The review form: the meeting, progress on each open action, the family's view, scaling and the decision."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import ValidationError

from eha.forms.families import Required
from eha.forms.fields import GovCheckboxesField, GovRadioField, GovScaleField, GovTextAreaField, MaxLength
from eha.forms.meetings import RecordMeetingForm, record_form
from eha.forms.plans import LONG_TEXT
from eha.i18n import in_english, lazy_choices
from eha.models.choices import ACTION_PROGRESS, REVIEW_DECISIONS


class ReviewForm(RecordMeetingForm):
    family_view = GovTextAreaField(
        _l("The family's view"),
        validators=[Required(_l("Enter the family's view of how things are going")), MaxLength(LONG_TEXT)],
        error_name=_l("the family's view"),
        max_length=LONG_TEXT,
        description=_l("How the family feel things are going, in their own words."),
    )
    family_score = GovScaleField(
        _l("The family's score"),
        validators=[Required(_l("Select the family's score from 0 to 10"))],
        error_name=_l("the family's score"),
        description=_l("0 means things could not be worse; 10 means everything that needed to change has changed."),
    )
    practitioner_score = GovScaleField(
        _l("Your score"),
        validators=[Required(_l("Select your score from 0 to 10"))],
        error_name=_l("your score"),
    )
    decision = GovRadioField(
        _l("What happens next?"),
        validators=[Required(_l("Select what happens next"))],
        choices=lazy_choices(REVIEW_DECISIONS),
        error_name=_l("what happens next"),
    )
    plan_changed = GovCheckboxesField(
        _l("Did the plan change at this review?"),
        choices=[("yes", _l("Yes, the plan changed"))],
        error_name=_l("whether the plan changed"),
        description=_l("A changed plan is a new version that must be signed before you record the review."),
    )

    checked_not_started = GovCheckboxesField(
        _l("Actions not started"),
        choices=[("yes", _l("I have checked the actions not started"))],
        error_name=_l("whether you have checked the actions not started"),
    )

    # The actions the page asked about, in order: if they changed before saving, the answers would be misread.
    action_keys = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.next_review_on.description = _l("Needed when the plan continues. Agree it before everyone leaves.")

    def progress_fields(self):
        return [(f, self[f"comment_{f.name.split('_', 1)[1]}"]) for f in self if f.name.startswith("progress_")]

    def progress_by_key(self, actions):
        """``{action key: (progress, comment)}`` in the order the page asked about ``actions``."""
        return {
            action.key: (radio.data, comment.data)
            for action, (radio, comment) in zip(actions, self.progress_fields(), strict=True)
        }

    def actions_changed(self, actions):
        """True when the page was drawn for other actions than ``actions`` (a new version, an owner's update):
        the answers would be read against the wrong actions."""
        return self.action_keys.data != action_keys(actions)

    def reset_to(self, meeting, actions):
        """Point the form at the meeting and the actions as they are now (the answers typed stay)."""
        self.action_keys.data = action_keys(actions)
        self.version.data = str(meeting.version_id)

    def add_guard_errors(self, messages):
        """The workflow's reasons, each on the question it is about."""
        for message in messages:
            field = self.plan_changed if "plan" in in_english(message).lower() else self.held_on
            field.errors = [*field.errors, message]

    def validate_next_review_on(self, field):
        self.require_next_review = self.decision.data == "continue"
        super().validate_next_review_on(field)

    def not_started(self):
        """True when the lead says (or the owners said) an open action has not started."""
        return any(radio.data == "not_started" for radio, _ in self.progress_fields())

    def validate_checked_not_started(self, field):
        if self.not_started() and not field.data:
            raise ValidationError(_l("Confirm you have checked the actions not started"))

    def validate_plan_changed(self, field):
        if field.data and self.decision.data not in (None, "continue"):
            raise ValidationError(_l("Only say the plan changed when the plan continues"))


def action_keys(actions):
    return ",".join(a.key for a in actions)


def review_form(meeting, actions, updates=None, leads=None):
    """A review form for ``meeting`` with the meeting's questions (attendance and the update sent with apologies
    for each invitee; with ``leads``, ``[(user id, label)]`` the current lead first, who the meeting agreed should
    lead) and a progress question and comment for each action in ``actions``; as opened (a GET), it carries the
    meeting's version and the actions asked about, starts from the current lead, and starts each action from the
    progress its owner recorded (``updates``: key -> OwnerUpdate), marked as theirs."""
    updates = updates or {}

    class Form(ReviewForm):
        pass

    for number, action in enumerate(actions, start=1):
        setattr(
            Form,
            f"progress_{number}",
            GovRadioField(
                f"Action {number}: {action.what[:200]}",
                choices=lazy_choices(ACTION_PROGRESS),
                validators=[Required(f"Select the progress on action {number}")],
                error_name=_l("the progress on action %(number)s", number=number),
                description=updates[action.key].recorded if action.key in updates else None,
            ),
        )
        setattr(
            Form,
            f"comment_{number}",
            GovTextAreaField(
                f"Comment on action {number} (optional)",
                validators=[MaxLength(2000)],
                error_name=_l("the comment on action %(number)s", number=number),
                max_length=2000,
            ),
        )
    data = {"version": str(meeting.version_id), "action_keys": action_keys(actions)}
    if leads:
        data["lead_agreed"] = leads[0][0]
    for number, action in enumerate(actions, start=1):
        if action.key in updates:
            data[f"progress_{number}"] = updates[action.key].progress
            data[f"comment_{number}"] = updates[action.key].comment or ""
    return record_form(
        meeting,
        require_next_review=True,
        base=Form,
        updates=True,
        leads=leads,
        data=data if request.method == "GET" else None,
    )
