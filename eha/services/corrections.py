"""Rectification (issue 19, UK GDPR Art. 16): correcting a fact about a child, a parent or carer, a member of the
wider family network, or the family,
keeping what it said before, who corrected it, when and why. The lead professional and managers correct facts
and see their history beside them.

The old and new values are kept here, on the correction, not in the audit trail: the audit event names the record
and the fields only, so disposal can remove the values with the rest of the family's record."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from eha import audit
from eha.errors import NotAllowed, NotFound, StaleEdit
from eha.extensions import db
from eha.models.base import utcnow
from eha.models.choices import CORRECTABLE_FIELDS
from eha.models.families import Carer, Child, NetworkMember
from eha.models.governance import FactCorrection
from eha.transaction import case_action

MODELS = {"child": Child, "carer": Carer, "network": NetworkMember}


def record_for(case, kind, record_id=None):
    """The family, or its child, carer or network member ``record_id``; 404 when it is not this case's family's."""
    family = case.family
    if kind == "family":
        return family
    rows = {"child": family.children, "carer": family.carers, "network": family.network}.get(kind)
    found = next((r for r in rows or [] if r.id == record_id), None)
    if found is None:
        raise NotFound(_l("There is no such person in this family."), detail={"record": kind, "record_id": record_id})
    return found


def as_text(value):
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def history(kind, record_id):
    """The corrections of a record, newest first, grouped by field: {field: [FactCorrection]}."""
    rows = db.session.scalars(
        sa.select(FactCorrection)
        .where(FactCorrection.record_kind == kind, FactCorrection.record_id == record_id)
        .order_by(FactCorrection.id.desc())
    ).all()
    grouped = {}
    for row in rows:
        grouped.setdefault(row.field, []).append(row)
    return grouped


FAMILY_PAGE_REASON = "Changed on the family's details page"


def snapshot(kind, record):
    """The correctable facts of ``record`` as text, to compare after an edit (None: nothing to keep a history of,
    a record being added or a kind without correctable facts)."""
    if record is None or getattr(record, "id", None) is None or kind not in CORRECTABLE_FIELDS:
        return None
    return {field: as_text(getattr(record, field)) for field in CORRECTABLE_FIELDS[kind]}


def record_edits(case, by, kind, record, before, *, reason=FAMILY_PAGE_REASON):
    """A correction row for each correctable fact of ``record`` changed since ``before`` (``snapshot``), written by
    an edit made elsewhere than the corrections page (the family's pages), so every change of a fact has its
    history. Returns the fields changed."""
    if before is None:
        return []
    now = utcnow()
    changed = []
    for field, old in before.items():
        new = as_text(getattr(record, field))
        if new == old:
            continue
        db.session.add(
            FactCorrection(
                assessment_id=case.id,
                record_kind=kind,
                record_id=record.id,
                field=field,
                old_value=old,
                new_value=new,
                reason=reason,
                corrected_by_id=by.id,
                corrected_at=now,
            )
        )
        changed.append(field)
    return changed


def _apply(kind, record, field, value):
    if kind == "child" and field in ("first_name", "last_name"):
        names = {"first_name": record.first_name, "last_name": record.last_name, field: value}
        record.set_names(names["first_name"], names["last_name"])
    else:
        setattr(record, field, value)


@case_action
def correct(case, by, kind, record_id, changes, *, reason, expected_version):
    """Correct the facts in ``changes`` ({field: new value}) of one record; each changed field gets a correction
    row with its old value. Nothing changed is an error (there is nothing to record)."""
    if case.disposed_at is not None:
        raise NotAllowed(_l("This case has been disposed of."))
    family = case.family
    db.session.refresh(family)
    if expected_version is None or str(expected_version) != str(family.version_id):
        raise StaleEdit()
    record = record_for(case, kind, record_id)
    fields = CORRECTABLE_FIELDS[kind]
    changed = []
    now = utcnow()
    for field, value in changes.items():
        if field not in fields:
            continue
        old = getattr(record, field)
        if as_text(old) == as_text(value):
            continue
        db.session.add(
            FactCorrection(
                assessment_id=case.id,
                record_kind=kind,
                record_id=record.id,
                field=field,
                old_value=as_text(old),
                new_value=as_text(value),
                reason=reason,
                corrected_by_id=by.id,
                corrected_at=now,
            )
        )
        _apply(kind, record, field, value)
        changed.append(field)
    if not changed:
        raise NotAllowed(_l("Nothing was changed: enter the corrected value."))
    family.updated_at = now  # bumps the household's version: pages opened before this correction are stale
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleEdit() from exc
    audit.record(
        "fact_corrected", assessment=case, user=by, detail={"record": kind, "record_id": record.id, "fields": changed}
    )
    return changed
