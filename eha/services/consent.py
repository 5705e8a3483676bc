"""The family's agreement to early help: record it (a new row each time, earlier ones stay as history), withdraw it.

Each form carries a marker of the agreement it was opened on (``"<id>.<version>"``, ``"0"`` for none). The check
is made with the case row locked, so of two saves from one marker at the same moment (two agreements, or a
withdrawal and a new agreement) exactly one is recorded and the other is refused as stale: a withdrawal is never
undone by a save made from the page before it.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eha import access, audit, young_people
from eha.errors import Invalid, NotAllowed, StaleEdit
from eha.extensions import db
from eha.models.assessments import Consent
from eha.models.users import Agency
from eha.notifications import events as notification_events
from eha.people import PersonRef, carer, child
from eha.services.families import active_agencies
from eha.transaction import case_action


@dataclass(frozen=True)
class Giver:
    """Someone who may agree for the family: a named parent or carer, or a child judged competent."""

    ref: PersonRef
    label: str
    kind: str  # the Consent's given_by_kind
    record: object


def consent_givers(case):
    """The family's named carers and the children, who may be chosen as the one agreeing (a child under the
    young person age is named as a child, and refused when chosen)."""
    family = case.family
    return [Giver(carer(c.id), f"{c.name} ({c.relationship_to_child})", "carer", c) for c in family.carers] + [
        Giver(child(c.id), f"{c.name} ({young_people.describe(c)})", "young_person", c) for c in family.children
    ]


def _check_young_person(giver, given_on, how):
    """A child may agree only from the young person age, and only when judged competent, with how recorded."""
    record = giver.record
    age = young_people.child_age(record, given_on)
    least = young_people.min_age()
    if age is None:
        raise Invalid(
            _("Add %(name)s's date of birth before recording their agreement", name=record.name), field="given_by"
        )
    if age < least:
        raise Invalid(
            _(
                "%(name)s was %(age)s on the date agreed. A child under %(least)s cannot give agreement: choose a "
                "parent or carer",
                name=record.name,
                age=age,
                least=least,
            ),
            field="given_by",
        )
    if how.get("competence") is None:
        raise Invalid(
            _("Select whether you judge %(name)s competent to give agreement", name=record.name), field="competence"
        )
    if how["competence"] != "yes":
        raise Invalid(
            _(
                "%(name)s cannot give agreement unless you judge them competent: choose a parent or carer",
                name=record.name,
            ),
            field="competence",
        )
    if not how.get("competence_notes"):
        raise Invalid(
            _("Enter how you judged that %(name)s is competent to agree", name=record.name), field="competence_notes"
        )


def _how_given(giver, given_on, how):
    """The Consent columns saying how the agreement was given (each optional) and, for a young person, the
    competence judgement (required)."""
    if giver.kind == "young_person":
        _check_young_person(giver, given_on, how)
    interpreter = _yes_no(how.get("interpreter_used"))
    if interpreter and not how.get("interpreter_language"):
        raise Invalid(_("Enter the language the interpreter used"), field="interpreter_language")
    young = giver.kind == "young_person"
    return {
        "given_as": how.get("given_as") or None,
        "given_via": how.get("given_via") or None,
        "interpreter_used": interpreter,
        "interpreter_language": (how.get("interpreter_language") or None) if interpreter else None,
        "privacy_notice_given": _yes_no(how.get("privacy_notice")),
        "competence_judged": True if young else None,
        "competence_notes": how.get("competence_notes") if young else None,
    }


def _yes_no_text(value):
    return {True: "yes", False: "no"}.get(value)


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


def _latest(case):
    """The latest agreement as stored now (not as this session last read it)."""
    return db.session.scalar(
        sa.select(Consent)
        .where(Consent.assessment_id == case.id)
        .order_by(Consent.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


def marker_of(consent):
    return f"{consent.id}.{consent.version_id}" if consent else "0"


def latest_consent_marker(case):
    return marker_of(_latest(case))


def _given_by(consent):
    return carer(consent.carer_id) if consent.carer_id else child(consent.child_id)


def consent_page(case, user):
    """What the agreement page shows, and the data its form starts from."""
    current = case.current_consent
    data = {"legal_basis": case.legal_basis, "marker": marker_of(current)}
    if current is not None and current.withdrawn_on is None:
        data.update(
            agencies=[str(a) for a in current.agency_ids],
            withheld=current.withheld or "",
            given_by=_given_by(current).value,
            given_as=current.given_as,
            given_via=current.given_via,
            interpreter_used=_yes_no_text(current.interpreter_used),
            interpreter_language=current.interpreter_language or "",
            privacy_notice=_yes_no_text(current.privacy_notice_given),
        )
    return {
        "current": current,
        "history": list(reversed(case.consents)),
        "givers": consent_givers(case),
        "agencies": active_agencies(),
        "data": data,
        "can_manage": access.can_manage(user, case),
    }


def _check_marker(case, marker, field):
    """Under the case's lock: refuse a save made from a page opened on another agreement than the latest."""
    latest = _latest(case)
    if marker != marker_of(latest):
        raise StaleEdit(
            _l("Someone else changed the family's agreement after you opened this page. Check it, then save again."),
            saved=latest,
            detail={"field": field},
        )
    return latest


@case_action
def record_consent(case, user, *, given_by, given_on, agency_ids, withheld, legal_basis, marker, how=None):
    """Record the family's agreement as a new Consent row (earlier ones stay as history). ``how``: the form's
    answers on how it was given (``given_as``, ``given_via``, ``interpreter_used``, ``interpreter_language``,
    ``privacy_notice``) and, for a young person, ``competence`` and ``competence_notes``."""
    _check_marker(case, marker, "given_by")
    ref = PersonRef.parse(given_by)
    giver = next((g for g in consent_givers(case) if g.ref == ref), None)
    if giver is None:
        raise Invalid(_("Select who agreed to early help"), field="given_by")
    columns = _how_given(giver, given_on, how or {})
    agencies = (
        db.session.scalars(
            sa.select(Agency).where(Agency.id.in_([int(a) for a in agency_ids]), Agency.active.is_(True))
        ).all()
        if agency_ids
        else []
    )
    consent = Consent(
        assessment=case,
        given_by_kind=giver.kind,
        carer_id=giver.ref.id if giver.ref.kind == "carer" else None,
        child_id=giver.ref.id if giver.ref.kind == "child" else None,
        given_by_name=giver.record.name,
        given_on=given_on,
        withheld=withheld or None,
        recorded_by_id=user.id,
        agencies=list(agencies),
        **columns,
    )
    db.session.add(consent)
    if legal_basis and legal_basis != case.legal_basis:
        case.legal_basis = legal_basis
    db.session.flush()
    audit.record(
        "consent_recorded",
        assessment=case,
        user=user,
        detail={"given_by": giver.kind, "agencies": sorted(a.id for a in agencies)},
    )
    return consent


@case_action
def withdraw_consent(case, user, *, withdrawn_on, notes, marker):
    """Record that the family withdrew the current agreement: the agencies it named lose sight of the case."""
    consent = _check_marker(case, marker, "withdrawn_on")
    if consent is None or consent.withdrawn_on is not None:
        raise NotAllowed(_l("There is no current agreement to withdraw."))
    if withdrawn_on < consent.given_on:
        raise Invalid(_("Date agreement was withdrawn must be on or after the date agreed"), field="withdrawn_on")
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_notes = notes or None
    consent.withdrawn_recorded_by_id = user.id
    db.session.flush()
    audit.record("consent_withdrawn", assessment=case, user=user, detail={"withdrawn_on": withdrawn_on.isoformat()})
    notification_events.access_ended(case, consent)
    return consent
