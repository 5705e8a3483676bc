"""Choosing a person from many (issue 14): duty to share, invitations, handover and "Who will do it?" are a search
once there are many people, without JavaScript (the page's own Search button keeps the rest of the form), and the
JSON search behind accessible-autocomplete offers only the people that page may choose."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import AccessGrant
from eha.models.meetings import MeetingParticipant
from eha.models.plans import PlanAction
from eha.services.pickers import LIST_MAX, PICK_LIMIT
from tests import factories
from tests.plans import helpers
from tests.plans.test_person_owners import GRAN, _add_person, person


def _radios(page, name):
    return {i.get("value"): " ".join(page.one(f"label[for={i.get('id')}]").text_content().split())
            for i in page.select(f"input[name={name}]")}  # fmt: skip


@pytest.fixture
def crowd(app, health):
    """More health visitors than a picker lists outright: 25 "Smith"s and a few others."""
    smiths = [factories.user(agency=health, name=f"Sam Smith {n:02}") for n in range(PICK_LIMIT + 5)]
    others = [factories.user(agency=health, name=f"Olu Other {n}") for n in range(3)]
    return smiths, others


@pytest.fixture
def case(app, lead, health):
    return helpers.assessed_case(lead, [health])


# --- duty to share ---


def test_duty_to_share_lists_no_one_until_the_manager_searches_and_keeps_what_they_typed(
    client_request, signed_in, manager, case, nurse, admin
):
    police = factories.agency(name="Northshire Police", kind="police")
    mark = factories.user(agency=police, name="Mark Evans")
    factories.user(agency=police, name="Mark Evanson Gone", active=False)
    signed_in(manager)
    url = f"/assessments/{case.ref}/access"
    page = client_request.get(url)
    assert _radios(page, "user") == {}  # never a list of every practitioner
    assert page.one("input[name=user_q]").get("type") == "search"

    ends = date.today() + timedelta(days=14)
    typed = {"reason": "Strategy meeting today", **helpers.date_parts("ends_on", ends)}
    page = client_request.post(url, data={**typed, "user_q": "evans", "find": "user"}, expected_status=200)
    # Only the active practitioner found; what the manager typed is still there; no errors for a search.
    assert _radios(page, "user") == {str(mark.id): "Mark Evans, Northshire Police"}
    assert page.one("textarea[name=reason]").text_content() == "Strategy meeting today"
    assert [i.get("value") for i in page.select("input[name=ends_on]")] == typed["ends_on"]
    assert page.errors() == [] and "1 person matches" in page.text

    # Managers and administrators are not practitioners: nobody found.
    page = client_request.post(url, data={"user_q": admin.name, "find": "user"}, expected_status=200)
    assert _radios(page, "user") == {} and "No practitioner you can choose matches" in page.text

    client_request.post(url, data={**typed, "user_q": "evans", "user": str(mark.id)})
    grant = db.session.scalar(sa.select(AccessGrant))
    assert grant.user_id == mark.id and grant.reason == "Strategy meeting today"


def test_a_search_of_many_shows_at_most_twenty_and_says_there_are_more(client_request, signed_in, manager, case, crowd):
    signed_in(manager)
    page = client_request.post(
        f"/assessments/{case.ref}/access", data={"user_q": "SMITH", "find": "user"}, expected_status=200
    )
    assert len(_radios(page, "user")) == PICK_LIMIT
    assert f"More than {PICK_LIMIT} people match" in page.text


# --- handover ---


def test_handover_is_a_search_once_the_agreed_agencies_have_many_practitioners(
    client_request, signed_in, lead, nurse, case, crowd
):
    outsider = factories.user(agency=factories.agency(name="Northshire Police", kind="police"), name="Nia Police")
    signed_in(lead)
    url = f"/assessments/{case.ref}/lead"
    page = client_request.get(url)
    assert _radios(page, "new_lead") == {}
    version = page.one("input[name=version]").get("value")
    typed = {"version": version, "keep_old": "no", "reason": "Nia knows the family best.",
             **helpers.date_parts("handed_over_on", date.today())}  # fmt: skip
    page = client_request.post(url, data={**typed, "new_lead_q": "nia", "find": "new_lead"}, expected_status=200)
    # The nurse is found; the police officer's agency is not within the family's agreement.
    assert _radios(page, "new_lead") == {str(nurse.id): "Nia Nurse, Northshire Health Visiting"}
    assert str(outsider.id) not in page.text
    assert page.one("input[name=keep_old][value=no]").get("checked") is not None

    client_request.post(url, data={**typed, "new_lead": str(nurse.id)})
    assert helpers.reload(case).lead_id == nurse.id


def test_a_handover_to_someone_the_search_would_not_offer_is_refused(client_request, signed_in, lead, case, crowd):
    outsider = factories.user(agency=factories.agency(name="Northshire Police", kind="police"), name="Nia Police")
    signed_in(lead)
    url = f"/assessments/{case.ref}/lead"
    version = client_request.get(url).one("input[name=version]").get("value")
    page = client_request.post(
        url,
        data={
            "version": version,
            "keep_old": "yes",
            "reason": "Because",
            "new_lead": str(outsider.id),
            **helpers.date_parts("handed_over_on", date.today()),
        },  # fmt: skip
        expected_status=200,
    )
    assert page.errors() == ["Select the new lead professional"]
    assert helpers.reload(case).lead_id == lead.id


# --- invitations ---


def test_invitations_search_the_agreed_agencies_and_keep_those_already_chosen(
    client_request, signed_in, lead, nurse, case, crowd
):
    smiths, others = crowd
    signed_in(lead)
    url = f"/assessments/{case.ref}/meetings/new"
    page = client_request.get(url)
    assert _radios(page, "professionals") == {}
    when = date.today() + timedelta(days=7)
    typed = {**helpers.date_parts("date", when), "time": "10:00", "place": "The school", "agenda": "Plan"}
    page = client_request.post(url, data={**typed, "professionals_q": "nurse", "find": "professionals"},
                               expected_status=200)  # fmt: skip
    assert list(_radios(page, "professionals")) == [f"user:{nurse.id}"]
    # Chose the nurse, then searched again: she stays, checked, beside those found.
    page = client_request.post(
        url,
        data={**typed, "professionals": f"user:{nurse.id}", "professionals_q": "olu", "find": "professionals"},
        expected_status=200,
    )
    choices = _radios(page, "professionals")
    assert list(choices) == [f"user:{nurse.id}"] + [f"user:{u.id}" for u in others]
    assert page.one(f"input[name=professionals][value='user:{nurse.id}']").get("checked") is not None
    assert page.one("input[name=place]").get("value") == "The school"

    client_request.post(url, data={**typed, "professionals": [f"user:{nurse.id}", f"user:{others[0].id}"]})
    invited = set(
        db.session.scalars(sa.select(MeetingParticipant.user_id).where(MeetingParticipant.user_id.is_not(None)))
    )
    assert {nurse.id, others[0].id} <= invited


# --- who will do it ---


@pytest.fixture
def big_team_case(app, client_request, signed_in, lead, nurse, health):
    """A case at its TAF meeting with more people than "Who will do it?" lists outright: the lead, the nurse and
    more health visitors in the TAF, the family, the grandmother and the GP on the case."""
    case = helpers.assessed_case(lead, agencies=[health], state="taf_scheduled")
    helpers.member(case, nurse)
    for n in range(LIST_MAX):
        helpers.member(case, factories.user(agency=health, name=f"Tess Team {n:02}"))
    signed_in(lead)
    _add_person(client_request, case, kind="network", name=GRAN, role="Maternal grandmother")
    _add_person(client_request, case, kind="professional", name="Dr Patel", role="GP", organisation="Riverside Surgery")
    return helpers.reload(case)


def _search_and_add(client_request, case, text, label, what):
    url = f"/assessments/{case.ref}/plan/actions/new"
    due = date.today() + timedelta(days=21)
    typed = {"need": helpers.NEEDS[0], "what": what, **helpers.date_parts("due_on", due), "success": "It is done"}
    page = client_request.post(url, data={**typed, "owner_q": text, "find": "owner"}, expected_status=200)
    found = {lab: value for value, lab in _radios(page, "owner").items()}
    assert label in found, (text, found)
    assert page.one("textarea[name=what]").text_content() == what
    client_request.post(url, data={**typed, "owner": found[label]})
    client_request.get(f"/assessments/{case.ref}/plan")


def test_who_will_do_it_finds_the_lead_every_member_the_family_and_the_people_on_the_case(
    client_request, lead, nurse, big_team_case
):
    case = big_team_case
    page = client_request.get(f"/assessments/{case.ref}/plan/actions/new")
    assert _radios(page, "owner") == {}  # too many to list: a search
    wanted = [
        ("lena", "Lena Lead (Northtown Primary School)"),
        ("nurse", "Nia Nurse (Northshire Health Visiting)"),
        ("team 07", "Tess Team 07 (Northshire Health Visiting)"),
        ("agnieszka", "Family: Agnieszka Nowak"),
        ("zofia", "Family: Zofia Nowak"),  # the child
        ("maria", "Maria Nowak (maternal grandmother)"),
        ("patel", "Dr Patel (GP, Riverside Surgery)"),
    ]
    for n, (text, label) in enumerate(wanted):
        _search_and_add(client_request, case, text, label, f"Action {n}")
    db.session.expire_all()
    actions = db.session.scalars(sa.select(PlanAction).order_by(PlanAction.position)).all()
    assert [a.what for a in actions] == [f"Action {n}" for n in range(len(wanted))]
    assert actions[0].owner_user_id == lead.id and actions[1].owner_user_id == nurse.id
    assert actions[3].owner_carer_id is not None and actions[4].owner_child_id is not None
    assert actions[5].owner_person_id == person(case, GRAN).id


# --- the JSON search ---


def _json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.data[:200]
    return response.get_json() if status == 200 else None


def test_the_json_search_offers_only_who_that_page_may_choose(
    client, signed_in, lead, nurse, manager, admin, case, crowd
):
    smiths, _others = crowd
    police = factories.agency(name="Northshire Police", kind="police")
    outsider = factories.user(agency=police, name="Sam Smith Police")
    base = f"/assessments/{case.ref}/people-search"

    signed_in(manager)
    grant = _json(client, f"{base}/grant?q=smith")
    assert len(grant["results"]) == PICK_LIMIT and grant["more"] is True
    assert grant["results"][0] == {"value": str(smiths[0].id), "label": "Sam Smith 00, Northshire Health Visiting"}
    assert _json(client, f"{base}/grant?q={admin.name}")["results"] == []
    assert _json(client, f"{base}/grant?q=")["results"] == []

    signed_in(lead)
    _json(client, f"{base}/grant?q=smith", status=403)  # only a manager gives access
    lead_found = _json(client, f"{base}/lead?q=smith police")
    assert lead_found == {"results": [], "more": False}  # police are not within the family's agreement
    assert str(outsider.id) not in str(_json(client, f"{base}/lead?q=smith"))
    invite = _json(client, f"{base}/invite?q=nurse")
    assert invite["results"] == [{"value": f"user:{nurse.id}", "label": "Nia Nurse, Northshire Health Visiting"}]

    signed_in(nurse)  # not the lead, and not on the case at all
    _json(client, f"{base}/lead?q=smith", status=404)
    _json(client, f"{base}/owner?q=a", status=404)


def test_the_json_search_answers_a_nul_or_a_very_long_search_without_an_error(client, signed_in, manager, case):
    signed_in(manager)
    base = f"/assessments/{case.ref}/people-search/grant"
    assert _json(client, f"{base}?q=" + "x" * 5000)["results"] == []
    assert client.get(f"{base}?q=a%00b").status_code == 400
