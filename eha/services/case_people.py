"""People on a case without an eha account (``CasePerson``): the family's wider network (a grandmother who does the
school run, a family friend) and professionals without an account (a GP, an advocate, an interpreter).

The lead professional or a manager adds, changes and removes them while the case is open; everyone who sees the
case sees the list. They can own actions (the lead records their progress) and sign a plan version
(``services/plans.py``). Removing someone never deletes the row: ``removed_at`` takes them off the case and what
they did (signatures, actions, attendance) stays. Audit details hold ids and codes only, never names.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eha import access, audit
from eha.errors import Invalid, NotAllowed, NotFound, StaleEdit, expect_version
from eha.extensions import db
from eha.models.assessments import CasePerson
from eha.models.base import utcnow
from eha.models.choices import CASE_PERSON_KINDS
from eha.transaction import case_action

CLOSED = _l("This case is closed: the people on it can no longer change.")
REMOVED = _l("This person is no longer on the case: they can no longer be changed.")
NOT_ON_CASE = _l("There is no such person on this case.")

# Field -> its longest value; the form and the service both hold to these.
LIMITS = {
    "name": 200,
    "role": 200,
    "organisation": 200,
    "email": 320,
    "phone": 50,
    "communication_needs": 2000,
    "interpreter_language": 100,
}
FIELDS = ("kind", *LIMITS)
# How each field is named in a message and on the conflict notice.
FIELD_LABELS = {
    "kind": _l("Kind"),
    "name": _l("Full name"),
    "role": _l("Role or relationship to the family"),
    "organisation": _l("Organisation"),
    "email": _l("Email address"),
    "phone": _l("Phone number"),
    "communication_needs": _l("Communication needs"),
    "interpreter_language": _l("Interpreter language"),
}

# The message when a required field is empty.
ENTER = {"name": _l("Enter their full name"), "role": _l("Enter their role or relationship to the family")}


# --- reading ---


def _role_in_sentence(role):
    """ "Maternal grandmother" -> "maternal grandmother"; "GP" stays "GP"."""
    if len(role) > 1 and role[1].isupper():
        return role
    return role[:1].lower() + role[1:]


def describe(person):
    """How the person is named in a list of choices: "Maria Nowak (maternal grandmother)",
    "Dr Patel (GP, Riverside Surgery)"."""
    what = _role_in_sentence(person.role)
    if person.organisation:
        what = f"{what}, {person.organisation}"
    return f"{person.name} ({what})"


def current_people(case):
    """The people on the case now, in the order they were added."""
    return [p for p in case.people if p.removed_at is None]


def removed_people(case):
    return [p for p in case.people if p.removed_at is not None]


def available_network(case):
    """The household's network members who are not on the case now (a removed one may be added again)."""
    taken = {p.network_member_id for p in current_people(case) if p.network_member_id}
    return [m for m in case.family.network if m.id not in taken]


def person_on_case(case, person_id):
    """The person ``person_id`` of this case, as stored now (read again after the case lock); NotFound for an id
    of another case or none."""
    person = db.session.scalar(
        sa.select(CasePerson)
        .where(CasePerson.id == person_id, CasePerson.assessment_id == case.id)
        .execution_options(populate_existing=True)
    )
    if person is None:
        raise NotFound(NOT_ON_CASE, detail={"person": person_id})
    return person


def current_person(case, person_id):
    """The person ``person_id`` if still on the case; NotAllowed (409) for someone removed."""
    person = person_on_case(case, person_id)
    if person.removed_at is not None:
        raise NotAllowed(REMOVED, detail={"person": person.id})
    return person


def open_actions(case, person):
    """The open actions ``person`` owns in the latest version of the plan."""
    from eha.services.plans import current_plan

    version = current_plan(case)
    if version is None:
        return []
    return [a for a in version.actions if a.owner_person_id == person.id and a.is_open]


def page_context(case, user):
    """What the people page shows ``user``."""
    people = current_people(case)
    return {
        "people": people,
        "removed": removed_people(case),
        "open_actions": {p.id: len(open_actions(case, p)) for p in people},
        "can_change": access.can_manage(user, case) and case.is_open,
        "kinds": CASE_PERSON_KINDS,
    }


def form_data(person):
    """The edit form's data for ``person`` as stored."""
    data = {name: getattr(person, name) for name in FIELDS}
    data["version"] = str(person.version_id)
    return data


def prefill_from_network(case, member_id):
    """The add form's data for the household's network member ``member_id`` (None when not offered)."""
    member = next((m for m in available_network(case) if m.id == member_id), None)
    if member is None:
        return None
    data = {"kind": "network", "name": member.name, "role": member.relationship_to_family, "network_member": member.id}
    contact = (member.contact or "").strip()
    if "@" in contact and " " not in contact and len(contact) <= LIMITS["email"]:
        data["email"] = contact
    elif contact and len(contact) <= LIMITS["phone"]:
        data["phone"] = contact
    return data


def conflict_rows(person):
    """``[(label, saved now)]`` of ``person`` for the conflict notice."""
    from eha.forms.case_people import KIND_LABELS

    shown = {**{name: getattr(person, name) for name in FIELDS}, "kind": KIND_LABELS.get(person.kind)}
    return [(FIELD_LABELS[name], shown[name]) for name in FIELDS]


# --- checking ---


def _clean(fields):
    """The fields as stored: blank optional text as None; refuses what the form should already have refused."""
    cleaned = {}
    for name in FIELDS:
        value = fields.get(name)
        value = value.strip() if isinstance(value, str) else None
        cleaned[name] = value or None
    if cleaned["kind"] not in CASE_PERSON_KINDS:
        raise Invalid(_("Select whether they are in the family's network or a professional"), field="kind")
    for name in ("name", "role"):
        if not cleaned[name]:
            raise Invalid(ENTER[name], field=name)
    for name, limit in LIMITS.items():
        if cleaned[name] and len(cleaned[name]) > limit:
            raise Invalid(
                _("%(name)s must be %(max)s characters or fewer", name=FIELD_LABELS[name], max=limit), field=name
            )
    return cleaned


def _network_member(case, member_id):
    if member_id is None:
        return None
    member = next((m for m in available_network(case) if m.id == member_id), None)
    if member is None:
        raise Invalid(
            _("Select someone from the household's network who is not already on the case"),
            field="name",
            detail={"network_member": member_id if isinstance(member_id, int) else None},
        )
    return member


def _require_open(case):
    if not case.is_open:
        raise NotAllowed(CLOSED)


def _flush():
    from sqlalchemy.orm.exc import StaleDataError

    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleEdit() from exc


# --- the user's actions ---


@case_action
def add_person(case, by, fields, *, network_member_id=None):
    """Put someone without an account on the case (from the household's network when ``network_member_id``)."""
    _require_open(case)
    cleaned = _clean(fields)
    member = _network_member(case, network_member_id)
    person = CasePerson(assessment_id=case.id, added_by_id=by.id, network_member_id=member.id if member else None)
    for name, value in cleaned.items():
        setattr(person, name, value)
    db.session.add(person)
    _flush()
    audit.record(
        "case_person_added",
        assessment=case,
        user=by,
        detail={
            "person": person.id,
            "kind": person.kind,
            "network_member": person.network_member_id,
            "text": "Added someone without an eha account to the case",
        },
    )
    return person


@case_action
def change_person(case, person_id, by, fields, *, expected_version):
    """Change someone's details; ``expected_version`` is the version the user opened (changed since: StaleEdit)."""
    _require_open(case)
    person = current_person(case, person_id)
    expect_version(expected_version, person.version_id)
    cleaned = _clean(fields)
    changed = sorted(name for name, value in cleaned.items() if getattr(person, name) != value)
    for name in changed:
        setattr(person, name, cleaned[name])
    _flush()
    audit.record(
        "case_person_changed",
        assessment=case,
        user=by,
        detail={"person": person.id, "fields": changed, "text": "Changed the details of someone on the case"},
    )
    return person


@case_action
def remove_person(case, person_id, by, *, expected_version):
    """Take someone off the case. The row stays (``removed_at``): their signatures, actions and attendance too."""
    _require_open(case)
    person = current_person(case, person_id)
    expect_version(expected_version, person.version_id)
    keys = [a.key for a in open_actions(case, person)]
    person.removed_at = utcnow()
    _flush()
    audit.record(
        "case_person_removed",
        assessment=case,
        user=by,
        detail={"person": person.id, "open_actions": keys, "text": "Took someone without an eha account off the case"},
    )
    return person
