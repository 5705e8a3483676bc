"""Subject access requests (issue 19; UK GDPR Art. 15): a manager finds a person (a child, a parent or carer, a
family network member, or someone on a case without an account), sees every case they appear in, marks the third
parties whose personal data must be withheld, has the redactions reviewed, and produces a ZIP holding a readable
PDF and a JSON file of everything held in those cases. The request's received date and its due date (one calendar
month, ICO guidance) are tracked; every step is an audit event with ids and counts only.

"Everything held" is read from the schema, as disposal reads it (``retention.owned_rows``): every row every table
holds for the case, so a table added later is in the export too.
"""

import calendar
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import flag_modified

from eha import audit
from eha.errors import NotAllowed, NotFound, NotPermitted, expect_version
from eha.extensions import db
from eha.formatting import format_date
from eha.i18n import current_language
from eha.models.assessments import Assessment, AssessmentChild, CasePerson
from eha.models.base import utcnow
from eha.models.choices import MANAGER, SAR_EXEMPTIONS, SAR_PERSON_KINDS
from eha.models.families import Carer, Child, Family, NetworkMember, fold_name
from eha.models.governance import SarRedaction, SubjectAccessRequest
from eha.notifications import events as notification_events
from eha.services.retention import owned_rows
from eha.transaction import autocommit

MODELS = {"child": Child, "carer": Carer, "network": NetworkMember, "case_person": CasePerson}
# The family's own tables, and which person kind each row is.
FAMILY_TABLES = {"children": "child", "carers": "carer", "network_members": "network", "case_people": "case_person"}
# The search copies of names (the folded child names, the case's copy of its children's) repeat what the export
# already holds, so they are left out, as the row version is.
HIDDEN_COLUMNS = {"version_id", "search_first_name", "search_last_name", "search_names"}
WITHHELD = "Withheld: this record is another person's personal data"
WITHHELD_IN_TEXT = "[withheld]"
SEARCH_LIMIT = 20
MANAGERS_ONLY = _l("Only a manager can handle a subject access request.")
MARKING = ("redaction", "review")
ALREADY_OPEN = _l(
    "A subject access request for this person is already open: carry on with it from the list of requests."
)


def one_calendar_month_after(day):
    """The ICO's "one calendar month": the same date next month, or that month's last day when it has none."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reference(sar):
    return f"SAR-{sar.id:06d}"


def _require_manager(by):
    if by.role != MANAGER:
        raise NotPermitted(MANAGERS_ONLY)


# --- finding the person ---


@dataclass
class Person:
    kind: str
    id: int
    name: str
    about: str
    refs: list = field(default_factory=list)

    @property
    def key(self):
        return f"{self.kind}-{self.id}"

    @property
    def kind_label(self):
        return SAR_PERSON_KINDS[self.kind]


def _label(kind, row):
    if kind == "child":
        return row.name, gettext("Born %(date)s", date=format_date(row.date_of_birth))
    if kind == "carer":
        return row.name, row.relationship_to_child
    if kind == "network":
        return row.name, row.relationship_to_family
    return row.name, row.role


def _matches(query):
    folded = fold_name(query)
    like = f"%{query.casefold()}%"
    children = sa.select(Child).where(
        sa.or_(
            (Child.search_first_name + " " + Child.search_last_name).like(f"%{folded}%"),
            Child.search_last_name.like(f"%{folded}%"),
        )
    )
    return [
        ("child", children),
        ("carer", sa.select(Carer).where(sa.func.lower(Carer.name).like(like))),
        ("network", sa.select(NetworkMember).where(sa.func.lower(NetworkMember.name).like(like))),
        ("case_person", sa.select(CasePerson).where(sa.func.lower(CasePerson.name).like(like))),
    ]


def search(query):
    """People whose name contains ``query``, each with the references of the cases they appear in."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    found = []
    for kind, select in _matches(query):
        for row in db.session.scalars(select.order_by(MODELS[kind].id).limit(SEARCH_LIMIT)):
            name, about = _label(kind, row)
            found.append(Person(kind, row.id, name, about))
    refs = _refs_for(found)
    for person in found:
        person.refs = refs.get((person.kind, person.id), [])
    return [p for p in found if p.refs]


def search_recorded(query):
    """``search``, audited with how many people it found (never what was typed)."""
    people = search(query)
    audit.record("sar_search", detail={"results": len(people)})
    return people


def record_viewed(sar):
    audit.record("sar_viewed", detail={"sar": sar.id})


def _case_ids_query(kind, person_id):
    live = Assessment.disposed_at.is_(None)
    if kind == "child":
        return (
            sa.select(AssessmentChild.assessment_id).join(Assessment).where(AssessmentChild.child_id == person_id, live)
        )
    if kind == "case_person":
        return sa.select(CasePerson.assessment_id).join(Assessment).where(CasePerson.id == person_id, live)
    model = MODELS[kind]
    return (
        sa.select(Assessment.id).join(model, model.family_id == Assessment.family_id).where(model.id == person_id, live)
    )


def _refs_for(people):
    """{(kind, id): [case refs]} in two queries per kind, not one per person."""
    result = {}
    for kind in MODELS:
        ids = [p.id for p in people if p.kind == kind]
        if not ids:
            continue
        if kind == "child":
            q = (
                sa.select(AssessmentChild.child_id, Assessment.ref)
                .join(Assessment)
                .where(AssessmentChild.child_id.in_(ids))
            )
        elif kind == "case_person":
            q = sa.select(CasePerson.id, Assessment.ref).join(Assessment).where(CasePerson.id.in_(ids))
        else:
            model = MODELS[kind]
            q = sa.select(model.id, Assessment.ref).join(Assessment, Assessment.family_id == model.family_id)
            q = q.where(model.id.in_(ids))
        for person_id, ref in db.session.execute(q.where(Assessment.disposed_at.is_(None)).order_by(Assessment.ref)):
            result.setdefault((kind, person_id), []).append(ref)
    return result


def find_person(kind, person_id):
    model = MODELS.get(kind)
    row = db.session.get(model, person_id) if model is not None else None
    if row is None:
        raise NotFound(_l("There is no such person on record."), detail={"person_kind": str(kind)[:20]})
    name, about = _label(kind, row)
    person = Person(kind, row.id, name, about)
    person.refs = _refs_for([person]).get((kind, row.id), [])
    return person


def cases_of(sar):
    ids = db.session.scalars(_case_ids_query(sar.person_kind, sar.person_id)).all()
    return db.session.scalars(sa.select(Assessment).where(Assessment.id.in_(ids)).order_by(Assessment.ref)).all()


# --- the request's steps ---


def requests():
    return db.session.scalars(sa.select(SubjectAccessRequest).order_by(SubjectAccessRequest.due_on).limit(200)).all()


def get(sar_id):
    sar = db.session.get(SubjectAccessRequest, sar_id)
    if sar is None:
        raise NotFound(_l("There is no such subject access request."))
    return sar


def _lock_person(kind, person_id):
    """Lock the person's row: two managers opening a request for one person at once queue here, and the second
    then sees the first's request."""
    model = MODELS[kind]
    db.session.execute(sa.select(model.id).where(model.id == person_id).with_for_update())


def _open_request_for(kind, person_id):
    return db.session.scalar(
        sa.select(SubjectAccessRequest.id).where(
            SubjectAccessRequest.person_kind == kind,
            SubjectAccessRequest.person_id == person_id,
            SubjectAccessRequest.status != "completed",
        )
    )


@autocommit
def open_request(by, kind, person_id, received_on, today=None):
    _require_manager(by)
    if received_on > (today or date.today()):
        raise NotAllowed(_l("The date the request was received must be today or in the past."))
    person = find_person(kind, person_id)
    if not person.refs:
        raise NotAllowed(_l("This person is on no case that is still held."))
    _lock_person(kind, person.id)
    if _open_request_for(kind, person.id) is not None:
        raise NotAllowed(ALREADY_OPEN, detail={"person_kind": kind, "person_id": person.id})
    sar = SubjectAccessRequest(
        person_kind=kind,
        person_id=person.id,
        subject_name=person.name[:200],
        received_on=received_on,
        due_on=one_calendar_month_after(received_on),
        status="redaction",
        created_by_id=by.id,
    )
    db.session.add(sar)
    db.session.flush()
    told = notification_events.subject_access_opened(sar, cases_of(sar))
    audit.record(
        "sar_opened",
        user=by,
        detail={"sar": sar.id, "person_kind": kind, "person_id": person.id, "cases": len(person.refs), "told": told},
    )
    return sar


def third_parties(sar):
    """Everyone else in the request's cases: the family's members and the people on the cases without accounts."""
    cases = cases_of(sar)
    family_ids = {c.family_id for c in cases}
    case_ids = [c.id for c in cases]
    people = []
    for kind, model in MODELS.items():
        owner = model.assessment_id.in_(case_ids) if kind == "case_person" else model.family_id.in_(family_ids)
        for row in db.session.scalars(sa.select(model).where(owner).order_by(model.id)):
            if (kind, row.id) == (sar.person_kind, sar.person_id):
                continue
            name, about = _label(kind, row)
            people.append(Person(kind, row.id, name, about))
    return people


def _about_someone_in(case):
    """A condition on requests: their subject is in ``case`` (a child it is about, the family's carers or network, or
    one of its people without an account), the way ``cases_of`` finds a subject's cases."""
    kind, person = SubjectAccessRequest.person_kind, SubjectAccessRequest.person_id
    children = sa.select(AssessmentChild.child_id).where(AssessmentChild.assessment_id == case.id)
    return sa.or_(
        sa.and_(kind == "child", person.in_(children)),
        sa.and_(kind == "carer", person.in_(sa.select(Carer.id).where(Carer.family_id == case.family_id))),
        sa.and_(
            kind == "network", person.in_(sa.select(NetworkMember.id).where(NetworkMember.family_id == case.family_id))
        ),
        sa.and_(kind == "case_person", person.in_(sa.select(CasePerson.id).where(CasePerson.assessment_id == case.id))),
    )


def requests_covering(case):
    """The requests still being redacted or reviewed that cover ``case``, each with the third parties in it."""
    found = db.session.scalars(
        sa.select(SubjectAccessRequest)
        .where(SubjectAccessRequest.status.in_(MARKING), _about_someone_in(case))
        .order_by(SubjectAccessRequest.due_on, SubjectAccessRequest.id)
        .limit(SEARCH_LIMIT)
    ).all()
    people = _people_in(case)
    return [(sar, [p for p in people if (p.kind, p.id) != (sar.person_kind, sar.person_id)]) for sar in found]


def _people_in(case):
    """Everyone in ``case``: its family's members and its people without an account (one query per kind)."""
    people = []
    for kind, model in MODELS.items():
        owner = model.assessment_id == case.id if kind == "case_person" else model.family_id == case.family_id
        for row in db.session.scalars(sa.select(model).where(owner).order_by(model.id)):
            name, about = _label(kind, row)
            people.append(Person(kind, row.id, name, about))
    return people


def third_parties_in(sar, case):
    """The people in ``case`` other than the request's subject."""
    return [p for p in _people_in(case) if (p.kind, p.id) != (sar.person_kind, sar.person_id)]


def _may_mark(sar, case, by):
    """A manager, or the lead professional of ``case``, one of the request's cases, marks what to withhold."""
    if by.role != MANAGER and case.lead_id != by.id:
        raise NotPermitted(_l("Only the case's lead professional or a manager can mark what to withhold."))
    if case.id not in {c.id for c in cases_of(sar)}:
        raise NotFound(_l("This subject access request does not cover this case."))


def _locked(sar, expected_version):
    """The request re-read under a row lock, at the version the user opened (StaleEdit when it moved on)."""
    db.session.refresh(sar, with_for_update=True)
    expect_version(expected_version, sar.version_id)
    if sar.status not in MARKING:
        raise NotAllowed(_l("The redactions have been reviewed: they can no longer change."))
    # Every change to the marks moves the request's version on, even when its status stays: a page opened before
    # shows marks that are no longer the ones the manager will review.
    flag_modified(sar, "status")
    return sar


@autocommit
def withhold(sar, case, by, key, *, exemption, reason, expected_version):
    """Mark the third party ``key`` ("carer-12") of ``case`` to be withheld from the response, under ``exemption``
    and for ``reason``; marking again replaces the exemption and reason. The request then waits to be sent for
    review again."""
    _may_mark(sar, case, by)
    _locked(sar, expected_version)
    person = next((p for p in third_parties_in(sar, case) if p.key == key), None)
    if person is None or exemption not in SAR_EXEMPTIONS:
        raise NotAllowed(_l("Choose someone listed on this case and an exemption."))
    mark = next((r for r in sar.redactions if (r.person_kind, r.person_id) == (person.kind, person.id)), None)
    if mark is None:
        mark = SarRedaction(person_kind=person.kind, person_id=person.id)
        sar.redactions.append(mark)
    mark.exemption, mark.reason, mark.marked_by_id, mark.marked_at = exemption, reason, by.id, utcnow()
    sar.status = "redaction"
    db.session.flush()
    audit.record(
        "sar_redactions_marked",
        assessment=case,
        user=by,
        detail={"sar": sar.id, "person_kind": person.kind, "person_id": person.id, "exemption": exemption},
    )
    return person


@autocommit
def release(sar, case, by, redaction_id, *, expected_version):
    """Take a mark off: the person's data is no longer withheld."""
    _may_mark(sar, case, by)
    _locked(sar, expected_version)
    mark = next((r for r in sar.redactions if r.id == redaction_id), None)
    if mark is None:
        raise NotFound(_l("There is no such redaction on this request."))
    sar.redactions.remove(mark)
    sar.status = "redaction"
    db.session.flush()
    audit.record("sar_redaction_released", assessment=case, user=by, detail={"sar": sar.id, "redaction": mark.id})


@autocommit
def send_for_review(sar, case, by, *, expected_version):
    """The practitioner has marked what to withhold (perhaps nothing): a manager reviews it next."""
    _may_mark(sar, case, by)
    _locked(sar, expected_version)
    sar.status = "review"
    db.session.flush()
    audit.record(
        "sar_sent_for_review", assessment=case, user=by, detail={"sar": sar.id, "redacted": len(sar.redactions)}
    )


@autocommit
def review(sar, by, *, approve, expected_version):
    """A manager reviews the redactions: approve (ready to export) or send back to be marked again."""
    _require_manager(by)
    expect_version(expected_version, sar.version_id)
    if sar.status != "review":
        raise NotAllowed(_l("There are no redactions waiting for review on this request."))
    sar.status = "ready" if approve else "redaction"
    sar.reviewed_by_id = by.id if approve else None
    sar.reviewed_at = utcnow() if approve else None
    db.session.flush()
    audit.record("sar_reviewed", user=by, detail={"sar": sar.id, "approved": bool(approve)})
    return sar


# --- the export ---


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(table, row, redact):
    return {c.name: redact(_plain(row._mapping[c])) for c in table.columns if c.name not in HIDDEN_COLUMNS}


def _scrubber(names):
    """Replace each redacted person's name (whole, and each part of three letters or more) in any text."""
    parts = sorted({p for n in names for p in [n, *n.split()] if len(p) >= 3}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(p) for p in parts), re.IGNORECASE) if parts else None

    def redact(value):
        if pattern is None:
            return value
        if isinstance(value, str):
            return pattern.sub(WITHHELD_IN_TEXT, value)
        if isinstance(value, dict):
            return {k: redact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [redact(v) for v in value]
        return value

    return redact


def _redacted_people(sar):
    """{(kind, id): exemption code} of the people withheld, and their names (to remove from any text)."""
    wanted = {(r.person_kind, r.person_id): r.exemption for r in sar.redactions}
    names = []
    for kind, person_id in wanted:
        row = db.session.get(MODELS[kind], person_id)
        if row is not None:
            names.append(row.name)
    return wanted, names


def _whose(table, row):
    """The person a row is about, (kind, id), when it is a family member's record or the correction of one (what
    a withheld person's fact said before is theirs too); None for a case's own rows."""
    kind = FAMILY_TABLES.get(table.name)
    if kind:
        return (kind, row._mapping[table.c.id])
    if table.name == "fact_corrections":
        return (row._mapping[table.c.record_kind], row._mapping[table.c.record_id])
    return None


def _table_rows(table, condition, wanted, redact):
    rows = []
    for row in db.session.execute(sa.select(table).where(condition).order_by(*table.primary_key.columns)):
        exemption = wanted.get(_whose(table, row))
        if exemption:
            rows.append({"withheld": WITHHELD, "exemption": SAR_EXEMPTIONS[exemption]})
        else:
            rows.append(_row(table, row, redact))
    return rows


def _case_data(case, wanted, redact):
    records = {"case": [_row(Assessment.__table__, _case_row(case), redact)]}
    family = Family.__table__
    records["family"] = [
        _row(family, r, redact) for r in db.session.execute(sa.select(family).where(family.c.id == case.family_id))
    ]
    for table, condition in owned_rows("families", [case.family_id], direct_only=True):
        if table.name in FAMILY_TABLES and table.name != "case_people":
            records[table.name] = _table_rows(table, condition, wanted, redact)
    for table, condition in reversed(owned_rows("assessments", [case.id])):
        rows = _table_rows(table, condition, wanted, redact)
        if rows:
            records[table.name] = rows
    return {"ref": case.ref, "records": records}


def _case_row(case):
    table = Assessment.__table__
    return db.session.execute(sa.select(table).where(table.c.id == case.id)).one()


def _withheld_summary(wanted):
    """What the response says was withheld: how many people under each exemption (never who)."""
    counts = {}
    for exemption in wanted.values():
        counts[exemption] = counts.get(exemption, 0) + 1
    return [{"exemption": SAR_EXEMPTIONS[code], "people": counts[code]} for code in SAR_EXEMPTIONS if code in counts]


def export_data(sar, now=None):
    """Everything held in the request's cases, with the marked third parties redacted (plain JSON data)."""
    wanted, names = _redacted_people(sar)
    redact = _scrubber(names)
    return {
        "request": {
            "reference": reference(sar),
            "subject": sar.subject_name,
            "subject_is": SAR_PERSON_KINDS[sar.person_kind],
            "received_on": sar.received_on.isoformat(),
            "due_on": sar.due_on.isoformat(),
            "produced_at": (now or utcnow()).isoformat(timespec="seconds"),
            "organisation": current_app.config["EHA_ORGANISATION_NAME"],
            "third_parties_redacted": len(wanted),
            "withheld": _withheld_summary(wanted),
        },
        "cases": [_case_data(case, wanted, redact) for case in cases_of(sar)],
    }


@autocommit
def export(sar, by):
    """Produce the ZIP (PDF and JSON) of a reviewed request. Returns (file name, bytes)."""
    from eha.pdf.subject_access import render_subject_access

    _require_manager(by)
    if sar.status not in ("ready", "completed"):
        raise NotAllowed(_l("The redactions must be reviewed before the export can be produced."))
    data = export_data(sar)
    name = reference(sar)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
        # The readable copy in the language of the manager's page; the JSON's keys and values stay as they are.
        archive.writestr(f"{name}.pdf", render_subject_access(data, gettext, current_language()))
    sar.status = "completed"
    sar.exported_at = utcnow()
    db.session.flush()
    audit.record(
        "export",
        user=by,
        detail={"sar": sar.id, "cases": len(data["cases"]), "redacted": data["request"]["third_parties_redacted"]},
    )
    return f"{name}.zip", buffer.getvalue()
