"""Starting and filling in an early help assessment: references, finding the child, starting, the case list,
the case page and its sections. The family's details are ``eha.services.families``; the agreement is
``eha.services.consent``.

Each user action is one function that commits (``@autocommit`` or ``@case_action``); the helpers without one
work inside the caller's transaction.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from eha import access, audit, pagination
from eha.access import visible_cases_filter
from eha.definitions import STATUS_COMPLETED, STATUS_IN_PROGRESS, STATUS_NOT_STARTED, answer_display, section_status
from eha.definitions.store import reader_definition
from eha.errors import Invalid, NotFound, NotPermitted, StaleEdit
from eha.extensions import db
from eha.formatting import format_date
from eha.i18n import current_language, either
from eha.models.assessments import (
    SEARCH_NAMES_SEPARATOR,
    Assessment,
    AssessmentChild,
    Consent,
    ReferenceCounter,
    SectionAnswer,
)
from eha.models.choices import MANAGER
from eha.models.families import Carer, Child, Family, fold_name
from eha.models.users import Agency, User
from eha.nhs import normalise_nhs_number
from eha.pagination import DueOrder, seek_paginate
from eha.services.case_page import build_panel
from eha.transaction import autocommit, case_action
from eha.workflow.states import DRAFT, OPEN_STATES, STATES
from eha.workflow.timescales import add_working_days

REF_PREFIX = "EHA"

NO_SUCH_SECTION = _l("There is no such section.")
STATUS_LABELS = {
    STATUS_NOT_STARTED: _l("Not started"),
    STATUS_IN_PROGRESS: _l("In progress"),
    STATUS_COMPLETED: _l("Completed"),
}


class DuplicateEpisode(Invalid):
    """A child already has an open early help episode (shown as an error on the form's ``field``)."""

    def __init__(self, names, field=None):
        self.names = list(names)
        who = ", ".join(self.names) or "This child"
        super().__init__(
            f"{who} already has an open early help episode. Two episodes for the same child cannot run side "
            "by side: contact the lead professional or the early help hub.",
            field=field,
            detail={"reason": "open episode"},
        )


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


# --- who may see a family ---


def visible_family_ids(user, family_ids):
    """The families among ``family_ids`` whose records ``user`` may see: a case of the family they may see, or
    (for a family with no case yet) a family they created. Anyone else learns only that a record exists."""
    family_ids = set(family_ids)
    if not family_ids:
        return set()
    seen = set(
        db.session.scalars(
            sa.select(Assessment.family_id).where(Assessment.family_id.in_(family_ids), visible_cases_filter(user))
        )
    )
    has_case = sa.exists(sa.select(1).where(Assessment.family_id == Family.id))
    creator = sa.true() if user.role == MANAGER else Family.created_by_id == user.id
    seen |= set(db.session.scalars(sa.select(Family.id).where(Family.id.in_(family_ids - seen), ~has_case, creator)))
    return seen


def contacts_for(family_ids):
    """``{family id: [agency name]}``: whom to contact about a family's cases (the lead's agency, or the
    starter's when there is no lead), the latest case first."""
    if not family_ids:
        return {}
    holder = aliased(User)
    rows = db.session.execute(
        sa.select(Assessment.family_id, Agency.name)
        .join(holder, holder.id == sa.func.coalesce(Assessment.lead_id, Assessment.started_by_id))
        .join(Agency, Agency.id == holder.agency_id)
        .where(Assessment.family_id.in_(set(family_ids)))
        .order_by(Assessment.started_at.desc(), Assessment.id.desc())
    ).all()
    contacts = {}
    for family_id, name in rows:
        names = contacts.setdefault(family_id, [])
        if name not in names:
            names.append(name)
    return contacts


def _refuse_family(family_id):
    names = contacts_for([family_id]).get(family_id) or []
    raise NotPermitted(
        _l("This family's record is held on a case you cannot see. Contact %(who)s to be involved.", who=either(names)),
        detail={"reason": "family not visible", "family_id": family_id},
    )


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
    """A child found. ``child`` is None when the user may see none of the family's cases: then the match says
    only that a record exists and whom to contact (``contacts``), never a name, a date of birth or a sibling."""

    child: Child | None
    episodes: list[EpisodeView] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)

    @property
    def visible(self):
        return self.child is not None

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

    @property
    def family_ids(self):
        """The families the user may continue with."""
        return sorted({m.child.family_id for m in self if m.visible})


def _name_word_matches(word):
    """``word`` starts the first or last name, or a later part of it ("wis" finds "Nowak-Wiśniewska")."""
    options = []
    for column in (Child.search_first_name, Child.search_last_name):
        options.append(column.startswith(word, autoescape=True))
        options.append(column.contains(" " + word, autoescape=True))
        options.append(column.contains("-" + word, autoescape=True))
    return sa.or_(*options)


def _search_words(first_name, last_name):
    return f"{fold_name(first_name)} {fold_name(last_name)}".split()[:_MAX_NAME_WORDS]


def _search_conditions(first_name, last_name, date_of_birth, nhs_number):
    nhs = normalise_nhs_number(nhs_number) if nhs_number else ""
    if nhs:
        return [Child.nhs_number == nhs]
    words = _search_words(first_name, last_name)
    conditions = [_name_word_matches(word) for word in words]
    # Implied by each word's match, and what the PostgreSQL trigram index answers: the database finds the few
    # children whose full name contains the words, then checks where in the name each word starts.
    conditions += [child_search_name().contains(word, autoescape=True) for word in words]
    if conditions and date_of_birth:
        conditions.append(Child.date_of_birth == date_of_birth)
    return conditions


# --- one typo (PostgreSQL): "smiht" finds Smith ---

# A word this long may have one typo; a shorter one must start the name as typed (one edit of "li" is anything).
TYPO_MIN_LENGTH = 4
# One typo can leave only a third of a short word's trigrams ("smtih" shares "  s" and " sm" of Smith's six):
# pg_trgm's word similarity of 0.3 finds such near names from the trigram index, then ``one_edit_from_start``
# keeps only those one typo from the start of a name (the similarity alone would also find "walski" inside
# Kowalski, or "smart" for "smith").
TYPO_SIMILARITY = "0.3"
# How many near names the database offers for checking (nearest first) when none match as typed.
_TYPO_CANDIDATES = 200


def typos_searched():
    """Whether names are searched with a typo allowed: on PostgreSQL, whose pg_trgm (migration 0009) can find
    near names from an index. SQLite keeps the folded prefix search."""
    return db.session.get_bind().dialect.name == "postgresql"


def allow_typos():
    """Set, for this transaction only, the word similarity at which pg_trgm's ``<%`` finds a name with one typo."""
    db.session.execute(sa.select(sa.func.set_config("pg_trgm.word_similarity_threshold", TYPO_SIMILARITY, True)))


def _one_edit(a, b):
    """Whether ``a`` and ``b`` are at most one edit apart (a letter added, dropped, changed or two swapped)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    swapped = len(a) == len(b) >= 2 and a[0] == b[1] and a[1] == b[0] and a[2:] == b[2:]
    return swapped or a[1:] == b[1:] or a[1:] == b or a == b[1:]


def one_edit_from_start(word, name):
    """Whether ``word`` (folded) is one typo from the start of a part of ``name`` (folded): "smiht" and "smth"
    start "smith"; "walski" starts no part of "kowalski"."""
    parts = name.replace("-", " ").split()
    for part in parts:
        if part.startswith(word):
            return True
        if len(word) >= TYPO_MIN_LENGTH and any(
            _one_edit(word, part[:length]) for length in (len(word) - 1, len(word), len(word) + 1)
        ):
            return True
    return False


def near_name(text):
    """PostgreSQL: ``text`` is near a word of the child's folded name (pg_trgm's ``<%``, which the trigram index
    on that name answers)."""
    return sa.literal(text).op("<%", is_comparison=True)(child_search_name().self_group())


def _find_with_typos(words, date_of_birth, limit):
    """When no child matches as typed: those one typo away, nearest first."""
    near = [near_name(word) for word in words] + ([Child.date_of_birth == date_of_birth] if date_of_birth else [])
    similarity = functools.reduce(operator.add, (sa.func.word_similarity(word, child_search_name()) for word in words))
    allow_typos()
    children = db.session.scalars(
        sa.select(Child)
        .where(*near)
        .options(selectinload(Child.family))
        .order_by(similarity.desc(), Child.search_last_name, Child.search_first_name, Child.id)
        .limit(_TYPO_CANDIDATES)
    ).all()
    full = lambda child: f"{child.search_first_name} {child.search_last_name}"  # noqa: E731
    return [c for c in children if all(one_edit_from_start(word, full(c)) for word in words)][: limit + 1]


def _typos_allowed(words):
    return bool(words) and typos_searched() and any(len(word) >= TYPO_MIN_LENGTH for word in words)


def _episodes(user, children):
    """``{child id: [EpisodeView]}``, the latest first (one query, whether the user may see them or not)."""
    visible = sa.case((visible_cases_filter(user), True), else_=False).label("visible")
    rows = db.session.execute(
        sa.select(AssessmentChild.child_id, Assessment.ref, Assessment.state, Assessment.started_at, visible)
        .join(Assessment, Assessment.id == AssessmentChild.assessment_id)
        .where(AssessmentChild.child_id.in_([c.id for c in children]))
        .order_by(Assessment.started_at.desc())
    ).all()
    episodes = {}
    for row in rows:
        is_open = row.state in OPEN_STATES
        if row.visible:
            episode = EpisodeView(True, is_open, row.ref, row.state, row.started_at)
        else:
            episode = EpisodeView(False, is_open)
        episodes.setdefault(row.child_id, []).append(episode)
    return episodes


# --- the first children by name, read in that order (PostgreSQL, migration 0033) ---


def _name_order():
    """The order matches are shown in: last name, first name (folded, byte order, as SQLite sorts them), id.
    ``ix_children_name_order`` holds it, so the first matches by name are read from it in order."""
    return (Child.search_last_name.collate("C"), Child.search_first_name.collate("C"), Child.id)


def _later_names():
    """The child's folded names but for the start of the last name: the first name whole, and any later part of
    the last name ("-wisniewska" of "nowak-wisniewska"). A word that does not start the last name matches here
    or nowhere, and ``ix_children_later_names_trgm`` finds those few; written with literals so PostgreSQL
    matches it to that index."""
    rest = sa.func.regexp_replace(Child.search_last_name, sa.literal_column("'^[^ -]+'"), sa.literal_column("''"))
    return Child.search_first_name.concat(sa.literal_column("' '")).concat(rest)


def _children_in_name_order(words, date_of_birth, limit):
    """Up to ``limit`` children matching every word, in ``_name_order``, reading about ``limit`` rows whatever
    the number of matches (PostgreSQL).

    The matches are split in two. Those whose last name starts with a word are read from the name-order index,
    for each word, in order; a search for "smith" reads the first 51 Smiths, not all 2,000 (issue 14). The rest,
    whose every word starts the first name or a later part of a name, come from the trigram index on
    ``_later_names``. The two meet in the same order, and the first ``limit`` are kept."""
    last, first, ident = _name_order()
    every_word = [_name_word_matches(word) for word in words]
    born = [Child.date_of_birth == date_of_birth] if date_of_birth else []
    keys = (last.label("last"), first.label("first"), ident.label("id"))
    starts = [last.startswith(word, autoescape=True) for word in dict.fromkeys(words)]
    # A child is in one part only: the first word its last name starts with, or none.
    parts = [
        sa.select(*keys)
        .where(start, *[sa.not_(earlier) for earlier in starts[:n]], *every_word, *born)
        .order_by(last, first, ident)
        .limit(limit)
        for n, start in enumerate(starts)
    ]
    parts.append(
        sa.select(*keys)
        .where(
            *[sa.not_(start) for start in starts],
            *[_later_names().contains(word, autoescape=True) for word in words],
            *every_word,
            *born,
        )
        .order_by(last, first, ident)
        .limit(limit)
    )
    found = sa.union_all(*parts).subquery()
    return db.session.scalars(
        sa.select(Child)
        .join(found, found.c.id == Child.id)
        .options(selectinload(Child.family))
        .order_by(found.c.last, found.c.first, found.c.id)
        .limit(limit)
    ).all()


def find_children(user, *, first_name=None, last_name=None, date_of_birth=None, nhs_number=None, limit=SEARCH_LIMIT):
    """Children on record matching the search, each with their episodes as ``user`` may see them.

    An NHS number is matched exactly (and alone). Otherwise each word typed in either name box must start
    the child's first or last name, ignoring case and accents ("maj kow" finds Maja Kowalski, "lodz" finds
    Łódź), and a date of birth must match exactly. At most ``limit`` children; ``more`` is set when others
    matched too. A family none of whose cases the user may see is one anonymous match saying whom to contact.
    The queries do not depend on how many children match.
    """
    matches = ChildMatches()
    matches.limit = limit
    conditions = _search_conditions(first_name, last_name, date_of_birth, nhs_number)
    if not conditions:
        return matches
    words = [] if nhs_number and normalise_nhs_number(nhs_number) else _search_words(first_name, last_name)
    if words and typos_searched():
        children = _children_in_name_order(words, date_of_birth, limit + 1)
    else:
        children = db.session.scalars(
            sa.select(Child)
            .where(*conditions)
            .options(selectinload(Child.family))
            .order_by(Child.search_last_name, Child.search_first_name, Child.id)
            .limit(limit + 1)
        ).all()
    if not children and _typos_allowed(words):
        children = _find_with_typos(words, date_of_birth, limit)
    if len(children) > limit:
        matches.more = True
        children = children[:limit]
    if not children:
        return matches
    visible = visible_family_ids(user, {c.family_id for c in children})
    episodes = _episodes(user, [c for c in children if c.family_id in visible])
    hidden = {c.family_id for c in children if c.family_id not in visible}
    contacts = contacts_for(hidden)
    for child in children:
        if child.family_id in visible:
            matches.append(ChildMatch(child, episodes.get(child.id, [])))
        elif child.family_id in hidden:
            hidden.discard(child.family_id)  # one match per family: its children are not counted out
            matches.append(ChildMatch(None, contacts=contacts.get(child.family_id, [])))
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


# --- the consistent identifier ---


def spaced_nhs_number(digits):
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


class NhsNumberOnRecord(Invalid):
    """The NHS number typed is already another child's. ``holder`` is that child when the user may see them
    (so the page can offer their record), else None: then the message says only whom to contact."""

    def __init__(self, message, *, holder=None, field=None):
        super().__init__(message, field=field, detail={"reason": "nhs number on record"})
        self.holder = holder


def _nhs_number_holder(digits, child=None):
    query = sa.select(Child).where(Child.nhs_number == digits).options(selectinload(Child.family))
    if child is not None and child.id is not None:
        query = query.where(Child.id != child.id)
    return db.session.scalars(query.limit(1)).first()


def refuse_taken_nhs_number(user, nhs_number, *, family=None, child=None, field="nhs_number"):
    """Raise ``NhsNumberOnRecord`` when ``nhs_number`` belongs to a child other than ``child``: one in the same
    ``family`` (a household cannot hold one number twice), one the user may see, or one they may not."""
    digits = normalise_nhs_number(nhs_number)
    holder = _nhs_number_holder(digits, child) if digits else None
    if holder is None:
        return
    number = spaced_nhs_number(digits)
    if family is not None and family.id is not None and holder.family_id == family.id:
        raise NhsNumberOnRecord(
            _(
                "%(name)s in this household already has the NHS number %(number)s: enter this child's own NHS number",
                name=holder.name,
                number=number,
            ),
            field=field,
        )
    if holder.family_id in visible_family_ids(user, [holder.family_id]):
        raise NhsNumberOnRecord(
            _(
                "The NHS number %(number)s is already on record for %(name)s, born %(date)s (%(family)s): use that "
                "child's record, or check the number",
                number=number,
                name=holder.name,
                date=format_date(holder.date_of_birth, "long", current_language()),
                family=holder.family.name,
            ),
            holder=holder,
            field=field,
        )
    names = contacts_for([holder.family_id]).get(holder.family_id) or []
    raise NhsNumberOnRecord(
        _(
            "The NHS number %(number)s is already on record for a child on a case you cannot see: check the "
            "number, or contact %(who)s",
            number=number,
            who=either(names),
        ),
        field=field,
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
    family = Family(
        name=name, address=address or None, postcode=(postcode or "").upper() or None, created_by_id=user.id
    )
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


def start_assessment(user, family, children, *, today=None, field=None):
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
        raise DuplicateEpisode([c.name for c in children if c.id in taken], field=field)
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
        raise DuplicateEpisode(names, field=field) from exc
    audit.record(
        "case_created",
        assessment=case,
        user=user,
        detail={"children": len(children), "definition": f"{definition.name} v{definition.version}"},
    )
    return case


@autocommit
def start_with_new_family(user, *, name, address, postcode, child, carer):
    """Step 3 for a family not on record: the family, its first child and carer, and the draft assessment.

    An NHS number already on record refuses the start (``NhsNumberOnRecord``, offering that child's record
    when the user may see it); the unique index refuses one added by someone else meanwhile."""
    refuse_taken_nhs_number(user, child.get("nhs_number"), field="child_nhs_number")
    try:
        with db.session.begin_nested():
            family = create_family(user, name=name, address=address, postcode=postcode, child=child, carer=carer)
    except IntegrityError as exc:
        refuse_taken_nhs_number(user, child.get("nhs_number"), field="child_nhs_number")
        raise Invalid(_("Someone saved this family at the same time: try again"), field="name") from exc
    return start_assessment(user, family, family.children, field="child_first_name")


@dataclass
class FamilyChoice:
    """An existing family a new episode may be about: who is free to be part of it."""

    family: Family
    busy: set
    available: list


def family_for_start(user, family_id):
    """The family a user chose to continue with. A family whose cases the user may not see is refused, with
    whom to contact; a family that has gone is a 404."""
    family = db.session.get(Family, family_id) if family_id else None
    if family is None:
        raise NotFound(_l("There is no such family."))
    if family.id not in visible_family_ids(user, [family.id]):
        _refuse_family(family.id)
    busy = open_episode_child_ids([c.id for c in family.children])
    return FamilyChoice(family, busy, [c for c in family.children if c.id not in busy])


@autocommit
def start_with_family(user, family_id, child_ids):
    """Step 3 for a family on record: a draft assessment about the chosen children (those free to join)."""
    choice = family_for_start(user, family_id)
    chosen = [c for c in choice.available if str(c.id) in set(child_ids)]
    if not chosen:
        raise Invalid(_("Select at least one child"), field="children")
    return start_assessment(user, choice.family, chosen, field="children")


# --- the case list ---


def child_search_name():
    """The child's folded first and last name as one string: what the PostgreSQL trigram index is built on
    (migration 0009), written with a literal space so the database matches it to the index."""
    return Child.search_first_name.concat(sa.literal_column("' '")).concat(Child.search_last_name)


def _cases_as_typed(text):
    """``(by reference, by name)``: conditions on ``Assessment`` that the case's reference, or a child's first,
    last or full name, contains ``text`` (folded). "Contains in the first name or the last name or
    first-space-last" is the same as "contains in first-space-last", which ``Assessment.search_names`` holds for
    each child of the case: the condition reads the case's own row, so the list can walk its order and stop after
    a page when many cases match, and PostgreSQL's trigram indexes find the few when few do (migration 0031).
    SQLite scans, as before."""
    return sa.func.upper(Assessment.ref).like(f"%{text.upper()}%"), Assessment.search_names.like(f"%{fold_name(text)}%")


def _cases_matching(text, *, typos=True):
    """A condition on ``Assessment``: the case's reference or a child's name contains ``text``; with ``typos``,
    when no case at all (seen by the user or not) matches as typed, those one typo away (PostgreSQL)."""
    folded = fold_name(text)
    by_ref, by_name = _cases_as_typed(text)
    if typos and _typos_allowed([folded]) and not _any_case_matches(by_ref, by_name):
        # Nothing matches as typed: allow one typo ("smiht"), which the children's trigram index answers: the
        # near children first, then their episodes through the child_id index (as an id set: joined,
        # PostgreSQL hashed all 180,000 episode-child rows at 100k to find the few). Every word must be near a
        # word of the same child's name: "okafor bola" is not one typo from Amara Okafor or from Bola Adeyemi.
        allow_typos()
        near = [near_name(word) for word in folded.split()]
        by_child = sa.select(AssessmentChild.assessment_id).where(
            access.among_ids(AssessmentChild.child_id, sa.select(Child.id).where(*near))
        )
        return access.among_ids(Assessment.id, sa.union(sa.select(Assessment.id).where(by_ref), by_child))
    return sa.or_(by_ref, by_name)


def _any_case_matches(by_ref, by_name):
    """Whether any case (seen by the user or not) has this reference or child's name as typed: two index probes
    that stop at the first match."""
    return db.session.scalar(
        sa.select(
            sa.or_(sa.select(Assessment.id).where(by_ref).exists(), sa.select(Assessment.id).where(by_name).exists())
        )
    )


def _search_text(text):
    """What a search box's text searches for. The separator of ``search_names`` is taken out, as NUL is: no
    search spans two children's names."""
    return (text or "").replace("\x00", "").replace(SEARCH_NAMES_SEPARATOR, "").strip()[:100]


def case_list(user, *, state=None, text=None, needs=None, typos=True):
    """A select of the cases ``user`` may see, filtered by state, by reference or child's name (``typos``: one
    typo allowed when nothing matches as typed), and by what needs a manager (``eha.services.attention``),
    soonest due first (the order ``ix_assessments_due_order`` holds). Page it with ``case_list_page``."""
    from eha.services import attention

    # A disposed case has no content left to work on (its pages answer 410): the list leaves it out, and the
    # retention page lists it with a link to the record of who saw and changed it, which is kept.
    query = sa.select(Assessment).where(visible_cases_filter(user), Assessment.disposed_at.is_(None))
    if state in STATES:
        query = query.where(Assessment.state == state)
    needing = attention.condition(needs)
    if needing is not None:
        query = query.where(needing)
    text = _search_text(text)
    if text:
        query = query.where(_cases_matching(text, typos=typos))
    return query.order_by(Assessment.next_due_on.is_(None), Assessment.next_due_on, Assessment.id.desc())


@dataclass(frozen=True, slots=True)
class ListedCase:
    """A row of the case list: what it shows and no more (no users, no password hashes), as plain values, so a
    page of 25 builds no ORM objects to track and expire at the request's commit (issue 14)."""

    id: int
    ref: str
    state: str
    next_due_on: date | None
    next_due_label: str | None
    family_name: str | None
    child_names: tuple[str, ...]

    @property
    def is_open(self):
        return self.state in OPEN_STATES


# The columns a page of the list reads. The family's name is a scalar subquery, which PostgreSQL evaluates for the
# page's rows after the sort, where a join fetched the family of every matching case first (1,213 families for a
# page of 25 of a common name's cases at 100k).
CASE_LIST_COLUMNS = (
    Assessment.id,
    Assessment.ref,
    Assessment.state,
    Assessment.next_due_on,
    Assessment.next_due_label,
    sa.select(Family.name)
    .where(Family.id == Assessment.family_id)
    .correlate(Assessment)
    .scalar_subquery()
    .label("family_name"),
)


# The list's order, as ``ix_assessments_due_order`` holds it: the seek key of its pages.
CASE_LIST_ORDER = DueOrder(Assessment.next_due_on, Assessment.id)


def _listed_cases(rows):
    """``ListedCase`` for each page row, with its children's names (in the order they were added): one query."""
    names = {row.id: [] for row in rows}
    if names:
        children = (
            sa.select(AssessmentChild.assessment_id, Child.first_name, Child.last_name)
            .join(Child, Child.id == AssessmentChild.child_id)
            .where(AssessmentChild.assessment_id.in_(list(names)))
            .order_by(AssessmentChild.assessment_id, AssessmentChild.child_id)
        )
        for assessment_id, first_name, last_name in db.session.execute(children):
            names[assessment_id].append(Child.name_of(first_name, last_name))
    return [
        ListedCase(
            row.id, row.ref, row.state, row.next_due_on, row.next_due_label, row.family_name, tuple(names[row.id])
        )
        for row in rows
    ]


def case_list_page(user, *, state=None, text=None, needs=None):
    """A page of ``case_list`` (``ListedCase`` rows) at ``?after=``/``?before=`` (keyset: a deep page costs what
    the first does; an old ``?page=N`` still opens), counted up to ``eha.pagination.COUNT_BOUND``, a search's
    matches up to ``SEARCH_COUNT_BOUND``: three queries."""
    text = _search_text(text)
    bound = pagination.SEARCH_COUNT_BOUND if text else None

    def page(typos):
        cases = case_list(user, state=state, text=text, needs=needs, typos=typos)
        return seek_paginate(cases, CASE_LIST_ORDER, columns=CASE_LIST_COLUMNS, bound=bound, search=bool(text))

    # As typed first: when cases match, the count says so and no probe for typos is made. Only an empty search
    # asks whether any case matches as typed, and if none does, searches again with one typo allowed.
    found = page(typos=False)
    if found.total == 0 and _typos_allowed([fold_name(text)]):
        found = page(typos=True)
    found.items = _listed_cases(found.items)
    return found


# --- the case page, the task list and sections ---


# The case page's statements, built once per process with the case as a parameter: reusing a statement object
# spares building it and SQLAlchemy's walk for its cache key on every view (issue 14).
@functools.cache
def _case_page_statements():
    case_id = sa.bindparam("case_id")
    return {
        "answers": sa.select(SectionAnswer).where(SectionAnswer.assessment_id == case_id),
        "family": sa.select(Family)
        .where(Family.id == sa.bindparam("family_id"))
        .options(joinedload(Family.children), joinedload(Family.carers)),
        "consents": sa.select(Consent)
        .where(Consent.assessment_id == case_id)
        .order_by(Consent.id)
        .options(joinedload(Consent.agencies)),
    }


def section_answers(case):
    """``{(section key, child id or None): SectionAnswer}`` for the case (one query)."""
    return {
        (s.section_key, s.child_id): s
        for s in db.session.scalars(_case_page_statements()["answers"], {"case_id": case.id})
    }


def task_list(case, definition):
    """The sections of the pinned definition with each one's status, for the GOV.UK task list; a section asked
    of each child is one row per child, named for them."""
    saved = section_answers(case)
    rows = []
    for section, child in definition.pages(case.children):
        record = saved.get((section.key, child.id if child else None))
        status = record.status if record else STATUS_NOT_STARTED
        rows.append(
            {
                "section": section,
                "child": child,
                "title": section.title_for(child.name if child else None),
                "status": status,
                "label": STATUS_LABELS[status],
            }
        )
    return rows


def _load_case_page_rows(case):
    """What the case page reads beyond the case row, in two queries rather than four (issue 14): the family with
    its children and carers (the page counts them), and the case's agreements with the agencies they name."""
    statements = _case_page_statements()
    db.session.scalars(statements["family"], {"family_id": case.family_id}).unique().all()
    if "consents" in sa.inspect(case).unloaded:
        consents = db.session.scalars(statements["consents"], {"case_id": case.id}).unique().all()
        set_committed_value(case, "consents", consents)


def case_page(case, user):
    """What the case page shows: the task list, the workflow panel and which links this user has."""
    _load_case_page_rows(case)
    definition = reader_definition(case)
    return {
        "tasks": task_list(case, definition),
        "definition": definition,
        "panel": build_panel(case, user),
        "can_edit": access.can_edit_assessment(user, case),
        "can_manage": access.can_manage(user, case),
        "can_view_history": access.can_view_history(user, case),
    }


def section_of(case, key, child_id=None):
    """``(definition, section, child)``: the section ``key`` of the case's definition, and for a section asked of
    each child, the child ``child_id`` the case is about. 404 for no such section, a household section asked for
    a child, or a child the case is not about. In the reader's language: keys and option values are the same in
    every language, so what is saved from it is."""
    definition = reader_definition(case)
    if not definition.has_section(key):
        raise NotFound(NO_SUCH_SECTION)
    section = definition.section(key)
    if not section.each_child:
        if child_id is not None:
            raise NotFound(NO_SUCH_SECTION)
        return definition, section, None
    child = next((c for c in case.children if c.id == child_id), None)
    if child is None:
        raise NotFound(NO_SUCH_SECTION)
    return definition, section, child


def _section_record(case, key, child_id=None):
    child_is = SectionAnswer.child_id.is_(None) if child_id is None else SectionAnswer.child_id == child_id
    return db.session.scalar(
        sa.select(SectionAnswer)
        .where(SectionAnswer.assessment_id == case.id, SectionAnswer.section_key == key, child_is)
        .execution_options(populate_existing=True)
    )


@dataclass
class SectionPage:
    definition: object
    section: object
    record: SectionAnswer | None
    editable: bool
    can_edit: bool
    child: object = None
    children: tuple = ()

    @property
    def child_id(self):
        return self.child.id if self.child is not None else None

    @property
    def title(self):
        return self.section.title_for(self.child.name if self.child is not None else None)

    @property
    def version(self):
        return self.record.version_id if self.record is not None else 0

    @property
    def answers(self):
        return self.record.answers if self.record is not None else None

    def rows(self):
        """Each question with its answer as text, for reading."""
        answers = self.answers or {}
        return [(spec, shown_answer(spec, answers.get(spec.key))) for spec in self.section.fields]

    @property
    def born_on(self):
        """The date of birth no past date in the section may be before: the child's own in a section about one
        child, else the oldest child's in the episode."""
        if self.child is not None:
            return self.child.date_of_birth
        births = [c.date_of_birth for c in self.children if c.date_of_birth]
        return min(births) if births else None

    def next_page(self):
        """``(section key, child id or None)`` of the page after this one, or None after the last."""
        pages = [(section.key, child.id if child else None) for section, child in self.definition.pages(self.children)]
        index = pages.index((self.section.key, self.child_id))
        return pages[index + 1] if index + 1 < len(pages) else None


def shown_answer(spec, value):
    """A saved answer as the reader reads it on a page: a date in their language ("5 Mawrth 2026"), a score as
    their language says it ("3 allan o 10"), options as ``spec`` (the reader's definition) names them."""
    return answer_display(spec, value, "\n", language=current_language(), out_of=_("{score} out of {most}"))


def section_page(case, key, user, child_id=None):
    definition, section, child = section_of(case, key, child_id)
    can_edit = access.can_edit_assessment(user, case)
    return SectionPage(
        definition,
        section,
        _section_record(case, key, child_id),
        can_edit and case.state == DRAFT,
        can_edit,
        child=child,
        children=tuple(case.children),
    )


def section_conflict(section, saved, typed):
    """The conflict page's comparison: each question with what is saved now and what the user typed."""
    theirs = saved.answers if saved is not None else {}
    return {
        "rows": [
            (spec, shown_answer(spec, theirs.get(spec.key)), shown_answer(spec, typed.get(spec.key)))
            for spec in section.fields
        ],
        "by": saved.updated_by.name if saved is not None and saved.updated_by else None,
        "at": saved.updated_at if saved is not None else None,
    }


@case_action
def save_section(case, section, answers, *, expected_version, user, complete, child=None):
    """Save a section's answers (for ``child``, in a section asked of each child) unless someone saved it since
    the user opened it (``StaleEdit`` with what is saved now). ``expected_version`` is the SectionAnswer's
    ``version_id`` the user started from (0 when it did not exist). The status follows the definition: Completed
    only when every required field is answered.
    """
    child_id = child.id if child is not None else None
    detail = {"section": section.key} if child_id is None else {"section": section.key, "child": child_id}
    record = _section_record(case, section.key, child_id)
    if expected_version != (record.version_id if record else 0):
        raise StaleEdit(saved=record, detail=detail)
    status = section_status(section, answers)
    try:
        with db.session.begin_nested():
            if record is None:
                record = SectionAnswer(assessment_id=case.id, section_key=section.key, child_id=child_id)
                db.session.add(record)
            record.answers = dict(answers)
            record.status = status
            record.updated_by_id = user.id
            db.session.flush()
    except (IntegrityError, StaleDataError) as exc:
        db.session.expire_all()
        raise StaleEdit(saved=_section_record(case, section.key, child_id), detail=detail) from exc
    audit.record(
        "section_saved",
        assessment=case,
        user=user,
        detail={**detail, "status": status, "complete": bool(complete)},
    )
    return record
