"""The case timeline: what happened, in words, from the case's audit events (a page at a time, newest first).

Looks at the case (views, PDF downloads, refusals) belong on the history page, not here.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from eha import audit
from eha.definitions.store import definition_for
from eha.extensions import db
from eha.formatting import format_datetime, london_time, lower_first
from eha.models.audit import AuditEvent
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
        return f"{format_datetime(self.at)} — {self.who} {self.what}"


def _section_title(definition, key):
    if definition is not None and isinstance(key, str) and definition.has_section(key):
        return definition.section(key).title
    return None


# Events about a member of staff hold the person's id (issue 19: no names in the trail); the page names them.
NAMED_STAFF = {
    "lead_changed": ("to", "handed the case to {name} as lead professional"),
    "taf_member_removed": ("user", "removed {name} from the Team Around the Family"),
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
    return words.format(name=name) if name else None


def describe(event, definition=None, names=None, returns=None):
    """What the event's user did, as the end of a sentence: "completed the assessment"; a saved section is
    named from the case's definition ("saved the section 'Parenting capacity'"); a member of staff the event is
    about is named from ``names`` (``staff_names``)."""
    detail = event.detail or {}
    named = _named(event, names or {})
    if named:
        return named
    why = (returns or {}).get(detail.get("closure_return")) if event.action == "closure_rejected" else None
    if why:
        return f"did not sign off closing the case: {why}"
    if event.action == "section_saved":
        title = _section_title(definition, detail.get("section"))
        if title:
            return f"saved the section '{title}'"
    if event.action == "transition":
        spec = table.get(detail.get("trigger"))
        words = spec.done if spec else "moved the case on"
        reason = detail.get("reason")
        if spec and spec.dest is not None and reason in CLOSURE_REASONS and reason != STEPPED_UP:
            words += f" ({CLOSURE_REASONS[reason].lower()})"
        return words
    if detail.get("text"):
        text = str(detail["text"])
        return lower_first(text)
    return lower_first(audit.label(event.action))


def who(event):
    name = event.user_name or "Someone"
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
    definition = definition_for(case)
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
