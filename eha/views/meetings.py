"""TAF and review meetings: schedule one (which may move the case on), see it, reschedule or cancel it, record it
as held; and the Team Around the Family."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eha.access import MANAGE, VIEW, case_route, note_recorded
from eha.errors import Conflict, GuardFailed, Invalid
from eha.formatting import format_datetime
from eha.forms.meetings import (
    CancelMeetingForm,
    EditMeetingForm,
    RemoveMemberForm,
    ScheduleMeetingForm,
    invitations_form,
    record_form,
    time_value,
)
from eha.forms.pickers import finding, give_offer, picker_text
from eha.forms.plans import parse_version
from eha.i18n import in_english, translated
from eha.models.choices import MEETING_KINDS
from eha.services import meetings as service
from eha.services import pickers
from eha.workflow.states import OPEN_STATES

# The prefix stops at the case so that the TAF page (``/assessments/<ref>/team``) lives here too.
bp = Blueprint("meetings", __name__, url_prefix="/assessments/<caseref:ref>")

CHANGE_TEAM = MANAGE.during(OPEN_STATES, _l("This case is closed: the team can no longer change."))


def _kind():
    kind = request.args.get("kind", "taf")
    return kind if kind in MEETING_KINDS else "taf"


def _schedule_form(case, kind, form_class=ScheduleMeetingForm, **kwargs):
    form = form_class(family=service.family_members(case), people=service.people_choices(case), **kwargs)
    # The professionals are a search once the agreed agencies have many people (eha.services.pickers).
    field = form.professionals
    give_offer(field, pickers.offer_for("invite", case, picker_text(field), field.data))
    form.require_invitee = kind == service.FAMILY_NETWORK
    return form


def _new_form(case, kind):
    """The schedule form; a family network meeting starts with the family and their network invited."""
    if request.method == "GET" and kind == service.FAMILY_NETWORK:
        family, network = service.family_network_invitees(case)
        return _schedule_form(case, kind, data={"family": family, "people": network})
    return _schedule_form(case, kind)


def _shown(case, meeting):
    return redirect(url_for("meetings.show", ref=case.ref, meeting_id=meeting.id))


@case_route(bp, "/meetings")
def index(case):
    return render_template(
        "views/meetings/index.html",
        case=case,
        meetings=service.meetings_for(case),
        **service.page_context(case, current_user),
    )


@case_route(bp, "/meetings/new", need=MANAGE, methods=("GET", "POST"), refused="meeting_scheduled")
def new(case):
    kind = _kind()
    page = service.schedule_page(case, kind)
    form = _new_form(case, kind)
    errors = None
    if finding():
        note_recorded()  # a search for whom to invite is not an attempt to schedule: nothing to record
    elif form.validate_on_submit():
        try:
            meeting = service.schedule(
                case,
                current_user,
                kind=kind,
                scheduled_for=form.scheduled_for,
                place=form.place.data,
                video_link=form.video_link.data,
                user_ids=form.user_ids,
                family_ids=form.family.data or [],
                person_ids=form.people.data or [],
                agenda=form.agenda.data,
            )
        except GuardFailed as failure:
            errors = [
                {"text": message, "href": "#professionals" if "nvite" in in_english(message) else "#date"}
                for message in failure.messages
            ]
        else:
            flash(_("%(kind)s scheduled", kind=translated(MEETING_KINDS[kind])), "success")
            return _shown(case, meeting)
    return render_template(
        "views/meetings/new.html",
        case=case,
        kind=kind,
        kind_label=MEETING_KINDS[kind],
        form=form,
        extra_errors=errors,
        **page,
    )


@case_route(bp, "/meetings/<int:meeting_id>")
def show(case, meeting_id):
    meeting = service.meeting_of(case, meeting_id)
    return render_template(
        "views/meetings/show.html",
        case=case,
        meeting=meeting,
        invitees=service.invitee_rows(meeting),
        lead_agreed=service.lead_agreed(meeting),
        **service.page_context(case, current_user),
    )


# --- changing a meeting: at the version the user opened ---


def _save(case, meeting, form, render, action, done, **values):
    """Run ``action`` on ``meeting`` at the version ``form`` carried (a missing version is stale), then say
    ``done(meeting)``. When someone changed the meeting meanwhile, show the page again with what is saved now and
    the user's input kept (409)."""
    try:
        saved = action(case, meeting.id, current_user, expected_version=parse_version(form.version.data), **values)
    except Invalid as error:
        form.add_error(error)
        return render(case, service.meeting_of(case, meeting.id), form)
    except Conflict:
        meeting = service.meeting_of(case, meeting.id)
        form.version.data = str(meeting.version_id)
        return render(case, meeting, form, conflict=True)
    flash(done(saved), "success")
    return _shown(case, saved)


def _meeting_form_page(template):
    """A page that shows a form about ``meeting`` with what is saved for each invitee (409 on a conflict)."""

    def render(case, meeting, form, conflict=False):
        page = render_template(
            template, case=case, meeting=meeting, form=form, conflict=conflict, saved=service.saved_rows(meeting)
        )
        return page, 409 if conflict else 200

    return render


_render_record = _meeting_form_page("views/meetings/record.html")


def _record_form(case, meeting, **kwargs):
    """The record form; a TAF or review meeting also asks who it agreed should lead (the current lead first)."""
    leads = service.lead_choices(case) if service.asks_lead(meeting) else None
    form = record_form(meeting, require_next_review=meeting.kind == "taf", updates=True, leads=leads, **kwargs)
    if leads and request.method == "GET":
        # Always the current lead to start with: changing an old record must not hand the case back.
        form.lead_agreed.data = leads[0][0]
    return form


@case_route(bp, "/meetings/<int:meeting_id>/record", need=MANAGE, methods=("GET", "POST"), refused="meeting_recorded")
def record(case, meeting_id):
    meeting = service.meeting_of(case, meeting_id)
    if request.method == "GET":
        if service.recorded_on_review_page(case, meeting):
            return redirect(url_for("reviews.new", ref=case.ref))
        return _render_record(case, meeting, _record_form(case, meeting, data=service.record_form_data(meeting)))
    service.check_recordable(case, meeting)
    form = _record_form(case, meeting)
    if not form.validate():
        return _render_record(case, meeting, form)
    return _save(
        case,
        meeting,
        form,
        _render_record,
        service.record,
        lambda saved: _("%(kind)s recorded", kind=translated(saved.kind_label)),
        held_on=form.held_on.data,
        attendance=form.attendance(),
        notes=form.notes.data,
        decisions=form.decisions.data,
        next_review_on=form.next_review_on.data,
        next_review_reason=form.next_review_reason.data,
        updates=form.updates(),
        lead_agreed_id=form.lead_agreed_id,
    )


def _edit_form(case, meeting, **kwargs):
    form = _schedule_form(case, meeting.kind, form_class=EditMeetingForm, **kwargs)
    offer = form.professionals.offer
    form.require_professional = meeting.kind == "taf" and (offer.searching or bool(offer.choices))
    return form


def _render_edit(case, meeting, form, conflict=False):
    return render_template(
        "views/meetings/edit.html",
        case=case,
        meeting=meeting,
        form=form,
        conflict=conflict,
        saved=service.saved_rows(meeting),
        has_agreement=bool(service.agreed_agency_ids(case)),
    ), 409 if conflict else 200


@case_route(bp, "/meetings/<int:meeting_id>/edit", need=MANAGE, methods=("GET", "POST"), refused="meeting_scheduled")
def edit(case, meeting_id):
    """Reschedule: a new date, time or place, and who is invited. The case's state does not change."""
    meeting = service.scheduled_meeting(case, meeting_id, "rescheduled")
    if request.method == "GET":
        professionals, family, others = service.invited_values(meeting)
        form = _edit_form(
            case,
            meeting,
            data={
                "date": meeting.scheduled_for.date(),
                "time": time_value(meeting.scheduled_for),
                "place": meeting.place,
                "video_link": meeting.video_link,
                "professionals": professionals,
                "family": family,
                "people": others,
                "agenda": meeting.agenda,
                "version": str(meeting.version_id),
            },
        )
        return _render_edit(case, meeting, form)
    form = _edit_form(case, meeting)
    if finding():
        note_recorded()  # a search for whom to invite is not an attempt to reschedule: nothing to record
        return _render_edit(case, meeting, form)
    if not form.validate():
        return _render_edit(case, meeting, form)
    return _save(
        case,
        meeting,
        form,
        _render_edit,
        service.reschedule,
        _rescheduled,
        scheduled_for=form.scheduled_for,
        place=form.place.data,
        video_link=form.video_link.data,
        user_ids=form.user_ids,
        family_ids=form.family.data or [],
        person_ids=form.people.data or [],
        agenda=form.agenda.data,
    )


def _rescheduled(meeting):
    return f"{meeting.kind_label} rescheduled to {format_datetime(meeting.scheduled_for)}"


_render_invitations = _meeting_form_page("views/meetings/invitations.html")


@case_route(
    bp, "/meetings/<int:meeting_id>/invitations", need=MANAGE, methods=("GET", "POST"), refused="meeting_scheduled"
)
def invitations(case, meeting_id):
    """How each invitee was invited, their communication needs and the interpreter booked for them."""
    meeting = service.meeting_of(case, meeting_id)
    service.check_invitations_open(case, meeting)
    if request.method == "GET":
        return _render_invitations(case, meeting, invitations_form(meeting, data=service.invitation_form_data(meeting)))
    form = invitations_form(meeting)
    if not form.validate():
        return _render_invitations(case, meeting, form)
    return _save(
        case,
        meeting,
        form,
        _render_invitations,
        service.update_invitations,
        lambda saved: _("Invitations updated"),
        details=form.details(meeting),
    )


def _render_cancel(case, meeting, form, conflict=False):
    return render_template(
        "views/meetings/cancel.html",
        case=case,
        meeting=meeting,
        form=form,
        conflict=conflict,
        saved=service.saved_rows(meeting),
        leaves_waiting=service.leaves_waiting(case, meeting),
    ), 409 if conflict else 200


@case_route(bp, "/meetings/<int:meeting_id>/cancel", need=MANAGE, methods=("GET", "POST"), refused="meeting_scheduled")
def cancel(case, meeting_id):
    """Cancel a scheduled meeting, with why. A case left waiting for it is offered a replacement."""
    meeting = service.scheduled_meeting(case, meeting_id, "cancelled")
    if request.method == "GET":
        return _render_cancel(case, meeting, CancelMeetingForm(data={"version": str(meeting.version_id)}))
    form = CancelMeetingForm()
    if not form.validate():
        return _render_cancel(case, meeting, form)
    return _save(
        case,
        meeting,
        form,
        _render_cancel,
        service.cancel,
        lambda saved: _("%(kind)s cancelled", kind=translated(saved.kind_label)),
        reason=form.reason.data,
    )


# --- the Team Around the Family ---


def _render_remove(case, member, open_actions, form):
    return render_template(
        "views/meetings/remove_member.html", case=case, member=member, form=form, open_actions=open_actions
    )


@case_route(bp, "/team", need=VIEW)
def team(case):
    """Who is in the TAF, their agency and whether it is within the family's agreement. With ``?remove=<user
    id>`` (lead or manager), the page asks why that member is leaving."""
    removing = request.args.get("remove", "")
    if removing:
        member, open_actions = service.removal_page(case, current_user, removing)
        return _render_remove(case, member, open_actions, RemoveMemberForm())
    return render_template(
        "views/meetings/team.html", case=case, members=service.team(case), **service.page_context(case, current_user)
    )


@case_route(bp, "/team/<int:user_id>/remove", need=CHANGE_TEAM, methods=("POST",), refused="taf_member_removed")
def remove_member(case, user_id):
    """Take a professional off the TAF, with why: they no longer see the case; their actions need a new owner."""
    member, open_actions = service.member_to_remove(case, user_id)
    form = RemoveMemberForm()
    if not form.validate():
        return _render_remove(case, member, open_actions, form)
    member = service.remove_member(case, user_id, current_user, reason=form.reason.data)
    flash(_("%(name)s is no longer in the Team Around the Family", name=member.user.name), "success")
    return redirect(url_for("meetings.team", ref=case.ref))
