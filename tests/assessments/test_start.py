"""Starting an assessment: find the child first, safety first, then the family; and the reference."""

from datetime import date

import sqlalchemy as sa

from eha.extensions import db
from eha.formatting import without_emergency_line
from eha.models.assessments import Assessment, AssessmentChild
from eha.models.audit import AuditEvent
from eha.services import assessments as service
from tests import factories
from tests.assessments import helpers

NEW_FAMILY = {
    "name": "The Kowalski family",
    "address": "3 Station Road, Northtown",
    "postcode": "nt1 3dq",
    "child_first_name": "Łukasz",
    "child_last_name": "Kowalski",
    "child_date_of_birth": ["4", "9", "2014"],
    "child_sex": "male",
    "child_school": "Northshire Academy",
    "child_nhs_number": "943 476 5919",
    "carer_name": "Małgorzata Kowalska",
    "carer_relationship_to_child": "Mother",
    "carer_phone": "07700 900456",
    "carer_email": "m.kowalska@example.org",
    "carer_preferred_language": "Polish",
    "carer_interpreter_needed": "yes",
}


def _through_safety(client, family="new"):
    client.post("/assessments/new", data={"last_name": "Kowalski"})
    client.post("/assessments/new/continue", data={"family": family})
    return client.post("/assessments/new/safety", data={"at_risk": "no"})


def test_a_practitioner_starts_an_assessment_for_a_new_family(client, signed_in, practitioner):
    signed_in(practitioner)
    response = _through_safety(client)
    assert response.headers["Location"].endswith("/assessments/new/family")
    response = client.post("/assessments/new/family", data=NEW_FAMILY)
    assert response.status_code == 302, response.text
    case = db.session.scalar(sa.select(Assessment))
    assert response.headers["Location"].endswith(f"/assessments/{case.ref}")
    assert case.ref.startswith("EHA-") and len(case.ref) == 10
    assert case.state == "draft"
    assert case.lead_id == practitioner.id and case.started_by_id == practitioner.id
    assert case.definition_name == "eha-default" and case.definition_version == 2
    assert case.assessment_due_on > date.today() and case.next_due_label == "Assessment due"
    assert [c.name for c in case.children] == ["Łukasz Kowalski"]
    assert case.children[0].nhs_number == "9434765919"
    assert case.family.carers[0].interpreter_needed is True
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.assessment_id == case.id)) == "case_created"
    page = client.get(f"/assessments/{case.ref}")
    assert page.status_code == 200
    assert "Łukasz Kowalski" in page.text and "Not started" in page.text


def test_the_new_family_form_refuses_bad_input_and_keeps_it(client, signed_in, practitioner):
    signed_in(practitioner)
    _through_safety(client)
    data = dict(NEW_FAMILY, child_date_of_birth=["31", "2", "2015"], child_nhs_number="943 476 5918", name="")
    response = client.post("/assessments/new/family", data=data)
    assert response.status_code == 200
    assert "Error:" in response.text
    assert "Enter the family name" in response.text
    assert "Date of birth must be a real date" in response.text
    assert "Enter a valid NHS number" in response.text
    assert "Małgorzata Kowalska" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 0


def test_a_date_of_birth_in_the_future_is_refused(client, signed_in, practitioner):
    signed_in(practitioner)
    _through_safety(client)
    year = str(date.today().year + 1)
    response = client.post("/assessments/new/family", data=dict(NEW_FAMILY, child_date_of_birth=["1", "1", year]))
    assert "Date of birth must be in the past" in response.text


def test_answering_yes_to_the_safety_question_shows_the_front_door_and_creates_nothing(
    app, client, signed_in, practitioner
):
    signed_in(practitioner)
    client.post("/assessments/new", data={"last_name": "Kowalski"})
    client.post("/assessments/new/continue", data={"family": "new"})
    response = client.post("/assessments/new/safety", data={"at_risk": "yes"})
    assert response.status_code == 200
    assert "Contact the front door now" in response.text
    shown = response.text.replace("&#39;", "'")
    assert without_emergency_line(app.config["EHA_FRONT_DOOR"]) in shown
    assert "If a child is in immediate danger, call 999." in shown
    # The journey cannot go on to the family step.
    assert client.get("/assessments/new/family").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 0


def test_the_safety_question_must_be_answered(client, signed_in, practitioner):
    signed_in(practitioner)
    client.post("/assessments/new", data={"last_name": "Kowalski"})
    client.post("/assessments/new/continue", data={"family": "new"})
    response = client.post("/assessments/new/safety", data={})
    assert "Select yes if the child could be at risk of significant harm" in response.text


def test_searching_shows_episodes_the_user_may_open_and_only_that_others_exist(client, signed_in, practitioner):
    other = factories.user(role="practitioner")
    theirs = helpers.case(other, name="The Yılmaz family", first_name="Elif", last_name="Yılmaz")
    signed_in(practitioner)
    response = client.post("/assessments/new", data={"last_name": "yılmaz"})
    assert response.status_code == 200
    # Deliberately changed: only that a record exists and whom to contact, never the child (pen test finding).
    assert "Elif" not in response.text and "Yılmaz" not in response.text
    assert "A child on record matches your search" in response.text and other.agency.name in response.text
    assert theirs.ref not in response.text
    # Its starter sees the reference.
    signed_in(other)
    response = client.post("/assessments/new", data={"last_name": "Yılmaz"})
    assert theirs.ref in response.text


def test_searching_by_nhs_number_checks_the_check_digit(client, signed_in, practitioner):
    signed_in(practitioner)
    response = client.post("/assessments/new", data={"nhs_number": "943 476 5918"})
    assert "Enter a valid NHS number" in response.text
    response = client.post("/assessments/new", data={})
    assert "Enter the child&#39;s last name, date of birth or NHS number" in response.text


def test_a_second_open_episode_for_the_same_child_is_refused(client, signed_in, practitioner):
    first = helpers.case(practitioner)
    signed_in(practitioner)
    client.post("/assessments/new", data={"last_name": "Nowak"})
    client.post("/assessments/new/continue", data={"family": str(first.family_id)})
    client.post("/assessments/new/safety", data={"at_risk": "no"})
    page = client.get("/assessments/new/children")
    assert "already has an open early help episode" in page.text
    child_id = first.children[0].id
    response = client.post("/assessments/new/children", data={"children": str(child_id)})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 1
    # The domain function refuses too, and so does the database.
    family = first.family
    try:
        service.start_assessment(practitioner, family, family.children)
    except service.DuplicateEpisode as exc:
        assert "already has an open early help episode" in str(exc)
    else:
        raise AssertionError("a second open episode was allowed")
    db.session.rollback()


def test_the_database_refuses_a_second_open_episode_even_without_the_check(app, practitioner, monkeypatch):
    first = helpers.case(practitioner)
    monkeypatch.setattr(service, "open_episode_child_ids", lambda ids: set())
    try:
        service.start_assessment(practitioner, first.family, first.family.children)
    except service.DuplicateEpisode:
        pass
    else:
        raise AssertionError("the unique index did not refuse")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentChild)) == 1


def test_a_family_on_record_can_start_a_new_episode_for_another_child(client, signed_in, practitioner):
    first = helpers.case(practitioner)
    from eha.models.families import Child

    brother = Child(family_id=first.family_id, date_of_birth=date(2018, 1, 5), sex="male")
    brother.set_names("Jan", "Nowak")
    db.session.add(brother)
    db.session.commit()
    signed_in(practitioner)
    client.post("/assessments/new", data={"last_name": "Nowak"})
    client.post("/assessments/new/continue", data={"family": str(first.family_id)})
    client.post("/assessments/new/safety", data={"at_risk": "no"})
    response = client.post("/assessments/new/children", data={"children": str(brother.id)})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 2


def test_a_family_not_in_the_search_results_cannot_be_chosen(client, signed_in, practitioner):
    other = factories.user(role="practitioner")
    theirs = helpers.case(other)
    signed_in(practitioner)
    client.post("/assessments/new", data={"last_name": "Smith"})
    response = client.post("/assessments/new/continue", data={"family": str(theirs.family_id)})
    assert response.status_code == 400


def test_references_count_up(app, practitioner):
    refs = [service.allocate_reference() for _ in range(3)]
    db.session.commit()
    numbers = [int(r.split("-")[1]) for r in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert all(len(r) == 10 for r in refs)


def test_the_journey_starts_with_the_search(client, signed_in, practitioner):
    signed_in(practitioner)
    response = client.post("/assessments/new/continue", data={"family": "new"})
    assert response.headers["Location"].endswith("/assessments/new")
    assert client.get("/assessments/new/safety").headers["Location"].endswith("/assessments/new")
    assert client.post("/assessments/new/family", data=NEW_FAMILY).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 0
