"""The family's plan: versions, actions, signatures, freezing a signed version with its digest.

A plan is drafted, then signed by the lead professional and at least one parent/carer or the young person.
The signature that completes that set freezes the version: its canonical content is stored with its SHA-256
digest (``eha.pdf.digest``) and the version before it is superseded. A signed version never changes; changing
the plan makes a new draft version that copies the actions (same ``key``s, so progress follows them).

These functions add and flush; the caller commits (``eha.transaction.committing``).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from eha.definitions import needs_identified
from eha.definitions.store import definition_for
from eha.extensions import db
from eha.models.base import utcnow
from eha.models.choices import SIGNING_METHODS
from eha.models.meetings import Meeting
from eha.models.plans import ActionUpdate, PlanAction, PlanSignature, PlanVersion
from eha.pdf.digest import canonical_plan_content, plan_digest, signed_plan_content
from eha.pdf.model import Action, Contact, Member, Person, PlanDocument, Signature
from eha.workflow.states import ASSESSED, PLAN_ACTIVE, REVIEW_SCHEDULED, TAF_SCHEDULED

# States in which the lead may draft or change the plan.
PLANNING_STATES = (ASSESSED, TAF_SCHEDULED, PLAN_ACTIVE, REVIEW_SCHEDULED)
FAMILY_SIGNER_KINDS = ("carer", "young_person")


class PlanError(Exception):
    """Something the user asked for cannot be done to the plan now; the message says why."""


# --- reading ---


def versions(case):
    """Every plan version of ``case``, oldest first, with actions and signatures loaded."""
    return db.session.scalars(
        sa.select(PlanVersion)
        .where(PlanVersion.assessment_id == case.id)
        .options(selectinload(PlanVersion.actions), selectinload(PlanVersion.signatures))
        .order_by(PlanVersion.number)
    ).all()


def current_plan(case):
    """The latest plan version (draft or signed), or None before there is a plan."""
    return db.session.scalar(
        sa.select(PlanVersion)
        .where(PlanVersion.assessment_id == case.id)
        .options(selectinload(PlanVersion.actions), selectinload(PlanVersion.signatures))
        .order_by(PlanVersion.number.desc())
        .limit(1)
    )


def signed_plan(case):
    """The plan version in force: the latest signed one, or None."""
    return db.session.scalar(
        sa.select(PlanVersion)
        .where(PlanVersion.assessment_id == case.id, PlanVersion.status == "signed")
        .options(selectinload(PlanVersion.actions), selectinload(PlanVersion.signatures))
        .order_by(PlanVersion.number.desc())
        .limit(1)
    )


def need_labels(case):
    """``{code: label}`` for the needs the case's assessment identified, in the definition's order."""
    definition = definition_for(case)
    labels = {}
    for _section, spec in definition.iter_fields():
        if spec.type == "needs":
            for option in spec.options:
                labels.setdefault(option.value, option.label)
    codes = needs_identified(definition, case.answers_by_section())
    return {code: labels.get(code, code) for code in codes}


def action_for_key(case, key, version=None):
    """The action ``key`` in ``version`` (default: the current version) of this case's plan, or None."""
    if not isinstance(key, str) or len(key) > 36:
        return None
    version = version or current_plan(case)
    if version is None:
        return None
    return next((a for a in version.actions if a.key == key), None)


def warn_too_many(version):
    limit = current_app.config.get("EHA_PLAN_ACTIONS_WARNING", 8)
    return version is not None and len(version.actions) > limit


def is_complete(version):
    """True when the version has the lead's signature and a parent/carer's or the young person's."""
    kinds = {s.signer_kind for s in version.signatures}
    return "lead" in kinds and bool(kinds & set(FAMILY_SIGNER_KINDS))


# --- owners and signers ---


def _professionals(case):
    """The lead professional and the current TAF members (users), lead first, without repeats."""
    people = []
    lead = case.lead or case.started_by
    if lead is not None:
        people.append(lead)
    for member in case.taf_members:
        if member.removed_at is None and member.user not in people:
            people.append(member.user)
    return people


def owner_choices(case):
    """``[(value, label)]`` for who may own an action: a professional, or a named family member."""
    choices = []
    for user in _professionals(case):
        choices.append((f"user:{user.id}", f"{user.name} ({user.agency.name})"))
    for carer in case.family.carers:
        choices.append((f"carer:{carer.id}", f"Family: {carer.name}"))
    for child in case.children:
        choices.append((f"child:{child.id}", f"Family: {child.name}"))
    return choices


def resolve_owner(case, value):
    """Owner columns for a choice made from ``owner_choices``; None when it is not one of them."""
    if not isinstance(value, str) or ":" not in value:
        return None
    kind, _, raw_id = value.partition(":")
    if not raw_id.isdigit():
        return None
    ident = int(raw_id)
    if kind == "user":
        user = next((u for u in _professionals(case) if u.id == ident), None)
        if user:
            return {"owner_user_id": user.id, "owner_carer_id": None, "owner_child_id": None, "owner_name": user.name}
    if kind == "carer":
        carer = next((c for c in case.family.carers if c.id == ident), None)
        if carer:
            return {"owner_user_id": None, "owner_carer_id": carer.id, "owner_child_id": None,
                    "owner_name": carer.name}
    if kind == "child":
        child = next((c for c in case.children if c.id == ident), None)
        if child:
            return {"owner_user_id": None, "owner_carer_id": None, "owner_child_id": child.id,
                    "owner_name": child.name}
    return None


def owner_value(action):
    if action.owner_user_id:
        return f"user:{action.owner_user_id}"
    if action.owner_carer_id:
        return f"carer:{action.owner_carer_id}"
    if action.owner_child_id:
        return f"child:{action.owner_child_id}"
    return None


def who_label(action):
    return f"Family: {action.owner_name}" if action.is_family else action.owner_name


def signer_choices(case):
    """``[(value, label, kind, name, role)]`` for who may sign: the lead, a carer, the young person, a TAF member."""
    out = []
    lead = case.lead or case.started_by
    if lead is not None:
        out.append((f"lead:{lead.id}", f"{lead.name}, lead professional", "lead", lead.name, "Lead professional"))
    for carer in case.family.carers:
        role = carer.relationship_to_child or "Parent or carer"
        out.append((f"carer:{carer.id}", f"{carer.name}, {role.lower()}", "carer", carer.name, role))
    for child in case.children:
        out.append((f"child:{child.id}", f"{child.name}, young person", "young_person", child.name, "Young person"))
    for member in case.taf_members:
        if member.removed_at is None and (lead is None or member.user_id != lead.id):
            user = member.user
            role = member.role or user.job_title or f"TAF member, {user.agency.name}"
            out.append((f"taf:{user.id}", f"{user.name}, {user.agency.name}", "taf_member", user.name, role))
    return out


# --- changing the plan ---


def _require_planning(case):
    if case.state not in PLANNING_STATES:
        raise PlanError("The plan can only be changed once the assessment is complete and while the case is open")


def draft_plan(case, by):
    """The draft version to edit: the current draft, or a new one (number + 1) copying the latest version."""
    _require_planning(case)
    latest = current_plan(case)
    if latest is not None and latest.status == "draft":
        return latest
    version = PlanVersion(
        assessment_id=case.id, number=(latest.number + 1) if latest else 1, status="draft", created_by_id=by.id
    )
    if latest is not None:
        for old in latest.actions:
            version.actions.append(
                PlanAction(
                    key=old.key, position=old.position, need_code=old.need_code, what=old.what,
                    owner_user_id=old.owner_user_id, owner_carer_id=old.owner_carer_id,
                    owner_child_id=old.owner_child_id, owner_name=old.owner_name, due_on=old.due_on,
                    success_measure=old.success_measure, progress=old.progress,
                    progress_comment=old.progress_comment, progress_at=old.progress_at,
                )
            )
    db.session.add(version)
    db.session.flush()
    return version


def _editable(version):
    if version is None or version.status != "draft":
        raise PlanError("This version of the plan is signed and cannot be changed. Select Change the plan "
                        "to make a new version")


def _unsign(version):
    """Content changed after someone signed: their signature was for different content, so it goes."""
    removed = len(version.signatures)
    version.signatures.clear()
    return removed


def add_action(case, version, by, *, need_code, what, owner, due_on, success):
    _require_planning(case)
    _editable(version)
    owner_fields = resolve_owner(case, owner)
    if owner_fields is None:
        raise PlanError("Select who will do this")
    position = max((a.position for a in version.actions), default=0) + 1
    action = PlanAction(
        key=str(uuid.uuid4()), position=position, need_code=need_code or None, what=what, due_on=due_on,
        success_measure=success, **owner_fields,
    )
    version.actions.append(action)
    _unsign(version)
    db.session.flush()
    return action


def update_action(case, action, by, *, expected_version, need_code, what, owner, due_on, success):
    """Change a draft action. ``expected_version`` is the ``version_id`` the user edited (stale → StaleEdit)."""
    _require_planning(case)
    _editable(action.plan_version)
    if expected_version != action.version_id:
        raise StaleEdit()
    owner_fields = resolve_owner(case, owner)
    if owner_fields is None:
        raise PlanError("Select who will do this")
    action.need_code = need_code or None
    action.what = what
    action.due_on = due_on
    action.success_measure = success
    for name, value in owner_fields.items():
        setattr(action, name, value)
    _unsign(action.plan_version)
    db.session.flush()
    return action


def remove_action(case, action, by, *, expected_version=None):
    _require_planning(case)
    version = action.plan_version
    _editable(version)
    if expected_version is not None and expected_version != action.version_id:
        raise StaleEdit()
    version.actions.remove(action)
    for position, other in enumerate(sorted(version.actions, key=lambda a: a.position), start=1):
        other.position = position
    _unsign(version)
    db.session.flush()


class StaleEdit(Exception):
    """The record changed since the user loaded it."""


def add_signature(case, version, by, *, signer, name, role, signed_on, method):
    """Record a signature on the draft ``version``; freeze it when this completes the set.

    ``signer`` is a value from ``signer_choices``. Returns the signature.
    """
    _require_planning(case)
    _editable(version)
    if not version.actions:
        raise PlanError("Add at least one action before the plan is signed")
    chosen = next((c for c in signer_choices(case) if c[0] == signer), None)
    if chosen is None:
        raise PlanError("Select who is signing the plan")
    value, _label, kind, default_name, default_role = chosen
    ident = int(value.partition(":")[2])
    if method not in SIGNING_METHODS:
        raise PlanError("Select how they signed the plan")
    columns = {"user_id": None, "carer_id": None, "child_id": None}
    if kind in ("lead", "taf_member"):
        columns["user_id"] = ident
    elif kind == "carer":
        columns["carer_id"] = ident
    else:
        columns["child_id"] = ident
    for existing in version.signatures:
        if existing.signer_kind == kind and all(getattr(existing, k) == v for k, v in columns.items()):
            raise PlanError(f"{default_name} has already signed this version of the plan")
    signature = PlanSignature(
        signer_kind=kind, name=name or default_name, role=role or default_role, signed_on=signed_on,
        method=method, recorded_by_id=by.id, **columns,
    )
    version.signatures.append(signature)
    db.session.flush()
    if is_complete(version):
        freeze(case, version, by)
    return signature


def freeze(case, version, by, now=None):
    """Sign ``version``: store its canonical content and digest; supersede the version signed before it."""
    _editable(version)
    if not is_complete(version):
        raise PlanError("The plan needs the lead professional's signature and a parent's, carer's or the "
                        "young person's before it is signed")
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
    db.session.flush()
    return version


def record_progress(case, key, by, *, progress, comment, review=None, at=None):
    """Record progress on the action ``key``: an ActionUpdate, and the latest progress on every live copy."""
    at = at or utcnow()
    update = ActionUpdate(
        assessment_id=case.id, action_key=key, review_id=review.id if review else None, progress=progress,
        comment=comment or None, by_id=by.id, at=at,
    )
    db.session.add(update)
    live = db.session.scalars(
        sa.select(PlanAction)
        .join(PlanVersion)
        .where(PlanVersion.assessment_id == case.id, PlanAction.key == key)
    ).all()
    for action in live:
        action.progress = progress
        action.progress_comment = comment or None
        action.progress_at = at
    db.session.flush()
    return update


def history(case, key):
    return db.session.scalars(
        sa.select(ActionUpdate)
        .where(ActionUpdate.assessment_id == case.id, ActionUpdate.action_key == key)
        .order_by(ActionUpdate.at.desc(), ActionUpdate.id.desc())
    ).all()


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
            name=lead.name if lead else "", role=(lead.job_title or "Lead professional") if lead else "",
            agency=lead.agency.name if lead else "", phone=(lead.phone or "") if lead else "",
            email=lead.email if lead else "",
        ),
        taf_members=taf,
        worries=_answer(case, "analysis", "worried-about"),
        working_well=_answer(case, "analysis", "working-well"),
        needs=needs,
        actions=[
            Action(number=a.position, need=labels.get(a.need_code, a.need_code or ""), what=a.what,
                   who=a.owner_name, is_family=a.is_family, by_when=a.due_on, success=a.success_measure)
            for a in sorted(version.actions, key=lambda a: a.position)
        ],
        next_review=_next_review(case),
        front_door=current_app.config.get("EHA_FRONT_DOOR", ""),
        signatures=[
            Signature(name=s.name, role=s.role, signed_on=s.signed_on,
                      method=SIGNING_METHODS.get(s.method, s.method))
            for s in version.signatures
        ],
        digest=version.digest,
        generated_at=generated_at or datetime.now(),
    )


def _date(value):
    from datetime import date

    return date.fromisoformat(value) if value else None


def document_from_content(version, *, organisation, service_name, front_door, generated_at=None):
    """The ``PlanDocument`` of a signed version, rebuilt from exactly what was signed (so it prints unchanged)."""
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
        generated_at=generated_at or datetime.now(),
    )
