"""The transition table (DESIGN.md section 3) as data: the machine, ``fire``, the buttons and the diagram
all read it. Change the workflow here and nowhere else."""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Trigger:
    name: str
    label: str  # the button: "Complete the assessment"
    done: str  # the timeline, after a name: "completed the assessment"
    sources: tuple
    dest: str
    guards: tuple = ()
    effects: tuple = ()
    who: str = MANAGE
    # True when the trigger needs data a page collects (a meeting, a review, a closure reason).
    needs_data: bool = False
    conditions: str = ""  # the guards in words, for the help page


TRIGGERS = (
    Trigger(
        "complete_assessment", "Complete the assessment", "completed the assessment",
        (DRAFT,), ASSESSED,
        guards=(guards.agreement_recorded, guards.required_fields_complete, guards.has_child,
                guards.need_identified),
        effects=(effects.mark_completed,),
        conditions="The family's agreement is recorded and not withdrawn; every required question is answered; "
                   "at least one child; at least one need identified.",
    ),
    Trigger(
        "schedule_taf", "Schedule the TAF meeting", "scheduled the TAF meeting",
        (ASSESSED,), TAF_SCHEDULED,
        guards=(guards.taf_meeting_arranged,),
        effects=(effects.note_meeting,),
        needs_data=True,
        conditions="A meeting date, a place or video link, and at least one professional invited from an agency "
                   "the family agreed to.",
    ),
    Trigger(
        "agree_plan", "Agree the plan", "agreed the plan",
        (TAF_SCHEDULED,), PLAN_ACTIVE,
        guards=(guards.taf_meeting_held, guards.has_lead, guards.plan_signed_with_actions),
        effects=(effects.review_due_from_meeting, effects.note_plan_version),
        conditions="The TAF meeting recorded as held, with who attended; a lead professional; at least one action "
                   "(what, who, by when, how we'll know it worked); the plan signed by the lead professional and a "
                   "parent, carer or the young person.",
    ),
    Trigger(
        "schedule_review", "Schedule a review", "scheduled a review meeting",
        (PLAN_ACTIVE,), REVIEW_SCHEDULED,
        guards=(guards.review_meeting_dated,),
        effects=(effects.note_meeting,),
        needs_data=True,
        conditions="A review meeting date.",
    ),
    Trigger(
        "record_review", "Record the review", "recorded the review",
        (REVIEW_SCHEDULED,), PLAN_ACTIVE,
        guards=(guards.review_recorded,),
        effects=(effects.review_due_from_meeting, effects.note_plan_version),
        needs_data=True,
        conditions="The review meeting held; progress recorded for every open action; the family's view and the "
                   "scaling scores; a changed plan is a new version, signed again.",
    ),
    Trigger(
        "close", "Close the case", "closed the case",
        OPEN_STATES, CLOSED,
        guards=(guards.closure_reason_allowed, guards.outcomes_recorded, guards.manager_sign_off),
        effects=(effects.record_closure,),
        needs_data=True,
        conditions="A closure reason allowed from the state; from a plan state, an outcome for each need; a "
                   "manager's sign-off when the council requires it.",
    ),
    Trigger(
        "step_up", "Step up to children's social care", "stepped the case up to children's social care",
        OPEN_STATES, CLOSED,
        guards=(guards.referral_details,),
        effects=(effects.record_step_up,),
        needs_data=True,
        conditions="The referral's date, the team referred to and the reason.",
    ),
)

BY_NAME = {t.name: t for t in TRIGGERS}

# Work done between transitions, and the states that allow it. Pages and services read these; none keeps a list
# of states of its own.
PLANNING = (ASSESSED, TAF_SCHEDULED, PLAN_ACTIVE, REVIEW_SCHEDULED)  # the plan's actions and signatures change
SCHEDULING = {  # a meeting of each kind can be booked
    "taf": (ASSESSED, TAF_SCHEDULED, PLAN_ACTIVE, REVIEW_SCHEDULED),
    "review": (PLAN_ACTIVE,),
}
RECORDING_PROGRESS = OPEN_STATES  # TAF members record progress on the actions they own


def get(name):
    return BY_NAME.get(name)


def triggers_from(state):
    return [t for t in TRIGGERS if state in t.sources]
