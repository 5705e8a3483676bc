"""Change of lead professional: the lead or a manager hands the case to another practitioner.

The new lead comes from an agency within the family's current agreement (DESIGN.md section 4) and joins the Team
Around the Family; the old lead stays on the team (and so keeps sight of the case) unless the handover says not.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from eha import audit
from eha.errors import Invalid, NotAllowed, expect_version
from eha.extensions import db
from eha.models.assessments import LeadChange, TafMember
from eha.models.base import utcnow
from eha.models.choices import PRACTITIONER
from eha.models.users import User
from eha.services.meetings import agreed_agency_ids
from eha.transaction import case_action

REASON_MAX = 2000
CLOSED = _l("This case is closed: its lead professional can no longer change.")


def current_lead(case):
    """Who leads the case now: its lead professional or, before there is one, the practitioner who started it."""
    return case.lead or case.started_by


def eligible_leads_query(case):
    """A select of who the case can be handed to: active practitioners of the agencies within the family's
    current agreement, other than the current lead (searched by the handover page's picker)."""
    agency_ids = agreed_agency_ids(case)
    return sa.select(User).where(
        User.agency_id.in_(agency_ids) if agency_ids else sa.false(),
        User.active.is_(True),
        User.role == PRACTITIONER,
        User.id != current_lead(case).id,
    )


def eligible_leads(case):
    """Active practitioners of the agencies within the family's current agreement, other than the current lead."""
    return db.session.scalars(eligible_leads_query(case).order_by(User.name, User.id)).all()


def lead_changes(case):
    """The case's handovers, newest first, with who they were from, to and recorded by (one query)."""
    return db.session.scalars(
        sa.select(LeadChange)
        .where(LeadChange.assessment_id == case.id)
        .options(
            joinedload(LeadChange.from_user),
            joinedload(LeadChange.to_user),
            joinedload(LeadChange.recorded_by),
        )
        .order_by(LeadChange.on.desc(), LeadChange.id.desc())
    ).all()


def page_context(case, *, text=None, chosen=None):
    """The handover page: the lead now, the picker's offer of new leads for ``text`` (keeping the one
    ``chosen``), whether there is anyone to hand to (``choices``), and the earlier handovers."""
    from eha.services import pickers

    pool = pickers.lead_pool(case)
    offer = pickers.offer(pool, text, [chosen] if chosen else [])
    return {
        "current_lead": current_lead(case),
        "offer": offer,
        "choices": bool(offer.choices) or (offer.searching and pool.any()),
        "lead_changes": lead_changes(case),
    }


def _new_lead(case, new_lead_id):
    chosen = None
    if new_lead_id is not None:
        chosen = db.session.scalar(eligible_leads_query(case).where(User.id == new_lead_id))
    if chosen is None:
        raise Invalid(
            _l("Select a practitioner from an agency the family agreed may be involved"),
            field="new_lead",
            detail={"to": new_lead_id if isinstance(new_lead_id, int) else None},
        )
    return chosen


def _check(case, reason, on):
    if not reason or not reason.strip():
        raise Invalid(_l("Enter why the lead professional is changing"), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(
            _l("Why the lead professional is changing must be %(max)s characters or fewer", max=REASON_MAX),
            field="reason",
        )
    if on is None:
        raise Invalid(_l("Enter the date of the handover"), field="handed_over_on")
    if on > date.today():
        raise Invalid(_l("Date of the handover must be today or in the past"), field="handed_over_on")
    if on < case.started_at.date():
        raise Invalid(_l("Date of the handover must be on or after the day the case started"), field="handed_over_on")


def _join_team(case, user_id, by):
    member = next((m for m in case.taf_members if m.user_id == user_id), None)
    if member is None:
        case.taf_members.append(TafMember(user_id=user_id, added_by_id=by.id))
    elif member.removed_at is not None:
        member.removed_at = member.removed_reason = member.removed_by_id = None


def _leave_team(case, user_id, by, reason):
    for member in case.taf_members:
        if member.user_id == user_id and member.removed_at is None:
            member.removed_at = utcnow()
            member.removed_by_id = by.id
            member.removed_reason = reason


@case_action
def change_lead(case, by, new_lead_id, reason, on, keep_old, *, expected_version):
    """Hand ``case`` to ``new_lead_id`` from ``on``, with why. The new lead joins the TAF; the old lead stays on it
    when ``keep_old``, else leaves it (they then see the case only if they started it). ``expected_version`` is
    the case version the form was opened at: a case changed since is a ``StaleEdit``."""
    if not case.is_open:
        raise NotAllowed(CLOSED)
    expect_version(expected_version, case.version_id)
    _check(case, reason, on)
    new = _new_lead(case, new_lead_id)
    old = current_lead(case)
    case.lead_id = new.id
    _join_team(case, new.id, by)
    if keep_old:
        _join_team(case, old.id, by)
    else:
        _leave_team(case, old.id, by, reason)
    db.session.add(
        LeadChange(
            assessment_id=case.id,
            from_user_id=old.id,
            to_user_id=new.id,
            on=on,
            reason=reason,
            old_lead_kept=bool(keep_old),
            recorded_by_id=by.id,
        )
    )
    db.session.flush()
    audit.record(
        "lead_changed",
        assessment=case,
        user=by,
        detail={
            "from": old.id,
            "to": new.id,
            "on": on.isoformat(),
            "old_lead_kept_on_team": bool(keep_old),
            "reason_given": bool(reason),
            "text": "Handed the case to another lead professional",
        },
    )
    return new
