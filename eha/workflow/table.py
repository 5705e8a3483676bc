"""The transition table (DESIGN.md section 3) as data: the machine, ``fire``, the buttons, the success
messages, the pages that collect a step's data, the help page and the diagram all read it. Change the workflow
here and nowhere else.

Closure sign-off is three rows of the table, not a state of its own. ``request_closure`` and ``reject_closure``
are internal transitions (``dest=None``: the case stays where it is, with or without a closure awaiting sign-off)
and ``approve_closure`` closes the case with the lead professional's reason. So ``fire`` does the lock, the
allowed check, the permission (``who``), the guards and the audit row for them as for every other step.
A ``closure_requested`` state was the alternative: it would have touched the CHECK constraint on the state
column (a migration), the demo, the reports and every user of ``OPEN_STATES`` and ``PLANNING`` (a case awaiting
sign-off is still open and its plan still runs), and it would have lost the state the case came from, which
decides the closure reasons and whether outcomes are needed. The request is already a set of columns
(``pending_closure_*``); ``requires`` says when a row is open to the user at all.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from eha.formatting import lower_first
from eha.i18n import N_, translated
from eha.workflow import effects, guards
from eha.workflow.states import (
    ASSESSED,
    CLOSED,
    DRAFT,
    OPEN_STATES,
    PLAN_ACTIVE,
    REVIEW_SCHEDULED,
    TAF_SCHEDULED,
)

MANAGE = "manage"  # the lead professional or a manager (access.can_manage)
MANAGER = "manager"  # a manager only


@dataclass(frozen=True)
class Precondition:
    """When a step is open at all, beyond its source states: unmet, the step is not offered and answers 409 with
    ``message`` (a refusal, not a guard: there is nothing the user can fill in to meet it)."""

    test: object  # (case, by) -> bool
    message: object  # a lazy message: shown in the page's language, kept in the audit trail in English


def _closure_pending(case, by):
    return bool(case.pending_closure_reason)


def _no_closure_pending(case, by):
    return not case.pending_closure_reason


def _decided_by_a_manager_if_pending(case, by):
    return not case.pending_closure_reason or by.is_manager


CLOSURE_PENDING = Precondition(_closure_pending, _l("There is no closure waiting for sign-off on this case."))
NO_CLOSURE_PENDING = Precondition(
    _no_closure_pending, _l("A manager has been asked to sign off closing this case already: they decide now.")
)
MANAGER_DECIDES_PENDING = Precondition(
    _decided_by_a_manager_if_pending, _l("A manager has been asked to sign off closing this case: they decide now.")
)


@dataclass(frozen=True)
class Trigger:
    name: str
    label: str  # the button: "Complete the assessment" (English, marked N_: translated where shown)
    done: str  # the timeline, after a name: "completed the assessment" (the same)
    sources: tuple
    dest: str | None  # None: an internal transition (the state stays; the step is still audited)
    guards: tuple = ()
    effects: tuple = ()
    who: str = MANAGE
    # Where the step is taken: the page that collects its data (a meeting, a review, a closure reason) as
    # (endpoint, url arguments), or with ``post`` the address a button POSTs it to. None: the case page's button
    # POSTs it to closure.fire.
    page: tuple | None = None
    post: bool = False
    kind: str = ""  # the button's look: "" (primary), "secondary" or "warning"
    success: str = ""  # the message after the step, on the case page
    what: str = ""  # the step after "you cannot …" in refusals; the label, lower-cased, when empty
    audit: str = "transition"  # the audit action the step records
    requires: tuple = ()  # Preconditions
    offered: bool = True  # among the case page's "What you can do next" buttons
    # Where the step's data comes from when no page sends it: (case) -> dict (approve_closure: the request's).
    data_from: object = None
    conditions: str = ""  # the guards in words, for the help page

    @property
    def words(self):
        """The step after "you cannot …", in English (``words_shown`` in the page's language)."""
        return self.what or lower_first(self.label)

    def words_shown(self):
        return translated(self.what) if self.what else lower_first(translated(self.label))


TRIGGERS = (
    Trigger(
        "complete_assessment",
        N_("Complete the assessment"),
        N_("completed the assessment"),
        (DRAFT,),
        ASSESSED,
        guards=(guards.agreement_recorded, guards.required_fields_complete, guards.has_child, guards.need_identified),
        effects=(effects.mark_completed,),
        success=N_("The assessment is complete"),
        conditions=N_(
            "The family's agreement is recorded and not withdrawn; every required question is answered; "
            "at least one child; at least one need identified."
        ),
    ),
    Trigger(
        "schedule_taf",
        N_("Schedule the TAF meeting"),
        N_("scheduled the TAF meeting"),
        (ASSESSED,),
        TAF_SCHEDULED,
        guards=(guards.taf_meeting_arranged,),
        effects=(effects.note_meeting,),
        page=("meetings.new", {"kind": "taf"}),
        conditions=N_(
            "A meeting date, a place or video link, and at least one professional invited from an agency "
            "the family agreed to."
        ),
    ),
    Trigger(
        "agree_plan",
        N_("Agree the plan"),
        N_("agreed the plan"),
        (TAF_SCHEDULED,),
        PLAN_ACTIVE,
        guards=(guards.taf_meeting_held, guards.has_lead, guards.plan_signed_with_actions),
        effects=(effects.review_due_from_meeting, effects.note_plan_version),
        success=N_("The plan is agreed and active"),
        conditions=N_(
            "The TAF meeting recorded as held, with who attended; a lead professional; at least one action "
            "(what, who, by when, how we'll know it worked); the plan signed by the lead professional and a "
            "parent, carer or the young person."
        ),
    ),
    Trigger(
        "schedule_review",
        N_("Schedule a review"),
        N_("scheduled a review meeting"),
        (PLAN_ACTIVE,),
        REVIEW_SCHEDULED,
        guards=(guards.review_meeting_dated,),
        effects=(effects.note_meeting,),
        page=("meetings.new", {"kind": "review"}),
        conditions=N_("A review meeting date."),
    ),
    Trigger(
        "record_review",
        N_("Record the review"),
        N_("recorded the review"),
        (REVIEW_SCHEDULED,),
        PLAN_ACTIVE,
        guards=(guards.review_recorded,),
        effects=(effects.review_due_from_meeting, effects.note_plan_version),
        page=("reviews.new", {}),
        conditions=N_(
            "The review meeting held; progress recorded for every open action; the family's view and the "
            "scaling scores; a changed plan is a new version, signed again."
        ),
    ),
    Trigger(
        "close",
        N_("Close the case"),
        N_("closed the case"),
        OPEN_STATES,
        CLOSED,
        guards=(guards.closure_reason_allowed, guards.outcomes_recorded, guards.manager_sign_off),
        effects=(effects.record_closure,),
        requires=(MANAGER_DECIDES_PENDING,),
        page=("closure.close", {}),
        kind="secondary",
        success=N_("The case is closed"),
        conditions=N_(
            "A closure reason allowed from the state; from a plan state, an outcome for each need; a "
            "manager's sign-off when the council requires it."
        ),
    ),
    Trigger(
        "request_closure",
        N_("Ask a manager to sign off closing the case"),
        N_("asked a manager to sign off closing the case"),
        OPEN_STATES,
        None,
        guards=(guards.closure_reason_allowed, guards.outcomes_recorded),
        effects=(effects.record_closure_request,),
        audit="closure_requested",
        requires=(NO_CLOSURE_PENDING,),
        offered=False,  # the close page sends it when the council requires sign-off
        page=("closure.close", {}),
        success=N_("Closure sent to a manager for sign-off"),
        what=N_("ask for the case to be closed"),
        conditions=N_("The same as closing the case; the case stays open, awaiting a manager's sign-off."),
    ),
    Trigger(
        "approve_closure",
        N_("Sign off the closure"),
        N_("signed off the closure and closed the case"),
        OPEN_STATES,
        CLOSED,
        guards=(guards.closure_reason_allowed, guards.outcomes_recorded),
        effects=(effects.record_closure, effects.record_sign_off),
        who=MANAGER,
        requires=(CLOSURE_PENDING,),
        offered=False,  # offered beside the request it decides on
        data_from=effects.pending_closure_data,
        page=("closure.approve", {}),
        post=True,
        success=N_("Closure signed off: the case is closed"),
        what=N_("sign off a closure"),
        conditions=N_(
            "A closure awaiting sign-off; a manager signs it off. The case closes with the lead "
            "professional's reason and outcomes."
        ),
    ),
    Trigger(
        "reject_closure",
        N_("Do not sign off"),
        N_("did not sign off closing the case"),
        OPEN_STATES,
        None,
        guards=(guards.rejection_reason_given,),
        effects=(effects.clear_closure_request,),
        who=MANAGER,
        audit="closure_rejected",
        requires=(CLOSURE_PENDING,),
        offered=False,
        page=("closure.reject", {}),
        success=N_("Closure not signed off: the lead professional will see why"),
        what=N_("send a closure back"),
        conditions=N_("A closure awaiting sign-off; a manager says why it is not signed off. The case stays open."),
    ),
    Trigger(
        "step_up",
        N_("Step up to children's social care"),
        N_("stepped the case up to children's social care"),
        OPEN_STATES,
        CLOSED,
        guards=(guards.referral_details,),
        effects=(effects.record_step_up,),
        page=("closure.step_up", {}),
        kind="warning",
        success=N_("The case is closed: stepped up to children's social care"),
        conditions=N_("The referral's date, the team referred to and the reason."),
    ),
)

BY_NAME = {t.name: t for t in TRIGGERS}

# Work done between transitions, and the states that allow it. Pages and services read these; none keeps a list
# of states of its own.
PLANNING = (ASSESSED, TAF_SCHEDULED, PLAN_ACTIVE, REVIEW_SCHEDULED)  # the plan's actions and signatures change
SCHEDULING = {  # a meeting of each kind can be booked
    "taf": (ASSESSED, TAF_SCHEDULED, PLAN_ACTIVE, REVIEW_SCHEDULED),
    "review": (PLAN_ACTIVE,),
    # The family and their own network plan together (Family Help: family group decision making) while the plan
    # is drafted or in force. It fires no trigger: the case's state and what is due stay as they are.
    "family_network": PLANNING,
}
RECORDING_PROGRESS = OPEN_STATES  # TAF members record progress on the actions they own


def get(name):
    return BY_NAME.get(name)


def triggers_from(state):
    return [t for t in TRIGGERS if state in t.sources]
