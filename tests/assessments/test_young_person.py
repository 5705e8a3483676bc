"""Who can agree (issue 13 item 3) and how agreement was given (item 2): a parent or carer, or a young person
judged competent; a child under ``EHA_YOUNG_PERSON_MIN_AGE`` (12) cannot be the one agreeing."""

from datetime import date

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Consent
from tests.assessments import helpers
from tests.assessments.each_child_helpers import add_child, today_parts
from tests.documents.helpers import pdf_text


def _born_years_ago(years):
    return date(date.today().year - years, 1, 1)


def _family_of_two(client, practitioner):
    """Zofia, 15, and Ada, 7."""
    case = helpers.case(practitioner, dob=_born_years_ago(15))
    ada = add_child(client, case, "Ada", _born_years_ago(7), sex="female")
    return case, case.children[0], ada


def _post(client, case, **data):
    form = {"given_on": today_parts(), "legal_basis": case.legal_basis, "marker": "0", **data}
    return client.post(f"/assessments/{case.ref}/consent", data=form)


def _consents():
    db.session.expire_all()
    return db.session.scalars(sa.select(Consent)).all()


def test_only_children_old_enough_are_called_the_young_person(client, signed_in, practitioner):
    signed_in(practitioner)
    case, _zofia, _ada = _family_of_two(client, practitioner)
    page = client.get(f"/assessments/{case.ref}/consent").text
    assert "Zofia Nowak (the young person, 15)" in page
    assert "Ada Nowak (child, 7)" in page
    assert "Ada Nowak (the young person" not in page


def test_a_child_under_12_is_refused_as_the_one_agreeing(client, signed_in, practitioner):
    signed_in(practitioner)
    case, _zofia, ada = _family_of_two(client, practitioner)
    response = _post(client, case, given_by=f"child:{ada.id}", competence="yes", competence_notes="Bright")
    assert response.status_code == 200
    assert "Ada Nowak was 7 on the date agreed. A child under 12 cannot give agreement" in response.text
    assert "govuk-error-summary" in response.text and "Bright" in response.text
    assert _consents() == []


def test_a_young_person_needs_the_practitioners_competence_judgement(client, signed_in, practitioner):
    signed_in(practitioner)
    case, zofia, _ada = _family_of_two(client, practitioner)
    response = _post(client, case, given_by=f"child:{zofia.id}")
    assert "Select whether you judge Zofia Nowak competent to give agreement" in response.text
    response = _post(client, case, given_by=f"child:{zofia.id}", competence="no")
    assert "Zofia Nowak cannot give agreement unless you judge them competent" in response.text
    response = _post(client, case, given_by=f"child:{zofia.id}", competence="yes")
    assert "Enter how you judged that Zofia Nowak is competent to agree" in response.text
    assert _consents() == []
    response = _post(
        client, case, given_by=f"child:{zofia.id}", competence="yes", competence_notes="She told me back in her words."
    )
    assert response.status_code == 302
    (consent,) = _consents()
    assert consent.given_by_kind == "young_person" and consent.competence_judged is True
    page = client.get(f"/assessments/{case.ref}/consent").text
    assert "Judged competent to agree: She told me back in her words." in page


def test_the_age_is_a_setting(app, client, signed_in, practitioner):
    app.config["EHA_YOUNG_PERSON_MIN_AGE"] = 16
    try:
        signed_in(practitioner)
        case, zofia, _ada = _family_of_two(client, practitioner)
        assert "Zofia Nowak (child, 15)" in client.get(f"/assessments/{case.ref}/consent").text
        response = _post(client, case, given_by=f"child:{zofia.id}", competence="yes", competence_notes="Mature")
        assert "A child under 16 cannot give agreement" in response.text
    finally:
        app.config["EHA_YOUNG_PERSON_MIN_AGE"] = 12


def test_how_agreement_was_given_is_recorded_shown_and_printed(client, signed_in, practitioner):
    signed_in(practitioner)
    case = helpers.case(practitioner)
    carer = case.family.carers[0]
    response = _post(
        client,
        case,
        given_by=f"carer:{carer.id}",
        given_as="verbal",
        given_via="phone",
        interpreter_used="yes",
        interpreter_language="Polish",
        privacy_notice="yes",
    )
    assert response.status_code == 302, response.text
    (consent,) = _consents()
    assert (consent.given_as, consent.given_via, consent.interpreter_language) == ("verbal", "phone", "Polish")
    assert consent.competence_judged is None and consent.privacy_notice_given is True
    page = client.get(f"/assessments/{case.ref}/consent").text
    assert "Verbally, By phone" in page and "Used (Polish)" in page and "Given" in page
    text = pdf_text(client.get(f"/assessments/{case.ref}/assessment.pdf").data)
    assert "The family's agreement" in text and "Verbally, By phone" in text and "Polish" in text


def test_an_interpreter_needs_a_language_and_forged_choices_are_refused(client, signed_in, practitioner):
    signed_in(practitioner)
    case = helpers.case(practitioner)
    carer = case.family.carers[0]
    response = _post(client, case, given_by=f"carer:{carer.id}", interpreter_used="yes")
    assert "Enter the language the interpreter used" in response.text
    response = _post(client, case, given_by=f"carer:{carer.id}", given_as="telepathy", given_via="fax")
    assert response.status_code == 200 and "Select an option from the list" in response.text
    assert _consents() == []
    # Each is optional: nothing about how it was given is needed to record a carer's agreement.
    assert _post(client, case, given_by=f"carer:{carer.id}").status_code == 302
