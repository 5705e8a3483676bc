"""'You own a new action' to its owner, and 'you no longer have access' to TAF members when the family withdraws."""

from datetime import date, timedelta

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Consent
from eha.models.plans import PlanAction
from eha.notifications import events
from eha.services import plans as plan_service
from eha.transaction import committing
from tests.notifications import helpers


def _add_action(case, by, owner):
    """``plan_service.add_action`` and, in its transaction, the hook ``events.action_owned``."""
    with committing():
        plan_service.add_action(
            case,
            by,
            need_code="sf-education",
            what="Walk Zofia to school every morning",
            owner=f"user:{owner.id}",
            due_on=date.today() + timedelta(days=10),
            success="Zofia is at school on time",
        )
        action = db.session.scalars(sa.select(PlanAction).order_by(PlanAction.id.desc())).first()
        events.action_owned(case, action, by)
    return action


def test_the_owner_of_a_new_action_is_told_with_a_link_and_no_case_content(app, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    helpers.schedule(case, lead, [nurse])  # the nurse joins the TAF, so may own actions
    action = _add_action(case, lead, nurse)
    [row] = helpers.rows("action_owned")
    assert (row.address, row.case_ref) == (nurse.email, case.ref)
    assert f"/assessments/{case.ref}/plan" in row.body and "due by" in row.body
    assert "Zofia" not in row.body + row.subject and "school" not in row.body.lower()
    # Again for the same action and owner: nothing more.
    assert events.action_owned(case, action, lead) is False


def test_an_action_the_lead_gives_themselves_sends_nothing(app, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    helpers.schedule(case, lead, [nurse])
    _add_action(case, lead, lead)
    assert helpers.rows("action_owned") == []


def test_withdrawing_agreement_tells_each_taf_member_who_loses_access(client, signed_in, app, lead, nurse, health):
    case = helpers.assessed_case(lead, [health])
    helpers.schedule(case, lead, [nurse])
    consent = db.session.scalar(sa.select(Consent).where(Consent.assessment_id == case.id))
    signed_in(lead)
    today = date.today()
    response = client.post(
        f"/assessments/{case.ref}/consent/withdraw",
        data={
            "withdrawn_on": [str(today.day), str(today.month), str(today.year)],
            "notes": "",
            "marker": f"{consent.id}.{consent.version_id}",
        },
    )
    assert response.status_code == 302, response.text
    [row] = helpers.rows("access_ended")
    assert row.address == nurse.email and row.subject == f"You no longer have access to {case.ref}"
    assert "withdrew their agreement" in row.body
    # The lead keeps access, so is not told.
    assert lead.email not in {r.address for r in helpers.rows("access_ended")}
