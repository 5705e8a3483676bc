"""The rest of the interface in Welsh (issue 18): reports, retention, subject access, a legal hold, corrections, API
tokens and the accessibility statement, each asked for with ``?lang=cy`` as a user would, with headings in Welsh, a
bad post answered with a Welsh error summary and what was typed kept."""

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.families import Family
from tests import factories

LEAD = "sarah.okafor@northshire-primary.example.org"
MANAGER = "helen.brooks@northshire-earlyhelp.example.org"
SUMMARY_TITLE = "Mae problem wedi codi"


@pytest.fixture
def users(app):
    """The governance demo (eha.demo.retention): a case due for disposal, a held one, a family with three cases."""
    from eha.definitions.store import ensure_shipped_definitions
    from eha.demo import ensure_agencies, ensure_users
    from eha.demo.retention import ensure_demo_retention

    found = ensure_users(ensure_agencies())
    ensure_shipped_definitions()
    ensure_demo_retention(found)
    db.session.commit()
    return found


def _first_case(family_name):
    return db.session.scalars(
        sa.select(Assessment).join(Family).where(Family.name == family_name).order_by(Assessment.ref)
    ).first()


def _summary_title(page):
    return page.one(".govuk-error-summary__title").text_content().strip()


def _in_welsh(client, client_request, user, url):
    factories.sign_in(client, user)
    page = client_request.get(f"{url}?lang=cy")
    assert page.tree.get("lang") == "cy"
    return page


def test_the_reports_page_in_welsh(client, client_request, manager):
    page = _in_welsh(client, client_request, manager, "/reports")
    assert page.h1 == "Adroddiadau" and page.title.startswith("Adroddiadau")
    assert {"Adroddiadau gyda siartiau", "Ffurflenni data", "Achosion yn ôl cyflwr", "Hysbysiadau"} <= set(
        page.words("h2")
    )
    assert "Adolygiad mynediad" in page.words("a")
    assert page.words("th")[:2] == ["Cyflwr", "Achosion"]


def test_retention_in_welsh_with_the_held_case_listed(client, client_request, users):
    page = _in_welsh(client, client_request, users[MANAGER], "/retention")
    assert page.h1 == "Cadw a gwaredu"
    headings = page.words("h2")
    assert any(h.startswith("I’w gwaredu (") for h in headings)
    assert any(h.startswith("Dan gadw cyfreithiol (") for h in headings)
    assert "Sypiau gwaredu" in headings
    assert "Ni chaiff achosion dan gadw cyfreithiol byth eu gwaredu." in page.text


def test_subject_access_in_welsh_a_bad_date_says_so_in_welsh_and_keeps_it(client, client_request, users):
    page = _in_welsh(client, client_request, users[MANAGER], "/subject-access")
    assert page.h1 == "Ceisiadau gwrthrych am wybodaeth"
    assert "Dod o hyd i’r person yn ôl enw" in page.words("label")

    page = client_request.get("/subject-access", query_string={"q": "donna"})
    link = next(a for a in page.select("a") if a.get("href", "").startswith("/subject-access/new"))
    assert link.text_content().startswith("Agor cais")
    key = link.get("href").split("person=")[1]
    page = client_request.get(f"/subject-access/new?person={key}")
    assert page.h1 == "Agor cais gwrthrych am wybodaeth"

    page = client_request.post(
        "/subject-access/new", data={"person": key, "received_on": ["31", "2", "2026"]}, expected_status=200
    )
    assert page.title.startswith("Gwall: Agor cais gwrthrych am wybodaeth")
    assert _summary_title(page) == SUMMARY_TITLE
    assert page.errors() and "rhaid iddo fod yn ddyddiad go iawn" in page.errors()[0]
    assert [i.get("value") for i in page.select("input[name=received_on]")] == ["31", "2", "2026"]


def test_a_legal_hold_in_welsh_with_a_welsh_error_and_the_choice_kept(client, client_request, users):
    ref = _first_case("Whitfield").ref
    page = _in_welsh(client, client_request, users[MANAGER], f"/assessments/{ref}/hold")
    assert page.h1 == "Cadw at ddibenion cyfreithiol"
    assert {"Cadw cyfreithiol ar yr achos hwn a’i deulu", "Gosod cadw cyfreithiol"} <= set(page.words("h2"))
    assert "Pob achos y teulu hwn" in page.words("label")

    page = client_request.post(f"/assessments/{ref}/hold", data={"on": "family", "reason": ""}, expected_status=200)
    assert _summary_title(page) == SUMMARY_TITLE
    assert page.errors() == ["Rhowch pam y mae’n rhaid cadw’r cofnodion"]
    assert page.one("input[name=on][value=family]").get("checked") is not None

    client_request.post(f"/assessments/{ref}/hold", data={"on": "case", "reason": "Solicitor's letter"})
    page = client_request.get(f"/assessments/{ref}/hold")
    assert "Mewn grym" in page.words(".govuk-tag")
    assert "Codi’r cadw ar yr achos hwn" in page.words("h2")
    assert "Mae’r cadw cyfreithiol mewn grym" in page.text


def test_corrections_in_welsh_a_bad_date_says_so_in_welsh_and_keeps_the_reason(client, client_request, users):
    case = _first_case("Marsh")
    child = sorted(case.family.children, key=lambda c: c.date_of_birth)[0]
    page = _in_welsh(client, client_request, users[LEAD], f"/assessments/{case.ref}/corrections")
    assert page.h1 == "Cywiro’r cofnod"
    assert "Cywiro manylion yr aelwyd" in page.words("a")

    url = f"/assessments/{case.ref}/corrections/child/{child.id}"
    page = client_request.get(url)
    assert page.h1 == f"Cywiro manylion {child.name}"
    assert "Hanes cywiriadau" in page.words("h2")
    data = {
        "version": str(case.family.version_id),
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": ["31", "2", "2013"],
        "reason": "Gwelwyd y dystysgrif geni",
    }
    page = client_request.post(url, data=data, expected_status=200)
    assert _summary_title(page) == SUMMARY_TITLE
    assert page.errors() and "rhaid iddo fod yn ddyddiad go iawn" in page.errors()[0]
    assert page.one("textarea[name=reason]").text_content() == "Gwelwyd y dystysgrif geni"

    page = client_request.post(
        url, data={**data, "date_of_birth": ["15", "2", "2013"], "reason": ""}, expected_status=200
    )
    assert page.errors() == ["Rhowch pam y mae hyn yn cael ei gywiro"]


def test_api_tokens_in_welsh_with_welsh_errors_and_the_choice_kept(client, client_request, practitioner):
    page = _in_welsh(client, client_request, practitioner, "/account/tokens")
    assert page.h1 == "Tocynnau API"
    assert "Creu tocyn" in page.words("h2")
    assert "Gweld eich achosion a’u crynodebau" in page.words("label")
    assert "Ar ôl 30 diwrnod" in page.words("label")

    page = client_request.post("/account/tokens", data={"name": "", "scopes": ["read"]}, expected_status=200)
    assert _summary_title(page) == SUMMARY_TITLE
    assert page.errors() == ["Rhowch enw i’r tocyn", "Dewiswch pryd y daw’r tocyn i ben"]
    assert page.one("input[name=scopes][value=read]").get("checked") is not None

    page = client_request.post(
        "/account/tokens", data={"name": "Allforyn MIS", "scopes": ["read"], "days": "30"}, expected_status=200
    )
    assert page.h1 == "Eich tocyn API newydd"
    assert "Tocyn ar gyfer Allforyn MIS:" in page.text
    page = client_request.get("/account/tokens")
    assert page.words("th .govuk-visually-hidden") == ["Cam gweithredu"]  # a hidden heading, not escaped markup
    assert "&lt;span" not in page.html
    assert page.words("td")[2] == "Gweld eich achosion a’u crynodebau"


def test_the_accessibility_statement_in_welsh(client_request, app):
    service = app.config["EHA_SERVICE_NAME"]
    page = client_request.get("/accessibility?lang=cy")
    assert page.tree.get("lang") == "cy"
    assert page.h1 == f"Datganiad hygyrchedd ar gyfer {service}"
    assert {
        "Pa mor hygyrch yw’r gwasanaeth hwn",
        "Gweithdrefn orfodi",
        "Sut y gwnaethom brofi’r gwasanaeth hwn",
    } <= set(page.words("h2"))
    assert "chwyddo hyd at 400% heb i’r testun fynd oddi ar y sgrin" in page.words("li")
    link = page.one("a[href='https://www.w3.org/TR/WCAG22/']")
    assert link.text_content() == "Canllawiau Hygyrchedd Cynnwys y We fersiwn 2.2"


def test_the_accessibility_statement_in_english_is_unchanged(client_request, app):
    page = client_request.get("/accessibility?lang=en")
    assert page.h1 == f"Accessibility statement for {app.config['EHA_SERVICE_NAME']}"
    assert "zoom in up to 400% without the text spilling off the screen" in page.words("li")
    assert (
        "This service is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard, "
        "due to the non-compliances listed below." in page.words("p")
    )


def test_what_needs_the_manager_in_welsh(client, client_request, manager):
    page = _in_welsh(client, client_request, manager, "/")
    needs = page.words("#what-needs-you li")
    assert "Adolygiadau hwyr: dim" in needs
    assert "Achosion agored heb weithiwr proffesiynol arweiniol: dim" in needs
    assert any(n.startswith("Achosion agored heb weithgarwch ers ") for n in needs)


def test_the_help_pages_steps_and_states_in_welsh(client_request):
    page = client_request.get("/help/workflow?lang=cy")
    cells = page.words("td")
    assert "Unrhyw gam agored" in cells
    assert "Dyddiad cyfarfod adolygu." in cells
    assert page.one("img.app-workflow-diagram").get("alt").startswith("Diagram o’r camau: ")
