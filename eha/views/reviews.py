"""Reviews: record a review of the plan (which moves the case back to plan active), and the reviews so far."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from eha import access, audit
from eha.forms.plans import parse_version
from eha.forms.reviews import review_form
from eha.models.choices import REVIEW_DECISIONS
from eha.services import meetings as meeting_service
from eha.services import plans as plan_service
from eha.services import reviews as service
from eha.services.plans import StaleEdit
from eha.transaction import committing
from eha.views.plans import not_allowed, record_failed, refuse_change
from eha.workflow.engine import GuardFailed, TransitionNotAllowed, fire
from eha.workflow.states import REVIEW_SCHEDULED

bp = Blueprint("reviews", __name__, url_prefix="/assessments/<ref>/reviews")

NEXT_PAGES = {"close": "closure.close", "step_up": "closure.step_up"}


def _render(case, meeting, actions, form, *, errors=None, conflict=False, status=200):
    return render_template(
        "views/reviews/new.html", case=case, meeting=meeting, actions=actions, form=form, extra_errors=errors,
        conflict=conflict, who={a.key: plan_service.who_label(a) for a in actions},
    ), status


def _keys(actions):
    return ",".join(a.key for a in actions)


@bp.get("")
@login_required
def index(ref):
    with committing():
        case = access.load_case(ref, current_user)
        reviews = service.reviews_for(case)
        rows = service.scaling_over_time(case, reviews)
        page = render_template("views/reviews/index.html", case=case, reviews=reviews, rows=rows,
                               decisions=REVIEW_DECISIONS)
    return page


def _ready(case):
    """The scheduled review meeting and the actions to review; 409 unless a review is scheduled."""
    if case.state != REVIEW_SCHEDULED:
        return None, []
    meeting = meeting_service.scheduled_review(case)
    return meeting, service.actions_to_review(case, meeting)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(ref):
    if request.method == "GET":
        with committing():
            case = access.load_case(ref, current_user)
        access.require(access.can_manage(current_user, case))
        meeting, actions = _ready(case)
        if meeting is None:
            not_allowed("There is no review meeting waiting to be recorded: schedule a review first.")
        form = review_form(meeting, actions, data={"version": str(meeting.version_id),
                                                   "action_keys": _keys(actions)})
        return _render(case, meeting, actions, form)

    case = access.load_case(ref, current_user, audit_action=None)
    if not access.can_manage(current_user, case):
        refuse_change(case, "meeting_recorded", "only the lead professional or a manager can record reviews", 403)
    meeting, actions = _ready(case)
    if meeting is None:
        refuse_change(case, "meeting_recorded", "There is no review meeting waiting to be recorded: schedule a "
                                                "review first.", 409)
    form = review_form(meeting, actions)
    if form.action_keys.data != _keys(actions):
        # The plan's open actions changed since the page was drawn (a new version, or an owner's update).
        record_failed(case, "meeting_recorded", "conflict", {"kind": "review"})
        form.action_keys.data = _keys(actions)
        form.version.data = str(meeting.version_id)
        return _render(case, meeting, actions, form, conflict=True, status=409)
    if not form.validate():
        record_failed(case, "meeting_recorded", "invalid input", {"kind": "review"})
        return _render(case, meeting, actions, form)
    progress = {
        action.key: (radio.data, comment.data)
        for action, (radio, comment) in zip(actions, form.progress_fields(), strict=True)
    }
    decision = form.decision.data
    try:
        with committing():
            review = service.record_review(
                case, meeting, current_user, expected_version=parse_version(form.version.data),
                held_on=form.held_on.data, attendance=form.attendance(), family_view=form.family_view.data,
                family_score=form.family_score.score, practitioner_score=form.practitioner_score.score,
                decision=decision, plan_changed=bool(form.plan_changed.data),
                next_review_on=form.next_review_on.data, progress=progress, notes=form.notes.data,
            )
            audit.record("meeting_recorded", assessment=case,
                         detail={"meeting": meeting.id, "kind": "review", "review": review.id,
                                 "decision": decision,
                                 "text": f"Recorded the review held on {form.held_on.data:%d %B %Y}: "
                                         f"{REVIEW_DECISIONS[decision].lower()}"})
            fire(case, "record_review", current_user, review=review)
    except GuardFailed as failure:
        record_failed(case, "meeting_recorded", "guard failed", {"kind": "review"})
        errors = [{"text": m, "href": "#plan_changed" if "plan" in m.lower() else "#held_on"}
                  for m in failure.messages]
        return _render(case, meeting, actions, form, errors=errors)
    except TransitionNotAllowed as error:
        record_failed(case, "meeting_recorded", "not allowed", {"kind": "review"})
        not_allowed(error.message)
    except (StaleEdit, StaleDataError):
        record_failed(case, "meeting_recorded", "conflict", {"kind": "review"})
        meeting, actions = _ready(case)
        if meeting is None:
            not_allowed("Someone else recorded this review while you were filling it in. Your answers have not "
                        "been saved.")
        form.version.data = str(meeting.version_id)
        return _render(case, meeting, actions, form, conflict=True, status=409)
    flash("Review recorded", "success")
    endpoint = NEXT_PAGES.get(decision)
    if endpoint:
        return redirect(url_for(endpoint, ref=case.ref))
    return redirect(url_for("assessments.show", ref=case.ref))
