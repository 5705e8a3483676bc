"""The case timeline: what happened, in words, from the case's audit events (a page at a time, newest first).

Looks at the case (views, PDF downloads, refusals) belong on the history page, not here.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext

from eha import audit
from eha.definitions.store import reader_definition
from eha.extensions import db
from eha.formatting import format_date, format_datetime, london_time, lower_first
from eha.i18n import N_, current_language, translated
from eha.models.audit import AuditEvent
from eha.models.choices import ACTION_PROGRESS, MEETING_KINDS, REVIEW_DECISIONS
from eha.pagination import paginate
from eha.workflow import table
from eha.workflow.states import CLOSURE_REASONS, STEPPED_UP

TIMELINE_PAGE_SIZE = 20
NOT_ON_TIMELINE = (
    "case_viewed",
    "section_viewed",
    "plan_viewed",
    "history_viewed",
    "case_refused",
    "pdf_downloaded",
    "forged_field",
    "export",
)


@dataclass(frozen=True)
class Entry:
    at: datetime  # local (UK) time
    who: str
    what: str
    action: str
    trigger: str | None = None

    @property
    def text(self):
        return f"{format_datetime(self.at, language=current_language())} — {self.who} {self.what}"


def _section_title(definition, key):
    if definition is not None and isinstance(key, str) and definition.has_section(key):
        return definition.section(key).title
    return None


# Events about a member of staff hold the person's id (issue 19: no names in the trail); the page names them.
NAMED_STAFF = {
    "lead_changed": ("to", N_("handed the case to %(name)s as lead professional")),
    "taf_member_removed": ("user", N_("removed %(name)s from the Team Around the Family")),
}


def closure_returns(events):
    """{closure return id: why} of the page's "did not sign off" events, in one query (the words are kept on the
    case, not in the audit trail)."""
    from eha.models.assessments import ClosureReturn

    ids = {(e.detail or {}).get("closure_return") for e in events if e.action == "closure_rejected" and e.detail} - {
        None
    }
    if not ids:
        return {}
    rows = db.session.execute(sa.select(ClosureReturn.id, ClosureReturn.why).where(ClosureReturn.id.in_(ids)))
    return {return_id: why for return_id, why in rows}


def staff_names(events):
    """{user id: "Name (Agency)"} of the staff the page's events are about, in one query."""
    from eha.models.users import Agency, User

    ids = set()
    for event in events:
        key = NAMED_STAFF.get(event.action, (None,))[0]
        value = (event.detail or {}).get(key) if key else None
        if isinstance(value, int):
            ids.add(value)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(User.id, User.name, Agency.name)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(User.id.in_(ids))
    )
    return {user_id: f"{name} ({agency})" if agency else name for user_id, name, agency in rows}


def _named(event, names):
    key, words = NAMED_STAFF.get(event.action, (None, None))
    name = names.get((event.detail or {}).get(key)) if key else None
    if event.action == "lead_changed" and name:
        name = name.split(" (")[0]
    return gettext(words, name=name) if name else None


# The fixed sentences services write in ``detail["text"]`` (English, for the audit trail; the keys are not for the
# catalogue): the timeline shows each in the reader's language, after a name.
FIXED_TEXTS = {
    "Added an action": N_("added an action"),
    "Changed an action": N_("changed an action"),
    "Removed an action": N_("removed an action"),
    "Handed the case to another lead professional": N_("handed the case to another lead professional"),
    "Removed a member from the Team Around the Family": N_("removed a member from the Team Around the Family"),
    "Added someone without an eha account to the case": N_("added someone without an eha account to the case"),
    "Changed the details of someone on the case": N_("changed the details of someone on the case"),
    "Took someone without an eha account off the case": N_("took someone without an eha account off the case"),
}

# ``audit.label`` of each action a case's timeline shows, after a name, for events without a sentence of their own.
ACTION_WORDS = {
    "case_created": N_("started the assessment"),
    "section_saved": N_("saved an assessment section"),
    "consent_recorded": N_("recorded the family's agreement"),
    "consent_withdrawn": N_("recorded that the family withdrew agreement"),
    "family_updated": N_("updated the family's details"),
    "transition": N_("moved the case on"),
    "closure_requested": N_("asked a manager to sign off closing the case"),
    "closure_rejected": N_("sent a closure back to the lead professional"),
    "meeting_scheduled": N_("scheduled a meeting"),
    "taf_member_removed": N_("removed someone from the Team Around the Family"),
    "lead_changed": N_("changed the lead professional"),
    "case_person_added": N_("added someone without an eha account to the case"),
    "case_person_changed": N_("changed the details of someone on the case"),
    "case_person_removed": N_("took someone without an eha account off the case"),
    "meeting_recorded": N_("recorded a meeting"),
    "plan_changed": N_("changed the plan"),
    "plan_signed": N_("recorded a signature on the plan"),
    "action_updated": N_("updated progress on an action"),
    "grant_created": N_("granted access (duty to share)"),
    "grant_revoked": N_("ended a duty-to-share grant"),
    "admin_change": N_("made an administrative change"),
}


def _when(value, with_time=True):
    """A date or wall-clock time kept in an event's detail (ISO text), in the reader's language; None if not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value) if with_time else date.fromisoformat(value[:10])
    except ValueError:
        return None
    language = current_language()
    return format_datetime(parsed, language=language) if with_time else format_date(parsed, language=language)


def _kind(detail):
    label = MEETING_KINDS.get(detail.get("kind"))
    return translated(label).lower() if label else None


def _meeting_scheduled(detail):
    kind, when = _kind(detail), _when(detail.get("when"))
    if kind is None or when is None:
        return None
    if detail.get("cancelled"):
        return gettext("cancelled the %(kind)s of %(when)s", kind=kind, when=when)
    if detail.get("rescheduled"):
        return gettext("rescheduled the %(kind)s to %(when)s", kind=kind, when=when)
    if detail.get("invitations"):
        return gettext("updated the invitations to the %(kind)s of %(when)s", kind=kind, when=when)
    return gettext("scheduled a %(kind)s for %(when)s", kind=kind, when=when)


def _meeting_recorded(detail):
    held_on = _when(detail.get("held_on"), with_time=False)
    if held_on is None:
        return None
    if "review" in detail and detail.get("decision") in REVIEW_DECISIONS:
        decision = translated(REVIEW_DECISIONS[detail["decision"]]).lower()
        return gettext("recorded the review held on %(date)s: %(decision)s", date=held_on, decision=decision)
    kind = _kind(detail)
    return gettext("recorded the %(kind)s held on %(date)s", kind=kind, date=held_on) if kind else None


def _plan_changed(detail):
    if "action" not in detail and isinstance(detail.get("version"), int):
        return gettext("started version %(number)s of the plan", number=detail["version"])
    return None


def _plan_signed(detail):
    number = detail.get("version")
    if not isinstance(number, int):
        return None
    if "signer" not in detail:
        return gettext("version %(number)s of the plan is signed", number=number)
    if detail.get("after_signing"):
        return gettext(
            "recorded a signature on version %(number)s of the plan, after the plan was signed", number=number
        )
    if detail.get("digest"):
        return gettext("recorded a signature on version %(number)s of the plan; the plan is signed", number=number)
    return gettext("recorded a signature on version %(number)s of the plan", number=number)


def _action_updated(detail):
    progress = ACTION_PROGRESS.get(detail.get("progress"))
    return gettext("progress on an action: %(progress)s", progress=translated(progress)) if progress else None


# Sentences composed from an event's detail when it is shown, so each reads in the reader's language. An event
# written before its detail held the parameters (None here) shows its stored English text.
COMPOSED = {
    "meeting_scheduled": _meeting_scheduled,
    "meeting_recorded": _meeting_recorded,
    "plan_changed": _plan_changed,
    "plan_signed": _plan_signed,
    "action_updated": _action_updated,
}


def _transition(detail):
    """A step of the transition table: its ``done`` words, with the closure reason when it closes (or asks to)."""
    spec = table.get(detail.get("trigger"))
    words = translated(spec.done) if spec else gettext("moved the case on")
    reason = detail.get("reason")
    closing = spec is not None and (spec.dest is not None or spec.audit == "closure_requested")
    if closing and reason in CLOSURE_REASONS and reason != STEPPED_UP:
        words += f" ({translated(CLOSURE_REASONS[reason]).lower()})"
    return words


def describe(event, definition=None, names=None, returns=None):
    """What the event's user did, as the end of a sentence in the reader's language: "completed the assessment"
    (composed from the event's action and detail; an old event without the parameters shows its stored English
    ``detail["text"]``); a saved section is
    named from the case's definition ("saved the section 'Parenting capacity'"); a member of staff the event is
    about is named from ``names`` (``staff_names``)."""
    detail = event.detail or {}
    named = _named(event, names or {})
    if named:
        return named
    why = (returns or {}).get(detail.get("closure_return")) if event.action == "closure_rejected" else None
    if why:
        return gettext("did not sign off closing the case: %(why)s", why=why)
    if event.action == "section_saved":
        title = _section_title(definition, detail.get("section"))
        if title:
            return gettext("saved the section '%(title)s'", title=title)
    if event.action == "transition" or (event.action == "closure_requested" and table.get(detail.get("trigger"))):
        return _transition(detail)
    composed = COMPOSED.get(event.action)
    sentence = composed(detail) if composed else None
    if sentence:
        return sentence
    text = detail.get("text")
    if isinstance(text, str) and text in FIXED_TEXTS:
        return translated(FIXED_TEXTS[text])
    if text:
        return lower_first(str(text))
    if event.action in ACTION_WORDS:
        return translated(ACTION_WORDS[event.action])
    return lower_first(audit.label_shown(event.action))


def who(event):
    name = event.user_name or gettext("Someone")
    return f"{name} ({event.agency_name})" if event.agency_name else name


def timeline(case, per_page=TIMELINE_PAGE_SIZE):
    """A page (``?page=``) of what happened on the case, newest first: ``.items`` are ``Entry``."""
    page = paginate(
        sa.select(AuditEvent)
        .where(
            AuditEvent.assessment_id == case.id,
            AuditEvent.outcome == "success",
            AuditEvent.action.not_in(NOT_ON_TIMELINE),
        )
        .order_by(AuditEvent.seq.desc()),
        per_page=per_page,
    )
    definition = reader_definition(case)
    names, returns = staff_names(page.items), closure_returns(page.items)
    page.items = [
        Entry(
            at=london_time(e.occurred_at),
            who=who(e),
            what=describe(e, definition, names, returns),
            action=e.action,
            trigger=(e.detail or {}).get("trigger"),
        )
        for e in page.items
    ]
    return page
