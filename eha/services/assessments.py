"""Starting and filling in an early help assessment: families, references, sections, agreement.

Every function here works inside the caller's transaction (the views wrap each action in ``committing()``);
none commits, except ``allocate_reference`` which may use a savepoint to create the counter row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from eha import audit
from eha.access import visible_cases_filter
from eha.definitions import (
    STATUS_COMPLETED,
    STATUS_IN_PROGRESS,
    STATUS_NOT_STARTED,
    section_status,
)
from eha.extensions import db
from eha.forms.families import normalise_nhs_number
from eha.models.assessments import (
    Assessment,
    AssessmentChild,
    Consent,
    ReferenceCounter,
    SectionAnswer,
)
from eha.models.base import utcnow
from eha.models.families import Carer, Child, Family, InvolvedAgency, NetworkMember, fold_name
from eha.models.users import Agency
from eha.workflow.states import DRAFT, OPEN_STATES, STATES

REF_PREFIX = "EHA"

STATUS_LABELS = {
    STATUS_NOT_STARTED: "Not started",
    STATUS_IN_PROGRESS: "In progress",
    STATUS_COMPLETED: "Completed",
}


class DuplicateEpisode(Exception):
    """A child already has an open early help episode."""

    def __init__(self, names):
        self.names = list(names)
        who = ", ".join(self.names) or "This child"
        super().__init__(
            f"{who} already has an open early help episode. Two episodes for the same child cannot run side "
            "by side: contact the lead professional or the early help hub."
        )


class SectionConflict(Exception):
    """Someone saved the section after the user opened it."""

    def __init__(self, current):
        self.current = current
        super().__init__("The section was changed by someone else")


class ConsentConflict(Exception):
    """The agreement changed after the user opened the page."""


class FamilyConflict(Exception):
    """Someone changed the household (the family or anyone in it) after the user opened the page."""


# --- working days ---

from eha.workflow.timescales import add_working_days  # noqa: E402  (re-exported for the demo)

# --- references ---


def allocate_reference(prefix: str = REF_PREFIX) -> str:
    """The next ``EHA-000123`` reference: one atomic ``UPDATE ... RETURNING`` on the counter row.

    The row lock the UPDATE takes makes a concurrent allocation wait for this transaction, so two people
    starting at once get different numbers on PostgreSQL and on SQLite (whose writers are serialised). A
    number is lost if the transaction rolls back: references are unique, not gapless.
    """
    bump = (
        sa.update(ReferenceCounter)
        .where(ReferenceCounter.prefix == prefix)
        .values(value=ReferenceCounter.value + 1)
        .returning(ReferenceCounter.value)
    )
    for _attempt in range(3):
        value = db.session.execute(bump).scalar()
        if value is not None:
            return f"{prefix}-{value:06d}"
        # First ever reference: create the row. Someone else may do the same at the same moment.
        try:
            with db.session.begin_nested():
                db.session.execute(sa.insert(ReferenceCounter).values(prefix=prefix, value=1))
            return f"{prefix}-{1:06d}"
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a reference")


# --- finding children ---


@dataclass
class EpisodeView:
    """An episode as the searching user may see it: everything, or only that one exists."""

    visible: bool
    is_open: bool
    ref: str | None = None
    state: str | None = None
    started_at: object = None


@dataclass
class ChildMatch:
    child: Child
    episodes: list[EpisodeView] = field(default_factory=list)

    @property
    def has_open_episode(self):
        return any(e.is_open for e in self.episodes)


SEARCH_LIMIT = 50
# More words than this in the name boxes add nothing but work for the database.
_MAX_NAME_WORDS = 6


class ChildMatches(list):
    """The children found, at most the search limit; ``more`` says whether others matched too."""

    more = False
    limit = SEARCH_LIMIT


def _name_word_matches(word):
    """``word`` starts the first or last name, or a later part of it ("wis" finds "Nowak-Wiśniewska")."""
    options = []
    for column in (Child.search_first_name, Child.search_last_name):
        options.append(column.startswith(word, autoescape=True))
        options.append(column.contains(" " + word, autoescape=True))
        options.append(column.contains("-" + word, autoescape=True))
    return sa.or_(*options)


def find_children(user, *, first_name=None, last_name=None, date_of_birth=None, nhs_number=None,
                  limit=SEARCH_LIMIT):
    """Children on record matching the search, each with their episodes as ``user`` may see them.

    An NHS number is matched exactly (and alone). Otherwise each word typed in either name box must start
    the child's first or last name, ignoring case and accents ("maj kow" finds Maja Kowalski, "lodz" finds
    Łódź), and a date of birth must match exactly. At most ``limit`` children; ``more`` is set when others
    matched too. The queries do not depend on how many children match.
    """
    conditions = []
    nhs = normalise_nhs_number(nhs_number) if nhs_number else ""
    if nhs:
        conditions.append(Child.nhs_number == nhs)
    else:
        words = f"{fold_name(first_name)} {fold_name(last_name)}".split()[:_MAX_NAME_WORDS]
        conditions.extend(_name_word_matches(word) for word in words)
        if date_of_birth:
            conditions.append(Child.date_of_birth == date_of_birth)
    matches = ChildMatches()
    if not conditions:
        return matches
    children = db.session.scalars(
        sa.select(Child)
        .where(*conditions)
        .options(selectinload(Child.family).selectinload(Family.children))
        .order_by(Child.search_last_name, Child.search_first_name, Child.id)
        .limit(limit + 1)
    ).all()
    matches.limit = limit
    if len(children) > limit:
        matches.more = True
        children = children[:limit]
    if not children:
        return matches
    rows = db.session.execute(
        sa.select(AssessmentChild.child_id, Assessment.id, Assessment.ref, Assessment.state, Assessment.started_at)
        .join(Assessment, Assessment.id == AssessmentChild.assessment_id)
        .where(AssessmentChild.child_id.in_([c.id for c in children]))
        .order_by(Assessment.started_at.desc())
    ).all()
    visible_ids = set(
        db.session.scalars(
            sa.select(Assessment.id).where(
                Assessment.id.in_({r.id for r in rows}), visible_cases_filter(user)
            )
        )
    ) if rows else set()
    by_child = {c.id: ChildMatch(child=c) for c in children}
    for row in rows:
        is_open = row.state in OPEN_STATES
        if row.id in visible_ids:
            episode = EpisodeView(True, is_open, row.ref, row.state, row.started_at)
        else:
            episode = EpisodeView(False, is_open)
        by_child[row.child_id].episodes.append(episode)
    matches.extend(by_child.values())
    return matches


def open_episode_child_ids(child_ids):
    if not child_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(AssessmentChild.child_id).where(
                AssessmentChild.child_id.in_(child_ids), AssessmentChild.is_open.is_(True)
            )
        )
    )


# --- starting an assessment ---


def _set_child(child, data):
    child.set_names(data["first_name"], data["last_name"])
    child.date_of_birth = data["date_of_birth"]
    child.sex = data.get("sex") or "not_known"
    child.school = data.get("school") or None
    child.nhs_number = normalise_nhs_number(data.get("nhs_number")) or None


def _set_carer(carer, data):
    carer.name = data["name"]
    carer.relationship_to_child = data["relationship_to_child"]
    carer.phone = data.get("phone") or None
    carer.email = data.get("email") or None
    if "address" in data:
        carer.address = data.get("address") or None
    carer.preferred_language = data.get("preferred_language") or None
    carer.interpreter_needed = data.get("interpreter_needed") in (True, "yes")


def create_family(user, *, name, address=None, postcode=None, child=None, carer=None):
    """A new family with its first child and first parent or carer."""
    family = Family(name=name, address=address or None, postcode=(postcode or "").upper() or None,
                    created_by_id=user.id)
    db.session.add(family)
    if child:
        record = Child(family=family)
        _set_child(record, child)
        db.session.add(record)
    if carer:
        record = Carer(family=family)
        _set_carer(record, carer)
        db.session.add(record)
    db.session.flush()
    return family


def start_assessment(user, family, children, *, today=None):
    """Open a draft assessment about ``children`` of ``family``, with ``user`` as lead for now.

    Raises ``DuplicateEpisode`` when any of the children already has an open episode (checked first, with
    the database's unique index on open episodes as the backstop).
    """
    from eha.definitions.store import active_definition_record

    children = list(children)
    if not children:
        raise ValueError("an assessment needs at least one child")
    taken = open_episode_child_ids([c.id for c in children if c.id])
    if taken:
        raise DuplicateEpisode([c.name for c in children if c.id in taken])
    definition = active_definition_record()
    today = today or date.today()
    due = add_working_days(today, current_app.config["EHA_ASSESSMENT_DUE_WORKING_DAYS"])
    case = Assessment(
        ref=allocate_reference(),
        family=family,
        state=DRAFT,
        definition_name=definition.name,
        definition_version=definition.version,
        started_by_id=user.id,
        lead_id=user.id,
        significant_harm_answer="no",
        assessment_due_on=due,
        next_due_on=due,
        next_due_label="Assessment due",
    )
    db.session.add(case)
    for child in children:
        case.subjects.append(AssessmentChild(child=child, is_open=True))
    names = [c.name for c in children]
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        # Someone opened an episode for one of the children since the check: the unique index refused.
        for obj in (case, *case.subjects):
            if obj in db.session:
                db.session.expunge(obj)
        raise DuplicateEpisode(names) from exc
    audit.record("case_created", assessment=case, user=user,
                 detail={"children": len(children), "definition": f"{definition.name} v{definition.version}"})
    return case


# --- the case list ---


@dataclass
class CasePage:
    cases: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))


def list_cases(user, *, state=None, text=None, page=1, per_page=25):
    """The cases ``user`` may see, filtered by state and by reference or child's name, one page of them."""
    query = sa.select(Assessment).where(visible_cases_filter(user))
    if state in STATES:
        query = query.where(Assessment.state == state)
    if text:
        text = text.strip()[:100]
        term = f"%{fold_name(text)}%"
        by_child = sa.exists(
            sa.select(1)
            .select_from(AssessmentChild)
            .join(Child, Child.id == AssessmentChild.child_id)
            .where(
                AssessmentChild.assessment_id == Assessment.id,
                sa.or_(
                    Child.search_first_name.like(term),
                    Child.search_last_name.like(term),
                    (Child.search_first_name + " " + Child.search_last_name).like(term),
                ),
            )
        )
        query = query.where(sa.or_(sa.func.upper(Assessment.ref).like(f"%{text.upper()}%"), by_child))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    cases = db.session.scalars(
        query.options(selectinload(Assessment.subjects))
        .order_by(Assessment.next_due_on.is_(None), Assessment.next_due_on, Assessment.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).unique().all()
    return CasePage(cases, total, page, per_page)


# --- the task list and sections ---


def section_answers(case):
    """``{section key: SectionAnswer}`` for the case (one query)."""
    return {s.section_key: s for s in db.session.scalars(
        sa.select(SectionAnswer).where(SectionAnswer.assessment_id == case.id)
    )}


def task_list(case, definition):
    """The sections of the pinned definition with each one's status, for the GOV.UK task list."""
    saved = section_answers(case)
    rows = []
    for section in definition.sections:
        record = saved.get(section.key)
        status = record.status if record else STATUS_NOT_STARTED
        rows.append({"section": section, "status": status, "label": STATUS_LABELS[status]})
    return rows


def save_section(case, section, answers, *, expected_version, user, complete):
    """Save a section's answers unless someone saved it since the user opened it (``SectionConflict``).

    ``expected_version`` is the SectionAnswer's ``version_id`` the user started from (0 when it did not exist).
    The status follows the definition: Completed only when every required field is answered.
    """
    record = db.session.scalar(
        sa.select(SectionAnswer).where(
            SectionAnswer.assessment_id == case.id, SectionAnswer.section_key == section.key
        )
    )
    current_version = record.version_id if record else 0
    if expected_version != current_version:
        raise SectionConflict(record)
    status = section_status(section, answers)
    try:
        with db.session.begin_nested():
            if record is None:
                record = SectionAnswer(assessment_id=case.id, section_key=section.key)
                db.session.add(record)
            record.answers = dict(answers)
            record.status = status
            record.updated_by_id = user.id
            db.session.flush()
    except (IntegrityError, StaleDataError) as exc:
        db.session.expire_all()
        current = db.session.scalar(
            sa.select(SectionAnswer).where(
                SectionAnswer.assessment_id == case.id, SectionAnswer.section_key == section.key
            )
        )
        raise SectionConflict(current) from exc
    audit.record("section_saved", assessment=case, user=user,
                 detail={"section": section.key, "status": status, "complete": bool(complete)})
    return record


# --- agreement ---


def consent_givers(case):
    """``[(value, label, kind, record)]``: the family's named carers and the children, who may agree."""
    family = case.family
    options = []
    for carer in family.carers:
        options.append((f"carer-{carer.id}", f"{carer.name} ({carer.relationship_to_child})", "carer", carer))
    for child in family.children:
        options.append((f"child-{child.id}", f"{child.name} (the young person)", "young_person", child))
    return options


def latest_consent_marker(case):
    consent = case.current_consent
    return f"{consent.id}.{consent.version_id}" if consent else "0"


def record_consent(case, user, *, given_by, given_on, agency_ids, withheld, legal_basis, marker):
    """Record the family's agreement as a new Consent row (earlier ones stay as history)."""
    if marker != latest_consent_marker(case):
        raise ConsentConflict()
    givers = {value: (kind, record) for value, _label, kind, record in consent_givers(case)}
    kind, person = givers[given_by]
    agencies = db.session.scalars(
        sa.select(Agency).where(Agency.id.in_([int(a) for a in agency_ids]), Agency.active.is_(True))
    ).all() if agency_ids else []
    consent = Consent(
        assessment=case,
        given_by_kind=kind,
        carer_id=person.id if kind == "carer" else None,
        child_id=person.id if kind == "young_person" else None,
        given_by_name=person.name,
        given_on=given_on,
        withheld=withheld or None,
        recorded_by_id=user.id,
        agencies=list(agencies),
    )
    db.session.add(consent)
    if legal_basis and legal_basis != case.legal_basis:
        case.legal_basis = legal_basis
    db.session.flush()
    audit.record("consent_recorded", assessment=case, user=user,
                 detail={"given_by": kind, "agencies": sorted(a.name for a in agencies)})
    return consent


def withdraw_consent(case, user, *, withdrawn_on, notes, marker):
    consent = case.current_consent
    if consent is None or consent.withdrawn_on is not None or marker != latest_consent_marker(case):
        raise ConsentConflict()
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_notes = notes or None
    consent.withdrawn_recorded_by_id = user.id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError as exc:
        raise ConsentConflict() from exc
    audit.record("consent_withdrawn", assessment=case, user=user, detail={"withdrawn_on": withdrawn_on.isoformat()})
    return consent


# --- family details ---


def update_family(case, user, what, record=None, data=None, *, agency=None, expected_version=None):
    """Add or change a part of the case's family; ``what`` is family, child, carer, network or agency.

    ``expected_version`` is the family's ``version_id`` the user's page was built from (as posted, so a
    string or None): a mismatch raises ``FamilyConflict`` and changes nothing. Every change to the household
    bumps the family's version, so an edit of any part conflicts with any page opened before it.
    """
    family = case.family
    if expected_version is not None and str(expected_version) != str(family.version_id):
        raise FamilyConflict()
    try:
        record = _apply_family_change(case, family, what, record, dict(data or {}), agency)
    except StaleDataError as exc:
        # A concurrent save bumped the version between our read and our UPDATE ... WHERE version_id = ...
        raise FamilyConflict() from exc
    audit.record("family_updated", assessment=case, user=user, detail={"part": what})
    return record


def _apply_family_change(case, family, what, record, data, agency):
    # Touching the family row makes SQLAlchemy's version_id_col write UPDATE families SET ...,
    # version_id = n + 1 WHERE id = ? AND version_id = n: the check and the bump are one atomic statement,
    # so of two concurrent saves from the same version only one can succeed (the other gets StaleDataError).
    family.updated_at = utcnow()
    if what == "family":
        family.name = data["name"]
        family.address = data.get("address") or None
        family.postcode = (data.get("postcode") or "").upper() or None
        record = family
    elif what == "child":
        new = record is None
        if new:
            record = Child(family=family)
            db.session.add(record)
        _set_child(record, data)
        if new:
            db.session.flush()
            # A child added to the family is part of the episode while it is open.
            if case.is_open:
                if open_episode_child_ids([record.id]):
                    raise DuplicateEpisode([record.name])
                case.subjects.append(AssessmentChild(child=record, is_open=True))
    elif what == "carer":
        if record is None:
            record = Carer(family=family)
            db.session.add(record)
        _set_carer(record, data)
    elif what == "network":
        if record is None:
            record = NetworkMember(family=family)
            db.session.add(record)
        record.name = data["name"]
        record.relationship_to_family = data["relationship_to_family"]
        record.contact = data.get("contact") or None
        record.support_offered = data.get("support_offered") or None
    elif what == "agency":
        if record is None:
            record = InvolvedAgency(family=family)
            db.session.add(record)
        record.agency_id = agency.id if agency else None
        record.agency_name = agency.name if agency else data["agency_name"]
        record.contact_name = data.get("contact_name") or None
        record.contact_details = data.get("contact_details") or None
        record.involvement = data.get("involvement") or None
    else:
        raise ValueError(what)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise DuplicateEpisode([getattr(record, "name", "")]) from exc
    return record
