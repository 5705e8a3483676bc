"""Each child assessed (issue 13 item 1): on eha-default-v2 the child's facts, developmental needs and voice are
answered for every child; version 1 cases keep working, complete and print as before."""

from datetime import date

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Assessment, FormDefinitionVersion
from tests import factories
from tests.assessments import helpers
from tests.assessments.each_child_helpers import (
    add_child,
    fill_everything,
    fill_page,
    page_url,
    saved_version,
    state_of,
)
from tests.documents.helpers import pdf_text


def _definition(case):
    from eha.definitions.store import definition_for

    return definition_for(case)


def _agree(client, case):
    carer = case.family.carers[0]
    today = date.today()
    response = client.post(
        f"/assessments/{case.ref}/consent",
        data={
            "given_by": f"carer:{carer.id}",
            "given_on": [str(today.day), str(today.month), str(today.year)],
            "legal_basis": case.legal_basis,
            "marker": "0",
        },
    )
    assert response.status_code == 302, response.text


def _complete(client, case):
    return client.post(f"/assessments/{case.ref}/transitions/complete_assessment")


def test_a_new_case_starts_on_version_2(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    assert (case.definition_name, case.definition_version) == ("eha-default", 2)


def test_the_task_list_shows_each_childs_own_sections(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    add_child(client, case, "Jan", date(2019, 1, 5))
    page = client.get(f"/assessments/{case.ref}").text
    for title in ("About the child", "Developmental needs", "Voice of the child"):
        assert f"{title}: Zofia Nowak" in page and f"{title}: Jan Nowak" in page
    assert "Parenting capacity" in page and "Parenting capacity: " not in page
    assert page.count("About the request for help") == 1


def test_each_child_has_their_own_answers(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    jan = add_child(client, case, "Jan", date(2019, 1, 5))
    zofia = case.children[0]
    section = _definition(case).section("voice-of-child")
    assert fill_page(client, case, section, zofia, **{"child-views": "I miss my friends"}).status_code == 302
    assert fill_page(client, case, section, jan, **{"child-views": "I like trains"}).status_code == 302
    assert saved_version(case, "voice-of-child", zofia.id).answers["child-views"] == "I miss my friends"
    assert saved_version(case, "voice-of-child", jan.id).answers["child-views"] == "I like trains"
    zofias_page = client.get(page_url(case, section, zofia)).text
    assert "<h1" in zofias_page and "Voice of the child: Zofia Nowak" in zofias_page
    assert "I miss my friends" in zofias_page and "I like trains" not in zofias_page


def test_saving_one_childs_section_goes_on_to_the_next_childs(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    jan = add_child(client, case, "Jan", date(2019, 1, 5))
    section = _definition(case).section("about-the-child")
    response = fill_page(client, case, section, case.children[0], sen="ehc-plan")
    assert response.headers["Location"].endswith(page_url(case, section, jan))
    assert "About the child: Zofia Nowak: saved" in client.get(f"/assessments/{case.ref}").text


def test_completing_needs_every_childs_required_answers(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    add_child(client, case, "Jan", date(2019, 1, 5))
    _agree(client, case)
    fill_everything(client, case, skip={("voice-of-child", "Jan")})
    response = _complete(client, case)
    assert state_of(case) == "draft"
    page = client.get(response.headers["Location"]).text
    assert "Complete the section &#39;Voice of the child: Jan Nowak&#39;" in page
    assert "Voice of the child: Zofia Nowak&#39;" not in page
    jan = next(c for c in case.children if c.first_name == "Jan")
    assert fill_page(client, case, _definition(case).section("voice-of-child"), jan).status_code == 302
    _complete(client, case)
    assert state_of(case) == "assessed"


def test_a_section_for_a_child_the_case_is_not_about_is_not_found(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    other = helpers.case(practitioner, name="The Other family", first_name="Ola", carer="Ewa Other")
    signed_in(practitioner)
    theirs = other.children[0].id
    assert client.get(f"/assessments/{case.ref}/sections/voice-of-child/children/{theirs}").status_code == 404
    response = client.post(
        f"/assessments/{case.ref}/sections/voice-of-child/children/{theirs}",
        data={"version": "0", "child-views": "x"},
    )
    assert response.status_code == 404
    mine = case.children[0].id
    # A household section has no child's page; an each-child section has no household page.
    assert client.get(f"/assessments/{case.ref}/sections/strengths/children/{mine}").status_code == 404
    assert client.get(f"/assessments/{case.ref}/sections/voice-of-child").status_code == 404


def test_two_saves_of_one_childs_section_from_the_same_page_one_wins(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    child = case.children[0]
    url = f"/assessments/{case.ref}/sections/voice-of-child/children/{child.id}"
    first = client.post(url, data={"version": "0", "action": "draft", "child-views": "First"})
    second = client.post(url, data={"version": "0", "action": "draft", "child-views": "Second"})
    assert first.status_code == 302 and second.status_code == 409
    assert "Someone else has changed this section" in second.text and "Second" in second.text
    assert saved_version(case, "voice-of-child", child.id).answers == {"child-views": "First"}


def test_the_assessment_pdf_shows_each_childs_answers_under_their_name(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    jan = add_child(client, case, "Jan", date(2019, 1, 5))
    definition = _definition(case)
    fill_page(client, case, definition.section("about-the-child"), jan, sen="ehc-plan", ethnicity="WIRT")
    fill_page(client, case, definition.section("voice-of-child"), jan, **{"child-views": "Trains are my favourite"})
    fill_page(client, case, definition.section("about-the-request"), reason="School asked", **{"who-asked": "agency"})
    text = pdf_text(client.get(f"/assessments/{case.ref}/assessment.pdf").data)
    assert "About the child: Jan Nowak" in text and "About the child: Zofia Nowak" in text
    assert "Education, health and care (EHC) plan" in text and "Traveller of Irish heritage" in text
    assert "Trains are my favourite" in text
    assert "An agency or professional" in text


def _start_on_version_1(admin, practitioner, client, signed_in):
    signed_in(admin)
    client.get("/admin/definitions")  # lists the shipped versions
    v1 = db.session.scalar(sa.select(FormDefinitionVersion).where(FormDefinitionVersion.version == 1))
    assert client.post(f"/admin/definitions/{v1.id}/activate").status_code == 302
    case = helpers.case(practitioner)
    signed_in(practitioner)
    return case


def test_a_version_1_case_keeps_one_set_of_answers_completes_and_prints_as_before(
    client, signed_in, admin, practitioner
):
    case = _start_on_version_1(admin, practitioner, client, signed_in)
    assert case.definition_version == 1
    add_child(client, case, "Jan", date(2019, 1, 5))
    page = client.get(f"/assessments/{case.ref}").text
    assert "The child&#39;s developmental needs" in page and "Voice of the child" in page
    assert "Voice of the child: " not in page and "About the child" not in page
    assert client.get(f"/assessments/{case.ref}/sections/child-development").status_code == 200
    _agree(client, case)
    fill_everything(client, case)
    _complete(client, case)
    assert state_of(case) == "assessed"
    text = pdf_text(client.get(f"/assessments/{case.ref}/assessment.pdf").data)
    assert "The child's developmental needs" in text and "version 1" in text
    assert "About the child:" not in text


def test_cases_already_started_stay_on_their_version_when_another_is_activated(client, signed_in, admin, practitioner):
    started_on_2 = helpers.case(practitioner, name="The First family", first_name="Ida", carer="Ann First")
    case = _start_on_version_1(admin, practitioner, client, signed_in)
    db.session.expire_all()
    assert db.session.get(Assessment, started_on_2.id).definition_version == 2
    assert case.definition_version == 1
    assert "About the child: Ida Nowak" in client.get(f"/assessments/{started_on_2.ref}").text


def test_a_taf_member_reads_a_childs_section_but_cannot_change_it(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    nurse = factories.user(role="practitioner", agency=factories.agency(name="Community Health", kind="health"))
    helpers.consent(case, practitioner, agencies=[nurse.agency])
    helpers.taf_member(case, nurse)
    child = case.children[0]
    signed_in(practitioner)
    fill_page(client, case, _definition(case).section("voice-of-child"), child, **{"child-views": "Hello"})
    signed_in(nurse)
    url = f"/assessments/{case.ref}/sections/voice-of-child/children/{child.id}"
    page = client.get(url)
    assert page.status_code == 200 and "Hello" in page.text and "Save and continue" not in page.text
    assert client.post(url, data={"version": "1", "child-views": "Changed"}).status_code == 403


def test_the_demo_has_a_family_of_three_each_child_with_their_own_answers(app, client, signed_in, demo_loaded):
    from eha.demo.each_child import FAMILY_NAME
    from eha.models.families import Family

    case = db.session.scalar(
        sa.select(Assessment).join(Family, Family.id == Assessment.family_id).where(Family.name == FAMILY_NAME)
    )
    assert case.definition_version == 2 and len(case.children) == 3
    signed_in(case.lead)
    for child, words in (("Femi", "Lego club"), ("Ada", "holding hands")):
        child_id = next(c.id for c in case.children if c.first_name == child)
        page = client.get(f"/assessments/{case.ref}/sections/voice-of-child/children/{child_id}").text
        assert words in page
    assert "EHC plan" in pdf_text(client.get(f"/assessments/{case.ref}/assessment.pdf").data)
