"""Demo data for information governance (issue 19): a case closed long enough ago to be due for disposal, one as
old that is on legal hold (so the review lists it as held, never due), and a mother whose family has three
episodes, with a family network member and an ex-partner who are third parties to her subject access request, and
a daughter whose date of birth was corrected (so the corrections page shows a history).

Idempotent: each family is found by name and built once.
"""

from datetime import date, datetime, time

import sqlalchemy as sa

from eha.definitions.store import active_definition_record
from eha.demo.cases import _next_reference, new_case, to_assessed
from eha.extensions import db
from eha.models.assessments import Assessment, AssessmentChild, Consent
from eha.models.families import Carer, Family, NetworkMember
from eha.models.governance import LegalHold
from eha.services import corrections
from eha.workflow.engine import fire
from eha.workflow.states import DRAFT, MOVED_OUT

DUE_FAMILY = "Whitfield"
HELD_FAMILY = "Okonkwo"
MOTHER_FAMILY = "Marsh"
DUE_STARTED, HELD_STARTED, MOTHER_STARTED = date(2018, 9, 10), date(2017, 5, 2), date(2021, 1, 11)
LILY_TYPED, LILY_BORN = date(2017, 3, 9), date(2017, 9, 3)
LILY_REASON = "Day and month were swapped when typed in: Donna showed Lily's red book."
HOLD_REASON = "Civil claim by the family against the council, 2026: keep every record until the claim is settled."


def _closed_long_ago(case, lead, manager, closed_on):
    to_assessed(case, lead)
    fire(case, "close", manager, reason=MOVED_OUT, notes="The family moved to another county.")
    case.closed_at = datetime.combine(closed_on, time(16))


def _old_case(lead, manager, family_name, child, carer, started_on, closed_on):
    case = new_case(lead, family_name=family_name, children=(child,), carer=carer, agencies=[], started_on=started_on)
    db.session.flush()
    _closed_long_ago(case, lead, manager, closed_on)
    return case


def _another_episode(family, lead, children, carer, started_on):
    """A further episode about ``family``: its own agreement and (empty) answers, as a practitioner starts one."""
    record = active_definition_record()
    case = Assessment(
        ref=_next_reference(),
        family=family,
        state=DRAFT,
        definition_name=record.name,
        definition_version=record.version,
        started_by_id=lead.id,
        lead_id=lead.id,
        started_at=datetime.combine(started_on, time(9)),
    )
    for child in children:
        case.subjects.append(AssessmentChild(child=child, is_open=True))
    db.session.add(case)
    db.session.flush()
    agreement = Consent(
        assessment_id=case.id,
        given_by_kind="carer",
        carer_id=carer.id,
        given_by_name=carer.name,
        given_on=started_on,
        recorded_by_id=lead.id,
    )
    agreement.agencies = [lead.agency]
    case.consents.append(agreement)
    return case


def _mother_with_three_cases(lead, manager):
    first = new_case(
        lead,
        family_name=MOTHER_FAMILY,
        children=(("Kai", "Marsh", date(2013, 2, 14)), ("Lily", "Marsh", LILY_TYPED)),
        carer=("Donna Marsh", "Mother"),
        agencies=[],
        started_on=MOTHER_STARTED,
    )
    family = first.family
    mother = family.carers[0]
    mother.address = "4 Quarry Row, Northtown NT3 7QR"
    family.carers.append(Carer(name="Gary Pike", relationship_to_child="Lily's father", phone="07700 900456"))
    family.network.append(
        NetworkMember(name="Ray Marsh", relationship_to_family="Maternal grandfather", support_offered="School runs")
    )
    db.session.flush()
    _closed_long_ago(first, lead, manager, date(2021, 7, 30))
    kai, lily = sorted(family.children, key=lambda c: c.date_of_birth)
    second = _another_episode(family, lead, [lily], mother, date(2023, 3, 6))
    fire(second, "close", manager, reason="agreement_not_given", notes="Donna did not want early help this time.")
    second.closed_at = datetime(2023, 3, 20, 12)
    third = _another_episode(family, lead, [kai, lily], mother, date(2026, 11, 2))
    db.session.flush()
    # Lily's date of birth was typed day-for-month; the lead corrected it through the corrections service, so the
    # demo has a corrected date of birth with its history (what it said before, who, when, why).
    corrections.correct(
        third,
        lead,
        "child",
        lily.id,
        {"date_of_birth": LILY_BORN},
        reason=LILY_REASON,
        expected_version=family.version_id,
    )
    return [first, second, third]


def _exists(lead, started_on):
    """The demo case started on ``started_on`` is there (disposed of or not: disposal renames its family)."""
    started_at = datetime.combine(started_on, time(9))
    return db.session.scalar(
        sa.select(sa.exists().where(Assessment.started_by_id == lead.id, Assessment.started_at == started_at))
    )


def ensure_demo_retention(users):
    """The governance demo cases, made when they are not there yet. Returns all of them."""
    lead = users["sarah.okafor@northshire-primary.example.org"]
    manager = users["helen.brooks@northshire-earlyhelp.example.org"]
    if not _exists(lead, DUE_STARTED):
        _old_case(
            lead,
            manager,
            DUE_FAMILY,
            ("Callum", "Whitfield", date(1999, 4, 12)),
            ("Janet Whitfield", "Mother"),
            DUE_STARTED,
            date(2019, 6, 28),
        )
    if not _exists(lead, HELD_STARTED):
        held = _old_case(
            lead,
            manager,
            HELD_FAMILY,
            ("Chidi", "Okonkwo", date(2000, 1, 20)),
            ("Ngozi Okonkwo", "Mother"),
            HELD_STARTED,
            date(2018, 2, 16),
        )
        db.session.add(LegalHold(assessment_id=held.id, reason=HOLD_REASON, placed_by_id=manager.id))
    if not _exists(lead, MOTHER_STARTED):
        _mother_with_three_cases(lead, manager)
    db.session.flush()
    return db.session.scalars(
        sa.select(Assessment)
        .join(Family, Family.id == Assessment.family_id)
        .where(
            Assessment.started_by_id == lead.id,
            sa.or_(Family.name.in_((DUE_FAMILY, HELD_FAMILY, MOTHER_FAMILY)), Assessment.disposed_at.is_not(None)),
        )
        .order_by(Assessment.ref)
    ).all()
