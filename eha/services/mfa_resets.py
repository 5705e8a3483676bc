"""Resetting someone's second factor takes two people: an administrator asks, a second person approves.

With a password reset link (sent to the user's own email) and a cleared second factor, whoever signs in next
sets up a new authenticator: so clearing it alone would let an administrator, who sees no case content, walk
into a manager's or a practitioner's account. The administrator's request waits until an early help manager
(for a practitioner's or a manager's account) or another administrator (for an administrator's account)
approves it; neither the requester nor the account's owner can. A request not decided within
``REQUEST_LAPSES_AFTER`` lapses. Every step is audited.

Each step is one ``@autocommit`` function. A request refused is ``NotAllowed`` (409); a decision this user may not
take, or one someone else took first, is ``NotPermitted`` (403); a request the user's list does not show is
``NotFound``.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from eha import audit, mail
from eha.auth import mfa as totp
from eha.auth import sessions
from eha.errors import NotAllowed, NotFound, NotPermitted
from eha.extensions import db
from eha.i18n import in_english
from eha.models.base import utcnow
from eha.models.choices import ADMIN, MANAGER
from eha.models.users import MfaResetRequest, User
from eha.transaction import autocommit

PENDING, APPROVED, DECLINED = "pending", "approved", "declined"
REQUEST_LAPSES_AFTER = timedelta(days=3)
# Why a request decided already cannot be decided again, by what it became.
ALREADY_DECIDED = {
    APPROVED: _l("This request has already been approved"),
    DECLINED: _l("This request has already been declined"),
}


def approver_role(user):
    """Who may approve clearing ``user``'s second factor: another administrator for an administrator."""
    return ADMIN if user.role == ADMIN else MANAGER


def approver_text(user):
    """Who approves, in the page's language (lazy: English in the audit trail)."""
    return _l("another administrator") if approver_role(user) == ADMIN else _l("an early help manager")


def is_lapsed(reset, now=None):
    return reset.status == PENDING and reset.requested_at + REQUEST_LAPSES_AFTER <= (now or utcnow())


def pending_for(user):
    """The request for ``user`` still waiting for a decision (not lapsed), or None."""
    return db.session.scalar(
        sa.select(MfaResetRequest)
        .where(
            MfaResetRequest.user_id == user.id,
            MfaResetRequest.status == PENDING,
            MfaResetRequest.requested_at > utcnow() - REQUEST_LAPSES_AFTER,
        )
        .order_by(MfaResetRequest.requested_at.desc())
        .limit(1)
    )


def _detail(reset, **extra):
    return {
        "request_id": reset.id,
        "for_user_id": reset.user_id,
        "requested_by_id": reset.requested_by_id,
        **extra,
    }


@autocommit
def request_reset(acting, user, reason):
    """An administrator asks for ``user``'s second factor to be cleared. Returns the pending request."""
    if not acting.is_admin:
        raise NotPermitted(_l("Only an administrator can ask for a reset"))
    if user.id == acting.id:
        raise NotAllowed(_l("You cannot reset your own two-factor sign-in. Ask another administrator"))
    if not user.totp_secret:
        raise NotAllowed(_l("Two-factor sign-in is not set up for this account, so there is nothing to reset"))
    if pending_for(user) is not None:
        raise NotAllowed(_l("A reset for this account is already waiting for approval"))
    reset = MfaResetRequest(
        user_id=user.id, requested_by_id=acting.id, reason=reason, status=PENDING, requested_at=utcnow()
    )
    db.session.add(reset)
    db.session.flush()
    audit.record("mfa_reset_requested", user=acting, detail=_detail(reset, approver=in_english(approver_text(user))))
    return reset


def decision_problem(acting, reset, now=None):
    """Why ``acting`` may not approve or decline ``reset`` (a sentence), or None when they may."""
    if reset.status != PENDING:
        return ALREADY_DECIDED.get(reset.status, ALREADY_DECIDED[DECLINED])
    if is_lapsed(reset, now):
        days = REQUEST_LAPSES_AFTER.days
        return _l(
            "This request is more than %(days)s days old and has lapsed. The administrator can ask again", days=days
        )
    if acting.id == reset.requested_by_id:
        return _l("You asked for this reset, so someone else must approve it")
    if acting.id == reset.user_id:
        return _l("This reset is for your own account, so someone else must approve it")
    needed = approver_role(reset.user)
    if acting.role != needed:
        if needed == ADMIN:
            return _l(
                "Only another administrator can approve resetting %(name)s's two-factor sign-in", name=reset.user.name
            )
        return _l(
            "Only an early help manager can approve resetting %(name)s's two-factor sign-in", name=reset.user.name
        )
    return None


def _claim(acting, reset, status):
    """Move the request from pending to ``status`` unless someone else decided it first."""
    now = utcnow()
    problem = decision_problem(acting, reset, now)
    if problem:
        audit.record_refusal("mfa_reset_refused", user=acting, detail=_detail(reset, reason=in_english(problem)))
        raise NotPermitted(problem)
    claimed = db.session.execute(
        sa.update(MfaResetRequest)
        .where(MfaResetRequest.id == reset.id, MfaResetRequest.status == PENDING)
        .values(status=status, decided_by_id=acting.id, decided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise NotPermitted(_l("Someone else has just decided this request"))
    db.session.refresh(reset)


def visible_request(acting, request_id):
    """The request ``request_id`` if ``acting``'s list shows it; ``NotFound`` otherwise."""
    reset = db.session.get(MfaResetRequest, request_id)
    if reset is None or not visible_to(acting, reset):
        raise NotFound()
    return reset


def decide(acting, reset, approving):
    """Approve or decline ``reset`` (the user's one action on the list). Returns the request."""
    return (approve if approving else decline)(acting, reset)


@autocommit
def approve(acting, reset):
    """Approve: clear the second factor and end every session of the account's owner, and tell them by email."""
    _claim(acting, reset, APPROVED)
    user = reset.user
    totp.reset(user)
    sessions.end_all_sessions(user)
    audit.record("mfa_reset", user=acting, detail=_detail(reset, approved_by_id=acting.id))
    _tell_owner(user)
    return reset


@autocommit
def decline(acting, reset):
    _claim(acting, reset, DECLINED)
    audit.record("mfa_reset_declined", user=acting, detail=_detail(reset, declined_by_id=acting.id))
    return reset


def _tell_owner(user):
    config = current_app.config
    body = (
        "\n".join(
            [
                f"Hello {user.name},",
                "",
                f"Your two-factor sign-in for {config['EHA_SERVICE_NAME']} has been reset, as your administrator "
                "asked. The next time you sign in you will set up your authenticator app again, and you have been "
                "signed out everywhere.",
                "",
                f"If you did not ask for this, contact {config['EHA_SUPPORT_EMAIL']} straight away.",
                "",
                config["EHA_ORGANISATION_NAME"],
            ]
        )
        + "\n"
    )
    try:
        mail.send(user.email, f"Your {config['EHA_SERVICE_NAME']} two-factor sign-in has been reset", body)
    except mail.MailError:
        pass  # the reset stands; the notice is a courtesy, and the failure is logged by ``mail``


def requests_for(acting):
    """The requests ``acting`` may see, waiting ones first then newest: managers see those for practitioners'
    and managers' accounts; administrators see their own requests and those for administrators' accounts."""
    target = aliased(User)
    stmt = sa.select(MfaResetRequest).join(target, target.id == MfaResetRequest.user_id)
    if acting.is_admin:
        stmt = stmt.where(sa.or_(MfaResetRequest.requested_by_id == acting.id, target.role == ADMIN))
    else:
        stmt = stmt.where(target.role != ADMIN)
    return stmt.order_by(
        sa.case((MfaResetRequest.status == PENDING, 0), else_=1),
        MfaResetRequest.requested_at.desc(),
        MfaResetRequest.id.desc(),
    )


def visible_to(acting, reset):
    """Does ``acting``'s list show ``reset``? (The same rule as ``requests_for``.)"""
    if acting.is_admin:
        return reset.requested_by_id == acting.id or reset.user.role == ADMIN
    return acting.is_manager and reset.user.role != ADMIN


def waiting_count(acting):
    """How many requests are waiting for ``acting``'s decision (for the manager's home page)."""
    rows = db.session.scalars(
        requests_for(acting).where(
            MfaResetRequest.status == PENDING, MfaResetRequest.requested_at > utcnow() - REQUEST_LAPSES_AFTER
        )
    ).all()
    return sum(1 for reset in rows if decision_problem(acting, reset) is None)
