"""The NHS number, the child's consistent identifier, belongs to one child (issue 13 item 4)."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.families import Child
from tests import factories
from tests.assessments import helpers
from tests.assessments.test_start import NEW_FAMILY, _through_safety
from tests.conftest import POSTGRES_URL

NUMBER = "9434765919"
OTHER = "4010232137"
BORN = date(2015, 1, 1)


def _version(case):
    db.session.expire_all()
    return str(case.family.version_id)


def _add_child(client, case, nhs_number, first_name="Jan"):
    return client.post(
        f"/assessments/{case.ref}/family/children/new",
        data={
            "first_name": first_name,
            "last_name": "Nowak",
            "date_of_birth": ["5", "1", "2019"],
            "sex": "male",
            "nhs_number": nhs_number,
            "version": _version(case),
        },
    )


def _cases():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Assessment))


def test_a_new_family_with_a_number_on_record_shows_that_child_and_offers_their_record(
    client_request, signed_in, practitioner
):
    case = helpers.case(practitioner, nhs_number=NUMBER)
    signed_in(practitioner)
    _through_safety(client_request.client)
    page = client_request.post(
        "/assessments/new/family", data=NEW_FAMILY, expected_status=200
    )  # its NHS number is 943 476 5919
    assert page.errors() == [
        "The NHS number 943 476 5919 is already on record for Zofia Nowak, born 27 March 2015 (The Nowak family): "
        "use that child's record, or check the number"
    ]
    assert page.one("#child_nhs_number").get("value") == "943 476 5919"  # the input is kept
    assert page.one("#child_first_name").get("value") == "Łukasz"
    offer = page.one("#on-record")
    assert "Zofia Nowak, born 27 March 2015, is already on record" in offer.text_content()
    button = offer.cssselect("button")[0]
    assert " ".join(button.text_content().split()) == "Use Zofia Nowak's record"
    assert _cases() == 1
    # Using the record continues with that family, as if it had been chosen from the search.
    response = client_request.post(
        "/assessments/new/continue", data={"family": button.get("value")}, expected_status=302
    )
    assert response.location.endswith("/assessments/new/safety")
    client_request.post("/assessments/new/safety", data={"at_risk": "no"}, expected_status=302)
    page = client_request.get("/assessments/new/children")
    assert page.h1 and case.family.name in page.text


def test_a_number_on_a_case_the_user_cannot_see_is_refused_without_naming_the_child(
    client_request, signed_in, practitioner
):
    other_school = factories.agency(name="Southtown Academy")
    someone = factories.user(role="practitioner", agency=other_school)
    helpers.case(someone, nhs_number=NUMBER)
    signed_in(practitioner)
    _through_safety(client_request.client)
    page = client_request.post("/assessments/new/family", data=NEW_FAMILY, expected_status=200)
    assert page.errors() == [
        "The NHS number 943 476 5919 is already on record for a child on a case you cannot see: check the "
        "number, or contact Southtown Academy"
    ]
    assert "Zofia" not in page.text and "27 March 2015" not in page.text
    assert not page.select("#on-record")
    assert _cases() == 1


def test_the_same_number_twice_in_one_household_is_refused(client, signed_in, practitioner):
    case = helpers.case(practitioner, nhs_number=NUMBER)
    signed_in(practitioner)
    response = _add_child(client, case, "943 476 5919")
    assert response.status_code == 200
    assert "Zofia Nowak in this household already has the NHS number 943 476 5919" in response.text
    assert 'value="943 476 5919"' in response.text
    db.session.expire_all()
    assert [c.first_name for c in case.family.children] == ["Zofia"]
    # Their own number is fine; and changing Jan's details keeps his own number.
    assert _add_child(client, case, OTHER).status_code == 302
    jan = db.session.scalar(sa.select(Child).where(Child.first_name == "Jan"))
    response = client.post(
        f"/assessments/{case.ref}/family/children/{jan.id}",
        data={
            "first_name": "Janek",
            "last_name": "Nowak",
            "date_of_birth": ["5", "1", "2019"],
            "sex": "male",
            "nhs_number": OTHER,
            "version": _version(case),
        },
    )
    assert response.status_code == 302, response.text


def test_a_number_of_a_child_in_another_family_is_refused_when_adding_a_child(client, signed_in, practitioner):
    helpers.case(practitioner, nhs_number=OTHER, name="The Yıldız family", first_name="Emir", last_name="Yıldız")
    case = helpers.case(practitioner, first_name="Zofia", last_name="Kowal", name="The Kowal family")
    signed_in(practitioner)
    response = _add_child(client, case, OTHER)
    assert "already on record for Emir Yıldız" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Child).where(Child.nhs_number == OTHER)) == 1


def test_the_database_refuses_a_second_child_with_the_number(app, practitioner):
    family = helpers.family(practitioner, nhs_number=NUMBER)
    twin = Child(family=family, date_of_birth=family.children[0].date_of_birth, nhs_number=NUMBER)
    twin.set_names("Twin", "Nowak")
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Children without a number recorded do not share one.
    for name in ("Ala", "Ola"):
        child = Child(family=family, date_of_birth=family.children[0].date_of_birth, nhs_number=None)
        child.set_names(name, "Nowak")
        db.session.add(child)
    db.session.commit()


@pytest.mark.skipif(not POSTGRES_URL, reason="threads need a server database; SQLite serialises writers anyway")
def test_two_families_started_at_once_with_one_number_cannot_both_have_it(app, practitioner):
    from eha.errors import Invalid
    from eha.models.users import User
    from eha.services import assessments as service

    user_id, workers = practitioner.id, 4
    barrier = threading.Barrier(workers)
    outcomes, errors = [], []

    def start(n):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                barrier.wait()
                service.start_with_new_family(
                    user,
                    name=f"The Family {n}",
                    address=None,
                    postcode=None,
                    child={"first_name": f"Child{n}", "last_name": "X", "date_of_birth": BORN, "nhs_number": NUMBER},
                    carer={"name": "Carer", "relationship_to_child": "Mother"},
                )
                outcomes.append("started")
            except Invalid as error:
                outcomes.append("refused" if "NHS number" in error.message else error.message)
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(outcomes) == ["refused"] * (workers - 1) + ["started"]
