"""Demo cases in every workflow state, built with the models and ``fire()`` so every guard holds.

The small builders here (a family with a completed assessment, a meeting, a signed plan, a review) are also
what the workflow tests use, so the demo and the tests exercise the same path.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from eha.definitions import needs_identified
from eha.definitions.store import active_definition_record, definition_for
from eha.demo.each_child import section_rows
from eha.extensions import db
from eha.models.assessments import Assessment, AssessmentChild, CasePerson, Consent, TafMember
from eha.models.base import utcnow
from eha.models.families import Carer, Child, Family
from eha.models.meetings import Meeting, MeetingParticipant
from eha.models.plans import PlanAction, PlanSignature, PlanVersion, Review
from eha.services.lead import change_lead
from eha.services.meetings import carer_needs, person_needs
from eha.workflow import effects
from eha.workflow.engine import fire
from eha.workflow.states import DRAFT

DEFAULT_NEEDS = ("sf-education", "sf-relationships")
# The Bennetts' plan spans school, health, early help, police and housing.
WHOLE_TEAM_NEEDS = ("sf-education", "sf-health", "sf-relationships", "sf-crime", "sf-housing")


# --- builders ---


def _next_reference():
    from eha.services.assessments import allocate_reference

    return allocate_reference()


def answers_for(definition, needs=DEFAULT_NEEDS, text="Discussed with the family.", story=None):
    """Answers to every required question of ``definition`` (and the needs picked).

    ``story`` maps field keys (or ``section.field``) to the family's own answers, optional ones included.
    """
    story = story or {}
    out = {}
    for section, spec in definition.iter_fields():
        value = story.get(f"{section.key}.{spec.key}", story.get(spec.key))
        if value is not None:
            out.setdefault(section.key, {})[spec.key] = value
            continue
        if spec.type == "needs":
            value = [c for c in needs if c in spec.option_values] if needs else []
        elif not spec.required:
            continue
        elif spec.type == "scale":
            value = 4
        elif spec.type == "date":
            value = date.today().isoformat()
        elif spec.type == "radios":
            value = spec.option_values[0]
        elif spec.type == "checkboxes":
            value = [spec.option_values[0]]
        else:
            value = text
        out.setdefault(section.key, {})[spec.key] = value
    return out


def _new_family(started_by, family_name, children, carer):
    """A family with its children and (optionally) one carer: ``(family, children, carer row or None)``."""
    family = Family(name=family_name, created_by_id=started_by.id)
    kids = []
    for first, last, born in children:
        child = Child(date_of_birth=born, sex="not_known")
        child.set_names(first, last)
        family.children.append(child)
        kids.append(child)
    carer_row = Carer(name=carer[0], relationship_to_child=carer[1], phone="07700 900123") if carer else None
    if carer_row is not None:
        family.carers.append(carer_row)
    db.session.add(family)
    return family, kids, carer_row


def new_case(
    started_by,
    *,
    family_name="Bennett",
    children=(("Ella", "Bennett", date(2015, 5, 3)),),
    carer=("Laura Bennett", "Mother"),
    agencies=(),
    answers=True,
    needs=DEFAULT_NEEDS,
    consent=True,
    lead=None,
    started_on=None,
    story=None,
):
    """A draft case about a new family, with the agreement (naming ``agencies``) and answers recorded."""
    record = active_definition_record()
    family, kids, carer_row = _new_family(started_by, family_name, children, carer)
    started_at = datetime.combine(started_on, time(9)) if started_on else utcnow()
    case = Assessment(
        ref=_next_reference(),
        family=family,
        state=DRAFT,
        definition_name=record.name,
        definition_version=record.version,
        started_by_id=started_by.id,
        lead_id=(lead or started_by).id,
        started_at=started_at,
    )
    for child in kids:
        case.subjects.append(AssessmentChild(child=child, is_open=True))
    db.session.add(case)
    db.session.flush()
    if consent:
        agreement = Consent(
            assessment_id=case.id,
            given_by_kind="carer" if carer_row else "young_person",
            carer_id=carer_row.id if carer_row else None,
            given_by_name=carer[0] if carer else kids[0].name,
            given_on=started_at.date(),
            recorded_by_id=started_by.id,
        )
        agreement.agencies = list(agencies) + [started_by.agency]
        case.consents.append(agreement)
    if answers:
        definition = definition_for(case)
        values = answers_for(definition, needs=needs, story=story)
        case.sections.extend(section_rows(definition, kids, values, started_by.id))
    effects.refresh_due(case)
    db.session.flush()
    return case


AGENDAS = {
    "taf": "1. Introductions, and what everyone hopes the plan will change\n"
    "2. The family's view of what is working and what needs to change\n"
    "3. Agree the plan: what will be done, who will do it, by when\n"
    "4. Agree the lead professional and the date of the first review",
    "review": "1. Progress on each action, owner by owner\n2. The family's view and scores\n"
    "3. Does the plan need to change?\n4. What happens next",
    "family_network": "1. What the family wants to happen\n2. Who in the family's network can help, and how\n"
    "3. The family's own plan, to share with the team around the family",
}
# How each kind of invitee was told about a demo meeting.
INVITED_BY = {"user": "email", "carer": "text", "person": "letter"}


def schedule_meeting(
    case,
    by,
    *,
    kind="taf",
    on=None,
    place="Northshire Primary School, meeting room 2",
    invite=(),
    family=True,
    people=(),
    agenda=None,
):
    """A scheduled meeting of ``kind`` with its agenda (``AGENDAS[kind]`` unless given) and its invitations: the
    professionals in ``invite``, the carers (``family``), and ``people`` on the case without an account, each with
    how they were invited and their communication needs from their record."""
    on = on or (date.today() + timedelta(days=7))
    meeting = Meeting(
        assessment_id=case.id,
        kind=kind,
        status="scheduled",
        place=place,
        scheduled_for=datetime.combine(on, time(10)),
        agenda=agenda or AGENDAS.get(kind),
        created_by_id=by.id,
    )
    for user in invite:
        meeting.participants.append(
            MeetingParticipant(
                user_id=user.id, name=user.name, agency_name=user.agency.name, invited_how=INVITED_BY["user"]
            )
        )
        if kind == "taf" and all(m.user_id != user.id for m in case.taf_members):
            case.taf_members.append(TafMember(user_id=user.id, added_by_id=by.id))
    if family:
        for carer in case.family.carers:
            meeting.participants.append(
                MeetingParticipant(
                    carer_id=carer.id,
                    name=carer.name,
                    invited_how=INVITED_BY["carer"],
                    communication_needs=carer_needs(carer),
                )
            )
    for person in people:
        meeting.participants.append(
            MeetingParticipant(
                person_id=person.id,
                name=person.name,
                agency_name=person.organisation or person.role,
                invited_how=INVITED_BY["person"],
                communication_needs=person_needs(person),
            )
        )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def hold_meeting(meeting, by, *, held_on=None, next_review_on=None, notes="Everyone agreed the plan."):
    meeting.status = "held"
    meeting.held_on = held_on or meeting.scheduled_for.date()
    meeting.next_review_on = next_review_on
    meeting.notes = notes
    meeting.recorded_by_id = by.id
    for participant in meeting.participants:
        participant.attended = True
    db.session.flush()
    return meeting


def plan_version(case, by, actions, *, number=1, copy_from=None):
    """A draft plan version with ``actions``: dicts with what, owner (a User, a CasePerson, or a name for the
    family), due_on, success, need_code, key (optional)."""
    version = PlanVersion(assessment_id=case.id, number=number, status="draft", created_by_id=by.id)
    for position, spec in enumerate(actions, start=1):
        owner = spec.get("owner", by)
        is_person = isinstance(owner, CasePerson)
        is_user = hasattr(owner, "email") and not is_person
        is_family = not is_user and not is_person
        carer = case.family.carers[0] if is_family and case.family.carers else None
        version.actions.append(
            PlanAction(
                key=spec.get("key") or str(uuid.uuid4()),
                position=position,
                need_code=spec.get("need_code"),
                what=spec.get("what", "Meet the family every week"),
                owner_user_id=owner.id if is_user else None,
                owner_carer_id=carer.id if carer is not None else None,
                owner_person_id=owner.id if is_person else None,
                owner_name=str(owner) if is_family else owner.name,
                due_on=spec.get("due_on", date.today() + timedelta(days=28)),
                success_measure=spec.get("success", "The family says things are better"),
                progress=spec.get("progress"),
            )
        )
    db.session.add(version)
    db.session.flush()
    return version


def sign_plan(case, version, lead, *, carer=True, signed_on=None):
    """Signatures by the lead professional and the first carer; freeze the version with its digest."""
    signed_on = signed_on or date.today()
    version.signatures.append(
        PlanSignature(
            signer_kind="lead",
            user_id=lead.id,
            name=lead.name,
            role="Lead professional",
            signed_on=signed_on,
            method="on_screen",
            recorded_by_id=lead.id,
        )
    )
    if carer and case.family.carers:
        parent = case.family.carers[0]
        version.signatures.append(
            PlanSignature(
                signer_kind="carer",
                carer_id=parent.id,
                name=parent.name,
                role=parent.relationship_to_child,
                signed_on=signed_on,
                method="on_paper",
                recorded_by_id=lead.id,
            )
        )
        db.session.flush()
        from eha.services.plans import freeze

        freeze(case, version, lead)
    db.session.flush()
    return version


def _freeze(case, version, lead):
    # The same stored content and digest as a plan signed in the app, so the demo plan prints in full.
    from eha.services.plans import freeze

    freeze(case, version, lead)


def review(
    case,
    meeting,
    by,
    *,
    progress="on_track",
    plan_changed=False,
    family_view="Things are calmer at home.",
    family_score=6,
    practitioner_score=6,
    decision="continue",
    version=None,
):
    """A Review with progress on every open action of ``version`` (default: the plan in force)."""
    from eha.models.plans import ActionUpdate

    version = (
        version
        or db.session.scalars(
            sa.select(PlanVersion)
            .where(PlanVersion.assessment_id == case.id, PlanVersion.status == "signed")
            .order_by(PlanVersion.number.desc())
        ).first()
    )
    row = Review(
        assessment_id=case.id,
        meeting_id=meeting.id,
        family_view=family_view,
        family_score=family_score,
        practitioner_score=practitioner_score,
        decision=decision,
        plan_changed=plan_changed,
        recorded_by_id=by.id,
    )
    db.session.add(row)
    db.session.flush()
    for action in version.actions if version else []:
        if action.is_open:
            db.session.add(
                ActionUpdate(
                    assessment_id=case.id,
                    action_key=action.key,
                    review_id=row.id,
                    progress=progress,
                    comment="Discussed at the review",
                    by_id=by.id,
                )
            )
            action.progress = progress
    db.session.flush()
    return row


def outcomes_for(case, outcome="met"):
    needs = needs_identified(definition_for(case), case.answers_by_section())
    return {code: {"outcome": outcome, "comment": "The family says this is better."} for code in needs}


# --- walking a case along the workflow ---


def to_assessed(case, lead):
    fire(case, "complete_assessment", lead)
    return case


def to_taf_scheduled(case, lead, invite, people=()):
    to_assessed(case, lead)
    meeting = schedule_meeting(case, lead, kind="taf", invite=invite, people=people)
    fire(case, "schedule_taf", lead, meeting=meeting)
    return meeting


def to_plan_active(case, lead, invite, actions=None, people=()):
    meeting = to_taf_scheduled(case, lead, invite, people)
    hold_meeting(meeting, lead, next_review_on=date.today() + timedelta(weeks=6))
    owner = invite[0] if invite else lead
    child = case.children[0].first_name if case.subjects else "the child"
    actions = actions or [
        {
            "what": f"Weekly check-in with {child} about school",
            "owner": owner,
            "need_code": "sf-education",
            "success": f"{child}'s attendance is above 95%",
        },
        {
            "what": "Use the bedtime routine we agreed every school night",
            "owner": case.family.carers[0].name,
            "need_code": "sf-relationships",
            "success": "Fewer arguments at bedtime",
        },
    ]
    version = plan_version(case, lead, actions)
    sign_plan(case, version, lead)
    fire(case, "agree_plan", lead)
    return version


def to_review_scheduled(case, lead, invite):
    version = to_plan_active(case, lead, invite)
    meeting = schedule_meeting(case, lead, kind="review", invite=invite, on=date.today() + timedelta(days=14))
    fire(case, "schedule_review", lead, meeting=meeting)
    return version, meeting


def record_a_review(case, lead, meeting, *, revise=False):
    """Hold the review meeting and record it; with ``revise``, a revised plan version is signed too."""
    hold_meeting(meeting, lead, next_review_on=date.today() + timedelta(weeks=6))
    reviewed = db.session.scalars(
        sa.select(PlanVersion)
        .where(PlanVersion.assessment_id == case.id, PlanVersion.status == "signed")
        .order_by(PlanVersion.number.desc())
    ).first()
    row = review(case, meeting, lead, plan_changed=revise, version=reviewed)
    if revise:
        actions = [
            {
                "key": a.key,
                "what": a.what,
                "owner": a.owner_user or a.owner_name,
                "due_on": a.due_on,
                "success": a.success_measure,
                "need_code": a.need_code,
                "progress": a.progress,
            }
            for a in reviewed.actions
        ]
        actions.append(
            {
                "what": "Apply for the housing transfer together",
                "owner": lead,
                "need_code": "sf-relationships",
                "success": "The application is in",
            }
        )
        version = plan_version(case, lead, actions, number=reviewed.number + 1)
        sign_plan(case, version, lead)
    fire(case, "record_review", lead, review=row)
    return row


# --- the demo ---


def _story(child, worried, well, happen, voice, family, strengths):
    return {
        "worried-about": worried,
        "professional-worries": worried,
        "working-well": well,
        "needs-to-happen": happen,
        "child-views": voice,
        "parents-views": family,
        "family-strengths": strengths,
        "child-development.summary": f"{child} is doing well in some areas; the worries are set out below.",
        "parenting-capacity.summary": "Warm, committed parenting under real pressure.",
        "family-environment.summary": "Money and housing worries weigh on the whole family.",
        "needs-in-own-words": family,
    }


# What each demo family told us, in words a family would recognise on its printed plan.
STORIES = {
    "Ahmed": _story(
        "Yusuf",
        "Yusuf has missed 14 days of school this term and says he feels sick most mornings.",
        "Samira walks Yusuf to the gate on the days he goes, and he loves football club.",
        "Find out why mornings are hard and help Yusuf get to school every day.",
        "I don't like the noise in the classroom. Football is the best bit.",
        "I want him in school, but I can't make him when he is crying.",
        "Samira never misses a meeting; Yusuf's uncle takes him to football.",
    ),
    "Kowalski": _story(
        "Maja",
        "Maja is caring for her younger brother most evenings while her father works nights.",
        "Piotr keeps in touch with school and Maja's grades are good.",
        "Support for Piotr with childcare so Maja can be a child again.",
        "I help Tata a lot. Sometimes I am too tired to do homework.",
        "I work nights to pay the rent. I know Maja does too much.",
        "A close father and daughter; a Polish community group nearby.",
    ),
    "Bennett": _story(
        "Ella",
        "Arguments at home at bedtime, and Ella is arriving at school tired and upset.",
        "Laura asked for help herself, and Ella has a good friend group at school.",
        "A calmer bedtime routine and some support for Laura with Ella's behaviour.",
        "I don't like shouting. I like it when Mum reads to me.",
        "Bedtime is a battle every night and I am worn out.",
        "Laura is honest about what is hard; Ella's nan helps at weekends.",
    ),
    "Okoro": _story(
        "Daniel",
        "Daniel has been in two fights at school and is staying out late.",
        "Grace and Daniel are close; he listens to his youth worker.",
        "Help Daniel with his anger and agree a time to be home.",
        "People wind me up. I want to be a mechanic.",
        "I am his grandmother and I am doing my best, but he is taller than me now.",
        "Grace's church friends offer support; Daniel is good with his hands.",
    ),
    "Hughes": _story(
        "Ruby",
        "Ruby's speech is behind for her age and Dean is struggling since Ruby's mum left.",
        "Dean has kept Ruby's routine going and she is happy at nursery.",
        "Speech and language help for Ruby and a support group for Dean.",
        "Daddy does my hair. I like the swings.",
        "It's just me now. I want Ruby to have the best start.",
        "Dean's sister lives nearby and helps with pick-ups.",
    ),
    "Patel": _story(
        "Arjun",
        "Arjun was anxious about moving to secondary school and stopped eating lunch.",
        "Meera and the school worked together quickly; Arjun likes his form tutor.",
        "Help Arjun settle and feel safe at lunchtimes.",
        "The canteen is too busy. The library is nice.",
        "He is a worrier like me. We want him to enjoy school.",
        "A supportive extended family and a good relationship with the school.",
    ),
    "Murphy": _story(
        "Liam",
        "Liam told his teacher about frightening arguments between adults at home.",
        "Siobhan is open with the school and Liam is close to his older cousin.",
        "Children's social care to assess Liam's safety at home.",
        "I hide under my bed when they shout.",
        "I didn't know he could hear everything.",
        "Siobhan's sister offers a place to stay.",
    ),
    "Nguyen": _story(
        "Anh",
        "Anh's attendance dropped when the family were moved into temporary housing.",
        "Thu found Anh a quiet place to study and attendance is back up to 96%.",
        "Keep the housing move on track and keep Anh's attendance up.",
        "The new flat is far from school but I have my own desk now.",
        "Things are better now we know where we will live.",
        "Thu is organised and determined; the Vietnamese community centre helps.",
    ),
}

DEMO_FAMILIES = [
    # key, family name, child, carer, target state
    ("assessed", "Ahmed", ("Yusuf", "Ahmed", date(2016, 9, 14)), ("Samira Ahmed", "Mother")),
    ("taf_scheduled", "Kowalski", ("Maja", "Kowalski", date(2014, 2, 2)), ("Piotr Kowalski", "Father")),
    ("plan_active", "Bennett", ("Ella", "Bennett", date(2015, 5, 3)), ("Laura Bennett", "Mother")),
    ("review_scheduled", "Okoro", ("Daniel", "Okoro", date(2013, 11, 20)), ("Grace Okoro", "Grandmother")),
    ("plan_revised", "Hughes", ("Ruby", "Hughes", date(2017, 7, 8)), ("Dean Hughes", "Father")),
    ("closed_met", "Patel", ("Arjun", "Patel", date(2012, 4, 30)), ("Meera Patel", "Mother")),
    ("stepped_up", "Murphy", ("Liam", "Murphy", date(2018, 1, 12)), ("Siobhan Murphy", "Mother")),
    ("closure_pending", "Nguyen", ("Anh", "Nguyen", date(2014, 10, 5)), ("Thu Nguyen", "Mother")),
]


class _Cast(NamedTuple):
    """Who moves the demo cases on: the lead professional, the manager, and who is invited to meetings."""

    lead: Any
    manager: Any
    invite: tuple
    # More professionals on the multi-agency case: the police and housing officers.
    more: tuple = ()


def _to_plan_revised(case, cast):
    _version, meeting = to_review_scheduled(case, cast.lead, cast.invite)
    record_a_review(case, cast.lead, meeting, revise=True)


def _to_closed_met(case, cast):
    _version, meeting = to_review_scheduled(case, cast.lead, cast.invite)
    record_a_review(case, cast.lead, meeting)
    fire(
        case,
        "close",
        cast.manager,
        reason="outcomes_met",
        notes="The family's goals were met.",
        outcomes=outcomes_for(case, "met"),
    )


def _to_stepped_up(case, cast):
    fire(
        case,
        "step_up",
        cast.lead,
        on=date.today(),
        team="Northshire Children's Social Care, Assessment Team",
        reason="Liam disclosed that she was hit at home; referred to the front door the same day.",
    )


def _to_closure_pending(case, cast):
    to_plan_active(case, cast.lead, cast.invite)
    fire(
        case,
        "request_closure",
        cast.lead,
        reason="stepped_down",
        notes="Remaining support from the school only.",
        outcomes=outcomes_for(case, "partly_met"),
    )


def _to_plan_active_whole_team(case, cast):
    """The Bennetts' plan: the school leads; health, early help, police and housing each own an action, and so
    do the mother and the grandmother, who has no account and agreed her part by phone after the plan was signed."""
    police, housing = cast.more
    grandmother = CasePerson(
        kind="network",
        name="Margaret Bennett",
        role="Maternal grandmother",
        phone="07700 900456",
        communication_needs="Hard of hearing: face her when speaking; no phone calls before 10am.",
        added_by_id=cast.lead.id,
    )
    case.people.append(grandmother)
    db.session.flush()
    nurse, worker = cast.invite
    actions = [
        {"what": "See Ella at school about her sleep", "owner": nurse, "need_code": "sf-health"},
        {"what": "Weekly family support visit at home", "owner": worker, "need_code": "sf-relationships"},
        {
            "what": "Visit with the neighbourhood officer about the older boys on the stairwell",
            "owner": police,
            "need_code": "sf-crime",
            "success": "Laura says she feels safe on the stairs",
        },
        {
            "what": "Repair the damp in Ella's bedroom",
            "owner": housing,
            "need_code": "sf-housing",
            "success": "The repair is signed off and Ella sleeps in her own room",
        },
        {
            "what": "Take Ella to school on Tuesdays and Thursdays",
            "owner": grandmother,
            "need_code": "sf-education",
            "success": "Ella is on time on those days",
        },
        {
            "what": "Use the bedtime routine we agreed every school night",
            "owner": case.family.carers[0].name,
            "need_code": "sf-relationships",
            "success": "Fewer arguments at bedtime",
        },
    ]
    version = to_plan_active(case, cast.lead, (nurse, worker, police, housing), actions=actions, people=(grandmother,))
    _grandmothers_part(case, cast, version, grandmother)


def _grandmothers_part(case, cast, version, grandmother):
    """The grandmother agrees the signed plan by phone, and she and the mother have a family network meeting
    booked: the family's own planning beside the TAF's (it leaves the stage alone)."""
    schedule_meeting(
        case,
        cast.lead,
        kind="family_network",
        on=date.today() + timedelta(days=10),
        place="The Bennetts' home",
        people=(grandmother,),
    )
    version.signatures.append(
        PlanSignature(
            signer_kind="network",
            person_id=grandmother.id,
            name=grandmother.name,
            role=grandmother.role,
            signed_on=date.today(),
            method="by_phone",
            recorded_by_id=cast.lead.id,
        )
    )
    db.session.flush()


def _to_review_scheduled_handed_over(case, cast):
    """A review is due and the school hands the case to the family support worker, who stays in the TAF."""
    to_review_scheduled(case, cast.lead, cast.invite)
    db.session.flush()
    change_lead(
        case,
        cast.lead,
        cast.invite[-1].id,
        "Daniel's needs are now mostly outside school: the family support worker knows the family best.",
        date.today(),
        True,
        expected_version=case.version_id,
    )


# a DEMO_FAMILIES key -> how its new case is moved on to that state
MOVE_ON = {
    "assessed": lambda case, cast: to_assessed(case, cast.lead),
    "taf_scheduled": lambda case, cast: to_taf_scheduled(case, cast.lead, cast.invite),
    "plan_active": _to_plan_active_whole_team,
    "review_scheduled": _to_review_scheduled_handed_over,
    "plan_revised": _to_plan_revised,
    "closed_met": _to_closed_met,
    "stepped_up": _to_stepped_up,
    "closure_pending": _to_closure_pending,
}


def _demo_cases_started_by(lead):
    """The lead's demo cases by family name."""
    return {
        family_name: case
        for family_name, case in db.session.execute(
            sa.select(Family.name, Assessment)
            .join(Assessment, Assessment.family_id == Family.id)
            .where(Family.created_by_id == lead.id)
            # A family helped twice (a re-referral) is known by its first case: the last one written wins.
            .order_by(Assessment.id.desc())
        )
    }


def ensure_demo_cases(agencies, users):
    """Cases in every state (idempotent: a family already in the demo is not built again)."""
    cases = []
    from eha.demo.families import ensure_demo_families

    cases.extend(ensure_demo_families(agencies, users) or [])

    lead = users["sarah.okafor@northshire-primary.example.org"]
    nurse = users["priya.shah@northshire-health.example.org"]
    worker = users["jamie.clarke@northshire-earlyhelp.example.org"]
    more = (users["mark.evans@northshire-police.example.org"], users["ayse.demir@northshire-homes.example.org"])
    cast = _Cast(
        lead=lead, manager=users["helen.brooks@northshire-earlyhelp.example.org"], invite=(nurse, worker), more=more
    )
    existing = _demo_cases_started_by(lead)
    for key, family_name, child, carer in DEMO_FAMILIES:
        # Earlier demo databases named these families "<name> (demo)": find those too, never build twice.
        found = existing.get(family_name) or existing.get(f"{family_name} (demo)")
        if found is not None:
            cases.append(found)
            continue
        case = new_case(
            lead,
            family_name=family_name,
            children=(child,),
            carer=carer,
            agencies=[nurse.agency, worker.agency] + ([u.agency for u in more] if key == "plan_active" else []),
            story=STORIES.get(family_name),
            needs=WHOLE_TEAM_NEEDS if key == "plan_active" else DEFAULT_NEEDS,
        )
        MOVE_ON[key](case, cast)
        cases.append(case)
    from eha.demo.history import ensure_history

    cases.extend(ensure_history(cast, existing))
    db.session.flush()
    return cases
