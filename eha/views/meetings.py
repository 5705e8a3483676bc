"""TAF and review meetings: schedule one (which may move the case on), see it, record it as held."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from eha import access, audit
from eha.forms.meetings import CancelMeetingForm, EditMeetingForm, RemoveMemberForm, ScheduleMeetingForm, record_form
from eha.forms.plans import parse_version
from eha.models.base import utcnow
from eha.models.choices import MEETING_KINDS
from eha.services import meetings as service
from eha.services.plans import StaleEdit
from eha.transaction import committing
from eha.views.plans import not_allowed, record_failed, refuse_change
from eha.workflow.effects import refresh_due
from eha.workflow.engine import GuardFailed, TransitionNotAllowed, fire
from eha.workflow.states import ASSESSED, OPEN_STATES, PLAN_ACTIVE, REVIEW_SCHEDULED, TAF_SCHEDULED

# The prefix stops at the case so that the TAF page (``/assessments/<ref>/team``) lives here too.
bp = Blueprint("meetings", __name__, url_prefix="/assessments/<ref>")

# Which trigger scheduling a meeting of each kind fires, from which state.
SCHEDULE_TRIGGERS = {"taf": (ASSESSED, "schedule_taf"), "review": (PLAN_ACTIVE, "schedule_review")}
# When a meeting of each kind can be scheduled at all: a TAF once the assessment is complete; a review while a
# plan is active (one review at a time).
# plan is active (one review at a time), or to replace a cancelled one while the case waits for its review.
SCHEDULE_STATES = {"taf": (ASSESSED, TAF_SCHEDULED, PLAN_ACTIVE, REVIEW_SCHEDULED), "review": (PLAN_ACTIVE,)}


def _cannot_schedule(case, kind):
    if case.state not in OPEN_STATES:
        return "This case is closed: meetings can no longer be scheduled."
    if kind == "review" and case.state == REVIEW_SCHEDULED and service.awaiting_replacement(case) == "review":
        return None
    if case.state not in SCHEDULE_STATES[kind]:
        if kind == "taf":
            return "A TAF meeting can be scheduled once the assessment is complete."
        return "A review can be scheduled while the plan is active and no other review is waiting to be recorded."
    return None


def _kind():
    kind = request.args.get("kind", "taf")
    return kind if kind in MEETING_KINDS else "taf"


def _schedule_form(case, kind, form_class=ScheduleMeetingForm, **kwargs):
    professionals = [
        (f"user:{u.id}", f"{u.name}, {u.agency.name}" + (f" ({u.job_title})" if u.job_title else ""))
        for u in service.invitable_professionals(case)
    ]
    return form_class(professionals=professionals, family=service.family_members(case), **kwargs)


def _render_new(case, kind, form, errors=None, status=200):
    return render_template(
        "views/meetings/new.html", case=case, kind=kind, kind_label=MEETING_KINDS[kind], form=form,
        has_agreement=bool(service.agreed_agency_ids(case)), extra_errors=errors,
        fires=SCHEDULE_TRIGGERS[kind][0] == case.state,
        replacement=service.awaiting_replacement(case) == kind,
    ), status


@bp.get("/meetings")
@login_required
def index(ref):
    with committing():
        case = access.load_case(ref, current_user)
        page = render_template("views/meetings/index.html", case=case, meetings=service.meetings_for(case),
                               can_manage=access.can_manage(current_user, case) and case.is_open,
                               awaiting=service.awaiting_replacement(case))
    return page


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def new(ref):
    kind = _kind()
    if request.method == "GET":
        with committing():
            case = access.load_case(ref, current_user)
        access.require(access.can_manage(current_user, case))
        reason = _cannot_schedule(case, kind)
        if reason:
            not_allowed(reason)
        return _render_new(case, kind, _schedule_form(case, kind))

    case = access.load_case(ref, current_user, audit_action=None)
    if not access.can_manage(current_user, case):
        refuse_change(case, "meeting_scheduled", "only the lead professional or a manager can schedule meetings", 403)
    reason = _cannot_schedule(case, kind)
    if reason:
        refuse_change(case, "meeting_scheduled", reason, 409)
    form = _schedule_form(case, kind)
    if not form.validate():
        record_failed(case, "meeting_scheduled", "invalid input")
        return _render_new(case, kind, form)
    from_state, trigger = SCHEDULE_TRIGGERS[kind]
    try:
        with committing():
            meeting = service.schedule_meeting(
                case, current_user, kind=kind, scheduled_for=form.scheduled_for, place=form.place.data,
                video_link=form.video_link.data, user_ids=form.user_ids, family_ids=form.family.data or [],
            )
            audit.record("meeting_scheduled", assessment=case,
                         detail={"meeting": meeting.id, "kind": kind,
                                 "text": f"Scheduled a {MEETING_KINDS[kind].lower()} for "
                                         f"{meeting.scheduled_for:%d %B %Y %H:%M}"})
            if case.state == from_state:
                fire(case, trigger, current_user, meeting=meeting)
    except GuardFailed as failure:
        record_failed(case, "meeting_scheduled", "guard failed")
        errors = [{"text": message, "href": "#professionals" if "nvite" in message else "#date"}
                  for message in failure.messages]
        return _render_new(case, kind, form, errors)
    except TransitionNotAllowed as error:
        record_failed(case, "meeting_scheduled", "not allowed")
        not_allowed(error.message)
    flash(f"{MEETING_KINDS[kind]} scheduled", "success")
    return redirect(url_for("meetings.show", ref=case.ref, meeting_id=meeting.id))


def _meeting(case, meeting_id):
    meeting = service.meeting_for(case, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


@bp.get("/meetings/<int:meeting_id>")
@login_required
def show(ref, meeting_id):
    with committing():
        case = access.load_case(ref, current_user)
    meeting = _meeting(case, meeting_id)
    return render_template("views/meetings/show.html", case=case, meeting=meeting,
                           can_manage=access.can_manage(current_user, case) and case.is_open,
                           awaiting=service.awaiting_replacement(case))


def _record_form(meeting, **kwargs):
    return record_form(meeting, require_next_review=meeting.kind == "taf", **kwargs)


@bp.route("/meetings/<int:meeting_id>/record", methods=["GET", "POST"])
@login_required
def record(ref, meeting_id):
    if request.method == "GET":
        with committing():
            case = access.load_case(ref, current_user)
        meeting = _meeting(case, meeting_id)
        access.require(access.can_manage(current_user, case))
        if meeting.kind == "review" and meeting.status == "scheduled" and case.state == "review_scheduled":
            return redirect(url_for("reviews.new", ref=case.ref))
        data = {
            "held_on": meeting.held_on, "notes": meeting.notes, "decisions": meeting.decisions,
            "next_review_on": meeting.next_review_on, "version": str(meeting.version_id),
        }
        for p in meeting.participants:
            data[f"attendance_{p.id}"] = "attended" if p.attended else "apologies" if p.apologies else (
                "absent" if meeting.status == "held" else None)
        form = _record_form(meeting, data=data)
        return render_template("views/meetings/record.html", case=case, meeting=meeting, form=form)

    case = access.load_case(ref, current_user, audit_action=None)
    meeting = _meeting(case, meeting_id)
    if not access.can_manage(current_user, case):
        refuse_change(case, "meeting_recorded", "only the lead professional or a manager can record meetings", 403)
    if case.state not in OPEN_STATES:
        refuse_change(case, "meeting_recorded", "This case is closed: meetings can no longer be recorded.", 409)
    if meeting.kind == "review" and meeting.status == "scheduled" and case.state == REVIEW_SCHEDULED:
        refuse_change(case, "meeting_recorded", "Record this review meeting on the review page, with the progress "
                                                "on each action and the family's view.", 409)
    form = _record_form(meeting)
    if not form.validate():
        record_failed(case, "meeting_recorded", "invalid input", {"meeting": meeting.id})
        return render_template("views/meetings/record.html", case=case, meeting=meeting, form=form)
    try:
        with committing():
            service.record_meeting(
                meeting, current_user, expected_version=parse_version(form.version.data),
                held_on=form.held_on.data, attendance=form.attendance(), notes=form.notes.data,
                decisions=form.decisions.data, next_review_on=form.next_review_on.data,
            )
            refresh_due(case, current_app.config)
            audit.record("meeting_recorded", assessment=case,
                         detail={"meeting": meeting.id, "kind": meeting.kind,
                                 "text": f"Recorded the {meeting.kind_label.lower()} held on "
                                         f"{form.held_on.data:%d %B %Y}"})
    except (StaleEdit, StaleDataError):
        record_failed(case, "meeting_recorded", "conflict", {"meeting": meeting_id})
        meeting = _meeting(case, meeting_id)
        form.version.data = str(meeting.version_id)
        return render_template("views/meetings/record.html", case=case, meeting=meeting, form=form,
                               conflict=True), 409
    flash(f"{meeting.kind_label} recorded", "success")
    return redirect(url_for("meetings.show", ref=case.ref, meeting_id=meeting.id))


# --- rescheduling and cancelling a scheduled meeting ---


def _when(moment):
    return f"{moment:%d %B %Y} at {moment:%H:%M}"


def _manage_scheduled(case, meeting, action, what):
    """Refuse (one audit event) unless the user may manage the case and the meeting is still scheduled."""
    if not access.can_manage(current_user, case):
        refuse_change(case, action, f"only the lead professional or a manager can {what} meetings", 403,
                      {"meeting": meeting.id})
    if not case.is_open:
        refuse_change(case, action, f"This case is closed: meetings can no longer be {what}d.", 409,
                      {"meeting": meeting.id})
    if meeting.status != "scheduled":
        refuse_change(case, action, f"This meeting has been {'held' if meeting.status == 'held' else 'cancelled'}:"
                                    f" only a scheduled meeting can be {what}d.", 409, {"meeting": meeting.id})


def _edit_form(case, meeting, **kwargs):
    form = _schedule_form(case, meeting.kind, form_class=EditMeetingForm, **kwargs)
    form.require_professional = meeting.kind == "taf" and bool(form.professionals.choices)
    return form


def _render_edit(case, meeting, form, *, conflict=False, status=200):
    return render_template("views/meetings/edit.html", case=case, meeting=meeting, form=form, conflict=conflict,
                           has_agreement=bool(service.agreed_agency_ids(case))), status


def _scheduled_meeting_to_change(ref, meeting_id, verb):
    """For the GET of a page that changes a meeting: record the look, then check it can be changed."""
    with committing():
        case = access.load_case(ref, current_user)
    meeting = _meeting(case, meeting_id)
    access.require(access.can_manage(current_user, case))
    if not case.is_open or meeting.status != "scheduled":
        not_allowed(f"Only a scheduled meeting of an open case can be {verb}.")
    return case, meeting


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(ref, meeting_id):
    """Reschedule: a new date, time or place, and who is invited. The case's state does not change."""
    if request.method == "GET":
        case, meeting = _scheduled_meeting_to_change(ref, meeting_id, "rescheduled")
        professionals, family = service.invited_values(meeting)
        form = _edit_form(case, meeting, data={
            "date": meeting.scheduled_for.date(), "time": f"{meeting.scheduled_for:%H:%M}", "place": meeting.place,
            "video_link": meeting.video_link, "professionals": professionals, "family": family,
            "version": str(meeting.version_id)})
        return _render_edit(case, meeting, form)

    case = access.load_case(ref, current_user, audit_action=None)
    meeting = _meeting(case, meeting_id)
    _manage_scheduled(case, meeting, "meeting_scheduled", "reschedule")
    form = _edit_form(case, meeting)
    if not form.validate():
        record_failed(case, "meeting_scheduled", "invalid input", {"meeting": meeting.id})
        return _render_edit(case, meeting, form)
    try:
        with committing():
            service.reschedule_meeting(
                case, meeting, current_user, expected_version=parse_version(form.version.data),
                scheduled_for=form.scheduled_for, place=form.place.data, video_link=form.video_link.data,
                user_ids=form.user_ids, family_ids=form.family.data or [],
            )
            audit.record("meeting_scheduled", assessment=case,
                         detail={"meeting": meeting.id, "kind": meeting.kind, "rescheduled": True,
                                 "text": f"Rescheduled the {meeting.kind_label.lower()} to "
                                         f"{_when(meeting.scheduled_for)}"})
    except (StaleEdit, StaleDataError, service.NotScheduled):
        record_failed(case, "meeting_scheduled", "conflict", {"meeting": meeting_id})
        meeting = _meeting(case, meeting_id)
        form.version.data = str(meeting.version_id)
        return _render_edit(case, meeting, form, conflict=True, status=409)
    flash(f"{meeting.kind_label} rescheduled to {_when(meeting.scheduled_for)}", "success")
    return redirect(url_for("meetings.show", ref=case.ref, meeting_id=meeting.id))


def _render_cancel(case, meeting, form, *, conflict=False, status=200):
    return render_template("views/meetings/cancel.html", case=case, meeting=meeting, form=form, conflict=conflict,
                           leaves_waiting=_leaves_waiting(case, meeting)), status


def _leaves_waiting(case, meeting):
    """True when cancelling ``meeting`` leaves the case waiting for a meeting of its kind."""
    return (case.state, meeting.kind) in ((TAF_SCHEDULED, "taf"), (REVIEW_SCHEDULED, "review"))


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(ref, meeting_id):
    """Cancel a scheduled meeting, with why. A case left waiting for it is offered a replacement."""
    if request.method == "GET":
        case, meeting = _scheduled_meeting_to_change(ref, meeting_id, "cancelled")
        return _render_cancel(case, meeting, CancelMeetingForm(data={"version": str(meeting.version_id)}))

    case = access.load_case(ref, current_user, audit_action=None)
    meeting = _meeting(case, meeting_id)
    _manage_scheduled(case, meeting, "meeting_scheduled", "cancel")
    form = CancelMeetingForm()
    if not form.validate():
        record_failed(case, "meeting_scheduled", "invalid input", {"meeting": meeting.id})
        return _render_cancel(case, meeting, form)
    try:
        with committing():
            service.cancel_meeting(meeting, current_user, expected_version=parse_version(form.version.data),
                                   reason=form.reason.data)
            audit.record("meeting_scheduled", assessment=case,
                         detail={"meeting": meeting.id, "kind": meeting.kind, "cancelled": True,
                                 "text": f"Cancelled the {meeting.kind_label.lower()} of "
                                         f"{_when(meeting.scheduled_for)}: {form.reason.data}"})
    except (StaleEdit, StaleDataError, service.NotScheduled):
        record_failed(case, "meeting_scheduled", "conflict", {"meeting": meeting_id})
        meeting = _meeting(case, meeting_id)
        form.version.data = str(meeting.version_id)
        return _render_cancel(case, meeting, form, conflict=True, status=409)
    flash(f"{meeting.kind_label} cancelled", "success")
    return redirect(url_for("meetings.show", ref=case.ref, meeting_id=meeting.id))


# --- the Team Around the Family ---


@bp.get("/team")
@login_required
def team(ref):
    """Who is in the TAF, their agency and whether it is within the family's agreement. With ``?remove=<user
    id>`` (lead or manager), the page asks why that member is leaving."""
    with committing():
        case = access.load_case(ref, current_user)
    can_manage = access.can_manage(current_user, case) and case.is_open
    removing = request.args.get("remove", "")
    if removing:
        access.require(can_manage)
        member = service.current_member(case, int(removing)) if removing.isdigit() and len(removing) < 10 else None
        if member is None:
            abort(404)
        return _render_remove(case, member, RemoveMemberForm())
    return render_template("views/meetings/team.html", case=case, members=service.team(case), can_manage=can_manage)


def _render_remove(case, member, form, status=200):
    owned = service.open_actions_by_owner(case).get(member.user_id, 0)
    return render_template("views/meetings/remove_member.html", case=case, member=member, form=form,
                           open_actions=owned), status


@bp.post("/team/<int:user_id>/remove")
@login_required
def remove_member(ref, user_id):
    """Take a professional off the TAF, with why: they no longer see the case; their actions need a new owner."""
    case = access.load_case(ref, current_user, audit_action=None)
    if not access.can_manage(current_user, case):
        refuse_change(case, "taf_member_removed", "only the lead professional or a manager can change the team",
                      403)
    if not case.is_open:
        refuse_change(case, "taf_member_removed", "This case is closed: the team can no longer change.", 409)
    member = service.current_member(case, user_id)
    if member is None:
        abort(404)
    form = RemoveMemberForm()
    if not form.validate():
        record_failed(case, "taf_member_removed", "invalid input", {"user": user_id})
        return _render_remove(case, member, form)
    name = f"{member.user.name} ({member.user.agency.name})"
    with committing():
        service.remove_member(member, current_user, utcnow())
        audit.record("taf_member_removed", assessment=case,
                     detail={"user": user_id, "reason": form.reason.data,
                             "text": f"Removed {name} from the Team Around the Family: {form.reason.data}"})
    flash(f"{member.user.name} is no longer in the Team Around the Family", "success")
    return redirect(url_for("meetings.team", ref=case.ref))
