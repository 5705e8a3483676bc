"""Two people pressing the same governance or section button at once, through the real pages, on PostgreSQL:
exactly one change is saved and the other person gets a clear answer (a 409 saying why), never a 500."""

from datetime import date

import lxml.html
import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import CasePerson, SectionAnswer
from eha.models.audit import AuditEvent
from eha.models.families import Child
from eha.models.governance import DisposalBatch, FactCorrection, LegalHold, SubjectAccessRequest
from eha.models.meetings import Meeting
from eha.services import retention
from tests import factories
from tests.assessments import helpers as case_helpers
from tests.conftest import POSTGRES_URL
from tests.governance.test_retention import cli
from tests.pages import Page
from tests.security.helpers import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises every write, so requests cannot race",
    ),
]


@pytest.fixture
def app_settings():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 5, "pool_timeout": 60}}


def _browsers(app, *users):
    """One signed-in test client (its own cookie jar and session) for each user."""
    browsers = []
    for user in users:
        browser = app.test_client()
        factories.sign_in(browser, user)
        browsers.append(browser)
    return browsers


def _post_at_once(browsers, url, forms):
    def press(index):
        response = browsers[index].post(url, data=forms[index])
        return response.status_code, response.get_data(as_text=True)

    results = race(len(browsers), press)
    assert not any(isinstance(result, Exception) for result in results), results
    return results


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _outcomes(action, case=None):
    """The outcome of each ``action`` audited (on ``case``), in order: "success" or "refused"."""
    db.session.expire_all()
    query = sa.select(AuditEvent.outcome).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    if case is not None:
        query = query.where(AuditEvent.assessment_id == case.id)
    return list(db.session.scalars(query))


def test_two_managers_placing_a_hold_on_one_case_at_once_make_one_hold(app, demo):
    other_manager = factories.user(role="manager", agency=demo.manager.agency)
    case = demo.due
    browsers = _browsers(app, demo.manager, other_manager)
    url = f"/assessments/{case.ref}/hold"
    assert all(Page(browser.get(url)).h1 == "Legal hold" for browser in browsers)
    forms = [{"on": "case", "reason": "Solicitor's letter"}, {"on": "case", "reason": "Police request"}]
    results = _post_at_once(browsers, url, forms)
    statuses = sorted(status for status, _ in results)
    assert statuses == [302, 409], statuses
    loser = next(text for status, text in results if status == 409)
    assert "This case is already on legal hold." in loser
    assert _count(LegalHold, LegalHold.assessment_id == case.id, LegalHold.lifted_at.is_(None)) == 1
    assert sorted(_outcomes("legal_hold_placed", case)) == ["refused", "success"]


def _dob_form(case, child, day, reason):
    return {
        "version": str(case.family.version_id),
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": [day, "2", "2013"],
        "reason": reason,
    }


def test_two_corrections_of_one_date_of_birth_at_once_save_one_and_tell_the_other(app, demo):
    case = demo.marsh[2]
    kai = sorted(case.family.children, key=lambda c: c.date_of_birth)[0]
    url = f"/assessments/{case.ref}/corrections/child/{kai.id}"
    browsers = _browsers(app, demo.lead, demo.manager)
    assert all(browser.get(url).status_code == 200 for browser in browsers)
    before = len(_outcomes("fact_corrected", case))  # the demo corrected Lily's date of birth on this case
    forms = [_dob_form(case, kai, "15", "Birth certificate seen"), _dob_form(case, kai, "16", "Hospital letter")]
    results = _post_at_once(browsers, url, forms)
    statuses = [status for status, _ in results]
    assert sorted(statuses) == [302, 409], statuses
    winner = statuses.index(302)
    text, day = _text_and_day(results[1 - winner][1])
    assert "Someone changed the family's details after you opened this page" in text
    assert day == forms[1 - winner]["date_of_birth"][0]
    db.session.expire_all()
    saved = db.session.get(Child, kai.id).date_of_birth
    assert saved == date(2013, 2, int(forms[winner]["date_of_birth"][0]))
    where = (FactCorrection.record_kind == "child", FactCorrection.record_id == kai.id)
    assert _count(FactCorrection, *where) == 1
    assert _outcomes("fact_corrected", case)[before:].count("success") == 1


def _text_and_day(html):
    """The visible words of a page, and the day typed in its date of birth field."""
    tree = lxml.html.fromstring(html)
    day = tree.cssselect('input[name="date_of_birth"]')
    return " ".join(tree.find("body").text_content().split()), day[0].get("value") if day else None


def _child_section(case, child_id):
    return f"/assessments/{case.ref}/sections/voice-of-child/children/{child_id}"


def _saved(case, child_id):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(SectionAnswer).where(
            SectionAnswer.assessment_id == case.id,
            SectionAnswer.section_key == "voice-of-child",
            SectionAnswer.child_id == child_id,
        )
    )


@pytest.mark.parametrize("saved_before", [False, True], ids=["first-save", "later-save"])
def test_two_saves_of_one_childs_section_from_the_same_page_at_once_one_wins(app, practitioner, saved_before):
    case = case_helpers.case(practitioner)
    child_id = case.children[0].id
    url = _child_section(case, child_id)
    first, second = _browsers(app, practitioner, practitioner)
    if saved_before:
        assert first.post(url, data={"version": "0", "action": "draft", "child-views": "Earlier"}).status_code == 302
    version = str(_saved(case, child_id).version_id) if saved_before else "0"
    assert f'name="version" value="{version}"' in first.get(url).text
    forms = [
        {"version": version, "action": "draft", "child-views": "I miss my friends"},
        {"version": version, "action": "draft", "child-views": "I like trains"},
    ]
    results = _post_at_once([first, second], url, forms)
    statuses = [status for status, _ in results]
    assert sorted(statuses) == [302, 409], statuses
    winner = statuses.index(302)
    loser = results[1 - winner][1]
    assert "Someone else has changed this section" in loser
    assert forms[1 - winner]["child-views"] in loser
    assert _saved(case, child_id).answers == {"child-views": forms[winner]["child-views"]}
    assert _count(SectionAnswer, SectionAnswer.assessment_id == case.id, SectionAnswer.child_id == child_id) == 1


def test_two_managers_holding_one_family_from_two_of_its_cases_at_once_make_one_hold(app, demo):
    """Each request locks its own case; the family's row is locked too, so the second sees the first's hold."""
    first, second = demo.marsh[0], demo.marsh[1]
    other_manager = factories.user(role="manager", agency=demo.manager.agency)
    browsers = _browsers(app, demo.manager, other_manager)
    urls = [f"/assessments/{first.ref}/hold", f"/assessments/{second.ref}/hold"]

    def press(index):
        response = browsers[index].post(urls[index], data={"on": "family", "reason": f"Court order {index}"})
        return response.status_code, response.get_data(as_text=True)

    results = race(2, press)
    assert not any(isinstance(result, Exception) for result in results), results
    assert sorted(status for status, _ in results) == [302, 409], [status for status, _ in results]
    assert "This family is already on legal hold." in next(text for status, text in results if status == 409)
    assert _count(LegalHold, LegalHold.family_id == first.family_id, LegalHold.lifted_at.is_(None)) == 1


def test_two_managers_approving_one_disposal_batch_at_once_approve_it_once(app, demo):
    """The batch row is locked and re-read: the second manager is told it changed (409), never a 500."""
    assert cli(app, "retention", "review").exit_code == 0
    batch = retention.batches()[0]
    other_manager = factories.user(role="manager", agency=demo.manager.agency)
    browsers = _browsers(app, demo.manager, other_manager)
    assert all(f"Batch {batch.id}:" in browser.get("/retention").get_data(as_text=True) for browser in browsers)
    form = {"version": str(batch.version_id), "decision": "approve"}
    results = _post_at_once(browsers, f"/retention/batches/{batch.id}", [form, form])
    assert sorted(status for status, _ in results) == [302, 409], [status for status, _ in results]
    assert _count(DisposalBatch, DisposalBatch.id == batch.id, DisposalBatch.status == "approved") == 1
    assert _outcomes("retention_batch_approved").count("success") == 1


def test_two_managers_opening_a_subject_access_request_for_one_mother_at_once_open_one(app, demo):
    """The person's row is locked while the request is opened: the second manager is told one is already open."""
    donna = next(c for c in demo.marsh[0].family.carers if c.name == "Donna Marsh")
    other_manager = factories.user(role="manager", agency=demo.manager.agency)
    browsers = _browsers(app, demo.manager, other_manager)
    url = f"/subject-access/new?person=carer-{donna.id}"
    assert all(Page(browser.get(url)).h1 == "Open a subject access request" for browser in browsers)
    form = {"person": f"carer-{donna.id}", "received_on": ["20", "11", "2026"]}
    results = _post_at_once(browsers, url, [form, form])
    assert sorted(status for status, _ in results) == [302, 409], [status for status, _ in results]
    loser = next(text for status, text in results if status == 409)
    assert "A subject access request for this person is already open" in loser
    where = (SubjectAccessRequest.person_kind == "carer", SubjectAccessRequest.person_id == donna.id)
    assert _count(SubjectAccessRequest, *where) == 1
    assert _outcomes("sar_opened").count("success") == 1


def _people_form(member):
    return {
        "kind": "network",
        "name": member.name,
        "role": member.relationship_to_family,
        "organisation": "",
        "email": "",
        "phone": "",
        "communication_needs": "",
        "interpreter_language": "",
        "network_member": str(member.id),
    }


def test_two_people_adding_the_grandfather_from_the_network_at_once_add_him_once(app, demo):
    case = demo.marsh[2]
    ray = case.family.network[0]
    browsers = _browsers(app, demo.lead, demo.manager)
    url = f"/assessments/{case.ref}/people/new"
    assert all(browser.get(f"{url}?network_member={ray.id}").status_code == 200 for browser in browsers)
    results = _post_at_once(browsers, url, [_people_form(ray), _people_form(ray)])
    # The loser's page comes back with the error on the name, the form as they filled it in.
    assert sorted(status for status, _ in results) == [200, 302], [status for status, _ in results]
    loser = next(text for status, text in results if status == 200)
    assert "Select someone from the household&#39;s network who is not already on the case" in loser
    live = (CasePerson.assessment_id == case.id, CasePerson.removed_at.is_(None))
    assert _count(CasePerson, *live, CasePerson.network_member_id == ray.id) == 1
    assert _outcomes("case_person_added", case).count("success") == 1


def test_two_people_taking_one_person_off_the_case_at_once_take_them_off_once(app, demo):
    case = demo.marsh[2]
    ray = case.family.network[0]
    browsers = _browsers(app, demo.lead, demo.manager)
    assert browsers[0].post(f"/assessments/{case.ref}/people/new", data=_people_form(ray)).status_code == 302
    person = db.session.scalar(sa.select(CasePerson).where(CasePerson.assessment_id == case.id))
    url = f"/assessments/{case.ref}/people/{person.id}/remove"
    form = {"version": str(person.version_id), "confirm": "yes"}
    results = _post_at_once(browsers, url, [form, form])
    assert sorted(status for status, _ in results) == [302, 409], [status for status, _ in results]
    assert _count(CasePerson, CasePerson.id == person.id, CasePerson.removed_at.is_not(None)) == 1
    assert _outcomes("case_person_removed", case).count("success") == 1
    loser = next(text for status, text in results if status == 409)
    assert "no longer on the case" in loser


def test_two_presses_scheduling_a_family_network_meeting_at_once_schedule_one(app, practitioner):
    from tests.plans import helpers as plan_helpers
    from tests.plans.meeting_people import schedule_data

    case = plan_helpers.assessed_case(practitioner)
    carer = case.family.carers[0]
    first, second = _browsers(app, practitioner, practitioner)
    url = f"/assessments/{case.ref}/meetings/new?kind=family_network"
    assert first.get(url).status_code == 200
    form = schedule_data(family=[f"carer:{carer.id}"], agenda="What the family wants")
    results = _post_at_once([first, second], url, [form, form])
    assert sorted(status for status, _ in results) == [302, 409], [status for status, _ in results]
    loser = next(text for status, text in results if status == 409)
    assert "A family network meeting is already scheduled" in loser
    assert _count(Meeting, Meeting.assessment_id == case.id, Meeting.kind == "family_network") == 1


def test_two_corrections_of_one_network_members_name_at_once_save_one_and_tell_the_other(app, demo):
    from eha.models.families import NetworkMember
    from tests.governance.test_network_corrections import _form, _ray

    case = demo.marsh[2]
    ray = _ray(case)
    url = f"/assessments/{case.ref}/corrections/network/{ray.id}"
    browsers = _browsers(app, demo.lead, demo.manager)
    assert all(browser.get(url).status_code == 200 for browser in browsers)
    forms = [_form(case, ray, name="Raymond Marsh"), _form(case, ray, name="Ray Marsh-Jones")]
    results = _post_at_once(browsers, url, forms)
    statuses = [status for status, _ in results]
    assert sorted(statuses) == [302, 409], statuses
    winner = statuses.index(302)
    loser_page = lxml.html.fromstring(results[1 - winner][1])
    assert loser_page.cssselect('input[name="name"]')[0].get("value") == forms[1 - winner]["name"]
    db.session.expire_all()
    assert db.session.get(NetworkMember, ray.id).name == forms[winner]["name"]
    where = (FactCorrection.record_kind == "network", FactCorrection.record_id == ray.id)
    assert _count(FactCorrection, *where) == 1
