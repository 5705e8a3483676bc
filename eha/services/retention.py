"""Retention (issue 19): which closed cases are due for disposal, batches a manager approves, and disposal.

A closed case is due when both have passed: ``EHA_RETENTION_YEARS_AFTER_CLOSURE`` years after closure and the
youngest child's ``EHA_RETENTION_UNTIL_AGE`` birthday (config.py cites the defaults). A case on legal hold, or whose
family is, is never due: the review lists it separately.

Disposal keeps the case's row (the audit trail's events point at it): its reference, state, dates and closure
reason stay for the statistics; everything else the case owns is deleted, and so are the family's rows when no
other case still uses that family. The rows to delete are read from the schema (every table that points at the
case, and every table that points at those), so a table added later is disposed of too. Each case is one
transaction with its own ``case_disposed`` audit event; audit events hold ids and codes only, so the trail keeps
verifying and holds nothing of the family.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from eha import audit
from eha.errors import NotAllowed, expect_version
from eha.extensions import db
from eha.models.assessments import Assessment, AssessmentChild
from eha.models.base import utcnow
from eha.models.families import Carer, Child, Family, NetworkMember
from eha.models.governance import DisposalBatch, DisposalItem, FactCorrection, LegalHold
from eha.transaction import autocommit
from eha.workflow.states import CLOSED

RULE_CODE = "closure+{years}y/dob+{age}y"
# Registers about the records, kept when a case is disposed of (they hold ids, codes and the managers' reasons).
# ``case_moves`` is the reports' copy of the workflow's moves in the audit trail (states and times, as the kept
# case row's dates are), kept with it so time in each state still counts the disposed case's history.
# ``case_openings`` is the access review's copy of who opened the case when (ids and a time, from the audit trail),
# kept so the review still counts a case someone opened before it was disposed of, as the trail does.
KEPT_TABLES = frozenset({"audit_events", "case_moves", "case_openings", "disposal_items", "legal_holds", "assessments"})


@dataclass(frozen=True)
class Rule:
    years_after_closure: int
    until_age: int

    @property
    def code(self):
        return RULE_CODE.format(years=self.years_after_closure, age=self.until_age)

    @property
    def words(self):
        return (
            f"{self.years_after_closure} years after closure or the youngest child's {self.until_age}th birthday, "
            "whichever is later"
        )

    def due_on(self, closed_at, youngest_birth):
        due = _add_years(closed_at.date(), self.years_after_closure)
        if youngest_birth is not None:
            due = max(due, _add_years(youngest_birth, self.until_age))
        return due


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def current_rule():
    config = current_app.config
    return Rule(config["EHA_RETENTION_YEARS_AFTER_CLOSURE"], config["EHA_RETENTION_UNTIL_AGE"])


def describe_rule(code):
    """The words for a rule code stored on a disposed case or a batch."""
    try:
        closure, age = code.split("/")
        return Rule(int(closure[len("closure+") : -1]), int(age[len("dob+") : -1])).words
    except (ValueError, AttributeError):
        return code


# --- the review ---


@dataclass
class DueCase:
    id: int
    ref: str
    closed_at: object
    due_on: date
    hold: str | None = None  # "case" or "family" when held


@dataclass
class Review:
    rule: Rule
    today: date
    due: list = field(default_factory=list)
    held: list = field(default_factory=list)


def _active_holds():
    rows = db.session.execute(
        sa.select(LegalHold.assessment_id, LegalHold.family_id).where(LegalHold.lifted_at.is_(None))
    ).all()
    return {r.assessment_id for r in rows if r.assessment_id}, {r.family_id for r in rows if r.family_id}


def _closed_cases(ids=None):
    youngest = (
        sa.select(sa.func.max(Child.date_of_birth))
        .select_from(AssessmentChild)
        .join(Child, Child.id == AssessmentChild.child_id)
        .where(AssessmentChild.assessment_id == Assessment.id)
        .correlate(Assessment)
        .scalar_subquery()
    )
    query = sa.select(
        Assessment.id, Assessment.ref, Assessment.family_id, Assessment.closed_at, youngest.label("youngest")
    ).where(Assessment.state == CLOSED, Assessment.closed_at.is_not(None), Assessment.disposed_at.is_(None))
    if ids is not None:
        query = query.where(Assessment.id.in_(ids))
    return db.session.execute(query.order_by(Assessment.ref)).all()


def review(today=None):
    """The closed cases due for disposal by ``today``, and those that would be but are held."""
    rule = current_rule()
    result = Review(rule, today or date.today())
    held_cases, held_families = _active_holds()
    for row in _closed_cases():
        due_on = rule.due_on(row.closed_at, row.youngest)
        if due_on > result.today:
            continue
        hold = "case" if row.id in held_cases else "family" if row.family_id in held_families else None
        item = DueCase(row.id, row.ref, row.closed_at, due_on, hold)
        (result.held if hold else result.due).append(item)
    return result


def _in_open_batch():
    return set(
        db.session.scalars(
            sa.select(DisposalItem.assessment_id)
            .join(DisposalBatch)
            .where(DisposalBatch.status.in_(("pending", "approved")), DisposalItem.disposed_at.is_(None))
        )
    )


@autocommit
def create_batch(by=None, today=None):
    """Put the due cases not already in a batch waiting to run into a new batch for a manager's approval.
    Returns the batch, or None when there is nothing new."""
    found = review(today)
    waiting = _in_open_batch()
    fresh = [item for item in found.due if item.id not in waiting]
    if not fresh:
        return None
    batch = DisposalBatch(status="pending", rule=found.rule.code, created_by_id=by.id if by else None)
    batch.items = [DisposalItem(assessment_id=i.id, case_ref=i.ref, due_on=i.due_on) for i in fresh]
    db.session.add(batch)
    db.session.flush()
    audit.record(
        "retention_batch_created", user=by, detail={"batch": batch.id, "cases": len(fresh), "rule": batch.rule}
    )
    return batch


def batches():
    return db.session.scalars(sa.select(DisposalBatch).order_by(DisposalBatch.id.desc()).limit(100)).all()


def get_batch(batch_id):
    return db.session.get(DisposalBatch, batch_id)


@autocommit
def decide_batch(batch, by, *, approve, expected_version):
    """A manager approves (or cancels) a batch waiting for approval; audited with the batch's id and size. The
    batch row is locked and re-read first: of two managers deciding at once, the second sees the first's decision
    (409), not a failed update."""
    db.session.execute(
        sa.select(DisposalBatch).where(DisposalBatch.id == batch.id).with_for_update(),
        execution_options={"populate_existing": True},
    ).scalar_one()  # fetching the row is what refreshes ``batch``
    expect_version(expected_version, batch.version_id)
    if batch.status != "pending":
        raise NotAllowed(_l("This batch has already been decided."))
    batch.status = "approved" if approve else "cancelled"
    batch.approved_by_id = by.id
    batch.approved_at = utcnow()
    db.session.flush()
    action = "retention_batch_approved" if approve else "retention_batch_cancelled"
    audit.record(action, user=by, detail={"batch": batch.id, "cases": len(batch.items), "rule": batch.rule})
    return batch


# --- disposal ---


def _owned_tables(root, kept, direct_only=False):
    """Tables whose rows belong to a row of ``root``: pointing at it, or at a table that does (transitively),
    in the order to delete them (children first). Each table is reached by one link, the direct one when it has
    one, so every delete is an index range on one column (a row's other links lead to the same case)."""
    owned = {}
    for table in db.metadata.sorted_tables:
        if table.name in kept or table.name == root:
            continue
        direct = [fk for fk in table.foreign_keys if fk.column.table.name == root]
        via = [fk for fk in table.foreign_keys if fk.column.table.name in owned]
        # A NOT NULL link reaches every row (an optional one, such as an action's owner, only some).
        links = direct or ([] if direct_only else sorted(via, key=lambda fk: (fk.parent.nullable, fk.parent.name))[:1])
        if links:
            owned[table.name] = (table, links)
    return list(reversed(owned.values()))


def _owned_rows(links, root_ids, owned_conditions):
    conditions = []
    for fk in links:
        target = fk.column.table
        if target.name in owned_conditions:
            conditions.append(fk.parent.in_(sa.select(fk.column).where(owned_conditions[target.name])))
        else:
            conditions.append(fk.parent.in_(root_ids))
    return sa.or_(*conditions)


def owned_rows(root, root_ids, kept=KEPT_TABLES, direct_only=False):
    """[(table, condition)] selecting the rows owned by the ``root`` rows ``root_ids``, children first."""
    tables = _owned_tables(root, kept, direct_only)
    conditions = {}
    for table, links in reversed(tables):  # parents first, so a child's condition can name its parent's
        conditions[table.name] = _owned_rows(links, root_ids, conditions)
    return [(table, conditions[table.name]) for table, _links in tables]


def _delete_owned(root, root_ids, kept, direct_only=False):
    for table, condition in owned_rows(root, root_ids, kept, direct_only):
        db.session.execute(sa.delete(table).where(condition))


def _family_still_used(family_id, case_id):
    """Another case not yet disposed of uses this family (its household record is theirs too)."""
    return db.session.scalar(
        sa.select(
            sa.exists().where(
                Assessment.family_id == family_id, Assessment.id != case_id, Assessment.disposed_at.is_(None)
            )
        )
    )


def _dispose_family(family_id):
    people = sa.select(Child.id).where(Child.family_id == family_id)
    carers = sa.select(Carer.id).where(Carer.family_id == family_id)
    network = sa.select(NetworkMember.id).where(NetworkMember.family_id == family_id)
    db.session.execute(
        sa.delete(FactCorrection).where(
            sa.or_(
                sa.and_(FactCorrection.record_kind == "child", FactCorrection.record_id.in_(people)),
                sa.and_(FactCorrection.record_kind == "carer", FactCorrection.record_id.in_(carers)),
                sa.and_(FactCorrection.record_kind == "network", FactCorrection.record_id.in_(network)),
                sa.and_(FactCorrection.record_kind == "family", FactCorrection.record_id == family_id),
            )
        )
    )
    # The rows pointing at the family's people belonged to its cases, all disposed of by now: only the family's
    # own tables are left (a row still pointing at them would make the delete fail and roll the case back).
    _delete_owned("families", [family_id], KEPT_TABLES | {"families"}, direct_only=True)
    db.session.execute(
        sa.update(Family)
        .where(Family.id == family_id)
        .values(name="Disposed record", address=None, postcode=None, version_id=Family.version_id + 1)
    )


CASE_CONTENT_CLEARED = {
    "closure_notes": None,
    "pending_closure_reason": None,
    "pending_closure_notes": None,
    "pending_closure_outcomes": None,
    "pending_closure_by_id": None,
    "pending_closure_at": None,
    "step_up_team": None,
    "step_up_reason": None,
    "next_due_on": None,
    "next_due_label": None,
    "search_names": "",  # the children's names, copied for the case list's search
}


def _hold_on(case_id, family_id):
    return db.session.scalar(
        sa.select(
            sa.exists().where(
                LegalHold.lifted_at.is_(None),
                sa.or_(LegalHold.assessment_id == case_id, LegalHold.family_id == family_id),
            )
        )
    )


def _skip_reason(case_id):
    """Why the case cannot be disposed of now (None when it can): checked again at disposal, under its lock."""
    rows = _closed_cases([case_id])
    if not rows:
        return "no longer closed"
    if _hold_on(case_id, rows[0].family_id):
        return "on legal hold"
    return None


@autocommit
def dispose_case(item, batch):
    """Dispose of one case of an approved batch, in one transaction, re-checking it under the case's row lock.
    Returns None when disposed, or the code saying why it was skipped."""
    case = db.session.scalar(
        sa.select(Assessment).where(Assessment.id == item.assessment_id).with_for_update(of=Assessment)
    )
    skipped = _skip_reason(case.id)
    if skipped:
        item.skipped = skipped
        return skipped
    family_id, now = case.family_id, utcnow()
    _delete_owned("assessments", [case.id], KEPT_TABLES)
    if not _family_still_used(family_id, case.id):
        _dispose_family(family_id)
    db.session.execute(
        sa.update(Assessment)
        .where(Assessment.id == case.id)
        .values(
            disposed_at=now,
            disposal_rule=describe_rule(batch.rule)[:200],
            version_id=Assessment.version_id + 1,
            **CASE_CONTENT_CLEARED,
        )
    )
    item.disposed_at = now
    audit.record(
        "case_disposed",
        assessment=case,
        detail={"batch": batch.id, "rule": batch.rule, "due_on": item.due_on.isoformat()},
    )
    db.session.expire(case)
    return None


def dispose_approved(progress=None):
    """Dispose of every case in every approved batch, one transaction per case. Returns (disposed, skipped)."""
    disposed = skipped = 0
    batch_ids = db.session.scalars(sa.select(DisposalBatch.id).where(DisposalBatch.status == "approved")).all()
    for batch_id in batch_ids:
        item_ids = db.session.scalars(
            sa.select(DisposalItem.id).where(
                DisposalItem.batch_id == batch_id, DisposalItem.disposed_at.is_(None), DisposalItem.skipped.is_(None)
            )
        ).all()
        for item_id in item_ids:
            item = db.session.get(DisposalItem, item_id)
            reason = dispose_case(item, db.session.get(DisposalBatch, batch_id))
            disposed, skipped = (disposed + 1, skipped) if reason is None else (disposed, skipped + 1)
            if progress:
                progress(item.case_ref, reason)
            db.session.expunge_all()  # 10,000 cases: keep the session small
        _finish(db.session.get(DisposalBatch, batch_id))
    return disposed, skipped


@autocommit
def _finish(batch):
    batch.status = "disposed"
    batch.finished_at = utcnow()
    audit.record("retention_batch_finished", detail={"batch": batch.id})
