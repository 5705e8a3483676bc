"""The case timeline: what happened, in words, from the case's audit events (one query, newest first).

Looks at the case (views, PDF downloads, refusals) belong on the history page, not here.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from eha import audit
from eha.extensions import db
from eha.formatting import format_datetime, lower_first
from eha.models.audit import AuditEvent
from eha.workflow import table
from eha.workflow.states import CLOSURE_REASONS, STEPPED_UP

LONDON = ZoneInfo("Europe/London")
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


def local_time(value):
    return value.replace(tzinfo=UTC).astimezone(LONDON).replace(tzinfo=None)


def describe(event):
    """What the event's user did, as the end of a sentence: "completed the assessment"."""
    detail = event.detail or {}
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


def timeline(case, limit=200):
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.assessment_id == case.id,
            AuditEvent.outcome == "success",
            AuditEvent.action.not_in(NOT_ON_TIMELINE),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    ).all()
    return [
        Entry(
            at=local_time(e.occurred_at),
            who=who(e),
            what=describe(e),
            action=e.action,
            trigger=(e.detail or {}).get("trigger"),
        )
        for e in events
    ]
