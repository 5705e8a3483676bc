"""The case pages in Welsh (issue 18): starting an assessment, a section, the case, the family, the agreement,
the people on the case, signing in and the error pages, each asked for with ``?lang=cy`` as a user would, with
errors in Welsh and what was typed kept. Refusals are shown in Welsh but the audit trail stays English."""

from datetime import date

import sqlalchemy as sa
from flask import render_template_string
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.templating import TERMS
from tests import factories
from tests.assessments import helpers


def _lang(page):
    return page.tree.get("lang")


def test_sign_in_in_welsh_with_errors_in_welsh_and_the_email_kept(client_request):
    page = client_request.get("/sign-in?lang=cy")
    assert _lang(page) == "cy" and page.h1 == "Mewngofnodi"
    assert "Cyfeiriad e-bost" in page.words("label") and "Wedi anghofio eich cyfrinair?" in page.text
    assert page.one(".govuk-password-input__toggle").get("aria-label") == "Dangos y cyfrinair"

    page = client_request.post("/sign-in", data={"email": "sam@example.org"}, expected_status=200)
    assert page.title.startswith("Gwall: Mewngofnodi")
    assert page.one(".govuk-error-summary__title").text_content().strip() == "Mae problem wedi codi"
    assert page.errors() == ["Rhowch eich cyfrinair"]
    assert "Gwall:" in page.words(".govuk-error-message")[0]
    assert page.one("input[name=email]").get("value") == "sam@example.org"


def test_wtforms_own_messages_come_from_its_welsh_catalogue(client_request):
    client_request.get("/sign-in?lang=cy")
    long_address = "a" * 330 + "@example.org"
    page = client_request.post("/sign-in", data={"email": long_address, "password": "x"}, expected_status=200)
    assert page.errors() == ["Ni all Maes fod yn fwy na 320 cymeriadau."]


def test_my_cases_and_the_menu_in_welsh(client, client_request, practitioner):
    factories.sign_in(client, practitioner)
    page = client_request.get("/?lang=cy")
    assert page.h1 == "Fy achosion"
    assert {"Fy achosion", "Pob achos", "Dechrau asesiad"} <= set(page.words(".govuk-service-navigation__link"))
    assert "Nid oes gennych unrhyw achosion agored." in page.text


def test_starting_an_assessment_in_welsh_a_bad_date_says_so_in_welsh_and_keeps_the_input(
    client, client_request, practitioner
):
    factories.sign_in(client, practitioner)
    page = client_request.get("/assessments/new?lang=cy")
    assert page.h1 == "Dod o hyd i’r plentyn"
    assert "Dechrau asesiad cymorth cynnar" in page.words(".govuk-caption-l")
    assert page.words(".govuk-date-input__label") == ["Diwrnod", "Mis", "Blwyddyn"]

    data = {"first_name": "Zofia", "last_name": "Nowak", "date_of_birth": ["31", "2", "2015"], "nhs_number": ""}
    page = client_request.post("/assessments/new", data=data, expected_status=200)
    assert page.errors() == ["Dyddiad geni: rhaid iddo fod yn ddyddiad go iawn"]
    assert page.one("input[name=last_name]").get("value") == "Nowak"
    assert [i.get("value") for i in page.select("input[name=date_of_birth]")] == ["31", "2", "2015"]

    page = client_request.post(
        "/assessments/new", data={**data, "date_of_birth": ["", "2", "2015"]}, expected_status=200
    )
    assert page.errors() == ["Dyddiad geni: rhaid cynnwys diwrnod"]


def test_the_safety_question_and_the_front_door_page_in_welsh(client, client_request, practitioner):
    factories.sign_in(client, practitioner)
    client_request.get("/assessments/new?lang=cy")
    client_request.post("/assessments/new", data={"last_name": "Nobody"}, expected_status=200)
    client_request.post("/assessments/new/continue", data={"family": "new"})
    page = client_request.get("/assessments/new/safety")
    assert page.h1 == "A allai’r plentyn fod mewn perygl o niwed sylweddol?"
    page = client_request.post("/assessments/new/safety", data={}, expected_status=200)
    assert page.errors() == ["Dewiswch ‘Ie’ os gallai’r plentyn fod mewn perygl o niwed sylweddol"]
    assert [label.strip() for label in page.words(".govuk-radios__label")] == ["Ie", "Na"]
    page = client_request.post("/assessments/new/safety", data={"at_risk": "yes"}, expected_status=200)
    assert page.h1 == "Cysylltwch â’r drws ffrynt nawr"
    assert "Os yw plentyn mewn perygl uniongyrchol, ffoniwch 999." in page.text


def test_a_section_with_a_missing_answer_shows_a_welsh_error_summary_and_keeps_what_was_typed(
    client, client_request, practitioner
):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    url = f"/assessments/{case.ref}/sections/child-development/children/{case.children[0].id}"
    page = client_request.get(f"{url}?lang=cy")
    assert {"Cadw a pharhau", "Cadw a dod yn ôl nes ymlaen"} <= set(page.words(".govuk-button"))
    assert page.words(".govuk-back-link") == ["Yn ôl i’r achos"]

    page = client_request.post(
        url, data={"version": "0", "action": "complete", "health": "Asthma"}, expected_status=200
    )
    assert page.one(".govuk-error-summary__title").text_content().strip() == "Mae problem wedi codi"
    # The question's own words are the form definition's (English content); the sentence around them is Welsh.
    assert page.errors() and all(error.startswith("Rhowch ") for error in page.errors())
    assert "Asthma" in page.html
    assert page.title.startswith("Gwall: ")

    response = client.post(url, data={"version": "0", "action": "draft", "health": "Asthma"})
    assert response.status_code == 302
    page = client_request.get(f"/assessments/{case.ref}")
    assert "mae eich atebion wedi’u cadw" in page.text and "Ar y gweill" in page.text


def test_the_case_page_in_welsh(client, client_request, practitioner):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    page = client_request.get(f"/assessments/{case.ref}?lang=cy")
    assert _lang(page) == "cy"
    keys = page.words(".govuk-summary-list__key")
    assert {"Teulu", "Gweithiwr proffesiynol arweiniol", "Cytundeb y teulu"} <= set(keys)
    assert "Cofnodion a dogfennau" in page.words("h2")
    assert "Heb ddechrau" in page.text and "Asesiad yn ddyledus" in page.text
    assert "1 plentyn, 1 rhiant neu ofalwr" in page.text
    assert "Heb ei gofnodi eto" in page.text


def test_the_familys_details_and_a_stale_change_in_welsh_with_the_input_kept(client, client_request, practitioner):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    page = client_request.get(f"/assessments/{case.ref}/family?lang=cy")
    assert page.h1 == "Manylion y teulu"
    assert {"Aelwyd", "Plant", "Rhieni a gofalwyr"} <= set(page.words("h2"))
    child = case.children[0]
    page = client_request.post(
        f"/assessments/{case.ref}/family/children/{child.id}",
        data={
            "version": "0",
            "first_name": "Zosia",
            "last_name": "Nowak",
            "date_of_birth": ["27", "3", "2015"],
            "sex": "female",
        },
        expected_status=409,
    )
    assert page.h1 == "Mae rhywun arall wedi newid manylion y teulu"
    assert page.one("input[name=first_name]").get("value") == "Zosia"


def test_recording_agreement_in_welsh_errors_and_choices_in_welsh(client, client_request, practitioner):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    page = client_request.get(f"/assessments/{case.ref}/consent?lang=cy")
    assert page.h1 == "Cytundeb y teulu"
    assert {"Yn ysgrifenedig", "Ar lafar", "Wyneb yn wyneb", "Dros y ffôn"} <= {
        label.strip() for label in page.words(".govuk-radios__label")
    }
    marker = page.one("input[name=marker]").get("value") or ""
    page = client_request.post(
        f"/assessments/{case.ref}/consent",
        data={"marker": marker, "given_on": ["1", "1", str(date.today().year + 1)], "withheld": "Dim byd"},
        expected_status=200,
    )
    assert "Dewiswch pwy gytunodd i gymorth cynnar" in page.errors()
    assert "Dyddiad cytuno: rhaid iddo fod heddiw neu yn y gorffennol" in page.errors()
    assert "Dim byd" in page.html


def test_a_refusal_is_shown_in_welsh_and_audited_in_english(client, client_request, practitioner):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    client_request.get("/?lang=cy")
    page = client_request.post(f"/assessments/{case.ref}/consent/withdraw", data={}, expected_status=409)
    assert page.h1 == "Ni ellir gwneud hyn nawr"
    assert "Nid oes cytundeb presennol i’w dynnu’n ôl." in page.text
    assert "Mynd yn ôl i’r achos" in page.text
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "consent_withdrawn").order_by(AuditEvent.id.desc())
    ).first()
    assert event.outcome == "refused"
    assert event.detail["reason"] == "There is no current agreement to withdraw."


def test_the_people_on_the_case_in_welsh(client, client_request, practitioner):
    case = helpers.case(practitioner)
    factories.sign_in(client, practitioner)
    page = client_request.get(f"/assessments/{case.ref}/people?lang=cy")
    assert page.h1 == "Pobl heb gyfrif eha"
    page = client_request.post(f"/assessments/{case.ref}/people/new", data={"name": "Dr Rhys"}, expected_status=200)
    assert "Dewiswch a yw’n rhan o rwydwaith y teulu neu’n weithiwr proffesiynol" in page.errors()
    assert "Rhowch ei rôl neu ei berthynas â’r teulu" in page.errors()
    assert page.one("input[name=name]").get("value") == "Dr Rhys"


def test_error_pages_in_welsh(client, client_request, practitioner):
    factories.sign_in(client, practitioner)
    client_request.get("/?lang=cy")
    page = client_request.get("/assessments/EHA-999999", expected_status=404)
    assert page.h1 == "Heb ddod o hyd i’r dudalen"
    assert "Os gwnaethoch deipio’r cyfeiriad gwe, gwiriwch ei fod yn gywir." in page.text
    page = client_request.get("/no-such-page", expected_status=404)
    assert "Mynd i’ch achosion" in page.text


def test_the_other_pages_of_this_half_draw_in_welsh(client, client_request, practitioner):
    factories.sign_in(client, practitioner)
    client_request.get("/?lang=cy")
    for url, heading in [
        ("/assessments", "Pob achos"),
        ("/help/workflow", "Sut mae achos yn symud drwy gymorth cynnar"),
        ("/plans/verify", "Gwirio cynllun wedi’i argraffu"),
    ]:
        page = client_request.get(url)
        assert page.h1 == heading


def test_messages_in_welsh_escape_what_they_quote(app):
    """A translated sentence quoting a name escapes it, whether it was marked in a template or lazily in Python."""
    with app.test_request_context("/?lang=cy"):
        message = _l(
            "This family's record is held on a case you cannot see. Contact %(who)s to be involved.",
            who="<b>Northshire</b>",
        )
        html = render_template_string(
            "{{ message }} | {{ _('Prefers %(language)s', language=who) }}", message=message, who="<i>"
        )
    assert "Cysylltwch â &lt;b&gt;Northshire&lt;/b&gt;" in html and "&lt;i&gt;" in html
    assert "<b>" not in html and "<i>" not in html


def test_both_terminologies_are_in_welsh(app):
    with force_locale("cy"):
        assert str(TERMS["eha"]["lead"]) == "gweithiwr proffesiynol arweiniol"
        assert str(TERMS["eha"]["taf"]) == "Cyfarfod Tîm o Amgylch y Teulu (TAF)"
        assert str(TERMS["family-help"]["Lead"]) == "Ymarferydd arweiniol"
    assert str(TERMS["eha"]["lead"]) == "lead professional"
