"""The one shared ``transitions.Machine``, built from the table.

No model is registered (``model=None``): SQLAlchemy does not call ``__init__`` on loaded rows, and a machine
per row would be wasteful. ``move`` runs the trigger's event on the case directly, which checks the source
state and writes ``case.state`` through ``model_attribute``; guards and effects are run by ``fire`` so that
every failing guard can be reported at once.
"""

from transitions import Machine

from eha.workflow.states import DRAFT, STATES
from eha.workflow.table import TRIGGERS

MACHINE = Machine(
    model=None,
    states=list(STATES),
    transitions=[{"trigger": t.name, "source": list(t.sources), "dest": t.dest} for t in TRIGGERS],
    initial=DRAFT,
    auto_transitions=False,
    model_attribute="state",
    send_event=True,
    ignore_invalid_triggers=True,
)


def allowed(trigger, state):
    """Whether the table has ``trigger`` from ``state``."""
    return bool(MACHINE.get_transitions(trigger=trigger, source=state))


def move(case, trigger):
    """Change ``case.state`` along ``trigger``; False when the trigger is not allowed from its state."""
    if trigger not in MACHINE.events:
        return False
    return MACHINE.events[trigger].trigger(case)
