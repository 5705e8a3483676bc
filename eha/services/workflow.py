"""Taking a workflow step from the case page: one transaction for the step, its effects and its audit row.

``run`` is what the views call for every row of the transition table they offer: the buttons, closing, stepping
up and closure sign-off. A refusal raises the domain error; a guard failure is recorded here (the view shows its
messages on its own page, so ``access.case_route`` must not record a second event for the same request).
"""

from flask_babel import gettext

from eha import access
from eha.definitions import needs_identified
from eha.definitions.store import definition_for
from eha.errors import GuardFailed, NotAllowed
from eha.i18n import translated
from eha.models.choices import ACTION_PROGRESS
from eha.services.plans import signed_plan, who_label
from eha.transaction import case_action
from eha.workflow import engine, table
from eha.workflow.guards import need_labels
from eha.workflow.states import PLAN_STATES, STATE_LABELS, closure_reasons_for


@case_action
def _take(case, trigger, by, data):
    return engine.fire(case, trigger, by, **data)


def run(case, trigger, by, **data):
    """Take ``trigger`` on ``case`` for ``by``; returns the success message. Raises NotAllowed, NotPermitted or
    GuardFailed (the failed attempt already in the audit trail)."""
    try:
        _take(case, trigger, by, data)
    except GuardFailed as error:
        access.record_failure(case, "transition", error)
        access.note_recorded()
        raise
    spec = table.get(trigger)
    # Flashed on the page the user sees next, so in their language.
    if spec.success:
        return translated(spec.success)
    return gettext("The case is now: %(state)s", state=translated(STATE_LABELS[case.state]))


def step(name):
    """The table row ``name``; an unknown step is not allowed (409), like a step not allowed from the state."""
    spec = table.get(name)
    if spec is None:
        raise NotAllowed(engine.NO_SUCH_STEP, detail={"trigger": str(name)[:40]})
    return spec


def closing_page(case, by):
    """What the close page offers ``case`` now: the reasons allowed, a question per need from a plan state, and
    whether the closure goes to a manager for sign-off (``trigger``: the step the page takes), and the actions
    of the plan in force not done (the lead confirms they checked them)."""
    from_plan = case.state in PLAN_STATES
    needs = []
    if from_plan:
        labels = need_labels(case)
        needs = [
            (code, labels.get(code, code)) for code in needs_identified(definition_for(case), case.answers_by_section())
        ]
    return {
        "reasons": closure_reasons_for(case.state),
        "needs": needs,
        "from_plan": from_plan,
        "trigger": engine.closing_trigger(by),
        "sign_off": engine.needs_sign_off(by),
        "not_done": actions_not_done(case) if from_plan else [],
    }


def actions_not_done(case):
    """The open actions of the plan in force, in the plan's order: neither done nor no longer needed."""
    version = signed_plan(case)
    if version is None:
        return []
    return [
        {"what": a.what, "who": who_label(a), "progress": ACTION_PROGRESS.get(a.progress, "No progress recorded")}
        for a in sorted(version.actions, key=lambda a: a.position)
        if a.is_open
    ]


def require_open_to(case, trigger, by):
    """Refuse (403/409, with the reason) unless ``by`` may take ``trigger`` on ``case`` now: for the pages that
    collect a step's data, so a GET answers as the POST would."""
    error = engine.refusal(case, step(trigger), by)
    if error is not None:
        raise error
