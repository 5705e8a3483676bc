"""Every page a Welsh manager, practitioner and administrator can reach, fetched with ``?lang=cy``: none shows
one of the catalogue's messages in English (issue 18). The walk is ``tests/foundation/welsh_walk.py``."""

import sqlalchemy as sa

from eha.demo import load_demo
from eha.extensions import db
from eha.models.assessments import Assessment, AssessmentChild, CasePerson, FormDefinitionVersion
from eha.models.meetings import Meeting
from eha.models.users import User
from tests import factories
from tests.foundation.welsh_walk import addresses, english_left

# What the walk may still find, and why it is not the interface's to translate.
ALLOWED = {
    # The form definitions' own words (their title and section titles), content a council edits: the definitions'
    # Welsh is their own work (eha/definitions/), not the interface catalogue's.
    "Early help assessment": "the shipped definition's title",
    "The family's view": "a shipped definition's section title",
    # The signed plan's accessible copy records the lead's role as signed (it is inside the plan's digest).
    "Early help": "the service's name in the header (configuration, EHA_SERVICE_NAME), also an agency kind",
    "Lead professional": "the role recorded in a signed plan (plan.html); the interface's own uses are translated",
}
# Pages the walk cannot open from the demo, and where their Welsh is checked instead.
NOT_WALKED = {
    "recovery.choose_password": "needs a reset link's one-time token (tests/foundation/test_welsh_pages.py)",
    "sso.start": "redirects to an identity provider",
    "sso.callback": "answers an identity provider",
    "subject_access.show": "the demo has no request (tests/governance/test_subject_access_in_welsh.py)",
}


def _values(case):
    child = db.session.scalar(sa.select(AssessmentChild).where(AssessmentChild.assessment_id == case.id))
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.assessment_id == case.id).order_by(Meeting.id))
    person = db.session.scalar(sa.select(CasePerson).where(CasePerson.assessment_id == case.id))
    definition = db.session.scalar(sa.select(FormDefinitionVersion).order_by(FormDefinitionVersion.id))
    return {
        "ref": case.ref,
        "child_id": child.child_id,
        "record_id": child.child_id,
        "meeting_id": meeting.id,
        "person_id": person.id if person else 0,
        "definition_id": definition.id,
        "key": "strengths",
        "name": "timeliness",
        "agency_id": case.lead.agency_id,
        "user_id": case.lead_id,
    }


def test_no_page_shows_the_catalogues_english_to_a_welsh_user(app):
    load_demo()
    case = db.session.scalar(
        sa.select(Assessment).where(Assessment.state == "plan_active", Assessment.lead_id.is_not(None))
    )
    values = _values(case)
    pages, missing = addresses(app, values)
    assert len(pages) > 90 and set(missing) <= set(NOT_WALKED), missing
    users = {
        "manager": db.session.scalar(sa.select(User).where(User.role == "manager").order_by(User.id)),
        "practitioner": case.lead,
        "admin": db.session.scalar(sa.select(User).where(User.role == "admin").order_by(User.id)),
    }
    left = {}
    for role, user in users.items():
        client = app.test_client()
        factories.sign_in(client, user)
        for path, english in english_left(client, app, values).items():
            english = [e for e in english if e not in ALLOWED or (e == "Lead professional" and "plan.html" not in path)]
            if english:
                left[f"{role} {path}"] = english
    for where, english in sorted(left.items()):
        print(where, english)
    assert left == {}
