"""Penetration-test findings on starting an assessment, the family's details, agreement and case addresses,
each tested as the attacker would try it."""

import string
import threading
from datetime import date

import lxml.html
import pytest
import sqlalchemy as sa

from eha.errors import StaleEdit
from eha.extensions import db
from eha.formatting import format_date
from eha.models.assessments import Assessment, Consent
from eha.models.families import Carer
from eha.models.users import User
from eha.services import assessments as service
from eha.services import consent as consent_service
from tests import factories
from tests.assessments import helpers
from tests.conftest import POSTGRES_URL
from tests.security.helpers import seed_world
from tests.security.test_authorization_matrix import url_values

CHILDREN = [
    ("Amelia", "Brooks", date(2014, 2, 3)),
    ("Oskar", "Zielinski", date(2016, 7, 9)),
    ("Hana", "Quist", date(2012, 11, 21)),
    ("Tomasz", "Yates", date(2019, 1, 30)),
]


def _families(lead):
    return [
        helpers.case(lead, name=f"The {last} family", first_name=first, last_name=last, dob=dob, carer=f"Mum {last}")
        for first, last, dob in CHILDREN
    ]


def _police_officer():
    return factories.user(agency=factories.agency(name="Northshire Police", kind="police"), name="PC Nosy")


def test_an_unrelated_practitioner_searching_every_letter_learns_no_child_s_details(client, signed_in, practitioner):
    cases = _families(practitioner)
    signed_in(_police_officer())
    secrets = [w for first, last, dob in CHILDREN for w in (first, last, format_date(dob), f"Mum {last}")]
    secrets += ["07700 900123", "The Brooks family"] + [c.ref for c in cases]
    found = 0
    for letter in string.ascii_lowercase:
        page = client.post("/assessments/new", data={"last_name": letter})
        assert page.status_code == 200
        leaked = [s for s in secrets if s in page.text]
        assert not leaked, f"searching {letter!r} showed {leaked}"
        choices = lxml.html.fromstring(page.text).xpath('//button[@name="family"]/@value')
        assert choices == ["new"]  # no family of theirs to continue with: only "Create a new family"
        found += page.text.count("A child on record matches your search")
    assert found == 2 * len(CHILDREN)  # each child once under their first name's letter, once under the last's
    assert practitioner.agency.name in client.post("/assessments/new", data={"last_name": "b"}).text


def test_continuing_with_a_family_the_user_may_not_see_is_refused_with_whom_to_contact(client, signed_in, practitioner):
    case = _families(practitioner)[0]
    signed_in(_police_officer())
    client.post("/assessments/new", data={"last_name": "brooks"})
    response = client.post("/assessments/new/continue", data={"family": str(case.family_id)})
    assert response.status_code == 400
    # Even with the family in the journey (a forged or old session), the family is refused.
    with client.session_transaction() as session:
        session["new_assessment"] = {"families": [case.family_id], "family_id": case.family_id, "safe": True}
    response = client.post("/assessments/new/continue", data={"family": str(case.family_id)})
    assert response.status_code == 403 and practitioner.agency.name in response.text
    with client.session_transaction() as session:
        session["new_assessment"] = {"families": [case.family_id], "family_id": case.family_id, "safe": True}
    for method in ("GET", "POST"):
        response = client.open(
            "/assessments/new/children", method=method, data={"children": [str(case.children[0].id)]}
        )
        assert response.status_code == 403 and "Brooks" not in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == len(CHILDREN)


def test_a_practitioner_who_sees_the_family_s_case_may_continue_with_it(client, signed_in, practitioner):
    case = helpers.case(practitioner, name="The Brooks family", first_name="Amelia", last_name="Brooks")
    db.session.execute(sa.update(Assessment).where(Assessment.id == case.id).values(state="closed"))
    db.session.execute(sa.text("update assessment_children set is_open = false"))
    db.session.commit()
    signed_in(practitioner)
    page = client.post("/assessments/new", data={"last_name": "brooks"})
    assert "Amelia Brooks" in page.text
    assert client.post("/assessments/new/continue", data={"family": str(case.family_id)}).status_code == 302
    client.post("/assessments/new/safety", data={"at_risk": "no"})
    response = client.post("/assessments/new/children", data={"children": [str(case.children[0].id)]})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 2


def test_the_starter_of_another_episode_cannot_change_the_household_shown_on_a_case_they_cannot_see(
    client, signed_in, practitioner
):
    theirs = _families(practitioner)[0]
    officer = _police_officer()
    # The episode the attacker opened before the fix (the finding): a new case on the same family.
    db.session.execute(sa.text("update assessment_children set is_open = false"))
    mine = service.start_assessment(officer, theirs.family, theirs.family.children)
    db.session.commit()
    carer = theirs.family.carers[0]
    signed_in(officer)
    page = client.get(f"/assessments/{mine.ref}/family")
    assert page.status_code == 200 and ">Change<" not in page.text and "Add a parent or carer" not in page.text
    url = f"/assessments/{mine.ref}/family/carers/{carer.id}"
    response = client.get(url)
    assert response.status_code == 403 and practitioner.agency.name in response.text
    response = client.post(
        url,
        data={
            "name": "Mum Brooks",
            "relationship_to_child": "Mother",
            "phone": "07700 999999",
            "interpreter_needed": "no",
            "version": str(theirs.family.version_id),
        },
    )
    assert response.status_code == 403
    for part in ("edit", "children/new", "carers/new", "network/new", "agencies/new"):
        assert client.get(f"/assessments/{mine.ref}/family/{part}").status_code == 403
    db.session.expire_all()
    assert db.session.get(Carer, carer.id).phone == "07700 900123"
    # A manager, who sees every case of the family, still may.
    signed_in(factories.user(role="manager"))
    assert client.get(url).status_code == 200


def test_the_family_page_lists_nobody_recorded_outside_the_summary_list(client_request, signed_in, practitioner):
    case = helpers.case(practitioner)
    for carer in case.family.carers:
        db.session.delete(carer)
    db.session.commit()
    signed_in(practitioner)
    page = client_request.get(f"/assessments/{case.ref}/family")
    assert not page.select("dl > p") and not page.select("dl > :not(div)")
    assert "Parents and carers None recorded." in page.text
    assert page.words("dt")[:2] == ["Family name", "Address"]


# --- agreement under concurrent saves ---


def _in_threads(app, workers, work):
    barrier = threading.Barrier(workers)
    outcomes, errors = [], []

    def run(n):
        with app.app_context():
            try:
                work(n, barrier)
                outcomes.append("saved")
            except StaleEdit:
                db.session.rollback()
                outcomes.append("conflict")
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    return sorted(outcomes)


def _record(case, user, marker):
    consent_service.record_consent(
        case,
        user,
        given_by=f"carer:{case.family.carers[0].id}",
        given_on=date.today(),
        agency_ids=[str(user.agency_id)],
        withheld="",
        legal_basis=case.legal_basis,
        marker=marker,
    )


@pytest.mark.skipif(not POSTGRES_URL, reason="threads need a server database; SQLite serialises writers anyway")
def test_ten_saves_of_the_agreement_from_one_page_record_one_agreement(app, practitioner):
    case = helpers.case(practitioner)
    case_id, user_id = case.id, practitioner.id

    def save(_n, barrier):
        mine, user = db.session.get(Assessment, case_id), db.session.get(User, user_id)
        mine.family.carers  # noqa: B018 - loaded before the race, as the page was
        barrier.wait()
        _record(mine, user, "0")

    assert _in_threads(app, 10, save) == ["conflict"] * 9 + ["saved"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 1


@pytest.mark.skipif(not POSTGRES_URL, reason="threads need a server database; SQLite serialises writers anyway")
@pytest.mark.parametrize("round_", range(3))
def test_a_withdrawal_and_a_new_agreement_from_the_same_page_cannot_both_pass(app, practitioner, round_):
    case = helpers.case(practitioner)
    nurse = factories.user(agency=factories.agency(name=f"Community Health {round_}", kind="health"))
    consent = helpers.consent(case, practitioner, agencies=[nurse.agency])
    helpers.taf_member(case, nurse)
    marker = consent_service.marker_of(consent)
    case_id, user_id = case.id, practitioner.id

    def act(n, barrier):
        mine, user = db.session.get(Assessment, case_id), db.session.get(User, user_id)
        mine.family.carers  # noqa: B018
        barrier.wait()
        if n == 0:
            consent_service.withdraw_consent(mine, user, withdrawn_on=date.today(), notes="", marker=marker)
        else:
            _record(mine, user, marker)

    assert _in_threads(app, 2, act) == ["conflict", "saved"]
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Consent).where(Consent.assessment_id == case_id)).all()
    withdrawn = rows[0].withdrawn_on is not None
    assert len(rows) == (1 if withdrawn else 2)  # never a withdrawal followed by a re-agreement from before it


# --- control characters in a case reference ---


def test_every_case_address_with_a_nul_in_the_reference_is_not_found(app):
    world = seed_world()
    client = app.test_client()
    factories.sign_in(client, world.users["lead"])
    adapter = app.url_map.bind("localhost")
    checked = []
    for rule in app.url_map.iter_rules():
        if "ref" not in rule.arguments:
            continue
        url = adapter.build(rule.endpoint, url_values(rule, world))
        bad = url.replace(world.case.ref, world.case.ref + "%00", 1)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for address in (bad, url.replace(world.case.ref, world.case.ref + "%01", 1)):
                response = client.open(address, method=method, data={})
                checked.append((method, address, response.status_code))
    wrong = [c for c in checked if c[2] != 404]
    assert len(checked) > 60 and not wrong, wrong


def test_an_administrator_is_told_no_case_exists_at_any_case_address(app, client, signed_in, practitioner, admin):
    """Administrators see no case content: 404 on a real case as on a made-up one, so nothing is disclosed."""
    case = helpers.case(practitioner)
    signed_in(admin)
    for ref in (case.ref, "EHA-999999"):
        for path in ("", "/family", "/consent", "/consent/withdraw", "/family/edit"):
            assert client.get(f"/assessments/{ref}{path}").status_code == 404
    assert client.get("/assessments").status_code == 403
    assert client.get("/assessments/new").status_code == 403
