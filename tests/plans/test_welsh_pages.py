"""The plan, meeting and review pages in Welsh (issue 18): the fixed text is translated, errors come back in
Welsh with the input kept, and what the family and practitioners wrote is shown as written."""

from datetime import date, timedelta

from eha.extensions import db
from tests.plans import helpers
from tests.plans.test_meetings import schedule_data


def test_the_plan_page_in_welsh_translates_the_page_and_keeps_what_people_wrote(client_request, signed_in, lead, nurse):
    case = helpers.assessed_case(lead, state="plan_active")
    helpers.member(case, nurse)
    version = helpers.plan(case, lead, owners=[nurse], status="signed")
    db.session.commit()
    signed_in(lead)
    page = client_request.get(f"/assessments/{case.ref}/plan?lang=cy")
    assert page.tree.get("lang") == "cy"
    assert page.h1.endswith("Y cynllun")
    assert "Camau gweithredu" in page.words("caption")
    assert page.words("thead th")[:3] == ["Angen", "Beth fydd yn cael ei wneud", "Pwy"]
    assert "Llofnodion" in page.words("h2")
    assert version.actions[0].what in page.text  # the practitioner's own words are not translated


def test_the_case_panel_in_welsh(client_request, signed_in, lead):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    page = client_request.get(f"/assessments/{case.ref}?lang=cy")
    assert "Ble mae’r achos" in page.words("#case-status-heading")
    assert "Wedi’i asesu" in page.words(".app-case-panel .govuk-tag")
    assert "Trefnu’r cyfarfod TAF" in page.text


def test_a_meeting_form_with_a_mistake_answers_in_welsh_and_keeps_the_input(client_request, signed_in, lead, health):
    case = helpers.assessed_case(lead, [health])
    signed_in(lead)
    past = date.today() - timedelta(days=3)
    data = schedule_data(past, place="Neuadd y Dref")
    page = client_request.post(f"/assessments/{case.ref}/meetings/new?kind=taf&lang=cy", data=data, expected_status=200)
    assert page.title.startswith("Gwall:")
    assert "Rhaid i ddyddiad y cyfarfod fod heddiw neu yn y dyfodol" in page.errors()
    assert page.one("#place").get("value") == "Neuadd y Dref"
    assert case.state == "assessed"


def test_a_stale_state_label_in_a_welsh_flash(client, client_request, signed_in, lead, health, nurse):
    case = helpers.assessed_case(lead, [health])
    signed_in(lead)
    client.get("/?lang=cy")
    response = client.post(f"/assessments/{case.ref}/meetings/new?kind=taf", data=schedule_data(invite=[nurse]))
    assert response.status_code == 302
    page = client_request.get(response.headers["Location"])
    assert "Cyfarfod Tîm o Amgylch y Teulu wedi’i drefnu" in page.text
