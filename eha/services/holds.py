"""Legal hold (issue 19): a manager places a hold, with a reason, on a case or on its whole family; a held
record is never disposed of (``eha.services.retention`` re-checks at disposal). Lifting needs a reason too.

The reasons are kept on the hold, never copied into the audit trail (they may name people)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from eha import audit
from eha.errors import NotAllowed, NotFound, NotPermitted, expect_version
from eha.extensions import db
from eha.models.base import utcnow
from eha.models.choices import MANAGER
from eha.models.families import Family
from eha.models.governance import LegalHold
from eha.transaction import case_action

ALREADY_HELD = {
    "case": _l("This case is already on legal hold."),
    "family": _l("This family is already on legal hold."),
}
MANAGERS_ONLY = _l("Only a manager can place or lift a legal hold.")


def holds_for(case):
    """The holds on the case and on its family, newest first."""
    return db.session.scalars(
        sa.select(LegalHold)
        .where(sa.or_(LegalHold.assessment_id == case.id, LegalHold.family_id == case.family_id))
        .order_by(LegalHold.id.desc())
    ).all()


def active_hold(case):
    return next((h for h in holds_for(case) if h.is_active), None)


def _require_manager(by):
    if by.role != MANAGER:
        raise NotPermitted(MANAGERS_ONLY)


@case_action
def place(case, by, *, on, reason):
    """Hold ``case`` (``on`` = "case") or every case of its family (``on`` = "family")."""
    _require_manager(by)
    if on not in ("case", "family"):
        raise NotAllowed(_l("Choose whether to hold this case or the whole family."))
    if case.disposed_at is not None:
        raise NotAllowed(_l("This case has been disposed of: there is nothing left to hold."))
    target = {"assessment_id": case.id} if on == "case" else {"family_id": case.family_id}
    if on == "family":  # the case row is locked already; two of the family's cases are two rows, so lock the family
        db.session.execute(sa.select(Family.id).where(Family.id == case.family_id).with_for_update())
    existing = db.session.scalar(sa.select(LegalHold).filter_by(lifted_at=None, **target))
    if existing is not None:
        raise NotAllowed(ALREADY_HELD[on])
    hold = LegalHold(reason=reason, placed_by_id=by.id, placed_at=utcnow(), **target)
    db.session.add(hold)
    db.session.flush()
    audit.record(
        "legal_hold_placed", assessment=case, user=by, detail={"hold": hold.id, "on": on, "family": case.family_id}
    )
    return hold


@case_action
def lift(case, by, hold_id, *, reason, expected_version):
    _require_manager(by)
    hold = next((h for h in holds_for(case) if h.id == hold_id), None)
    if hold is None:
        raise NotFound(_l("There is no such hold on this case or its family."), detail={"hold": hold_id})
    expect_version(expected_version, hold.version_id)
    if not hold.is_active:
        raise NotAllowed(_l("This hold has already been lifted."))
    hold.lifted_at = utcnow()
    hold.lifted_by_id = by.id
    hold.lift_reason = reason
    db.session.flush()
    on = "case" if hold.assessment_id else "family"
    audit.record("legal_hold_lifted", assessment=case, user=by, detail={"hold": hold.id, "on": on})
    return hold
