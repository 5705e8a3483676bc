"""The case list's search reads each case's copy of its children's names (issue 14, migration 0031): the copy
follows every change a user can make, so what the search finds is what the case holds now."""

import os
import re
from datetime import date

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Assessment
from eha.services import families as family_service
from tests.assessments import helpers


def _refs_found(client, text):
    html = client.get(f"/assessments?q={text}").get_data(as_text=True)
    return set(re.findall(r"EHA-\d+", html))


def _child_data(first_name, last_name):
    return {"first_name": first_name, "last_name": last_name, "date_of_birth": date(2016, 5, 1), "sex": "male"}


def test_a_renamed_child_is_found_by_the_new_name_and_not_the_old(client, signed_in, practitioner):
    case = helpers.case(practitioner, first_name="Oliwia", last_name="Kowalczyk")
    signed_in(practitioner)
    assert _refs_found(client, "kowalczyk") == {case.ref}
    child = case.family.children[0]
    family_service.update_family(
        case, practitioner, "child", child, _child_data("Oliwia", "Brzęczyszczykiewicz"),
        expected_version=str(case.family.version_id),
    )  # fmt: skip
    db.session.commit()
    assert _refs_found(client, "kowalczyk") == set()
    assert _refs_found(client, "brzeczy") == {case.ref}  # folded, as the search always was


def test_a_child_added_to_an_open_case_is_found_by_their_name(client, signed_in, practitioner):
    case = helpers.case(practitioner, first_name="Amara", last_name="Okafor")
    signed_in(practitioner)
    assert _refs_found(client, "chidi") == set()
    family_service.update_family(
        case, practitioner, "child", None, _child_data("Chidi", "Okafor"), expected_version=str(case.family.version_id)
    )
    db.session.commit()
    assert _refs_found(client, "chidi okafor") == {case.ref}
    assert _refs_found(client, "amara okafor") == {case.ref}


def test_a_search_does_not_join_the_end_of_one_childs_name_to_the_next_childs(client, signed_in, practitioner):
    case = helpers.case(practitioner, first_name="Amara", last_name="Okafor")
    family_service.update_family(
        case, practitioner, "child", None, _child_data("Bola", "Adeyemi"), expected_version=str(case.family.version_id)
    )
    db.session.commit()
    signed_in(practitioner)
    assert _refs_found(client, "okafor bola") == set()
    assert _refs_found(client, "bola adeyemi") == {case.ref}


def test_only_the_cases_of_the_child_renamed_change(app, practitioner):
    mine = helpers.case(practitioner, first_name="Ewa", last_name="Lis")
    other = helpers.case(practitioner, name="The Baker family", first_name="Sam", last_name="Baker")
    child = mine.family.children[0]
    child.set_names("Ewa", "Lisowska")
    db.session.commit()
    names = dict(db.session.execute(db.select(Assessment.id, Assessment.search_names)).all())
    assert names == {mine.id: "ewa lisowska", other.id: "sam baker"}


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="PostgreSQL's plan cache: SQLite plans every statement afresh",
)
def test_the_twentieth_search_in_a_worker_is_planned_for_its_own_text(client, signed_in, practitioner):
    """psycopg prepares a statement on its fifth run, and PostgreSQL may then plan it once for any text: a plan
    that cannot know '%SMITH%' is rare reads every case (issue 14). Each search must be planned for its text."""
    case = helpers.case(practitioner, first_name="Jade", last_name="Smith")
    signed_in(practitioner)
    for _ in range(20):
        assert _refs_found(client, "smith") == {case.ref}
    plans = db.session.execute(
        sa.text(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%search_names LIKE%'"
        )
    ).all()
    assert plans, "the search's statements are prepared on this connection"
    assert all(generic == 0 for generic, _custom in plans), plans
    assert sum(custom for _generic, custom in plans) >= 15 * len(plans)
