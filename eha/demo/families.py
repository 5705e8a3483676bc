"""Demo families for ``flask demo``: varied households with draft and assessed-ready early help cases.

Idempotent: a family is keyed by its name, so running it again changes nothing. Cases are left in draft;
``eha.demo.cases`` decides which of the assessed-ready ones to move on through the workflow.
"""

from datetime import date, timedelta

import sqlalchemy as sa

from eha.definitions.store import definition_for
from eha.demo.each_child import section_rows
from eha.extensions import db
from eha.models.assessments import Assessment, Consent
from eha.models.families import Carer, Child, Family, InvolvedAgency, NetworkMember
from eha.services import assessments as service

SCHOOL = "Northshire Primary School"
ACADEMY = "Northshire Academy"
HEALTH = "Northshire Community Health"
EARLY_HELP = "Northshire Early Help Service"
HOUSING = "Northshire Homes"
FAMILY_ACTION = "Family Action Northshire"
POLICE = "Northshire Police"

FAMILIES = [
    {
        "name": "The Wiśniewski family",
        "address": "14 Brook Terrace, Northtown",
        "postcode": "NT3 4QP",
        "started_by": "tomasz.nowak@northshire-academy.example.org",
        "children": [
            ("Oliwia", "Wiśniewska", date(2012, 6, 18), "female", ACADEMY, "9434765919"),
            ("Kacper", "Wiśniewski", date(2017, 1, 9), "male", SCHOOL, None),
        ],
        "carers": [("Katarzyna Wiśniewska", "Mother", "07700 900311", "Polish", True)],
        "network": [("Halina Wiśniewska", "Grandmother (in Kraków, video calls weekly)", "Emotional support")],
        "involved": [(HEALTH, "School nurse", "Health checks after Kacper's asthma admissions")],
        "ready": True,
        "consent_agencies": [HEALTH, EARLY_HELP, HOUSING],
        "needs": ["sf-education", "sf-housing", "sf-health"],
        "scores": (4, 5),
        "text": {
            "child": "Oliwia's attendance has fallen to 82% this term; she is often late after taking Kacper to "
            "school. Kacper's asthma is not well controlled in the damp flat.",
            "parents": "Katarzyna works early shifts at the distribution centre and is warm and organised, but "
            "is worn out and finds letters in English hard to follow.",
            "environment": "Two-bedroom flat with black mould in the children's room; the landlord has not "
            "responded to repair requests. Money is tight after a change to Universal Credit.",
            "voice": "Oliwia said she worries about her mum being tired and wants to get to school on time. "
            'Kacper said his bedroom "smells funny".',
            "family": "Katarzyna wants help with the landlord and with the mornings so Oliwia is not late.",
            "strengths": "A loving, close family; Katarzyna keeps every appointment and the children are proud "
            "of their Polish heritage.",
            "worried": "Kacper's health in damp housing; Oliwia's attendance and the caring she does.",
            "well": "Strong bond between mother and children; good links with the school nurse.",
            "happen": "Housing repairs chased by the tenancy officer; a breakfast club place for Kacper; "
            "interpreter at every meeting.",
        },
    },
    {
        "name": "The Yıldız family",
        "address": "7 Chapel Row, Easton",
        "postcode": "NT5 2LD",
        "started_by": "sarah.okafor@northshire-primary.example.org",
        "children": [("Emir", "Yıldız", date(2015, 11, 2), "male", SCHOOL, "4010232137")],
        "carers": [
            ("Zeynep Yıldız", "Mother", "07700 900412", "Turkish", True),
            ("Mehmet Yıldız", "Father", "07700 900413", "Turkish", False),
        ],
        "network": [("Elif Kaya", "Aunt", "Collects Emir from school on Thursdays")],
        "involved": [],
        "ready": False,
        "sections": {"child-development": "partial", "strengths": "complete"},
        "text": {
            "child": "Emir has been hitting other children at lunchtime since the summer and cries at drop-off.",
            "strengths": "Both parents came to school as soon as we called; the extended family is close by.",
        },
    },
    {
        "name": "The Trần family",
        "address": "Flat 3, 22 Market Street, Northtown",
        "postcode": "NT1 6RS",
        "started_by": "sarah.okafor@northshire-primary.example.org",
        "children": [("Minh Khoa", "Trần", date(2016, 4, 25), "male", SCHOOL, None)],
        "carers": [("Trần Thị Lan", "Mother", "07700 900514", "Vietnamese", True)],
        "network": [("Nguyễn Văn Hùng", "Family friend", "Helps with lifts to hospital appointments")],
        "involved": [(FAMILY_ACTION, "Family worker", "Parenting group since May")],
        "ready": True,
        "consent_agencies": [HEALTH, FAMILY_ACTION],
        "needs": ["sf-health", "sf-relationships", "sf-financial"],
        "scores": (5, 4),
        "text": {
            "child": "Minh Khoa has speech and language delay and is on SEN support; he is happy in class but "
            "has few friends.",
            "parents": "Lan is devoted to Minh Khoa but is isolated since separating from his father and has "
            "been low in mood.",
            "environment": "Private rented flat above a shop; rent arrears of two months. Lan works part-time in "
            "a nail salon.",
            "voice": 'Minh Khoa drew his mum and himself at the park and said he wants "more friends to play".',
            "family": "Lan wants Minh Khoa to talk more and to have someone to talk to herself.",
            "strengths": "Lan is eager to learn and has joined the parenting group; the family friend is a "
            "reliable support.",
            "worried": "Lan's mood and isolation; the rent arrears; Minh Khoa's speech.",
            "well": "Minh Khoa is settled at school and loved at home.",
            "happen": "Speech and language referral followed up; a GP appointment for Lan; debt advice through "
            "Family Action.",
        },
    },
    {
        "name": "The Thompson family",
        "address": "41 Laburnum Close, Westfield",
        "postcode": "NT7 9BB",
        "started_by": "sarah.okafor@northshire-primary.example.org",
        "children": [
            ("Chloe", "Thompson", date(2012, 3, 14), "female", ACADEMY, None),
            ("Mason", "Thompson", date(2014, 8, 30), "male", SCHOOL, None),
        ],
        "carers": [("Gary Thompson", "Father", "07700 900615", "English", False)],
        "network": [("Pauline Thompson", "Paternal grandmother", "Has the children after school twice a week")],
        "involved": [],
        "ready": False,
        "sections": {"child-development": "partial"},
        "text": {
            "child": "Since their mother left in January, Mason has been withdrawn and Chloe is caring for him "
            "most evenings.",
        },
    },
    {
        "name": "The Osei-Campbell family",
        "address": "2 Orchard Way, Northtown",
        "postcode": "NT2 8HE",
        "started_by": "priya.shah@northshire-health.example.org",
        "children": [
            ("Kofi", "Osei-Campbell", date(2011, 10, 7), "male", ACADEMY, None),
            ("Seren", "Campbell", date(2019, 5, 21), "female", SCHOOL, None),
        ],
        "carers": [
            ("Amara Osei-Campbell", "Mother", "07700 900716", "English", False),
            ("Rhys Campbell", "Stepfather (Seren's father)", "07700 900717", "Welsh", False),
        ],
        "network": [("Kwame Osei", "Maternal grandfather", "Takes Kofi to football")],
        "involved": [(POLICE, "Early intervention officer", "Kofi stopped with older boys near the station")],
        "ready": True,
        "consent_agencies": [EARLY_HELP, POLICE, HEALTH],
        "needs": ["sf-safe-exploitation", "sf-relationships", "sf-education"],
        "scores": (6, 5),
        "text": {
            "child": "Kofi has had two fixed-term exclusions this year and has been seen with older young people "
            "after dark. Seren is thriving in reception.",
            "parents": "Amara and Rhys set clear rules but disagree about how strict to be with Kofi, which "
            "leads to arguments.",
            "environment": "Owner-occupied house, both parents working. Kofi spends a lot of time away from home "
            "in the evenings.",
            "voice": 'Kofi said adults "only notice when I mess up" and that he likes football and music.',
            "family": "Amara wants Kofi safe and back on track at school; Rhys wants more support at home.",
            "strengths": "Both parents are committed; Kofi's grandfather is a positive role model.",
            "worried": "Risk of exploitation outside the home; exclusions; conflict between the adults.",
            "well": "Seren is doing well; Kofi responds to his grandfather and his football coach.",
            "happen": "A youth worker for Kofi; a plan with school to avoid exclusion; support for the parents to "
            "agree one approach.",
        },
    },
]


def _text(name):
    return lambda family, mode: family["text"].get(name)


def _summary(name):
    """A section's summary: the family's own words, or a stock line; only when the section is complete."""
    return lambda family, mode: family["text"].get(name, "Discussed with the family.") if mode == "complete" else None


def _fixed(value):
    return lambda family, mode: value


def _score(index):
    return lambda family, mode: (family.get("scores") or (None, None))[index]


# (section key, field key) -> how to answer it from a family above, given the section's mode
ANSWER_SOURCES = {
    ("child-development", "health"): _text("child"),
    ("child-development", "summary"): _summary("child"),
    ("parenting-capacity", "basic-care"): _text("parents"),
    ("parenting-capacity", "summary"): _summary("parents"),
    ("family-environment", "housing"): _text("environment"),
    ("family-environment", "summary"): _summary("environment"),
    ("voice-of-child", "child-views"): _text("voice"),
    ("voice-of-child", "who-spoke"): _fixed("Lead professional, at school"),
    ("voice-of-child", "date-seen"): lambda family, mode: (date.today() - timedelta(days=10)).isoformat(),
    ("voice-of-child", "seen-alone"): _fixed("yes"),
    ("family-view", "parents-views"): _text("family"),
    ("strengths", "family-strengths"): _text("strengths"),
    ("worries", "professional-worries"): _text("worried"),
    ("analysis", "worried-about"): _text("worried"),
    ("analysis", "working-well"): _text("well"),
    ("analysis", "needs-to-happen"): _text("happen"),
    ("needs", "supporting-families"): lambda family, mode: family.get("needs"),
    ("needs", "needs-in-own-words"): _text("family"),
    ("scaling", "family-score"): _score(0),
    ("scaling", "practitioner-score"): _score(1),
    ("scaling", "one-step-up"): _fixed("Getting to school on time every day for a fortnight."),
}


def _answers_to(section, family, mode):
    answers = {}
    for spec in section.fields:
        source = ANSWER_SOURCES.get((section.key, spec.key))
        value = source(family, mode) if source is not None else None
        if value not in (None, "", []):
            answers[spec.key] = value
    return answers


def _section_answers(definition, family, only=None):
    """Plausible answers to the definition's sections. ``only``: {section key: "partial" | "complete"}."""
    out = {}
    for section in definition.sections:
        mode = "complete" if only is None else only.get(section.key)
        if mode is None:
            continue
        answers = _answers_to(section, family, mode)
        if answers:
            out[section.key] = answers
    return out


def _add_household(record, family, agencies):
    """The family's children, carers, network and the agencies already involved."""
    for first, last, born, sex, school, nhs in family["children"]:
        child = Child(family=record)
        service._set_child(
            child,
            {
                "first_name": first,
                "last_name": last,
                "date_of_birth": born,
                "sex": sex,
                "school": school,
                "nhs_number": nhs,
            },
        )
        db.session.add(child)
    for name, relationship, phone, language, interpreter in family["carers"]:
        carer = Carer(family=record)
        service._set_carer(
            carer,
            {
                "name": name,
                "relationship_to_child": relationship,
                "phone": phone,
                "preferred_language": language,
                "interpreter_needed": interpreter,
            },
        )
        db.session.add(carer)
    for name, relationship, support in family["network"]:
        db.session.add(
            NetworkMember(family=record, name=name, relationship_to_family=relationship, support_offered=support)
        )
    for agency_name, contact, involvement in family["involved"]:
        agency = agencies.get(agency_name)
        db.session.add(
            InvolvedAgency(
                family=record,
                agency_id=agency.id if agency else None,
                agency_name=agency_name,
                contact_name=contact,
                involvement=involvement,
            )
        )
    db.session.flush()


def _build(family, agencies, users):
    starter = users[family["started_by"]]
    record = service.create_family(starter, name=family["name"], address=family["address"], postcode=family["postcode"])
    _add_household(record, family, agencies)
    case = service.start_assessment(starter, record, record.children)
    _add_answers(case, family, starter)
    if family["ready"]:
        _add_agreement(case, record, family, agencies, starter)
    db.session.flush()
    return case


def _add_answers(case, family, starter):
    definition = definition_for(case)
    answers = _section_answers(definition, family, None if family["ready"] else family.get("sections", {}))
    for record in section_rows(definition, case.children, answers, starter.id):
        record.assessment = case
        db.session.add(record)


def _add_agreement(case, record, family, agencies, starter):
    """The first carer's agreement, two weeks ago, to the agencies the family named."""
    carer = record.carers[0]
    db.session.add(
        Consent(
            assessment=case,
            given_by_kind="carer",
            carer_id=carer.id,
            given_by_name=carer.name,
            given_on=date.today() - timedelta(days=14),
            recorded_by_id=starter.id,
            agencies=[agencies[name] for name in family["consent_agencies"] if name in agencies],
            withheld=None,
        )
    )


def ensure_demo_families(agencies, users):
    """Create the demo families and their draft cases if they are not there yet; return their cases."""
    names = [f["name"] for f in FAMILIES]
    existing = {
        name: case
        for name, case in db.session.execute(
            sa.select(Family.name, Assessment)
            .join(Assessment, Assessment.family_id == Family.id)
            .where(Family.name.in_(names))
            .order_by(Assessment.id)
        )
    }
    cases = []
    for family in FAMILIES:
        if family["name"] in existing:
            cases.append(existing[family["name"]])
        elif family["started_by"] in users:
            cases.append(_build(family, agencies, users))
    return cases


def ready_cases(cases):
    """The demo cases whose assessment is complete and agreed (for the workflow demo to move on)."""
    ready = {f["name"] for f in FAMILIES if f["ready"]}
    return [case for case in cases if case.family.name in ready]
