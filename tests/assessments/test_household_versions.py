"""Every household edit carries the family's version: a stale save never overwrites someone else's work."""

import re
import threading

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.audit import AuditEvent
from eha.models.families import Carer, Child, Family, InvolvedAgency, NetworkMember
from eha.services import families as service
from tests.assessments import helpers
from tests.conftest import POSTGRES_URL

# what: (URL part, model, a valid change typed by the user, a value of it to look for on the page)
PARTS = {
    "child": (
        "children",
        Child,
        {
            "first_name": "Zosia",
            "last_name": "Nowak",
            "date_of_birth": ["27", "3", "2015"],
            "sex": "female",
            "school": "Hilltop Academy",
        },
        "Hilltop Academy",
    ),
    "carer": (
        "carers",
        Carer,
        {
            "name": "Agnieszka Nowak",
            "relationship_to_child": "Mother",
            "phone": "07700 900999",
            "interpreter_needed": "yes",
        },
        "07700 900999",
    ),
    "network": (
        "network",
        NetworkMember,
        {
            "name": "Halina Nowak",
            "relationship_to_family": "Grandmother",
            "support_offered": "Tuesday tea and homework",
        },
        "Tuesday tea and homework",
    ),
    "agency": (
        "agencies",
        InvolvedAgency,
        {"agency_name": "Northtown Food Bank", "contact_name": "Sam Lee", "involvement": "Weekly parcel"},
        "Weekly parcel",
    ),
}


def _household(practitioner):
    """A case whose family has one of each: child, carer, network member, agency involved."""
    case = helpers.case(practitioner)
    db.session.add(
        NetworkMember(
            family=case.family,
            name="Halina Nowak",
            relationship_to_family="Grandmother",
            support_offered="School pick-ups",
        )
    )
    db.session.add(InvolvedAgency(family=case.family, agency_name="Northtown Food Bank", involvement="Parcels"))
    db.session.commit()
    return case


def _record(case, what):
    relation = {"child": "children", "carer": "carers", "network": "network", "agency": "involved_agencies"}[what]
    return getattr(case.family, relation)[0]


def _opened(client, url):
    """Open the form as a user would: the version its hidden field carries."""
    page = client.get(url)
    assert page.status_code == 200
    return _version_on(page)


def _version_on(page):
    found = re.search(r'<input[^>]*name="version"[^>]*>', page.text).group(0)
    return re.search(r'value="(\d+)"', found).group(1)


def _someone_else_changes_the_household(client, case):
    """Another practitioner saves a different part of the household meanwhile."""
    db.session.expire_all()
    response = client.post(
        f"/assessments/{case.ref}/family/edit",
        data={
            "name": "The Nowak-Wiśniewski family",
            "address": "1 New Street",
            "postcode": "NT2 1AA",
            "version": str(case.family.version_id),
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize("what", list(PARTS))
def test_a_stale_change_to_anyone_in_the_household_is_refused_with_the_input_kept(
    client, signed_in, practitioner, what
):
    case = _household(practitioner)
    plural, model, typed, marker = PARTS[what]
    record = _record(case, what)
    before = {c.key: getattr(record, c.key) for c in sa.inspect(model).column_attrs}
    signed_in(practitioner)
    url = f"/assessments/{case.ref}/family/{plural}/{record.id}"
    version = _opened(client, url)
    _someone_else_changes_the_household(client, case)

    response = client.post(url, data={**typed, "version": version})

    assert response.status_code == 409
    assert "Someone else has changed the family&#39;s details" in response.text
    assert marker in response.text  # what they typed, kept
    assert "Saved now" in response.text
    db.session.expire_all()
    saved = db.session.get(model, record.id)
    assert {c.key: getattr(saved, c.key) for c in sa.inspect(model).column_attrs} == before
    assert case.family.name == "The Nowak-Wiśniewski family"
    # Re-applying from the conflict page saves.
    response = client.post(url, data={**typed, "version": _version_on(response)})
    assert response.status_code == 302
    db.session.expire_all()
    assert marker in str(
        {c.key: getattr(db.session.get(model, record.id), c.key) for c in sa.inspect(model).column_attrs}
    )


@pytest.mark.parametrize("what", list(PARTS))
def test_a_stale_addition_to_the_household_adds_nothing_and_keeps_the_input(client, signed_in, practitioner, what):
    case = _household(practitioner)
    plural, model, typed, marker = PARTS[what]
    typed = {**typed, "first_name": "Jan"} if what == "child" else typed
    count = db.session.scalar(sa.select(sa.func.count()).select_from(model))
    signed_in(practitioner)
    url = f"/assessments/{case.ref}/family/{plural}/new"
    version = _opened(client, url)
    _someone_else_changes_the_household(client, case)

    response = client.post(url, data={**typed, "version": version})

    assert response.status_code == 409
    assert marker in response.text and "on record now" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == count
    response = client.post(url, data={**typed, "version": _version_on(response)})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == count + 1


@pytest.mark.parametrize("what", list(PARTS))
def test_a_fresh_change_saves_and_moves_the_family_version_on(client, signed_in, practitioner, what):
    case = _household(practitioner)
    plural, model, typed, marker = PARTS[what]
    record = _record(case, what)
    signed_in(practitioner)
    url = f"/assessments/{case.ref}/family/{plural}/{record.id}"
    version = _opened(client, url)
    assert client.post(url, data={**typed, "version": version}).status_code == 302
    db.session.expire_all()
    assert case.family.version_id == int(version) + 1
    # A page opened before that save is now stale, even for a different part of the household.
    response = client.post(f"/assessments/{case.ref}/family/edit", data={"name": "The Nowaks", "version": version})
    assert response.status_code == 409


def test_a_change_posted_without_a_version_is_treated_as_stale(client, signed_in, practitioner):
    case = _household(practitioner)
    carer = _record(case, "carer")
    signed_in(practitioner)
    response = client.post(
        f"/assessments/{case.ref}/family/carers/{carer.id}",
        data={"name": "Someone Else", "relationship_to_child": "Aunt", "interpreter_needed": "no"},
    )
    assert response.status_code == 409 and "Someone Else" in response.text
    db.session.expire_all()
    assert db.session.get(Carer, carer.id).name == "Agnieszka Nowak"
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "family_updated" and event.outcome == "failed"


def test_the_household_conflict_page_shows_the_saved_details_beside_the_typed_ones(client, signed_in, practitioner):
    case = _household(practitioner)
    signed_in(practitioner)
    url = f"/assessments/{case.ref}/family/edit"
    version = _opened(client, url)
    _someone_else_changes_the_household(client, case)
    response = client.post(url, data={"name": "The Nowaks", "postcode": "NT9 9ZZ", "version": version})
    assert response.status_code == 409
    assert "1 New Street" in response.text and "NT2 1AA" in response.text  # saved now
    assert 'value="The Nowaks"' in response.text and 'value="NT9 9ZZ"' in response.text  # typed, in the form


@pytest.mark.skipif(not POSTGRES_URL, reason="threads need a server database; SQLite serialises writers anyway")
def test_two_saves_from_the_same_version_at_the_same_moment_cannot_both_pass(app, practitioner):
    case = _household(practitioner)
    case_id, user_id = case.id, practitioner.id
    workers = 6
    barrier = threading.Barrier(workers)
    outcomes, errors = [], []

    def save(n):
        with app.app_context():
            try:
                from eha.models.users import User

                mine = db.session.get(Assessment, case_id)
                user = db.session.get(User, user_id)
                version = str(mine.family.version_id)  # everyone opened the page at the same version
                carer = mine.family.carers[0]
                barrier.wait()
                service.update_family(
                    mine,
                    user,
                    "carer",
                    carer,
                    {"name": f"Carer {n}", "relationship_to_child": "Mother", "interpreter_needed": "no"},
                    expected_version=version,
                )
                db.session.commit()
                outcomes.append("saved")
            except service.FamilyConflict:
                db.session.rollback()
                outcomes.append("conflict")
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(outcomes) == ["conflict"] * (workers - 1) + ["saved"]
    db.session.expire_all()
    assert db.session.get(Family, case.family_id).version_id == 2
