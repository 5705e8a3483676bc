"""The needs named on the plan's pages in the reader's language (issue 18); the signed plan keeps the definition's
English, which its digest covers."""

from eha.extensions import db
from tests.plans import helpers


def test_the_plan_page_and_the_action_form_name_the_needs_in_welsh(client_request, signed_in, lead, nurse):
    case = helpers.assessed_case(lead, state="plan_active")
    helpers.member(case, nurse)
    helpers.plan(case, lead, owners=[nurse], status="signed")
    db.session.commit()
    signed_in(lead)
    page = client_request.get(f"/assessments/{case.ref}/plan?lang=cy")
    needs = {row.cssselect("td, th")[0].text_content().strip() for row in page.select("tbody tr")}
    assert {"Cael addysg dda", "Gwell iechyd meddwl a chorfforol"} & needs
    assert not {"Getting a good education", "Improved mental and physical health"} & needs

    english = client_request.get(f"/assessments/{case.ref}/plan?lang=en")
    needs = {row.cssselect("td, th")[0].text_content().strip() for row in english.select("tbody tr")}
    assert {"Getting a good education", "Improved mental and physical health"} & needs
