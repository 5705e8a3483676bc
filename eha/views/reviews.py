"""Reviews: record a review of the plan (which moves the case back to plan active), and the reviews so far."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from eha.access import MANAGE, VIEW, can_manage, case_route
from eha.errors import GuardFailed, Invalid, StaleEdit
from eha.forms.plans import parse_version
from eha.forms.reviews import review_form
from eha.models.choices import REVIEW_DECISIONS
from eha.reports import charts
from eha.services import meetings as meeting_service
from eha.services import plans as plan_service
from eha.services import reviews as service
from eha.workflow.states import REVIEW_SCHEDULED

bp = Blueprint("reviews", __name__, url_prefix="/assessments/<caseref:ref>")

NEXT_PAGES = {"close": "closure.close", "step_up": "closure.step_up"}
REVIEWER = MANAGE.during((REVIEW_SCHEDULED,), service.NO_REVIEW_MESSAGE)


@case_route(bp, "/reviews", need=VIEW)
def index(case):
    reviews = service.reviews_for(case)
    rows = service.scaling_over_time(case, reviews)
    return render_template(
        "views/reviews/index.html",
        case=case,
        reviews=reviews,
        rows=rows,
        # ReportLab's DOM output: every label escaped by the DOM.
        scaling_chart=Markup(charts.scaling_chart(rows)) if rows else "",  # noqa: S704
        decisions=REVIEW_DECISIONS,
    )


def _render(case, meeting, actions, form, *, conflict=False, status=200):
    return render_template(
        "views/reviews/new.html",
        case=case,
        meeting=meeting,
        actions=actions,
        form=form,
        conflict=conflict,
        who={a.key: plan_service.who_label(a) for a in actions},
    ), status


def _conflict(case, form):
    """The meeting or the plan's actions changed since the page was drawn: ask again, the answers kept."""
    meeting, actions = service.review_to_record(case)
    form.reset_to(meeting, actions)
    return _render(case, meeting, actions, form, conflict=True, status=409)


@case_route(bp, "/reviews/new", need=REVIEWER, methods=("GET", "POST"), audit="case_viewed", refused="meeting_recorded")
def new(case):
    meeting, actions = service.review_to_record(case)
    form = review_form(meeting, actions, service.owner_updates(case, actions), meeting_service.lead_choices(case))
    if form.is_submitted() and form.actions_changed(actions):
        return _conflict(case, form)
    if not form.validate_on_submit():
        return _render(case, meeting, actions, form)
    try:
        service.record_review(
            case,
            meeting,
            current_user,
            expected_version=parse_version(form.version.data),
            held_on=form.held_on.data,
            attendance=form.attendance(),
            family_view=form.family_view.data,
            family_score=form.family_score.score,
            practitioner_score=form.practitioner_score.score,
            decision=form.decision.data,
            plan_changed=bool(form.plan_changed.data),
            next_review_on=form.next_review_on.data,
            next_review_reason=form.next_review_reason.data,
            progress=form.progress_by_key(actions),
            notes=form.notes.data,
            updates=form.updates(),
            lead_agreed_id=form.lead_agreed_id,
        )
    except GuardFailed as failure:
        form.add_guard_errors(failure.messages)
        return _render(case, meeting, actions, form)
    except Invalid as error:
        form.add_error(error)
        return _render(case, meeting, actions, form)
    except StaleEdit:
        return _conflict(case, form)
    flash(_("Review recorded"), "success")
    return redirect(url_for(_next_page(case, form.decision.data), ref=case.ref))


def _next_page(case, decision):
    """Closing or stepping up is the lead's next step; when the review handed the case to someone else, the page
    to go to is the case's."""
    if decision in NEXT_PAGES and can_manage(current_user, case):
        return NEXT_PAGES[decision]
    return "assessments.show"
