"""The family's plan: versions, actions, signatures, freezing a signed version with its digest, progress.

A plan is drafted, then signed by the lead professional and at least one parent/carer or the young person.
The signature that completes that set freezes the version: its canonical content is stored with its SHA-256
digest (``eha.pdf.digest``) and the version before it is superseded. A signed version's content never changes;
the others invited to sign (another parent, the young person, TAF members) may still sign it, and their
signatures are added to it without changing its content or digest. Changing the plan makes a new draft version
that copies the actions (same ``key``s, so progress follows them).

Each user action is one ``@case_action`` function (case row locked, then the audit chain head): it checks the
version the user started from (a missing version is stale), changes, audits and refreshes what is due, or raises
a domain error (``eha.errors``). ``draft_plan`` and ``freeze`` are the building blocks they share.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from eha import access, audit, young_people
from eha.definitions import needs_identified
from eha.definitions.store import definition_for, reader_definition
from eha.errors import Invalid, NotAllowed, NotFound, NotPermitted, StaleEdit, expect_version
from eha.extensions import db
from eha.formatting import format_date, format_timestamp, london_time, now_in_london
from eha.models.base import utcnow
from eha.models.choices import ACTION_PROGRESS, SIGNING_METHODS
from eha.models.meetings import Meeting
from eha.models.plans import ActionUpdate, PlanAction, PlanSignature, PlanVersion, Review
from eha.models.users import User
from eha.notifications import events as notification_events
from eha.pdf.digest import canonical_plan_content, plan_digest, signed_plan_content
from eha.pdf.model import Action, Contact, Member, Person, PlanDocument, Signature
from eha.people import PersonRef
from eha.services import case_people
from eha.transaction import case_action
from eha.workflow.effects import refresh_due
from eha.workflow.states import TAF_SCHEDULED
from eha.workflow.table import PLANNING, RECORDING_PROGRESS

FAMILY_SIGNER_KINDS = ("carer", "young_person")
# The signer kind stored on a signature, for each kind of person who may sign.
# (Someone on the case without an account signs as "network" or "professional", their ``CasePerson.kind``.)
SIGNER_KINDS = {"lead": "lead", "carer": "carer", "child": "young_person", "taf": "taf_member"}

PLANNING_MESSAGE = _l("The plan can only be changed once the assessment is complete and while the case is open")
SIGNED_MESSAGE = _l("This version of the plan is signed. Select Change the plan to make a new version first.")
NO_DRAFT_MESSAGE = _l(
    "There is no draft plan to sign. It may have been signed already: add actions to the plan, or "
    "select Change the plan."
)
NOT_CURRENT_MESSAGE = _l(
    "There is no plan to sign. Add the first action on the plan page, and the plan can be signed from then on."
)
# A draft is signed until it has the signatures it needs; the signed version in force takes later signatures
# (another parent, the young person, a TAF member) without changing what was signed or its digest.
SIGNABLE = ("draft", "signed")
CLOSED_MESSAGE = _l("This case is closed: progress can no longer be recorded")
OWNER_MESSAGE = _l("Only the person who owns this action, the lead professional or a manager can update it.")


# --- reading ---


def _versions_query(case):
    # populate_existing: read inside a user's action, after the case lock, the rows must be what is stored now,
    # not what this request loaded before it waited for the lock.
    return (
        sa.select(PlanVersion)
        .where(PlanVersion.assessment_id == case.id)
        .options(selectinload(PlanVersion.actions), selectinload(PlanVersion.signatures))
        .execution_options(populate_existing=True)
    )


def versions(case):
    """Every plan version of ``case``, oldest first, with actions and signatures loaded."""
    return db.session.scalars(_versions_query(case).order_by(PlanVersion.number)).all()


def current_plan(case):
    """The latest plan version (draft or signed), or None before there is a plan."""
    return db.session.scalar(_versions_query(case).order_by(PlanVersion.number.desc()).limit(1))


def signed_plan(case):
    """The plan version in force: the latest signed one, or None."""
    return db.session.scalar(
        _versions_query(case).where(PlanVersion.status == "signed").order_by(PlanVersion.number.desc()).limit(1)
    )


def need_labels(case, *, shown=False):
    """``{code: label}`` for the needs the case's assessment identified, in the definition's order; ``shown``: in
    the reader's language, for a page (the plan's own content, which is signed, keeps the definition's English)."""
    definition = reader_definition(case) if shown else definition_for(case)
    labels = {}
    for _section, spec in definition.iter_fields():
        if spec.type == "needs":
            for option in spec.options:
                labels.setdefault(option.value, option.label)
    codes = needs_identified(definition, case.answers_by_section())
    return {code: labels.get(code, code) for code in codes}


def action_for_key(case, key, version=None):
    """The action ``key`` in ``version`` (default: the current version) of this case's plan, or None."""
    version = version or current_plan(case)
    if version is None:
        return None
    return next((a for a in version.actions if a.key == key), None)


def is_complete(version):
    """True when the version has the lead's signature and a parent/carer's or the young person's."""
    kinds = {s.signer_kind for s in version.signatures}
    return "lead" in kinds and bool(kinds & set(FAMILY_SIGNER_KINDS))


def history(case, key):
    return db.session.scalars(
        sa.select(ActionUpdate)
        .where(ActionUpdate.assessment_id == case.id, ActionUpdate.action_key == key)
        .order_by(ActionUpdate.at.desc(), ActionUpdate.id.desc())
    ).all()


# --- owners and signers ---


def _professionals(case):
    """The lead professional and the current TAF members (users), lead first, without repeats.

    Compared by id: ``User`` inherits Flask-Login's ``UserMixin.__eq__``, which compares session tokens, so
    ``user in people`` would call every member the same person."""
    people = []
    lead = case.lead or case.started_by
    if lead is not None:
        people.append(lead)
    for member in case.taf_members:
        if member.removed_at is None and member.user_id not in {p.id for p in people}:
            people.append(member.user)
    return people


def _owners(case, action=None):
    """``{PersonRef: (label, owner columns)}`` for who may own an action: a professional, a family member, or
    someone on the case without an account. A person taken off the case is offered only for the ``action`` they
    already own (so changing its wording does not force a new owner)."""
    owners = {}
    for user in _professionals(case):
        owners[PersonRef("user", user.id)] = (f"{user.name} ({user.agency.name})", _owner_columns(user=user))
    for carer in case.family.carers:
        owners[PersonRef("carer", carer.id)] = (f"Family: {carer.name}", _owner_columns(carer=carer))
    for child in case.children:
        owners[PersonRef("child", child.id)] = (f"Family: {child.name}", _owner_columns(child=child))
    keep = action.owner_person_id if action is not None else None
    for person in case.people:
        if person.removed_at is None or person.id == keep:
            owners[PersonRef("person", person.id)] = (case_people.describe(person), _owner_columns(person=person))
    return owners


def _owner_columns(user=None, carer=None, child=None, person=None):
    owner = user or carer or child or person
    return {
        "owner_user_id": user.id if user else None,
        "owner_carer_id": carer.id if carer else None,
        "owner_child_id": child.id if child else None,
        "owner_person_id": person.id if person else None,
        "owner_name": owner.name,
    }


def action_choices(case, action=None):
    """The action form's choices: ``(needs, owners)``, each ``[(value, label)]`` (``action``: the one changed)."""
    owners = [(ref.value, label) for ref, (label, _columns) in _owners(case, action).items()]
    return list(need_labels(case, shown=True).items()), owners


def action_due_bounds(case, today=None):
    """``(earliest, latest)`` an action may be due: not before the plan was made (its first version, in UK time;
    today before there is one), nor more than ``EHA_ACTION_HORIZON_DAYS`` ahead (default a year)."""
    today = today or date.today()
    first = db.session.scalar(
        sa.select(PlanVersion.created_at)
        .where(PlanVersion.assessment_id == case.id)
        .order_by(PlanVersion.number)
        .limit(1)
    )
    earliest = london_time(first).date() if first is not None else today
    return min(earliest, today), today + timedelta(days=current_app.config["EHA_ACTION_HORIZON_DAYS"])


def owner_value(action):
    """The ``PersonRef`` value of who owns ``action``."""
    for kind, ident in (
        ("user", action.owner_user_id),
        ("carer", action.owner_carer_id),
        ("child", action.owner_child_id),
        ("person", action.owner_person_id),
    ):
        if ident:
            return PersonRef(kind, ident).value
    return None


def who_label(action):
    if action.owner_person_id is not None and action.owner_person is not None:
        return case_people.describe(action.owner_person)
    return f"Family: {action.owner_name}" if action.is_family else action.owner_name


@dataclass(frozen=True)
class Signer:
    """Someone who may sign the plan, with the name and role on record."""

    ref: PersonRef
    label: str
    name: str
    role: str
    signer_kind: str = ""  # for someone on the case without an account: "network" or "professional"

    @property
    def value(self):
        return self.ref.value

    @property
    def kind(self):
        return self.signer_kind or SIGNER_KINDS[self.ref.kind]

    @property
    def invited(self):
        """Counted as someone still to sign when they have not: everyone but the people without an account, who
        may sign but are not missing when they do not."""
        return self.ref.kind != "person"


def signers(case):
    """Who may sign: the lead, each carer, each child (as the young person), each current TAF member."""
    out = []
    lead = case.lead or case.started_by
    if lead is not None:
        out.append(
            Signer(PersonRef("lead", lead.id), f"{lead.name}, lead professional", lead.name, "Lead professional")
        )
    for carer in case.family.carers:
        role = carer.relationship_to_child or "Parent or carer"
        out.append(Signer(PersonRef("carer", carer.id), f"{carer.name}, {role.lower()}", carer.name, role))
    for child in case.children:
        role = "Young person" if young_people.is_young_person(child) else "Child"
        out.append(Signer(PersonRef("child", child.id), f"{child.name}, {role.lower()}", child.name, role))
    for member in case.taf_members:
        if member.removed_at is None and (lead is None or member.user_id != lead.id):
            user = member.user
            role = member.role or user.job_title or f"TAF member, {user.agency.name}"
            out.append(Signer(PersonRef("taf", user.id), f"{user.name}, {user.agency.name}", user.name, role))
    for person in case_people.current_people(case):
        label = case_people.describe(person)
        out.append(Signer(PersonRef("person", person.id), label, person.name, person.role, signer_kind=person.kind))
    return out


def _signed_by(signature):
    """Who signed, as ``_signer_key`` names them (a person without an account by their id alone, whatever kind
    of person they are now)."""
    if signature.person_id is not None:
        return ("person", signature.person_id)
    return (signature.signer_kind, signature.user_id or signature.carer_id or signature.child_id)


def _signer_key(signer):
    return ("person", signer.ref.id) if signer.ref.kind == "person" else (signer.kind, signer.ref.id)


def _not_signed(case, version):
    if version is None or version.status not in SIGNABLE:
        return []
    done = {_signed_by(s) for s in version.signatures}
    return [s for s in signers(case) if _signer_key(s) not in done]


def unsigned_signers(case, version):
    """The people invited to sign the current ``version`` (a draft, or the signed version in force) who have not."""
    return [s for s in _not_signed(case, version) if s.invited]


def others_who_may_sign(case, version):
    """The people on the case without an account who may sign ``version`` and have not (not counted as missing)."""
    return [s for s in _not_signed(case, version) if not s.invited]


# --- what the pages show ---


def plan_page(case, user):
    """Everything the plan page shows ``user``."""
    # The case's people first: the actions they own then find them loaded rather than one query each (issue 14).
    case_people.current_people(case)
    all_versions = versions(case)
    current = all_versions[-1] if all_versions else None
    limit = current_app.config.get("EHA_PLAN_ACTIONS_WARNING", 8)
    return {
        "current": current,
        "signed": next((v for v in reversed(all_versions) if v.status == "signed"), None),
        "versions": all_versions,
        "rows": _action_rows(case, current, user),
        "too_many": current is not None and len(current.actions) > limit,
        "limit": limit,
        "can_manage": access.can_manage(user, case) and case.state in PLANNING,
        "offer_agree": case.state == TAF_SCHEDULED and current is not None and current.status == "signed",
        "methods": SIGNING_METHODS,
        "unsigned": unsigned_signers(case, current),
        "others": others_who_may_sign(case, current),
        "later": later_signatures(current),
    }


def _action_rows(case, version, user):
    if version is None:
        return []
    labels = need_labels(case, shown=True)
    left_team = {m.user_id for m in case.taf_members if m.removed_at is not None}
    recorded = progress_recorded(case, [a for a in version.actions if a.progress])
    return [
        {
            "action": a,
            "need": labels.get(a.need_code, a.need_code or ""),
            "who": who_label(a),
            "progress": ACTION_PROGRESS.get(a.progress, "Not recorded") if a.progress else "Not recorded",
            "recorded": recorded.get(a.key),
            "can_update": access.can_update_action(user, case, a),
            "needs_owner": _needs_owner(a, left_team),
        }
        for a in sorted(version.actions, key=lambda a: a.position)
    ]


def progress_recorded(case, actions):
    """``{action key: "Recorded by Nia Nurse on 3 December 2026 (their own update)"}``: who recorded the latest
    progress on each of ``actions`` and when; "at the review on <date the review was held>" when it came from a
    review. One query, whatever the number of actions."""
    owners = {a.key: a.owner_user_id for a in actions}
    if not owners:
        return {}
    rows = db.session.execute(
        sa.select(ActionUpdate.action_key, ActionUpdate.by_id, ActionUpdate.at, User.name, Review.id, Meeting.held_on)
        .outerjoin(User, User.id == ActionUpdate.by_id)
        .outerjoin(Review, Review.id == ActionUpdate.review_id)
        .outerjoin(Meeting, Meeting.id == Review.meeting_id)
        .where(ActionUpdate.assessment_id == case.id, ActionUpdate.action_key.in_(owners))
        .order_by(ActionUpdate.at.desc(), ActionUpdate.id.desc())
    ).all()
    out = {}
    for key, by_id, at, name, review_id, held_on in rows:
        if key in out:
            continue
        who = f"Recorded by {name}" if name else "Recorded"
        if review_id is not None:
            out[key] = f"{who} at the review on {format_date(held_on or at)}"
        elif by_id is not None and by_id == owners[key]:
            out[key] = f"{who} on {format_timestamp(at, with_time=False)} (their own update)"
        else:
            out[key] = f"{who} on {format_timestamp(at, with_time=False)}"
    return out


def _needs_owner(action, left_team):
    """Why an open action needs a new owner (its owner left the team, or is no longer on the case), or None."""
    if not action.is_open:
        return None
    if action.owner_user_id is not None and action.owner_user_id in left_team:
        return "left the team"
    person = action.owner_person if action.owner_person_id is not None else None
    if person is not None and person.removed_at is not None:
        return "no longer on the case"
    return None


def _draft_or_none(case):
    current = current_plan(case)
    if current is not None and current.status != "draft":
        raise NotAllowed(SIGNED_MESSAGE)
    return current


def _draft_action(case, key):
    """The action ``key`` of the current version, which must be a draft."""
    action = action_for_key(case, key)
    if action is None:
        raise NotFound(_l("There is no such action in this plan."), detail={"action": key})
    if action.plan_version.status != "draft":
        raise NotAllowed(SIGNED_MESSAGE, detail={"action": key})
    return action


def action_to_change(case, key):
    """The draft action ``key`` and the form's data for it."""
    action = _draft_action(case, key)
    return action, {
        "need": action.need_code,
        "what": action.what,
        "owner": owner_value(action),
        "due_on": action.due_on,
        "success": action.success_measure,
        "version": str(action.version_id),
    }


def check_can_add_action(case):
    """Refuse (409) the "add an action" page when the current version is signed."""
    _draft_or_none(case)


def signatures_after_signing(version):
    """The signatures recorded on the signed ``version`` after it was signed, for printing (oldest first)."""
    later = later_signatures(version)
    return [
        Signature(name=s.name, role=s.role, signed_on=s.signed_on, method=SIGNING_METHODS.get(s.method, s.method))
        for s in version.signatures
        if s.id in later
    ]


def later_signatures(version):
    """The ids of the signatures recorded on ``version`` after it was signed (frozen): not in its digest.

    The frozen content lists the signatures it was signed with, in signing order; the rows are in the same
    order, so the ones past that count came later."""
    if version is None or not version.is_signed:
        return set()
    frozen = len((version.signed_content or {}).get("signatures") or [])
    return {s.id for s in version.signatures[frozen:]}


def _signable(case):
    current = current_plan(case)
    if current is None:
        raise NotAllowed(NOT_CURRENT_MESSAGE)
    if current.status not in SIGNABLE:  # cannot happen: the latest version is a draft or the one in force
        raise NotAllowed(NO_DRAFT_MESSAGE)
    return current


def sign_page(case, signer_value=None):
    """The version to sign (the draft, or the signed version in force) and the form's data (with the name and
    role on record for ``signer_value``)."""
    current = _signable(case)
    data = {"version": str(current.version_id), "plan": str(current.number)}
    chosen = next((s for s in signers(case) if s.value == signer_value), None)
    if chosen is not None:  # "Record Mum's signature" links: the name and role on record, ready to check
        data.update({"signer": chosen.value, "name": chosen.name, "role": chosen.role})
    return current, data


def progress_page(case, key, user):
    """The action ``key`` of the plan in force, for its owner (or the lead or a manager) to update."""
    action = _live_action(case, key)
    if not access.can_update_action(user, case, action):
        raise NotPermitted(OWNER_MESSAGE, detail={"action": key})
    return {
        "action": action,
        "who": who_label(action),
        "history": history(case, key),
        "progress_labels": ACTION_PROGRESS,
    }


def _live_action(case, key):
    """The action ``key`` in the plan in force (the signed version); NotFound when this case has none."""
    signed = signed_plan(case)
    action = action_for_key(case, key, signed) if signed else None
    if action is None:
        raise NotFound(_l("There is no such action in this plan."), detail={"action": key})
    return action


# --- building blocks ---


def _require_planning(case):
    if case.state not in PLANNING:
        raise NotAllowed(PLANNING_MESSAGE)


def draft_plan(case, by):
    """The draft version to edit: the current draft, or a new one (number + 1) copying the latest version."""
    _require_planning(case)
    latest = current_plan(case)
    if latest is not None and latest.status == "draft":
        return latest
    version = PlanVersion(
        assessment_id=case.id, number=(latest.number + 1) if latest else 1, status="draft", created_by_id=by.id
    )
    for old in latest.actions if latest is not None else ():
        version.actions.append(
            PlanAction(
                key=old.key,
                position=old.position,
                need_code=old.need_code,
                what=old.what,
                owner_user_id=old.owner_user_id,
                owner_carer_id=old.owner_carer_id,
                owner_child_id=old.owner_child_id,
                owner_person_id=old.owner_person_id,
                owner_name=old.owner_name,
                due_on=old.due_on,
                success_measure=old.success_measure,
                progress=old.progress,
                progress_comment=old.progress_comment,
                progress_at=old.progress_at,
            )
        )
    db.session.add(version)
    db.session.flush()
    return version


def _content_changed(version):
    """The draft's content changed: signatures for the old content go, and the version moves on (so a page
    opened before, such as the signature page, is stale). True when signatures were removed."""
    removed = bool(version.signatures)
    version.signatures.clear()
    version.updated_at = utcnow()
    return removed


def _flush():
    """Flush; a row someone else changed meanwhile is a stale edit, not a 500."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleEdit() from exc


def _owner_fields(case, owner, action=None):
    found = _owners(case, action).get(PersonRef.parse(owner))
    if found is None:
        raise Invalid(_l("Select who will do it"), field="owner")
    return found[1]


def action_conflict(case, key):
    """After a stale edit: the action ``key`` as saved now, and ``[(label, value)]`` of it for the conflict notice."""
    action = action_for_key(case, key)
    if action is None:
        raise NotAllowed(
            _l("Someone else removed this action while you were editing it. Your changes have not been saved."),
            detail={"action": key},
        )
    labels = need_labels(case)
    return action, [
        ("Need", labels.get(action.need_code, action.need_code or "")),
        ("What will be done", action.what),
        ("Who", who_label(action)),
        ("By when", format_date(action.due_on)),
        ("How we'll know it worked", action.success_measure),
    ]


@dataclass(frozen=True)
class Change:
    """What a change to the draft did: the action's words, and whether it removed signatures."""

    what: str
    unsigned: bool


# --- the user's actions ---


@case_action
def start_new_version(case, by):
    """Start a new draft version from the signed one (the signed version stays frozen)."""
    current = current_plan(case)
    if current is not None and current.status == "draft":
        raise NotAllowed(
            _l("Version %(number)s of the plan is already a draft: change it on the plan page.", number=current.number)
        )
    version = draft_plan(case, by)
    audit.record(
        "plan_changed",
        assessment=case,
        user=by,
        detail={"version": version.number, "text": f"Started version {version.number} of the plan"},
    )
    return version.number


@case_action
def add_action(case, by, *, need_code, what, owner, due_on, success):
    """Add an action to the draft (starting version 1 of the plan if there is none)."""
    version = _draft_or_none(case) or draft_plan(case, by)
    action = PlanAction(
        key=str(uuid.uuid4()),
        position=max((a.position for a in version.actions), default=0) + 1,
        need_code=need_code or None,
        what=what,
        due_on=due_on,
        success_measure=success,
        **_owner_fields(case, owner),
    )
    version.actions.append(action)
    unsigned = _content_changed(version)
    _flush()
    audit.record(
        "plan_changed",
        assessment=case,
        user=by,
        detail={"version": version.number, "action": action.key, "text": "Added an action"},
    )
    notification_events.action_owned(case, action, by)
    return Change(what, unsigned)


@case_action
def change_action(case, key, by, *, expected_version, need_code, what, owner, due_on, success):
    """Change a draft action. ``expected_version`` is the ``version_id`` the user edited (stale → StaleEdit)."""
    action = _draft_action(case, key)
    expect_version(expected_version, action.version_id)
    owner_fields = _owner_fields(case, owner, action)
    action.need_code = need_code or None
    action.what = what
    action.due_on = due_on
    action.success_measure = success
    for name, value in owner_fields.items():
        setattr(action, name, value)
    unsigned = _content_changed(action.plan_version)
    _flush()
    audit.record("plan_changed", assessment=case, user=by, detail={"action": key, "text": "Changed an action"})
    notification_events.action_owned(case, action, by)
    return Change(what, unsigned)


@case_action
def remove_action(case, key, by, *, expected_version):
    """Remove a draft action the user saw at ``expected_version``; the others close up."""
    action = _draft_action(case, key)
    try:
        expect_version(expected_version, action.version_id)
    except StaleEdit as error:
        raise StaleEdit(
            _l(
                "Someone else changed this action after you opened the plan. It has not been removed: "
                "check it and try again."
            ),
            detail={"action": key},
        ) from error
    version, what = action.plan_version, action.what
    version.actions.remove(action)
    for position, other in enumerate(sorted(version.actions, key=lambda a: a.position), start=1):
        other.position = position
    unsigned = _content_changed(version)
    _flush()
    audit.record("plan_changed", assessment=case, user=by, detail={"action": key, "text": "Removed an action"})
    return Change(what, unsigned)


def _signature_for(case, version, signer, name, role, signed_on, method, by):
    chosen = next((s for s in signers(case) if s.value == signer), None)
    if chosen is None:
        raise Invalid(_l("Select who is signing the plan"), field="signer")
    if method not in SIGNING_METHODS:
        raise Invalid(_l("Select how they signed the plan"), field="method")
    if any(_signed_by(s) == _signer_key(chosen) for s in version.signatures):
        raise Invalid(_l("%(name)s has already signed this version of the plan", name=chosen.name), field="signer")
    ident = chosen.ref.id
    return PlanSignature(
        signer_kind=chosen.kind,
        name=name or chosen.name,
        role=role or chosen.role,
        signed_on=signed_on,
        method=method,
        recorded_by_id=by.id,
        user_id=ident if chosen.ref.kind in ("lead", "taf") else None,
        carer_id=ident if chosen.ref.kind == "carer" else None,
        child_id=ident if chosen.ref.kind == "child" else None,
        person_id=ident if chosen.ref.kind == "person" else None,
    )


@case_action
def sign(case, by, *, expected_version, expected_number, signer, name, role, signed_on, method):
    """Record a signature on the version the user saw (number ``expected_number`` at ``expected_version``).

    On a draft, the signature that completes the set freezes it. On the signed version in force, the signature
    is added to the frozen version: its content and digest stay as they were signed. A version that is no longer
    current (superseded by a new draft or signed version) is a stale edit (409).
    Returns ``(signature's name, version number, whether this signature froze the plan)``."""
    current = _signable(case)
    if expected_number != current.number:
        raise StaleEdit()
    if current.status == "draft":  # a signed version's content is frozen: another signature does not make it stale
        expect_version(expected_version, current.version_id)
    if not current.actions:
        raise Invalid(_l("Add at least one action before the plan is signed"), field="signer")
    was_draft = current.status == "draft"
    signature = _signature_for(case, current, signer, name, role, signed_on, method, by)
    current.signatures.append(signature)
    current.updated_at = utcnow()  # the version moves on: a signature page opened before is stale
    _flush()
    detail = {
        "version": current.number,
        "signer": signature.signer_kind,
        "text": f"Recorded a signature on version {current.number} of the plan",
    }
    if not was_draft:
        detail["after_signing"] = True
        detail["text"] += ", after the plan was signed"
    elif is_complete(current):
        freeze(case, current, by)
        refresh_due(case)
        detail["digest"] = current.digest
        detail["text"] += "; the plan is signed"
    audit.record("plan_signed", assessment=case, user=by, detail=detail)
    return signature.name, current.number, was_draft and current.status == "signed"


@case_action
def finalise(case, by):
    """Freeze a draft that has every signature it needs (signing normally does this by itself)."""
    current = current_plan(case)
    if current is None or current.status != "draft":
        raise NotAllowed(NO_DRAFT_MESSAGE)
    freeze(case, current, by)
    refresh_due(case)
    audit.record(
        "plan_signed",
        assessment=case,
        user=by,
        detail={
            "version": current.number,
            "digest": current.digest,
            "text": f"Version {current.number} of the plan is signed",
        },
    )
    return current.number


def freeze(case, version, by, now=None):
    """Sign ``version``: store its canonical content and digest; supersede the version signed before it."""
    if version is None or version.status != "draft":
        raise NotAllowed(NO_DRAFT_MESSAGE)
    if not is_complete(version):
        raise NotAllowed(
            _l(
                "The plan needs the lead professional's signature and a parent's, carer's or the "
                "young person's before it is signed"
            ),
        )
    # Stored as its canonical JSON (dates as ISO strings), so the stored dict gives the same digest again.
    content = json.loads(canonical_plan_content(signed_plan_content(build_document(case, version))))
    version.signed_content = content
    version.digest = plan_digest(content)
    version.status = "signed"
    version.signed_at = now or utcnow()
    for older in db.session.scalars(
        sa.select(PlanVersion).where(
            PlanVersion.assessment_id == case.id, PlanVersion.status == "signed", PlanVersion.id != version.id
        )
    ):
        older.status = "superseded"
    _flush()
    return version


@case_action
def update_progress(case, key, by, *, expected_version, progress, comment):
    """The action's owner (or the lead or a manager) records how the action ``key`` is going."""
    action = _live_action(case, key)
    if not access.can_update_action(by, case, action):
        raise NotPermitted(OWNER_MESSAGE, detail={"action": key})
    if case.state not in RECORDING_PROGRESS:
        raise NotAllowed(CLOSED_MESSAGE, detail={"action": key})
    expect_version(expected_version, action.version_id)
    record_progress(case, key, by, progress=progress, comment=comment)
    refresh_due(case)
    audit.record(
        "action_updated",
        assessment=case,
        user=by,
        detail={"action": key, "progress": progress, "text": f"Progress on an action: {ACTION_PROGRESS[progress]}"},
    )


def record_progress(case, key, by, *, progress, comment, review=None, at=None):
    """Record progress on the action ``key``: an ActionUpdate, and the latest progress on every live copy."""
    at = at or utcnow()
    update = ActionUpdate(
        assessment_id=case.id,
        action_key=key,
        review_id=review.id if review else None,
        progress=progress,
        comment=comment or None,
        by_id=by.id,
        at=at,
    )
    db.session.add(update)
    live = db.session.scalars(
        sa.select(PlanAction)
        .join(PlanVersion)
        .where(PlanVersion.assessment_id == case.id, PlanAction.key == key)
        .execution_options(populate_existing=True)
    ).all()
    for action in live:
        action.progress = progress
        action.progress_comment = comment or None
        action.progress_at = at
    _flush()
    return update


# --- the printable document ---


def _answer(case, section, field):
    value = (case.answers_by_section().get(section) or {}).get(field)
    return value if isinstance(value, str) else ""


def _next_review(case):
    if case.next_review_due_on:
        return case.next_review_due_on
    return db.session.scalar(
        sa.select(Meeting.next_review_on)
        .where(Meeting.assessment_id == case.id, Meeting.next_review_on.is_not(None))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .limit(1)
    )


def build_document(case, version, *, generated_at=None):
    """The ``PlanDocument`` for ``version`` from the live records (a signed one: use ``document_from_content``)."""
    labels = need_labels(case)
    lead = case.lead or case.started_by
    needs = list(labels.values())
    own_words = _answer(case, "needs", "needs-in-own-words")
    if own_words:
        needs.append(own_words)
    taf = [
        Member(name=m.user.name, agency=m.user.agency.name, role=m.role or m.user.job_title or "")
        for m in case.taf_members
        if m.removed_at is None
    ]
    return PlanDocument(
        reference=case.ref,
        version=version.number,
        is_draft=version.status == "draft",
        organisation=current_app.config["EHA_ORGANISATION_NAME"],
        service_name=current_app.config["EHA_SERVICE_NAME"],
        family_name=case.family.name,
        children=[Person(name=c.name, date_of_birth=c.date_of_birth) for c in case.children],
        lead=Contact(
            name=lead.name if lead else "",
            role=(lead.job_title or "Lead professional") if lead else "",
            agency=lead.agency.name if lead else "",
            phone=(lead.phone or "") if lead else "",
            email=lead.email if lead else "",
        ),
        taf_members=taf,
        worries=_answer(case, "analysis", "worried-about"),
        working_well=_answer(case, "analysis", "working-well"),
        needs=needs,
        actions=[
            Action(
                number=a.position,
                need=labels.get(a.need_code, a.need_code or ""),
                what=a.what,
                who=a.owner_name,
                is_family=a.is_family,
                by_when=a.due_on,
                success=a.success_measure,
            )
            for a in sorted(version.actions, key=lambda a: a.position)
        ],
        next_review=_next_review(case),
        front_door=current_app.config.get("EHA_FRONT_DOOR", ""),
        signatures=[
            Signature(name=s.name, role=s.role, signed_on=s.signed_on, method=SIGNING_METHODS.get(s.method, s.method))
            for s in version.signatures
        ],
        digest=version.digest,
        generated_at=generated_at or now_in_london(),
    )


def _date(value):
    return date.fromisoformat(value) if value else None


def document_from_content(version, *, organisation, service_name, front_door, generated_at=None, later=()):
    """The ``PlanDocument`` of a signed version, rebuilt from exactly what was signed (so it prints unchanged).
    ``later``: the signatures recorded after it was signed, printed with it but not part of its digest."""
    c = version.signed_content or {}
    lead = c.get("lead") or {}
    return PlanDocument(
        reference=c.get("reference", ""),
        version=c.get("version", version.number),
        is_draft=False,
        organisation=organisation,
        service_name=service_name,
        family_name=c.get("family_name", ""),
        children=[Person(name=p["name"], date_of_birth=_date(p.get("date_of_birth"))) for p in c.get("children", [])],
        lead=Contact(**{k: lead.get(k, "") for k in ("name", "role", "agency", "phone", "email")}),
        taf_members=[Member(**m) for m in c.get("taf_members", [])],
        worries=c.get("worries", ""),
        working_well=c.get("working_well", ""),
        needs=list(c.get("needs", [])),
        actions=[Action(**{**a, "by_when": _date(a.get("by_when"))}) for a in c.get("actions", [])],
        next_review=_date(c.get("next_review")),
        front_door=front_door,
        signatures=[Signature(**{**s, "signed_on": _date(s.get("signed_on"))}) for s in c.get("signatures", [])],
        digest=version.digest,
        generated_at=generated_at or now_in_london(),
        later_signatures=list(later),
    )
