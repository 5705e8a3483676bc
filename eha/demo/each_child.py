"""Demo data for each child assessed (issue 13): the saved answers of a definition with sections asked of each
child, and a family of three children assessed on version 2, each child with their own answers."""

from datetime import date

import sqlalchemy as sa

from eha.definitions import section_status
from eha.definitions.store import definition_for
from eha.extensions import db
from eha.models.assessments import Assessment, SectionAnswer
from eha.models.families import Family


def section_rows(definition, children, answers, updated_by_id):
    """``SectionAnswer`` rows for ``answers`` (``{section key: answers}``): one per household section, and one per
    child (the same answers) for a section asked of each child. Each row's status follows the definition."""
    rows = []
    for section, child in definition.pages(children):
        values = answers.get(section.key)
        if not values:
            continue
        rows.append(
            SectionAnswer(
                section_key=section.key,
                child_id=child.id if child is not None else None,
                answers=dict(values),
                status=section_status(section, values),
                updated_by_id=updated_by_id,
            )
        )
    return rows


FAMILY_NAME = "The Okoro family"
CHILDREN = (
    ("Tobi", "Okoro", date(2011, 6, 14)),
    ("Femi", "Okoro", date(2014, 2, 3)),
    ("Ada", "Okoro", date(2019, 9, 22)),
)
# Each child's own facts, developmental needs and voice.
OWN_ANSWERS = {
    "Tobi": {
        "about-the-child": {"preferred-name": "Tobi", "ethnicity": "BAFR", "sen": "none", "first-language": "English"},
        "child-development": {
            "education-and-learning": "Attendance has dropped to 82% since September.",
            "summary": "Tobi is bright and well liked; missing school is the worry.",
        },
        "voice-of-child": {"child-views": "I want Mum to stop worrying about money."},
    },
    "Femi": {
        "about-the-child": {"ethnicity": "BAFR", "sen": "ehc-plan", "communication-needs": "Short sentences."},
        "child-development": {
            "education-and-learning": "Femi's EHC plan names speech and language therapy weekly.",
            "summary": "Femi is making progress with the support in his EHC plan.",
        },
        "voice-of-child": {"child-views": "I like Lego club. The bus is too loud."},
    },
    "Ada": {
        "about-the-child": {"ethnicity": "BAFR", "sen": "none"},
        "child-development": {"health": "Ada is well.", "summary": "Ada is settled at nursery."},
        "voice-of-child": {"child-views": "Ada drew her family holding hands."},
    },
}


def own_answers(children):
    """``{(section key, child id): answers}`` for the demo family's children, by first name."""
    out = {}
    for child in children:
        for key, values in OWN_ANSWERS.get(child.first_name, {}).items():
            out[(key, child.id)] = values
    return out


def ensure_each_child_case(users):
    """A draft case about three children on the current definition (idempotent), ready to complete."""
    from eha.demo.cases import new_case

    lead = users["sarah.okafor@northshire-primary.example.org"]
    found = db.session.scalar(
        sa.select(Assessment).join(Family, Family.id == Assessment.family_id).where(Family.name == FAMILY_NAME)
    )
    if found is not None:
        return found
    case = new_case(lead, family_name=FAMILY_NAME, children=CHILDREN, carer=("Grace Okoro", "Mother"))
    mine = own_answers(case.children)
    definition = definition_for(case)
    for record in case.sections:
        if record.child_id is not None and (record.section_key, record.child_id) in mine:
            values = {**record.answers, **mine[(record.section_key, record.child_id)]}
            record.answers = values
            record.status = section_status(definition.section(record.section_key), values)
    db.session.flush()
    return case
