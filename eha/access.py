"""Who may see and do what: the one place. Lists use ``visible_cases``; every case page is declared with
``case_route`` and every other signed-in page with ``route``, each naming the ``Need`` it requires:

    @case_route(bp, "/plan/actions/new", methods=("GET", "POST"), need=MANAGE.during(PLANNING, "..."),
                audit="plan_viewed", refused="plan_changed")
    def action_new(case):
        ...

The decorator loads the case once (404, and a ``case_refused`` event, if the user may not see it: administrators
included), checks the need (403 with the reason, or 409 when the case is not in a state that allows it), records
the look on a GET, records a refused or failed POST (invalid input, a conflict, a domain error) under ``refused``,
commits, and hands the view the case. Views never check permissions, query, audit or commit themselves.

Rules (DESIGN.md section 4):
- managers see every case; administrators see no case content;
- a practitioner sees the cases they started or lead, the cases where they are a TAF member while
  their agency is within the family's current (not withdrawn) agreement, and cases a manager
  granted them under the duty to share, until the grant ends;
- only the lead professional and managers run the workflow and manage the plan;
- TAF members update only the actions they own.
A case a user may not see answers 404: its existence is not disclosed.
"""

import functools
from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
from flask import abort, g, make_response, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user, login_required
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased, joinedload

from eha import audit
from eha.errors import Disposed, DomainError, GuardFailed, NotAllowed, NotPermitted
from eha.extensions import db
from eha.i18n import DEFAULT_LANGUAGE
from eha.models.assessments import AccessGrant, Assessment, Consent, TafMember, consent_agencies
from eha.models.choices import ADMIN, MANAGER
from eha.statement_cache import StatementCache, per_user


def agreement_names_agency(agency_id):
    """A SQL condition on ``Assessment``: the case's latest agreement is not withdrawn and names ``agency_id`` (a
    column or a value). For one case (``sees_case``) and for queries across many users' cases, such as the
    digests; a user's own list reads ``taf_case_ids`` instead."""
    # An alias, so the subquery has its own FROM and is not correlated to the outer ``consents``.
    latest = aliased(Consent)
    latest_consent_id = (
        sa.select(sa.func.max(latest.id))
        .where(latest.assessment_id == Assessment.id)
        .correlate(Assessment)
        .scalar_subquery()
    )
    return sa.exists(
        sa.select(1)
        .select_from(Consent)
        .join(consent_agencies, consent_agencies.c.consent_id == Consent.id)
        .where(
            Consent.id == latest_consent_id,
            Consent.withdrawn_on.is_(None),
            consent_agencies.c.agency_id == agency_id,
        )
    )


@functools.cache
def _taf_case_latest_consent_id():
    """The id of the latest agreement of ``TafMember``'s case (built once per process: expressions are
    immutable, and an alias costs a visible part of every list page's CPU)."""
    latest = aliased(Consent)
    return (
        sa.select(sa.func.max(latest.id))
        .where(latest.assessment_id == TafMember.assessment_id)
        .correlate(TafMember)
        .scalar_subquery()
    )


def taf_case_ids(user):
    """The cases where ``user`` is a current TAF member and the case's latest agreement is not withdrawn and names
    the user's agency, read from the user's TAF rows outwards: one index range, then for each row a scalar
    subquery of index look-ups (its case's latest agreement, then that agreement's agency). A scalar subquery,
    not a join: joined, PostgreSQL hashed every agreement of every case to find the few (issue 14)."""
    latest_consent_id = _taf_case_latest_consent_id()
    names_agency = (
        sa.select(consent_agencies.c.agency_id)
        .select_from(Consent)
        .join(
            consent_agencies,
            sa.and_(consent_agencies.c.consent_id == Consent.id, consent_agencies.c.agency_id == user.agency_id),
        )
        .where(Consent.id == latest_consent_id, Consent.withdrawn_on.is_(None))
        .correlate(TafMember)
        .scalar_subquery()
    )
    return sa.select(TafMember.assessment_id).where(
        TafMember.user_id == user.id, TafMember.removed_at.is_(None), names_agency.is_not(None)
    )


def granted_case_ids(user, today=None):
    """The cases a manager granted ``user`` under the duty to share, while the grant lasts."""
    return sa.select(AccessGrant.assessment_id).where(
        AccessGrant.user_id == user.id,
        AccessGrant.revoked_at.is_(None),
        AccessGrant.ends_on >= (today or date.today()),
    )


def visible_case_ids(user, today=None):
    """A select of the ids of the cases a practitioner may see: the union of the cases they started, lead, are a
    TAF member of under the current agreement, and were granted. Each part is an index range on the user's id,
    so the database reads only the user's own rows, never every case (issue 14)."""
    return sa.union(
        sa.select(Assessment.id).where(Assessment.started_by_id == user.id),
        sa.select(Assessment.id).where(Assessment.lead_id == user.id),
        taf_case_ids(user),
        granted_case_ids(user, today),
    )


def among_ids(column, ids):
    """``column`` is one of the ids ``ids`` (a select of one column) selects. On PostgreSQL the ids are gathered
    once, first, into an array (an InitPlan: ``column = ANY((SELECT array_agg(id) FROM ...))``), so the outer
    query reads only those rows through the primary key: as ``IN (subquery)`` the planner hash-joins the few ids
    to a scan of every case once the table is large (issue 14). SQLite answers ``IN (subquery)`` from the ids."""
    if db.session.get_bind().dialect.name != "postgresql":
        return column.in_(ids)
    found = ids.subquery()
    gathered = sa.select(sa.func.array_agg(found.c[0])).scalar_subquery()
    # The cast makes it an array expression: ``ANY (SELECT ...)`` alone would compare with each row's array.
    return column == sa.any_(sa.cast(gathered, postgresql.ARRAY(sa.Integer)))


def visible_to_staff(user):
    """``user`` is signed in, active and not an administrator (who sees no case content)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active) and (
        user.role != ADMIN
    )


def visible_cases_filter(user, today=None):
    """A SQL condition on ``Assessment`` selecting the cases ``user`` may see."""
    if not visible_to_staff(user):
        return sa.false()
    if user.role == MANAGER:
        return sa.true()
    return among_ids(Assessment.id, visible_case_ids(user, today))


def sees_case(user, today=None):
    """A SQL condition on ``Assessment`` for a query that reads one case (by ref or id): may ``user`` see it,
    decided on that case's row alone. The same rules as ``visible_cases_filter``, but asked of the one case (its
    starter and lead columns, then its TAF row for the user and its latest agreement, then the user's grant on
    it: index look-ups on the case's id), instead of gathering every case the user may see and looking for this
    one among them, which costs as much as the user's whole caseload (issue 14: 2,700 buffers and 6 ms at 100k
    for a practitioner on 280 TAFs, on every case page)."""
    if not visible_to_staff(user):
        return sa.false()
    if user.role == MANAGER:
        return sa.true()
    member = sa.exists(
        sa.select(1).where(
            TafMember.assessment_id == Assessment.id,
            TafMember.user_id == user.id,
            TafMember.removed_at.is_(None),
        )
    )
    granted = sa.exists(
        sa.select(1).where(
            AccessGrant.assessment_id == Assessment.id,
            AccessGrant.user_id == user.id,
            AccessGrant.revoked_at.is_(None),
            AccessGrant.ends_on >= (today or date.today()),
        )
    )
    return sa.or_(
        Assessment.started_by_id == user.id,
        Assessment.lead_id == user.id,
        sa.and_(member, agreement_names_agency(user.agency_id)),
        granted,
    )


def visible_cases(user):
    """A select of the cases ``user`` may see (add ordering, filters and paging to it)."""
    return sa.select(Assessment).where(visible_cases_filter(user))


def can_see(user, case):
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Assessment).where(Assessment.id == case.id, sees_case(user))
        )
        == 1
    )


def refuse(user, ref=None, detail=None):
    """Record a refused look at a case, then answer 404."""
    case = db.session.scalar(sa.select(Assessment).where(Assessment.ref == ref)) if ref else None
    audit.record(
        "case_refused",
        assessment=case,
        outcome="refused",
        user=user,
        detail={"ref": (ref or "")[:40], **(detail or {})},
    )
    db.session.commit()
    abort(404)


_CASE_BY_REF = StatementCache()


def _case_by_ref(user):
    """The case named by the ``ref`` parameter if ``user`` may see it, with its children in the same query (every
    case page heads itself with their names). Built once per user per day (``eha.statement_cache``)."""
    return _CASE_BY_REF.get(
        per_user(user),
        lambda: (
            sa.select(Assessment)
            .where(Assessment.ref == sa.bindparam("ref"), sees_case(user))
            .options(joinedload(Assessment.subjects))
        ),
    )


def load_case(ref, user, *, audit_action="case_viewed", detail=None):
    """Return the case ``ref`` if ``user`` may see it (recording the look), else refuse with 404."""
    if not isinstance(ref, str) or len(ref) > 20 or not ref.isprintable():
        abort(404)
    case = db.session.scalars(_case_by_ref(user), {"ref": ref}).unique().first()
    if case is None:
        refuse(user, ref)
    g.eha_case = case  # so a forged field noticed later in the request is recorded against this case
    if audit_action:
        audit.record(audit_action, assessment=case, user=user, detail=detail)
    return case


def is_lead(user, case):
    return case.lead_id == user.id


def can_manage(user, case):
    """Run the workflow, manage the plan, meetings, TAF and agreement: the lead or a manager."""
    return user.role == MANAGER or case.lead_id == user.id or (case.lead_id is None and case.started_by_id == user.id)


def can_edit_assessment(user, case):
    """Fill in the assessment: whoever started it, the lead, or a manager."""
    return user.role == MANAGER or user.id in (case.started_by_id, case.lead_id)


def can_update_action(user, case, action):
    return can_manage(user, case) or action.owner_user_id == user.id


def can_view_history(user, case):
    return user.role == MANAGER or case.lead_id == user.id


# --- needs: what a route requires of the signed-in user (and of the case) ---


@dataclass(frozen=True)
class Need:
    """What a route needs. ``permits(user, case)`` (``case`` is None on pages that are not a case's); ``refusal``
    is the 403 reason. ``states``, when set, are the case states the route works in (409 with ``state_message``
    otherwise)."""

    name: str
    permits: object
    refusal: str = _l("You cannot do that on this case.")
    states: tuple | None = None
    state_message: str = ""
    hidden: bool = False  # refuse with 404, not 403: the page's existence is not disclosed to this user

    def during(self, states, message):
        """The same need, only while the case is in one of ``states``."""
        return replace(self, states=tuple(states), state_message=message)

    def refusal_for(self, user, case):
        """The error refusing ``user`` (None when the need is met)."""
        if user is None or not getattr(user, "is_authenticated", False) or not self.permits(user, case):
            if self.hidden:
                abort(404)
            return NotPermitted(self.refusal)
        if self.states is not None and case is not None and case.state not in self.states:
            return NotAllowed(self.state_message)
        return None


def _manager(user, _case=None):
    return user.role == MANAGER


VIEW = Need("view", lambda user, case: True)  # seeing the case is checked by the loader itself
EDIT = Need(
    "edit",
    lambda user, case: can_edit_assessment(user, case),
    _l("Only the person who started the assessment, the lead professional or a manager can change it."),
)
MANAGE = Need(
    "manage", lambda user, case: can_manage(user, case), _l("Only the lead professional or a manager can do this.")
)
# TAF members update the actions they own: the route needs only sight of the case, the service checks the owner.
UPDATE_OWN_ACTION = Need("update own action", lambda user, case: True)
HISTORY = Need(
    "history",
    lambda user, case: can_view_history(user, case),
    _l("Only the lead professional or a manager can see who has seen this record."),
)
MANAGER_ONLY = Need("manager", _manager, _l("Only a manager can do this."))
# Pages that are not a case's.
SIGNED_IN = Need("signed in", lambda user, _case: True)
STAFF = Need("staff", lambda user, _case: user.role != ADMIN, _l("Administrators see no case content."))
MANAGERS = Need("managers", _manager, hidden=True)
ADMINS = Need("admins", lambda user, _case: user.role == ADMIN, hidden=True)
# Two-factor resets: an administrator asks, a manager (or another administrator) approves.
MANAGERS_OR_ADMINS = Need("managers or admins", lambda user, _case: user.role in (MANAGER, ADMIN), hidden=True)


# --- recording refusals: the one place ---


def _head(message):
    """A guard's message up to its first colon: "Record progress on action 2: <what the action is>" quotes the
    record's own words after it, which the audit trail must not keep (they are disposed of with the case)."""
    return str(message).split(": ", 1)[0]


def _without_quoted_text(error):
    return _head(error.message) if isinstance(error, GuardFailed) else error.message


def record_failure(case, action, error=None, *, reason=None):
    """Write a refused or failed attempt on its own, after rolling back whatever the attempt changed."""
    if error is not None and error.recorded:
        return
    db.session.rollback()
    with force_locale(DEFAULT_LANGUAGE):  # the audit trail is English whatever the page's language
        detail = {"reason": str(reason or (_without_quoted_text(error) if error is not None else "refused"))}
        if error is not None:
            detail.update(error.detail)
            if len(error.messages) > 1:
                detail["reasons"] = [str(_head(message)) for message in error.messages[:20]]
    outcome = error.outcome if error is not None else "failed"
    audit.record(action, assessment=case, outcome=outcome, detail=detail)
    db.session.commit()
    if error is not None:
        error.recorded = True


def _post_outcome(case, action, response):
    """After a POST that did not redirect: record the form shown again (invalid input) or the conflict page."""
    status = response.status_code
    if request.method != "POST" or status in (301, 302, 303, 307, 308) or status >= 500:
        return
    reason = {200: "invalid input", 409: "conflict"}.get(status, "refused")
    if not g.pop("eha_failure_recorded", False):
        record_failure(case, action, reason=reason)


def note_recorded():
    """A service recorded the failure of this request itself (e.g. a failed transition): write nothing more."""
    g.eha_failure_recorded = True


# --- route decorators ---


def _need_for(need):
    if isinstance(need, dict):
        return need.get(request.method, need.get("GET"))
    return need


def _register(bp, rule, view, wrapper, methods, need):
    wrapper.eha_need = need
    bp.add_url_rule(rule, endpoint=view.__name__, view_func=login_required(wrapper), methods=list(methods))


def case_route(
    bp, rule, *, need=VIEW, methods=("GET",), audit="case_viewed", refused="case_refused", audit_detail=None
):
    """Declare a case page. ``rule`` is under the blueprint's ``/assessments/<caseref:ref>`` prefix; the view is
    called as ``view(case, **other_url_args)``. ``need`` may be one ``Need`` or ``{"GET": ..., "POST": ...}``.
    ``audit`` is the look recorded on a GET (None for none); ``refused`` the action a refusal is recorded as."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(ref, **kwargs):
            case = load_case(ref, current_user, audit_action=None)
            refuse_if_disposed(case)
            route_need = _need_for(need)
            error = route_need.refusal_for(current_user, case)
            if error is not None:
                record_failure(case, refused, error)
                raise error
            if request.method in ("GET", "HEAD") and audit:
                detail = audit_detail(**kwargs) if callable(audit_detail) else audit_detail
                record_look(case, audit, detail)
            try:
                response = make_response(view(case, **kwargs))
            except DomainError as exc:
                record_failure(case, refused, exc)
                raise
            _post_outcome(case, refused, response)
            db.session.commit()
            return response

        _register(bp, rule, view, wrapper, methods, need)
        return wrapper

    return decorator


# The pages of a disposed case that still answer: who saw it, and its holds and grants (to read, not change).
SHOWS_DISPOSED = frozenset({"history.show", "history.access_grants", "holds.place"})


def refuse_if_disposed(case):
    """A disposed case's content is gone: every other page says so (410), and the look is recorded."""
    if case.disposed_at is None or (request.endpoint in SHOWS_DISPOSED and request.method in ("GET", "HEAD")):
        return
    from eha.formatting import format_date
    from eha.i18n import current_language

    audit.record("case_viewed", assessment=case, outcome="refused", detail={"disposed": True})
    db.session.commit()
    disposed_at = case.disposed_at
    raise Disposed(
        _l(
            "The content of %(ref)s was disposed of on %(date)s under the retention schedule (%(rule)s). Only the "
            "record of who saw and changed it is kept.",
            ref=case.ref,
            date=LazyString(lambda: format_date(disposed_at, "long", current_language())),
            rule=case.disposal_rule,
        )
    )


def route(bp, rule, *, need=SIGNED_IN, methods=("GET",)):
    """Declare a signed-in page that is not a case's (lists, reports, administration)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            error = _need_for(need).refusal_for(current_user, None)
            if error is not None:
                raise error
            response = make_response(view(**kwargs))
            db.session.commit()
            return response

        _register(bp, rule, view, wrapper, methods, need)
        return wrapper

    return decorator


def record_look(case, action="case_viewed", detail=None):
    """Record that the user looked at ``case`` (committed with the page)."""
    audit.record(action, assessment=case, detail=detail)
