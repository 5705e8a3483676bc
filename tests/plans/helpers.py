"""Factories for the TAF, plan and review tests.

``assessed_case`` builds a case that has been through the assessment: the family's agreement naming the
agencies given, every required answer the plan needs (two coded needs, scaling scores, the analysis), and the
state ``assessed``. Setting ``state`` directly is done ONLY here, in a test factory, to start a test from a
given point of the workflow; the app itself changes state only through ``eha.workflow.engine.fire``.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Assessment, Consent, SectionAnswer, TafMember
from eha.models.families import Child
from eha.models.meetings import Meeting, MeetingParticipant
from eha.models.plans import PlanAction, PlanSignature, PlanVersion
from eha.services import assessments as assessment_service
from eha.services import plans as plan_service

NEEDS = ["sf-education", "sf-health"]


def family(user, name="The Nowak family"):
    record = assessment_service.create_family(
        user,
        name=name,
        address="12 Mill Lane, Northtown",
        postcode="NT1 2AB",
        child={
            "first_name": "Zofia",
            "last_name": "Nowak",
            "date_of_birth": date(2012, 3, 27),
            "sex": "female",
            "school": "Northshire Primary School",
            "nhs_number": None,
        },
        carer={
            "name": "Agnieszka Nowak",
            "relationship_to_child": "Mother",
            "phone": "07700 900123",
            "preferred_language": "Polish",
            "interpreter_needed": "no",
        },
    )
    db.session.commit()
    return record


def assessed_case(lead, agencies=(), *, state="assessed", name="The Nowak family"):
    """A case in ``state`` (default assessed) led by ``lead``, the family agreeing to ``agencies``."""
    fam = family(lead, name=name)
    case = assessment_service.start_assessment(lead, fam, fam.children)
    db.session.flush()
    carer = fam.carers[0]
    db.session.add(
        Consent(
            assessment=case,
            given_by_kind="carer",
            carer_id=carer.id,
            given_by_name=carer.name,
            given_on=date.today(),
            recorded_by_id=lead.id,
            agencies=list({a.id: a for a in (lead.agency, *agencies)}.values()),
        )
    )
    answers = {
        "needs": {"supporting-families": list(NEEDS), "needs-in-own-words": "Zofia wants to go to school."},
        "scaling": {"family-score": 3, "practitioner-score": 4},
        "analysis": {"worried-about": "Zofia misses school.", "working-well": "Mum is keen to help."},
    }
    for key, value in answers.items():
        db.session.add(
            SectionAnswer(assessment=case, section_key=key, answers=value, status="completed", updated_by_id=lead.id)
        )
    case.lead_id = lead.id
    case.state = state  # test factory only: start the test at this point of the workflow
    case.completed_at = datetime.now()
    db.session.commit()
    return case


def reload(case):
    db.session.expire_all()
    return db.session.get(Assessment, case.id)


def member(case, user):
    db.session.add(TafMember(assessment_id=case.id, user_id=user.id, role="School nurse"))
    db.session.commit()


def plan(case, by, *, owners=None, actions=1, status="draft", number=1):
    """A plan version with ``actions`` actions owned by ``owners`` (users, default the lead)."""
    version = PlanVersion(assessment_id=case.id, number=number, status="draft", created_by_id=by.id)
    owners = owners or [by]
    for n in range(actions):
        owner = owners[n % len(owners)]
        version.actions.append(
            PlanAction(
                key=f"k{case.id}-{number}-{n}",
                position=n + 1,
                need_code=NEEDS[n % 2],
                what=f"Action {n + 1}",
                owner_user_id=owner.id,
                owner_name=owner.name,
                due_on=date.today() + timedelta(days=30),
                success_measure="Zofia attends every day",
            )
        )
    db.session.add(version)
    db.session.flush()
    if status == "signed":
        carer = reload_family_carer(case)
        version.signatures.append(
            PlanSignature(
                signer_kind="lead",
                user_id=by.id,
                name=by.name,
                role="Lead professional",
                signed_on=date.today(),
                method="on_screen",
                recorded_by_id=by.id,
            )
        )
        version.signatures.append(
            PlanSignature(
                signer_kind="carer",
                carer_id=carer.id,
                name=carer.name,
                role="Mother",
                signed_on=date.today(),
                method="on_paper",
                recorded_by_id=by.id,
            )
        )
        plan_service.freeze(case, version, by)
    db.session.commit()
    return version


def reload_family_carer(case):
    return case.family.carers[0]


def held_taf(case, by, attendee):
    """A TAF meeting already held, with ``attendee`` present (for starting at agree_plan)."""
    meeting = Meeting(
        assessment_id=case.id,
        kind="taf",
        status="held",
        scheduled_for=datetime.now() - timedelta(days=1),
        place="School",
        held_on=date.today() - timedelta(days=1),
        next_review_on=date.today() + timedelta(days=28),
        created_by_id=by.id,
    )
    meeting.participants.append(
        MeetingParticipant(user_id=attendee.id, name=attendee.name, agency_name=attendee.agency.name, attended=True)
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def other_case(lead):
    return assessed_case(lead, name="The Other family")


def date_parts(prefix, value):
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def child_of(case):
    return db.session.scalar(sa.select(Child).where(Child.family_id == case.family_id))


def version_on(response, action=None):
    """The hidden ``version`` a form on the page carries, as the browser would send it (the form that posts to
    ``action``, when given)."""
    import lxml.html

    tree = lxml.html.fromstring(response.get_data(as_text=True))
    forms = [
        f
        for f in tree.xpath("//form[@method='post'][.//input[@name='version']]")
        if action is None or f.get("action") == action
    ]
    return forms[0].xpath(".//input[@name='version']")[0].get("value")


def sign(client, case, signer, *, on=None, method="on_screen", **fields):
    """Record ``signer``'s signature the way a user does: open the signature page, then send it."""
    url = f"/assessments/{case.ref}/plan/sign"
    on = on or date.today()
    page = client.get(url)
    data = {
        "signer": signer,
        "signed_on": [str(on.day), str(on.month), str(on.year)],
        "method": method,
        "version": version_on(page),
        "plan": hidden_on(page, "plan"),
        **fields,
    }
    return client.post(url, data=data)


def hidden_on(response, name):
    """The value of the hidden field ``name`` on the page, as the browser would send it."""
    import lxml.html

    tree = lxml.html.fromstring(response.get_data(as_text=True))
    return tree.xpath(f"//form[@method='post']//input[@name='{name}']")[0].get("value")


def get_with_statements(client, url="/", whole=False):
    """GET ``url`` (answered 200) and the SQL statements it sent, each on one line (first 200 characters, or
    ``whole``)."""
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        line = " ".join(statement.split())
        statements.append(line if whole else line[:200])

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    assert response.status_code == 200
    return response, statements
