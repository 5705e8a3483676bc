"""``fire(case, trigger, by, **data)``: the only way a case changes state.

It locks the case row, checks the trigger is allowed from the current state and that ``by`` may run it,
runs every guard (reporting every failing message at once), moves the state through the shared machine,
runs the effects, records exactly one ``transition`` audit event and flushes. It never commits: the caller
wraps it in ``eha.transaction.committing()`` with its own rows, and a ``GuardFailed`` rolls everything back.
"""

from datetime import date

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from eha import access, audit
from eha.extensions import db
from eha.formatting import lower_first
from eha.models.base import utcnow
from eha.models.users import User
from eha.workflow import effects, machine, queries, table
from eha.workflow.context import FireContext
from eha.workflow.guards import closure_reason_allowed, manager_sign_off, outcomes_recorded
from eha.workflow.states import CLOSURE_REASONS, OPEN_STATES, STATE_LABELS


class WorkflowError(Exception):
    pass


class TransitionNotAllowed(WorkflowError):
    """The trigger is not allowed from the case's state now (views answer 409 with the message)."""

    status = 409

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotPermitted(TransitionNotAllowed):
    """The user may see the case but not run this step on it (views answer 403 with the message)."""

    status = 403


class GuardFailed(WorkflowError):
    """One or more guards failed; ``messages`` says what to do about each."""

    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def may_run(user, case, spec):
    if user is None or not getattr(user, "is_authenticated", True) or user.is_admin:
        return False
    if spec.who == table.MANAGE:
        return access.can_manage(user, case)
    return False


def available_triggers(case, user):
    """``[(trigger name, label)]`` the user may press now: allowed from the state and permitted to them."""
    return [
        (spec.name, spec.label)
        for spec in table.triggers_from(case.state)
        if machine.allowed(spec.name, case.state) and may_run(user, case, spec)
    ]


def _lock(case):
    """Re-read the case under a row lock (PostgreSQL ``FOR UPDATE``; SQLite serialises writers anyway)."""
    db.session.flush()
    try:
        # "OF assessments": PostgreSQL refuses FOR UPDATE on the outer-joined eager loads (family, lead...).
        db.session.refresh(case, with_for_update={"of": type(case)})
    except StaleDataError as exc:  # pragma: no cover - flush of a stale case
        raise TransitionNotAllowed(_stale_message()) from exc


def _stale_message():
    return "Someone else changed this case at the same time. Check its current state and try again."


def _not_allowed_message(case, spec):
    state_label = STATE_LABELS.get(case.state, case.state)
    if case.state not in OPEN_STATES:
        return f"This case is closed: you cannot {lower_first(spec.label)}."
    return f"You cannot {lower_first(spec.label)} now: the case is '{state_label}'."


def _context(case, spec, by, data, today=None):
    return FireContext(
        trigger=spec.name,
        by=by,
        source=case.state,
        dest=spec.dest,
        data=data,
        today=today or date.today(),
        now=utcnow(),
        config=current_app.config,
    )


def check(case, trigger, by, *, today=None, lock=True, **data):
    """Run the permission, state and guard checks without changing anything; returns the context."""
    spec = table.get(trigger)
    if spec is None:
        raise TransitionNotAllowed("There is no such step for a case.")
    if lock:
        _lock(case)
    if not machine.allowed(trigger, case.state):
        raise TransitionNotAllowed(_not_allowed_message(case, spec))
    if not may_run(by, case, spec):
        raise NotPermitted(
            f"Only the lead professional or a manager can {lower_first(spec.label)}."
        )
    ctx = _context(case, spec, by, data, today)
    messages = []
    for guard in spec.guards:
        messages.extend(guard(case, ctx))
    if messages:
        raise GuardFailed(messages)
    return ctx


def fire(case, trigger, by, *, today=None, **data):
    """Move ``case`` along ``trigger``. Raises TransitionNotAllowed or GuardFailed; flushes, never commits."""
    ctx = check(case, trigger, by, today=today, **data)
    source = case.state
    if not machine.move(case, trigger):  # pragma: no cover - check() already refused it
        raise TransitionNotAllowed(_not_allowed_message(case, table.get(trigger)))
    for effect in table.get(trigger).effects:
        effect(case, ctx)
    effects.refresh_due(case, ctx.config, ctx.today)
    detail = {"trigger": trigger, "from": source, "to": case.state, **ctx.audit_detail}
    audit.record("transition", assessment=case, user=by, detail=detail)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise TransitionNotAllowed(_stale_message()) from exc
    return case


# --- closure with a manager's sign-off ---


def needs_sign_off(by):
    return bool(current_app.config.get("EHA_CLOSURE_SIGN_OFF")) and not by.is_manager


def request_closure(case, by, reason, notes=None, outcomes=None, *, today=None):
    """A lead professional asks a manager to sign off closing the case (same checks as ``close``)."""
    spec = table.get("close")
    _lock(case)
    if not machine.allowed("close", case.state):
        raise TransitionNotAllowed(_not_allowed_message(case, spec))
    if not may_run(by, case, spec):
        raise NotPermitted("Only the lead professional or a manager can close the case.")
    ctx = _context(case, spec, by, {"reason": reason, "notes": notes, "outcomes": outcomes or {}}, today)
    messages = closure_reason_allowed(case, ctx) + outcomes_recorded(case, ctx)
    if messages:
        raise GuardFailed(messages)
    case.pending_closure_reason = reason
    case.pending_closure_notes = notes or None
    case.pending_closure_outcomes = outcomes or {}
    case.pending_closure_by_id = by.id
    case.pending_closure_at = ctx.now
    audit.record(
        "closure_requested",
        assessment=case,
        user=by,
        detail={"trigger": "close", "state": case.state, "reason": reason,
                "text": f"Asked a manager to sign off closing the case ({CLOSURE_REASONS.get(reason, reason)})"},
    )
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise TransitionNotAllowed(_stale_message()) from exc
    return case


def approve_closure(case, manager, *, today=None):
    """A manager signs off the pending closure: the case closes with the lead professional's reason."""
    _lock(case)
    if not manager.is_manager:
        raise NotPermitted("Only a manager can sign off a closure.")
    if not case.pending_closure_reason:
        raise TransitionNotAllowed("There is no closure waiting for sign-off on this case.")
    requested_by = db.session.get(User, case.pending_closure_by_id) if case.pending_closure_by_id else None
    return fire(
        case, "close", manager, today=today,
        reason=case.pending_closure_reason, notes=case.pending_closure_notes,
        outcomes=case.pending_closure_outcomes or {}, approved_by=manager, requested_by=requested_by,
    )


def reject_closure(case, manager, reason):
    """A manager sends the closure back to the lead professional, with why."""
    _lock(case)
    if not manager.is_manager:
        raise NotPermitted("Only a manager can reject a closure.")
    if not case.pending_closure_reason:
        raise TransitionNotAllowed("There is no closure waiting for sign-off on this case.")
    if not (reason or "").strip():
        raise GuardFailed(["Enter why the closure is not signed off"])
    rejected = case.pending_closure_reason
    case.pending_closure_reason = None
    case.pending_closure_notes = None
    case.pending_closure_outcomes = None
    case.pending_closure_by_id = None
    case.pending_closure_at = None
    audit.record(
        "closure_rejected", assessment=case, user=manager,
        detail={"trigger": "close", "state": case.state,
                "reason": rejected, "why": reason.strip(),
                "text": f"Did not sign off closing the case: {reason.strip()}"},
    )
    db.session.flush()
    return case


__all__ = [
    "fire", "check", "available_triggers", "request_closure", "approve_closure", "reject_closure",
    "TransitionNotAllowed", "GuardFailed", "WorkflowError", "manager_sign_off", "queries", "needs_sign_off",
]
