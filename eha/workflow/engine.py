"""``fire(case, trigger, by, **data)``: the only way a case moves along the transition table.

It locks the case row, checks the trigger is allowed from the current state, that ``by`` may run it (the row's
``who``) and that its preconditions hold, runs every guard (reporting every failing message at once), moves the
state through the shared machine (an internal transition leaves it), runs the effects, records exactly one audit
event (the row's ``audit`` action, "transition" for a change of state) and flushes. It never commits: the caller
runs it inside one transaction (``eha.services.workflow.run`` or a service's ``@case_action``), so a refusal rolls
everything back.

Refusals are the domain errors (``eha.errors``): ``NotAllowed`` (409), ``NotPermitted`` (403), ``GuardFailed``.
"""

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.orm.exc import StaleDataError

from eha import access, audit
from eha.errors import GuardFailed, NotAllowed, NotPermitted
from eha.extensions import db
from eha.i18n import N_, translated
from eha.models.base import utcnow
from eha.models.report_facts import move_for
from eha.services import webhooks
from eha.transaction import STALE_CASE, lock_case
from eha.workflow import effects, machine, table
from eha.workflow.context import FireContext
from eha.workflow.states import OPEN_STATES, STATE_LABELS

# The old names, for the views still catching them while they are converted (meetings, reviews).

WHO_MAY = {
    table.MANAGE: N_("the lead professional or a manager"),
    table.MANAGER: N_("a manager"),
}
# A refusal is a lazy message (eha.errors): its words are chosen when it is shown, so a page reads it in its
# language and the audit trail keeps it in English (access.record_failure reads it under English).
NO_SUCH_STEP = _l("There is no such step for a case.")


def may_run(user, case, spec):
    if user is None or not getattr(user, "is_authenticated", True) or user.is_admin:
        return False
    if spec.who == table.MANAGE:
        return access.can_manage(user, case)
    if spec.who == table.MANAGER:
        return user.is_manager
    return False


def is_open_to(spec, case, user):
    """Whether ``user`` may take the step ``spec`` on ``case`` now, before its guards: state, who, preconditions."""
    return (
        machine.allowed(spec.name, case.state)
        and may_run(user, case, spec)
        and all(pre.test(case, user) for pre in spec.requires)
    )


def available_triggers(case, user, *, offered_only=False):
    """The table rows ``user`` may take on ``case`` now (``offered_only``: those the case page offers as buttons)."""
    return [
        spec
        for spec in table.triggers_from(case.state)
        if (spec.offered or not offered_only) and is_open_to(spec, case, user)
    ]


def closing_trigger(by):
    """The step a closure by ``by`` takes: a request for sign-off when the council requires one of a manager."""
    if current_app.config.get("EHA_CLOSURE_SIGN_OFF") and not by.is_manager:
        return "request_closure"
    return "close"


def needs_sign_off(by):
    return closing_trigger(by) == "request_closure"


def _step_words(spec):
    return LazyString(spec.words_shown)


def _not_allowed_message(case, spec):
    if case.state not in OPEN_STATES:
        return _l("This case is closed: you cannot %(step)s.", step=_step_words(spec))
    label = STATE_LABELS.get(case.state, case.state)
    return _l(
        "You cannot %(step)s now: the case is '%(state)s'.",
        step=_step_words(spec),
        state=LazyString(lambda: translated(label)),
    )


def _context(case, spec, by, data, today=None):
    if spec.data_from is not None:
        data = {**spec.data_from(case), **data}
    return FireContext(
        trigger=spec.name,
        by=by,
        source=case.state,
        dest=spec.dest or case.state,
        data=data,
        today=today or date.today(),
        now=utcnow(),
        config=current_app.config,
    )


def refusal(case, spec, by):
    """The error refusing ``by`` the step before its guards run, or None."""
    detail = {"trigger": spec.name, "from": case.state}
    if not machine.allowed(spec.name, case.state):
        return NotAllowed(_not_allowed_message(case, spec), detail=detail)
    if not may_run(by, case, spec):
        who = WHO_MAY.get(spec.who, WHO_MAY[table.MANAGER])
        return NotPermitted(
            _l("Only %(who)s can %(step)s.", who=LazyString(lambda: translated(who)), step=_step_words(spec)),
            detail=detail,
        )
    for pre in spec.requires:
        if not pre.test(case, by):
            return NotAllowed(pre.message, detail=detail)
    return None


def check(case, trigger, by, *, today=None, lock=True, **data):
    """Run the state, permission, precondition and guard checks without changing anything; returns the context."""
    spec = table.get(trigger)
    if spec is None:
        raise NotAllowed(NO_SUCH_STEP, detail={"trigger": str(trigger)[:40]})
    if lock:
        lock_case(case)
    error = refusal(case, spec, by)
    if error is not None:
        raise error
    ctx = _context(case, spec, by, data, today)
    messages = [message for guard in spec.guards for message in guard(case, ctx)]
    if messages:
        raise GuardFailed(messages, detail={"trigger": spec.name, "from": case.state})
    return ctx


def fire(case, trigger, by, *, today=None, **data):
    """Take ``trigger`` on ``case``. Raises NotAllowed, NotPermitted or GuardFailed; flushes, never commits."""
    ctx = check(case, trigger, by, today=today, **data)
    spec = table.get(trigger)
    source = case.state
    if spec.dest is not None and not machine.move(case, trigger):  # pragma: no cover - check() refused it
        raise NotAllowed(_not_allowed_message(case, spec))
    for effect in spec.effects:
        effect(case, ctx)
    effects.refresh_due(case, ctx.config, ctx.today)
    detail = {"trigger": trigger, "from": source, "to": case.state, **ctx.audit_detail}
    move = move_for(audit.record(spec.audit, assessment=case, user=by, detail=detail))
    if move is not None:
        db.session.add(move)  # the reports' copy of the change of state (time in each state)
    if case.state != source:
        # The systems subscribed to state changes hear of it once this transaction commits (the outbox).
        webhooks.queue_state_change(case, trigger=trigger, source=source)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise NotAllowed(STALE_CASE) from exc
    return case


__all__ = [
    "fire",
    "check",
    "available_triggers",
    "closing_trigger",
    "needs_sign_off",
    "may_run",
    "is_open_to",
    "GuardFailed",
    "NotAllowed",
    "NotPermitted",
]
