"""Who has seen or changed a case: its audit events, newest first, a page at a time."""

import sqlalchemy as sa

from eha.models.audit import AuditEvent
from eha.pagination import paginate

PER_PAGE = 50


def case_events(case):
    return paginate(
        sa.select(AuditEvent).where(AuditEvent.assessment_id == case.id).order_by(AuditEvent.seq.desc()),
        per_page=PER_PAGE,
    )
