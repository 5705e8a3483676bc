"""Duty to share: a manager's time-limited grant of access to a case without the family's agreement.

Grants are recorded with a reason and an end date, audited, and listed for review.
"""

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from eha import audit
from eha.errors import Invalid, NotFound
from eha.extensions import db
from eha.models.assessments import AccessGrant
from eha.models.base import utcnow
from eha.models.choices import PRACTITIONER
from eha.models.users import User
from eha.transaction import case_action

MAX_DAYS = 90


def is_active(grant, today=None):
    return grant.revoked_at is None and grant.ends_on >= (today or date.today())


def grants_for_case(case):
    return db.session.scalars(
        sa.select(AccessGrant)
        .where(AccessGrant.assessment_id == case.id)
        .options(joinedload(AccessGrant.user).joinedload(User.agency), joinedload(AccessGrant.granted_by))
        .order_by(AccessGrant.revoked_at.is_not(None), AccessGrant.ends_on.desc(), AccessGrant.id.desc())
    ).all()


def grantable_query():
    """A select of who may be given access: active practitioners (managers see every case already;
    administrators see no case content). The page searches it (``eha.services.pickers``), never lists it."""
    return sa.select(User).where(User.active.is_(True), User.role == PRACTITIONER)


def grant_page(case, *, text=None, chosen=None):
    """The duty-to-share page: the case's grants and the practitioner picker's offer for ``text`` (keeping the
    one ``chosen``)."""
    from eha.services import pickers

    return {"grants": grants_for_case(case), "offer": pickers.offer_for("grant", case, text, chosen)}


@case_action
def create_grant(case, *, by, user, reason, ends_on, today=None):
    """A manager gives ``user`` (a ``User`` or a user id) access to ``case`` until ``ends_on`` (the duty to
    share), with the reason."""
    today = today or date.today()
    if not isinstance(user, User):
        user = db.session.get(User, user) if isinstance(user, int) else None
    if user is None or not user.active or user.role != PRACTITIONER:
        raise Invalid(_l("Select the practitioner to give access to"), field="user")
    if ends_on <= today:
        raise Invalid(_l("End date must be in the future"), field="ends_on")
    if ends_on > today + timedelta(days=MAX_DAYS):
        raise Invalid(_l("End date must be within %(days)s days of today", days=MAX_DAYS), field="ends_on")
    if any(is_active(g, today) and g.user_id == user.id for g in grants_for_case(case)):
        raise Invalid(
            _l("%(name)s already has access under a grant. End it first to change it", name=user.name), field="user"
        )
    grant = AccessGrant(assessment_id=case.id, user=user, granted_by_id=by.id, reason=reason, ends_on=ends_on)
    db.session.add(grant)
    db.session.flush()
    audit.record(
        "grant_created",
        assessment=case,
        user=by,
        detail={
            "grant_id": grant.id,
            "to_user_id": user.id,
            "ends_on": ends_on.isoformat(),
        },
    )
    return grant


@case_action
def revoke_grant(case, grant_id, *, by):
    """End a grant on ``case`` now; a grant that is not this case's is a 404."""
    grant = db.session.scalar(
        sa.select(AccessGrant).where(AccessGrant.id == grant_id, AccessGrant.assessment_id == case.id)
    )
    if grant is None:
        raise NotFound(_l("There is no such grant on this case."), detail={"grant_id": grant_id})
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()
        grant.revoked_by_id = by.id
    audit.record("grant_revoked", assessment=case, user=by, detail={"grant_id": grant.id, "to_user_id": grant.user_id})
    return grant


def all_grants():
    """Every grant for review: active first, then by end date."""
    today = date.today()
    active = sa.and_(AccessGrant.revoked_at.is_(None), AccessGrant.ends_on >= today)
    return (
        sa.select(AccessGrant)
        .options(
            joinedload(AccessGrant.user).joinedload(User.agency),
            joinedload(AccessGrant.granted_by),
            joinedload(AccessGrant.assessment),
        )
        .order_by(sa.case((active, 0), else_=1), AccessGrant.ends_on, AccessGrant.id.desc())
    )
