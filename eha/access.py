"""Who may see and do what. Every case route goes through ``load_case``; lists use ``visible_cases``.

Rules (DESIGN.md section 4):
- managers see every case; administrators see no case content;
- a practitioner sees the cases they started or lead, the cases where they are a TAF member while
  their agency is within the family's current (not withdrawn) agreement, and cases a manager
  granted them under the duty to share, until the grant ends;
- only the lead professional and managers run the workflow and manage the plan;
- TAF members update only the actions they own.
A case a user may not see answers 404: its existence is not disclosed.
"""

from datetime import date

import sqlalchemy as sa
from flask import abort, g, request
from sqlalchemy.orm import aliased

from eha import audit
from eha.extensions import db
from eha.models.assessments import AccessGrant, Assessment, Consent, TafMember, consent_agencies
from eha.models.choices import ADMIN, MANAGER


def _current_consent_allows_agency(agency_id):
    """True when the case's latest agreement is not withdrawn and names ``agency_id``."""
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


def visible_cases_filter(user, today=None):
    """A SQL condition on ``Assessment`` selecting the cases ``user`` may see."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return sa.false()
    if user.role == MANAGER:
        return sa.true()
    if user.role == ADMIN:
        return sa.false()
    today = today or date.today()
    is_taf_member = sa.exists(
        sa.select(1).where(
            TafMember.assessment_id == Assessment.id,
            TafMember.user_id == user.id,
            TafMember.removed_at.is_(None),
        )
    )
    has_grant = sa.exists(
        sa.select(1).where(
            AccessGrant.assessment_id == Assessment.id,
            AccessGrant.user_id == user.id,
            AccessGrant.revoked_at.is_(None),
            AccessGrant.ends_on >= today,
        )
    )
    return sa.or_(
        Assessment.started_by_id == user.id,
        Assessment.lead_id == user.id,
        sa.and_(is_taf_member, _current_consent_allows_agency(user.agency_id)),
        has_grant,
    )


def visible_cases(user):
    """A select of the cases ``user`` may see (add ordering, filters and paging to it)."""
    return sa.select(Assessment).where(visible_cases_filter(user))


def can_see(user, case):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Assessment).where(Assessment.id == case.id, visible_cases_filter(user))
    ) == 1


def refuse(user, ref=None, detail=None):
    """Record a refused look at a case, then answer 404."""
    case = db.session.scalar(sa.select(Assessment).where(Assessment.ref == ref)) if ref else None
    audit.record("case_refused", assessment=case, outcome="refused", user=user,
                 detail={"ref": (ref or "")[:40], **(detail or {})})
    db.session.commit()
    abort(404)


def load_case(ref, user, *, audit_action="case_viewed", detail=None):
    """Return the case ``ref`` if ``user`` may see it (recording the look), else refuse with 404."""
    if not isinstance(ref, str) or len(ref) > 20:
        abort(404)
    case = db.session.scalar(sa.select(Assessment).where(Assessment.ref == ref, visible_cases_filter(user)))
    if case is None:
        refuse(user, ref)
    g.eha_case = case  # so a forged field noticed later in the request is recorded against this case
    if audit_action:
        audit.record(audit_action, assessment=case, user=user, detail=detail)
    return case


def load_case_for_form(ref, user):
    """For a page with a form: a GET records the look (committed now); a POST records nothing here, since
    the change it makes (or its refusal) is the request's one audit event."""
    if request.method == "POST":
        return load_case(ref, user, audit_action=None)
    case = load_case(ref, user)
    db.session.commit()
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


def require(allowed):
    """Abort 403 unless ``allowed`` (for a user who may see the case but not do this to it)."""
    if not allowed:
        abort(403)
