"""A seeded world for the security tests (one case with every relationship to it, and a second case), and a
helper that races requests in threads."""

import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from eha.definitions.store import active_definition_record
from eha.extensions import db
from eha.models.assessments import (
    AccessGrant,
    Assessment,
    AssessmentChild,
    CasePerson,
    Consent,
    SectionAnswer,
    TafMember,
)
from eha.models.families import Carer, Child, Family, InvolvedAgency, NetworkMember
from eha.models.meetings import Meeting, MeetingParticipant
from eha.models.plans import PlanAction, PlanVersion
from tests import factories


@dataclass
class World:
    users: dict = field(default_factory=dict)
    case: Assessment = None
    other_case: Assessment = None
    meeting: Meeting = None
    other_meeting: Meeting = None
    action_key: str = ""
    other_action_key: str = ""
    plan: PlanVersion = None
    grant: AccessGrant = None
    definition_id: int = 0
    person: CasePerson = None
    other_person: CasePerson = None
    sar_id: int = 0


def _case(ref, started_by, lead, agreed_agencies, family_name, withdrawn_agencies=()):
    record = active_definition_record()
    family = Family(name=family_name, created_by_id=started_by.id)
    child = Child(date_of_birth=date(2015, 5, 3), sex="not_known")
    child.set_names("Ella", family_name)
    family.children.append(child)
    carer = Carer(name=f"Laura {family_name}", relationship_to_child="Mother")
    family.carers.append(carer)
    family.network.append(NetworkMember(name="Grandma", relationship_to_family="Grandmother"))
    family.involved_agencies.append(InvolvedAgency(agency_name="Health visiting"))
    db.session.add(family)
    case = Assessment(
        ref=ref,
        family=family,
        state="plan_active",
        definition_name=record.name,
        definition_version=record.version,
        started_by_id=started_by.id,
        lead_id=lead.id,
    )
    case.subjects.append(AssessmentChild(child=child, is_open=True))
    db.session.add(case)
    db.session.flush()
    if withdrawn_agencies:
        earlier = Consent(
            assessment_id=case.id,
            given_by_kind="carer",
            carer_id=carer.id,
            given_by_name=carer.name,
            given_on=date.today() - timedelta(days=20),
            recorded_by_id=started_by.id,
            withdrawn_on=date.today() - timedelta(days=1),
            withdrawal_notes="Not the police",
        )
        earlier.agencies = list(agreed_agencies) + list(withdrawn_agencies)
        case.consents.append(earlier)
        db.session.flush()
    consent = Consent(
        assessment_id=case.id,
        given_by_kind="carer",
        carer_id=carer.id,
        given_by_name=carer.name,
        given_on=date.today(),
        recorded_by_id=started_by.id,
    )
    consent.agencies = list(agreed_agencies)
    case.consents.append(consent)
    case.sections.append(
        SectionAnswer(section_key="family", answers={}, status="in_progress", updated_by_id=started_by.id)
    )
    return case, carer


def _meeting_and_plan(case, by, owner):
    meeting = Meeting(
        assessment_id=case.id,
        kind="taf",
        status="held",
        place="School",
        scheduled_for=datetime.combine(date.today(), time(10)),
        held_on=date.today(),
        created_by_id=by.id,
    )
    meeting.participants.append(MeetingParticipant(user_id=owner.id, name=owner.name, attended=True))
    db.session.add(meeting)
    # The plan in force: signed, so its actions' owners can record progress.
    plan = PlanVersion(
        assessment_id=case.id,
        number=1,
        status="signed",
        created_by_id=by.id,
        signed_at=datetime.now(),
        signed_content={"actions": []},
        digest=uuid.uuid4().hex * 2,
    )
    key = str(uuid.uuid4())
    plan.actions.append(
        PlanAction(
            key=key,
            position=1,
            what="Attend parenting course",
            owner_user_id=owner.id,
            owner_name=owner.name,
            due_on=date.today() + timedelta(days=30),
            success_measure="Calmer mornings",
        )
    )
    db.session.add(plan)
    return meeting, plan, key


def _person(case, by):
    """Someone on ``case`` without an account (the grandmother)."""
    person = CasePerson(assessment=case, kind="network", name="Gran Matrix", role="Grandmother", added_by_id=by.id)
    db.session.add(person)
    return person


def seed_world():
    """Users in every relationship to ``case``; ``other_case`` belongs to someone else entirely."""
    school = factories.agency(name="Matrix Primary School", kind="school")
    health = factories.agency(name="Matrix Health", kind="health")
    police = factories.agency(name="Matrix Police", kind="police")
    housing = factories.agency(name="Matrix Homes", kind="housing")
    u = {
        "starter": factories.user(agency=school, name="Sam Starter"),
        "lead": factories.user(agency=school, name="Lee Lead"),
        "taf": factories.user(agency=health, name="Tara Taf"),
        "taf_withdrawn": factories.user(agency=police, name="Wes Withdrawn"),
        "grantee": factories.user(agency=housing, name="Gita Grant"),
        "unrelated": factories.user(agency=school, name="Una Unrelated"),
        "other_agency": factories.user(agency=police, name="Otto Other"),
        "manager": factories.user(
            role="manager", agency=factories.agency(name="Matrix Early Help", kind="early_help"), name="Mia Manager"
        ),
        "admin": factories.user(role="admin", agency=school, name="Ada Admin"),
    }
    world = World(users=u)
    # The family agreed to school, health and police, then withdrew that agreement and agreed again without
    # the police: the police TAF member loses access.
    case, _carer = _case(
        "EHA-900001", u["starter"], u["lead"], [school, health], "Bennett", withdrawn_agencies=[police]
    )
    case.taf_members.append(TafMember(user_id=u["taf"].id, added_by_id=u["lead"].id))
    # A TAF member whose agency the family has since withdrawn: only on a withdrawn earlier agreement.
    case.taf_members.append(TafMember(user_id=u["taf_withdrawn"].id, added_by_id=u["lead"].id))
    world.meeting, world.plan, world.action_key = _meeting_and_plan(case, u["lead"], u["taf"])
    world.grant = AccessGrant(
        assessment_id=case.id,
        user_id=u["grantee"].id,
        granted_by_id=u["manager"].id,
        reason="Police safeguarding strategy discussion",
        ends_on=date.today() + timedelta(days=30),
    )
    db.session.add(world.grant)
    other_lead = factories.user(agency=housing, name="Oscar Otherlead")
    other, _ = _case("EHA-900002", other_lead, other_lead, [housing], "Clarke")
    world.other_meeting, _plan, world.other_action_key = _meeting_and_plan(other, other_lead, other_lead)
    world.case, world.other_case = case, other
    world.person, world.other_person = _person(case, u["lead"]), _person(other, other_lead)
    world.definition_id = active_definition_record().id
    world.sar_id = _subject_access_request(_carer, u["manager"])
    db.session.commit()
    return world


def _subject_access_request(carer, manager):
    from eha.models.governance import SubjectAccessRequest

    request = SubjectAccessRequest(
        person_kind="carer",
        person_id=carer.id,
        subject_name=carer.name,
        received_on=date.today(),
        due_on=date.today() + timedelta(days=28),
        created_by_id=manager.id,
    )
    db.session.add(request)
    db.session.flush()
    return request.id


def race(count, action, timeout=60):
    """Run ``action(index)`` in ``count`` threads released at the same moment; return their results in order.

    Each thread's requests push their own app context, so each has its own database session and connection.
    An exception in a thread is returned as its result, so a test sees it rather than a silent None.
    """
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=timeout)
            results[index] = action(index)
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
