"""Report facts (issue 15): the coded answers and the workflow's moves, kept as narrow rows beside where they are
recorded, so the reports group integers, codes and dates instead of parsing each case's JSON.

``case_codes`` holds each Supporting Families headline need and children in need census factor a case's answers
pick, rewritten from the answers whenever a needs section is saved (by any writer: the session's flush keeps them
in step). ``case_moves`` holds each change of state the workflow made, written by ``fire()`` beside its audit
event. Both are copies: the answers and the audit trail stay the record; migration 0026 filled these from them.
"""

from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from eha.extensions import db
from eha.models.assessments import Assessment, SectionAnswer
from eha.models.choices import check_in

NEED, CIN_FACTOR = "need", "cin"
CODE_KINDS = (NEED, CIN_FACTOR)


class CaseCode(db.Model):
    """One code a case's answers pick: a headline need (``need``) or a census factor (``cin``)."""

    __tablename__ = "case_codes"
    __table_args__ = (
        sa.CheckConstraint(check_in("kind", CODE_KINDS), name="kind"),
        sa.Index("ix_case_codes_kind_code", "kind", "code", "assessment_id"),
    )

    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), primary_key=True)


class CaseMove(db.Model):
    """A change of state: the workflow's successful transition audit event whose ``from`` and ``to`` differ."""

    __tablename__ = "case_moves"
    __table_args__ = (
        # Time in state reads each case's moves in chain order, and nothing else: an index-only scan.
        sa.Index("ix_case_moves_case_seq", "assessment_id", "seq", postgresql_include=["from_state", "at"]),
        # Time in state reads the moves made in the period (migration 0029).
        sa.Index("ix_case_moves_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"))
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)  # the audit event's
    from_state: Mapped[str] = mapped_column(sa.String(30))
    to_state: Mapped[str] = mapped_column(sa.String(30))
    at: Mapped[datetime] = mapped_column(sa.DateTime)  # the audit event's occurred_at
    # When the case entered ``from_state``: the case's move before this one (its ``at``), None for its first move
    # (it entered its first state when it started: the report reads ``started_at``, which the demo dates back).
    # Written with the move, so time in state needs no window over every case's moves (migration 0029).
    entered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


# The audited actions that open a case: the access review counts, for each person, the cases they opened.
CASE_OPENING_ACTIONS = ("case_viewed", "section_viewed", "plan_viewed", "pdf_downloaded", "history_viewed", "export")


class CaseOpening(db.Model):
    """When a person last opened a case (a successful ``CASE_OPENING_ACTIONS`` event): the access review counts
    each person's cases opened in its window from these rows, one per person and case, instead of every opening
    event of the last 90 days (in a county, every case view of a quarter). Written by the audit chainer as it
    links the events (``eha.audit``), off the requests' path; the review adds the few events not linked yet.
    A copy: the audit trail stays the record; migration 0032 filled it from the events."""

    __tablename__ = "case_openings"
    __table_args__ = (sa.Index("ix_case_openings_last_opened_at", "last_opened_at", "user_id"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), primary_key=True)
    last_opened_at: Mapped[datetime] = mapped_column(sa.DateTime)


def case_opening_events():
    """The conditions on ``AuditEvent`` of an opening: a successful opening action by a person on a case (what
    ``note_case_openings`` keeps, row by row)."""
    from eha.models.audit import AuditEvent

    return (
        AuditEvent.action.in_(CASE_OPENING_ACTIONS),
        AuditEvent.outcome == "success",
        AuditEvent.user_id.is_not(None),
        AuditEvent.assessment_id.is_not(None),
    )


def note_case_openings(connection, events):
    """Keep ``case_openings`` up to date with ``events`` (rows with ``user_id``, ``assessment_id``, ``action``,
    ``outcome``, ``occurred_at``): one upsert, each pair's latest opening kept."""
    latest = {}
    for event in events:
        if (
            event.action in CASE_OPENING_ACTIONS
            and event.outcome == "success"
            and event.user_id is not None
            and event.assessment_id is not None
        ):
            key = (event.user_id, event.assessment_id)
            if key not in latest or event.occurred_at > latest[key]:
                latest[key] = event.occurred_at
    if not latest:
        return
    table = CaseOpening.__table__
    rows = [{"user_id": u, "assessment_id": a, "last_opened_at": at} for (u, a), at in sorted(latest.items())]
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    later = statement.excluded.last_opened_at
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.assessment_id],
            set_={"last_opened_at": sa.case((later > table.c.last_opened_at, later), else_=table.c.last_opened_at)},
        ),
        rows,
    )


def recount_case_openings(connection):
    """Fill ``case_openings`` again from every opening event (a bulk load that wrote events without the
    chainer, as the scale bench does; migration 0032 fills it the same way)."""
    from eha.models.audit import AuditEvent

    table = CaseOpening.__table__
    latest = (
        sa.select(AuditEvent.user_id, AuditEvent.assessment_id, sa.func.max(AuditEvent.occurred_at))
        .where(*case_opening_events())
        .group_by(AuditEvent.user_id, AuditEvent.assessment_id)
    )
    connection.execute(sa.delete(table))
    connection.execute(sa.insert(table).from_select(["user_id", "assessment_id", "last_opened_at"], latest))


class CaseStateCount(db.Model):
    """How many cases are in each state now: the reports page's "Cases by state" reads these few rows instead of
    counting every case (issue 14). Kept by ``_count_case_states`` on every flush that adds a case, deletes one
    or changes its state; migration 0031 counted the cases as they stood."""

    __tablename__ = "case_state_counts"

    state: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    cases: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")


def _state_changes(session):
    """{state: cases in it now minus before} of the cases this flush wrote."""
    changes = Counter()
    for obj in session.new:
        if isinstance(obj, Assessment) and obj.state is not None:
            changes[obj.state] += 1
    for obj in session.dirty:
        if isinstance(obj, Assessment):
            history = sa.inspect(obj).attrs.state.history
            if history.added and history.deleted and history.added[0] != history.deleted[0]:
                changes[history.deleted[0]] -= 1
                changes[history.added[0]] += 1
    for obj in session.deleted:
        if isinstance(obj, Assessment):
            history = sa.inspect(obj).attrs.state.history
            was = (history.deleted or history.unchanged or [None])[0]
            if was is not None:
                changes[was] -= 1
    return {state: n for state, n in changes.items() if n}


@sa.event.listens_for(Session, "after_flush")
def _count_case_states(session, _context):
    """Move the counts of the states this flush moved cases between. One row per state, updated in the states'
    order, so two transactions moving cases between the same two states queue rather than deadlock; the rows
    are locked only while the transaction that changed a state lasts (views and edits do not touch them)."""
    changes = _state_changes(session)
    if not changes:
        return
    table = CaseStateCount.__table__
    connection = session.connection()
    for state in sorted(changes):
        moved = connection.execute(
            sa.update(table).where(table.c.state == state).values(cases=table.c.cases + changes[state])
        )
        if moved.rowcount == 0:  # a state no migration counted yet
            connection.execute(sa.insert(table).values(state=state, cases=changes[state]))


def recount_case_states(connection):
    """Count every case again (a bulk load that wrote cases without the ORM, as the scale bench does)."""
    table = CaseStateCount.__table__
    counts = dict(connection.execute(sa.select(Assessment.state, sa.func.count()).group_by(Assessment.state)).all())
    connection.execute(sa.delete(table))
    if counts:
        connection.execute(sa.insert(table), [{"state": s, "cases": n} for s, n in sorted(counts.items())])


def codes_in(answers, fields):
    """The codes ``answers`` (a section's saved answers) pick in ``fields`` (field keys)."""
    codes = set()
    for key in fields:
        value = (answers or {}).get(key)
        if isinstance(value, str):
            codes.add(value)
        elif isinstance(value, list):
            codes.update(str(v) for v in value if v is not None)
    return codes


def _coded_fields():
    """{section key: [(kind, field key)]} of the questions whose codes the reports count."""
    from eha.reports import coded  # the shipped definitions say which questions these are

    fields = {}
    for kind, pairs in ((NEED, coded.needs_fields()), (CIN_FACTOR, coded.cin_fields())):
        for section_key, field_key in pairs:
            fields.setdefault(section_key, []).append((kind, field_key))
    return fields


def move_for(event):
    """The ``CaseMove`` for a transition audit event just written (flushed: it has its seq), or None."""
    detail = event.detail or {}
    source, dest = detail.get("from"), detail.get("to")
    if event.outcome != "success" or source is None or dest is None or source == dest:
        return None
    entered_at = db.session.scalar(  # the case's move before this one (the moves are written in chain order)
        sa.select(CaseMove.at)
        .where(CaseMove.assessment_id == event.assessment_id, CaseMove.seq < event.seq)
        .order_by(CaseMove.seq.desc())
        .limit(1)
    )
    return CaseMove(
        assessment_id=event.assessment_id,
        seq=event.seq,
        from_state=source,
        to_state=dest,
        at=event.occurred_at,
        entered_at=entered_at,
    )


@sa.event.listens_for(Session, "after_flush")
def _rewrite_case_codes(session, _context):
    """Rewrite the codes of every case whose needs sections this flush wrote (added, changed or deleted)."""
    fields = None
    case_ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, SectionAnswer):
            fields = fields if fields is not None else _coded_fields()
            if obj.section_key in fields and obj.assessment_id is not None:
                case_ids.add(obj.assessment_id)
    if case_ids:
        rewrite_case_codes(session.connection(), case_ids, fields)


def rewrite_case_codes(connection, case_ids, fields=None):
    fields = fields or _coded_fields()
    table = CaseCode.__table__
    connection.execute(sa.delete(table).where(table.c.assessment_id.in_(case_ids)))
    saved = connection.execute(
        sa.select(SectionAnswer.assessment_id, SectionAnswer.section_key, SectionAnswer.answers).where(
            SectionAnswer.assessment_id.in_(case_ids), SectionAnswer.section_key.in_(list(fields))
        )
    )
    rows = set()
    for case_id, section_key, answers in saved:
        for kind, field_key in fields[section_key]:
            rows.update((case_id, kind, code) for code in codes_in(answers, (field_key,)))
    if rows:
        connection.execute(sa.insert(table), [{"assessment_id": c, "kind": k, "code": v} for c, k, v in sorted(rows)])
