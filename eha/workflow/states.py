"""Case states and closure reasons: the one list the database, the machine and the UI share."""

from eha.i18n import N_

DRAFT = "draft"
ASSESSED = "assessed"
TAF_SCHEDULED = "taf_scheduled"
PLAN_ACTIVE = "plan_active"
REVIEW_SCHEDULED = "review_scheduled"
CLOSED = "closed"

STATES = (DRAFT, ASSESSED, TAF_SCHEDULED, PLAN_ACTIVE, REVIEW_SCHEDULED, CLOSED)
OPEN_STATES = (DRAFT, ASSESSED, TAF_SCHEDULED, PLAN_ACTIVE, REVIEW_SCHEDULED)
PLAN_STATES = (PLAN_ACTIVE, REVIEW_SCHEDULED)

# English, as stored and exported; pages translate them (N_ marks them for the catalogue, eha.i18n).
STATE_LABELS = {
    DRAFT: N_("Assessment in progress"),
    ASSESSED: N_("Assessed"),
    TAF_SCHEDULED: N_("TAF meeting scheduled"),
    PLAN_ACTIVE: N_("Plan active"),
    REVIEW_SCHEDULED: N_("Review scheduled"),
    CLOSED: N_("Closed"),
}
# GOV.UK tag colour modifiers; the label always carries the meaning.
STATE_TAG_CLASSES = {
    DRAFT: "govuk-tag--grey",
    ASSESSED: "govuk-tag--blue",
    TAF_SCHEDULED: "govuk-tag--light-blue",
    PLAN_ACTIVE: "govuk-tag--green",
    REVIEW_SCHEDULED: "govuk-tag--turquoise",
    CLOSED: "govuk-tag--purple",
}

# Closure reasons and the states each may be used from.
OUTCOMES_MET = "outcomes_met"
STEPPED_DOWN = "stepped_down"
STEPPED_UP = "stepped_up"
AGREEMENT_WITHDRAWN = "agreement_withdrawn"
AGREEMENT_NOT_GIVEN = "agreement_not_given"
MOVED_OUT = "moved_out"
CREATED_IN_ERROR = "created_in_error"

CLOSURE_REASONS = {
    OUTCOMES_MET: N_("Outcomes met"),
    STEPPED_DOWN: N_("Stepped down to one agency or universal services"),
    STEPPED_UP: N_("Stepped up to children's social care"),
    AGREEMENT_WITHDRAWN: N_("Family no longer wishes to continue (agreement withdrawn)"),
    AGREEMENT_NOT_GIVEN: N_("Agreement not given"),
    MOVED_OUT: N_("Family moved out of area"),
    CREATED_IN_ERROR: N_("Created in error"),
}
CLOSURE_REASONS_FROM = {
    OUTCOMES_MET: PLAN_STATES,
    STEPPED_DOWN: (ASSESSED, TAF_SCHEDULED, PLAN_ACTIVE, REVIEW_SCHEDULED),
    AGREEMENT_WITHDRAWN: (ASSESSED, TAF_SCHEDULED, PLAN_ACTIVE, REVIEW_SCHEDULED),
    AGREEMENT_NOT_GIVEN: (DRAFT,),
    MOVED_OUT: OPEN_STATES,
    CREATED_IN_ERROR: (DRAFT,),
    # Stepping up has its own trigger, allowed from every open state.
    STEPPED_UP: OPEN_STATES,
}


def closure_reasons_for(state):
    """The closure reasons (code, label) the ``close`` trigger accepts from ``state``."""
    return [
        (code, label)
        for code, label in CLOSURE_REASONS.items()
        if code != STEPPED_UP and state in CLOSURE_REASONS_FROM[code]
    ]
