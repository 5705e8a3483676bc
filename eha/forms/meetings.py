"""Forms for scheduling a TAF or review meeting and recording it as held."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import ValidationError

from eha.formatting import format_date
from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import (
    GovCheckboxesField,
    GovDateField,
    GovRadioField,
    GovStringField,
    GovTextAreaField,
    MaxLength,
)
from eha.forms.plans import LONG_TEXT, SHORT_TEXT, NotInPast, RequiredDate, set_choices
from eha.i18n import current_language, lazy_choices
from eha.models.choices import INVITE_METHODS
from eha.people import PersonRef
from eha.services.meetings import ATTENDANCE

INTERPRETER_MAX = 100  # MeetingParticipant.interpreter_language

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_time(text):
    """ "14:30" (or "14.30", "9:05") as a ``time``; None when it is not a real 24-hour time."""
    match = _TIME.match(text or "")
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def time_value(moment):
    """The time field's value for ``moment``: "14:30" (what ``parse_time`` reads back)."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


class ScheduleMeetingForm(BaseForm):
    date = GovDateField(
        _l("Date of the meeting"),
        validators=[
            RequiredDate(_l("Enter the date of the meeting")),
            NotInPast(_l("Date of the meeting must be today or in the future")),
        ],
        error_name=_l("date of the meeting"),
        description=_l("For example, 27 3 2026"),
    )
    time = GovStringField(
        _l("Time"),
        error_name=_l("time of the meeting"),
        description=_l("Use the 24-hour clock, for example, 14:30"),
        validators=[MaxLength(10)],
    )
    place = GovStringField(
        _l("Where will it be held?"),
        validators=[MaxLength(300)],
        error_name=_l("where it will be held"),
        description=_l("An address or a room. Leave blank if it is only by video."),
    )
    video_link = GovStringField(
        _l("Video link (optional)"),
        validators=[MaxLength(500)],
        error_name=_l("video link"),
        description=_l("A link starting with https://"),
    )
    professionals = GovCheckboxesField(
        _l("Which professionals are invited?"),
        error_name=_l("professionals"),
        description=_l("Only agencies the family agreed may be involved are listed."),
    )
    family = GovCheckboxesField(_l("Which family members are invited?"), error_name=_l("family members"))
    people = GovCheckboxesField(
        _l("Who else on the case is invited?"),
        error_name=_l("people on the case"),
        description=_l("The family's network and professionals without an eha account."),
    )
    agenda = GovTextAreaField(
        _l("Agenda (optional)"),
        validators=[MaxLength(LONG_TEXT)],
        error_name=_l("agenda"),
        max_length=LONG_TEXT,
        description="What the meeting will cover, in the order it will be taken. Everyone who can see the case "
        "can read it.",
    )

    require_invitee = False  # a family network meeting needs someone from the family or their network

    def __init__(self, *args, professionals=(), family=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self.professionals, professionals)
        set_choices(self.family, family)
        set_choices(self.people, people)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.require_invitee and not (self.family.data or self.people.data) and not self.family.errors:
            self.family.errors = [*self.family.errors, "Select who from the family or their network is invited"]
            ok = False
        return ok

    def validate_time(self, field):
        if not field.data:
            raise ValidationError(_l("Enter the time of the meeting"))
        if parse_time(field.data) is None:
            raise ValidationError(_l("Time of the meeting must be a real time, like 14:30"))

    def validate_place(self, field):
        if not field.data and not self.video_link.data:
            raise ValidationError(_l("Enter where the meeting will be held or a video link"))

    def validate_video_link(self, field):
        if field.data and not field.data.lower().startswith("https://"):
            raise ValidationError(_l("Enter a video link starting with https://"))

    @property
    def scheduled_for(self):
        moment = parse_time(self.time.data)
        if self.date.data is None or moment is None:
            return None
        return datetime.combine(self.date.data, moment)

    @property
    def user_ids(self):
        refs = (PersonRef.parse(value) for value in self.professionals.data or ())
        return [ref.id for ref in refs if ref is not None and ref.kind == "user"]


class RecordMeetingForm(BaseForm):
    """Held date, attendance (one ``attendance_<participant id>`` field each, added by ``record_form``), notes."""

    held_on = GovDateField(
        _l("Date the meeting was held"),
        past=True,
        error_name=_l("date the meeting was held"),
        validators=[RequiredDate(_l("Enter the date the meeting was held"))],
        description=_l("For example, 27 3 2026"),
    )
    notes = GovTextAreaField(
        _l("Notes"), validators=[MaxLength(LONG_TEXT)], error_name=_l("notes"), max_length=LONG_TEXT
    )
    decisions = GovTextAreaField(
        _l("Decisions"), validators=[MaxLength(LONG_TEXT)], error_name=_l("decisions"), max_length=LONG_TEXT
    )
    next_review_on = GovDateField(
        _l("Date of the next review"),
        error_name=_l("date of the next review"),
        description=_l("Agree it before everyone leaves. For example, 8 5 2026"),
    )
    next_review_reason = GovTextAreaField(
        _l("Why is the next review later than usual?"),
        validators=[MaxLength(SHORT_TEXT)],
        error_name=_l("why the next review is later than usual"),
        max_length=SHORT_TEXT,
    )
    confirm_date = GovCheckboxesField(
        _l("Confirm the date"),
        choices=[("yes", _l("I have checked the date the meeting was held"))],
        error_name=_l("whether you have checked the date"),
    )
    version = HiddenField()

    require_next_review = True
    scheduled_on = None  # the day the meeting was scheduled for, set by ``record_form``

    def attendance_fields(self):
        return [field for field in self if field.name.startswith("attendance_")]

    def attendance(self):
        return {int(f.name.split("_", 1)[1]): f.data for f in self.attendance_fields()}

    def validate_next_review_on(self, field):
        if field.errors:
            return
        if field.data is None:
            if self.require_next_review:
                raise ValidationError(_l("Enter the date of the next review"))
            return
        if self.held_on.data is not None and field.data <= self.held_on.data:
            raise ValidationError(_l("Date of the next review must be after the date the meeting was held"))

    def review_interval_weeks(self):
        return current_app.config["EHA_REVIEW_INTERVAL_WEEKS"]

    def review_is_late(self):
        """True when the next review is further from the meeting than the review interval (6 weeks by default)."""
        held, review = self.held_on.data, self.next_review_on.data
        if not (isinstance(held, date) and isinstance(review, date)):
            return False
        return review > held + timedelta(weeks=self.review_interval_weeks())

    def validate_next_review_reason(self, field):
        if self.review_is_late() and not field.data:
            weeks = self.review_interval_weeks()
            raise ValidationError(
                _l(
                    "The next review is more than %(weeks)s weeks after the meeting: enter why it is later than "
                    "usual, or choose an earlier date",
                    weeks=weeks,
                )
            )

    def date_differs(self):
        """True when the date given is a real date other than the one the meeting was scheduled for."""
        held = self.held_on.data
        return self.scheduled_on is not None and isinstance(held, date) and held != self.scheduled_on

    def validate_confirm_date(self, field):
        if self.date_differs() and not field.data:
            raise ValidationError(
                _l(
                    "The meeting was scheduled for %(date)s. Check the date it was held, then confirm it",
                    date=format_date(self.scheduled_on, language=current_language()),
                )
            )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        fields = self.attendance_fields()
        if fields and not any(f.data == "attended" for f in fields):
            fields[0].errors = [*fields[0].errors, "Select who attended the meeting"]
            ok = False
        check = getattr(self, "check_updates", None)
        return (check() if check else True) and ok


def participant_label(participant):
    """ "Nia Nurse, Health Visiting", "Maria Nowak, Grandmother", "Agnieszka Nowak (family)"."""
    label = participant.name + (f", {participant.agency_name}" if participant.agency_name else "")
    if participant.is_family:
        label += " (family)"
    return label


def attendance_field(participant):
    return GovRadioField(
        participant_label(participant),
        choices=lazy_choices(ATTENDANCE),
        error_name=_l("whether %(name)s attended", name=participant.name),
    )


def update_field(participant):
    return GovTextAreaField(
        f"Update {participant.name} sent with their apologies (optional)",
        validators=[MaxLength(SHORT_TEXT)],
        error_name=_l("the update %(name)s sent", name=participant.name),
        max_length=SHORT_TEXT,
    )


class _Updates:
    """The written updates sent with apologies: one ``update_<participant id>`` field each."""

    def update_fields(self):
        return {int(f.name.split("_", 1)[1]): f for f in self if f.name.startswith("update_")}

    def updates(self):
        return {pid: field.data for pid, field in self.update_fields().items()}

    def check_updates(self):
        ok = True
        for pid, field in self.update_fields().items():
            attendance = getattr(self, f"attendance_{pid}", None)
            if field.data and attendance is not None and attendance.data != "apologies":
                field.errors = [*field.errors, "Select 'Sent apologies' for them, or delete their update"]
                ok = False
        return ok

    @property
    def lead_agreed_id(self):
        field = getattr(self, "lead_agreed", None)
        value = field.data if field is not None else None
        return int(value) if value and value.isdigit() else None


def lead_field(choices):
    return GovRadioField(
        _l("Lead professional agreed at this meeting"),
        choices=choices,
        error_name=_l("lead professional agreed at this meeting"),
        description="Choosing someone else hands the case to them from the date the meeting was held; the current "
        "lead stays in the Team Around the Family.",
    )


def record_form(meeting, *, require_next_review=True, base=RecordMeetingForm, updates=False, leads=None, **kwargs):
    """A record form with an attendance question for each participant of ``meeting``; with ``updates``, a field
    for the update each sent with their apologies; with ``leads`` (``[(user id, label)]``), who the meeting agreed
    should lead."""

    class Form(_Updates, base):
        pass

    for participant in meeting.participants:
        setattr(Form, f"attendance_{participant.id}", attendance_field(participant))
        if updates:
            setattr(Form, f"update_{participant.id}", update_field(participant))
    if leads:
        Form.lead_agreed = lead_field(leads)
    Form.require_next_review = require_next_review
    Form.scheduled_on = meeting.scheduled_for.date() if meeting.scheduled_for else None
    form = Form(**kwargs)
    return form


class EditMeetingForm(ScheduleMeetingForm):
    """Reschedule a meeting: the schedule questions again, with the version of the meeting the page showed."""

    version = HiddenField()
    require_professional = False

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        moment = self.scheduled_for
        if moment is not None and not self.date.errors and not self.time.errors and moment < datetime.now():
            self.time.errors = [*self.time.errors, "Time of the meeting must be in the future"]
            ok = False
        if self.require_professional and not self.user_ids and not self.professionals.errors:
            self.professionals.errors = [
                *self.professionals.errors,
                "Select at least one professional to invite to the TAF meeting",
            ]
            ok = False
        return ok


class InvitationsForm(BaseForm):
    """How each invitee was invited, their communication needs and the interpreter booked: ``how_<participant
    id>``, ``needs_<id>``, ``interpreter_<id>`` fields, added by ``invitations_form``."""

    version = HiddenField()

    def rows(self, meeting):
        """``[(participant, how, needs, interpreter)]`` in the meeting's order."""
        return [
            (p, self[f"how_{p.id}"], self[f"needs_{p.id}"], self[f"interpreter_{p.id}"]) for p in meeting.participants
        ]

    def details(self, meeting):
        return {p.id: (how.data, needs.data, interpreter.data) for p, how, needs, interpreter in self.rows(meeting)}


def invitations_form(meeting, **kwargs):
    """An invitations form with the three questions for each participant of ``meeting``."""

    class Form(InvitationsForm):
        pass

    for p in meeting.participants:
        setattr(
            Form,
            f"how_{p.id}",
            GovRadioField(
                f"How was {p.name} invited?",
                choices=lazy_choices(INVITE_METHODS),
                error_name=_l("how %(name)s was invited", name=p.name),
            ),
        )
        setattr(
            Form,
            f"needs_{p.id}",
            GovTextAreaField(
                _l("Communication needs (optional)"),
                validators=[MaxLength(SHORT_TEXT)],
                error_name=_l("%(name)s's communication needs", name=p.name),
                max_length=SHORT_TEXT,
                description=_l("For example, large print, a hearing loop, a quiet room, or plain English."),
            ),
        )
        setattr(
            Form,
            f"interpreter_{p.id}",
            GovStringField(
                _l("Interpreter booked: language (optional)"),
                validators=[MaxLength(INTERPRETER_MAX)],
                error_name=_l("the language of the interpreter booked for %(name)s", name=p.name),
                description=_l("Leave blank if no interpreter is booked."),
            ),
        )
    return Form(**kwargs)


class CancelMeetingForm(BaseForm):
    reason = GovTextAreaField(
        _l("Why is the meeting cancelled?"),
        validators=[Required(_l("Enter why the meeting is cancelled")), MaxLength(SHORT_TEXT)],
        error_name=_l("why the meeting is cancelled"),
        max_length=SHORT_TEXT,
        description=_l("Everyone who can see the case can read this."),
    )
    version = HiddenField()


class RemoveMemberForm(BaseForm):
    reason = GovTextAreaField(
        _l("Why are they leaving the Team Around the Family?"),
        validators=[Required(_l("Enter why they are leaving the team")), MaxLength(SHORT_TEXT)],
        error_name=_l("why they are leaving the team"),
        max_length=SHORT_TEXT,
    )
