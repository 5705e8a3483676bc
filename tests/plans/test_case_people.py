"""People on a case without an eha account (``/assessments/<ref>/people``): the list, adding (typed in or from the
household's network), changing (a stale edit is a 409 with the user's input kept), taking someone off the case
(never deleting them), who may do it, and bad input."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import CasePerson
from eha.models.audit import AuditEvent
from eha.models.families import NetworkMember
from tests import factories
from tests.plans import helpers

GRAN = {
    "kind": "network",
    "name": "Maria Nowak",
    "role": "Maternal grandmother",
    "organisation": "",
    "email": "maria.nowak@example.com",
    "phone": "07700 900456",
    "communication_needs": "Hard of hearing: face her when speaking.",
    "interpreter_language": "Polish",
}
GP = {
    "kind": "professional",
    "name": "Dr Patel",
    "role": "GP",
    "organisation": "Riverside Surgery",
    "email": "",
    "phone": "0161 496 0000",
    "communication_needs": "",
    "interpreter_language": "",
}


@pytest.fixture
def case(app, lead, health):
    return helpers.assessed_case(lead, agencies=(health,))


def url(case, tail=""):
    return f"/assessments/{case.ref}/people{tail}"


def add(client_request, case, fields, expected_status=302, **extra):
    """Open the add page and send it filled in with ``fields``."""
    page = client_request.get(url(case, "/new"))
    data = {"version": "", "network_member": page.one("input[name=network_member]").get("value") or "", **fields}
    data.update(extra)
    return client_request.post(url(case, "/new"), data=data, expected_status=expected_status)


def person_named(case, name):
    db.session.expire_all()
    return db.session.scalar(sa.select(CasePerson).where(CasePerson.assessment_id == case.id, CasePerson.name == name))


def rows(page, table="current-people"):
    return [" ".join(tr.text_content().split()) for tr in page.select(f"#{table} tbody tr")]


def events(case, action):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.assessment_id == case.id, AuditEvent.action == action)
        .order_by(AuditEvent.seq)
    ).all()


def test_the_lead_adds_a_grandmother_and_a_gp_and_everyone_on_the_case_sees_them(
    client, client_request, signed_in, lead, nurse, case
):
    signed_in(lead)
    page = client_request.get(url(case))
    assert "There is no one on the case without an eha account" in page.text
    add(client_request, case, GRAN)
    add(client_request, case, GP)

    page = client_request.get(url(case))
    [gran, gp] = rows(page)
    for words in ("Maria Nowak", "Family network", "Maternal grandmother", "maria.nowak@example.com", "07700 900456"):
        assert words in gran
    assert "Hard of hearing: face her when speaking." in gran and "Interpreter: Polish" in gran
    for words in ("Dr Patel", "Professional without an eha account", "GP", "Riverside Surgery", "None recorded"):
        assert words in gp
    assert "Change" in gran and "Remove" in gran

    # The audit trail holds ids and codes, never the name or contact details.
    [added, _gp_added] = events(case, "case_person_added")
    gran_row = person_named(case, "Maria Nowak")
    assert added.detail["person"] == gran_row.id and added.detail["kind"] == "network"
    assert "Maria" not in str(added.detail) and "example.com" not in str(added.detail)

    # A TAF member sees the list, without the buttons to change it, and may not change it.
    helpers.member(case, nurse)
    signed_in(nurse)
    page = client_request.get(url(case))
    assert len(rows(page)) == 2 and "Add someone" not in page.text and not page.select("#current-people form")
    client_request.get(url(case, "/new"), expected_status=403)
    client_request.get(url(case, f"/{gran_row.id}/edit"), expected_status=403)


def test_the_case_page_links_to_the_people_page(client_request, signed_in, lead, case):
    signed_in(lead)
    page = client_request.get(f"/assessments/{case.ref}")
    [link] = [a for a in page.select("a") if a.get("href") == url(case)]
    assert "without an eha account" in link.text_content()


def test_adding_from_the_household_s_network_fills_in_the_form(client_request, signed_in, lead, case):
    db.session.add(
        NetworkMember(
            family_id=case.family_id, name="Maria Nowak", relationship_to_family="Grandmother", contact="07700 900456"
        )
    )
    db.session.add(NetworkMember(family_id=case.family_id, name="Ewa Friend", relationship_to_family="Family friend"))
    db.session.commit()
    signed_in(lead)
    page = client_request.get(url(case, "/new"))
    links = {a.text_content(): a.get("href") for a in page.select("#network-members a")}
    assert set(links) == {"Maria Nowak (Grandmother)", "Ewa Friend (Family friend)"}

    page = client_request.get(links["Maria Nowak (Grandmother)"])
    assert page.one("input[name=name]").get("value") == "Maria Nowak"
    assert page.one("input[name=role]").get("value") == "Grandmother"
    assert page.one("input[name=phone]").get("value") == "07700 900456"
    assert page.one("input[name=kind][value=network]").get("checked") is not None
    member_id = page.one("input[name=network_member]").get("value")
    data = {**GRAN, "name": "Maria Nowak", "role": "Grandmother", "network_member": member_id}
    client_request.post(url(case, "/new"), data=data)
    assert person_named(case, "Maria Nowak").network_member_id == int(member_id)

    # She is on the case now: the add page offers only the family friend.
    page = client_request.get(url(case, "/new"))
    assert page.words("#network-members a") == ["Ewa Friend (Family friend)"]


def test_a_network_member_of_another_family_cannot_be_added(client_request, signed_in, lead, case):
    other = helpers.other_case(lead)
    stranger = NetworkMember(family_id=other.family_id, name="Stranger", relationship_to_family="Neighbour")
    db.session.add(stranger)
    db.session.commit()
    signed_in(lead)
    assert client_request.get(url(case, f"/new?network_member={stranger.id}")).one("input[name=name]").get("value") in (
        None,
        "",
    )
    page = add(client_request, case, {**GRAN, "name": "Stranger"}, expected_status=200, network_member=str(stranger.id))
    assert page.errors() == ["Select someone from the household's network who is not already on the case"]
    assert page.one("input[name=name]").get("value") == "Stranger"
    page = add(client_request, case, GRAN, expected_status=200, network_member="not-an-id")
    assert page.errors() == ["Select someone from the household's network who is not already on the case"]
    assert person_named(case, "Stranger") is None and person_named(case, "Maria Nowak") is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter their full name"),
        ({"role": "  "}, "Enter their role or relationship to the family"),
        ({"kind": ""}, "Select whether they are in the family's network or a professional"),
        ({"kind": "social_worker"}, "Select an option from the list"),
        ({"name": "M" * 201}, "Full name must be 200 characters or fewer"),
        ({"role": "r" * 201}, "Role or relationship to the family must be 200 characters or fewer"),
        ({"organisation": "o" * 201}, "Organisation must be 200 characters or fewer"),
        ({"phone": "0" * 51}, "Phone number must be 50 characters or fewer"),
        ({"email": "maria@" + "e" * 320 + ".com"}, "Email address must be 320 characters or fewer"),
        ({"email": "maria at example.com"}, "Enter an email address in the correct format, like name@example.com"),
        ({"email": "maria@example"}, "Enter an email address in the correct format, like name@example.com"),
        ({"communication_needs": "n" * 2001}, "Communication needs must be 2000 characters or fewer"),
        ({"interpreter_language": "p" * 101}, "Interpreter needed must be 100 characters or fewer"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_the_input_kept(
    client_request, signed_in, lead, case, changes, message
):
    signed_in(lead)
    page = add(client_request, case, {**GRAN, **changes}, expected_status=200)
    assert page.errors() == [message]
    assert page.title.startswith("Error: ")
    sent = {**GRAN, **changes}
    assert (page.one("input[name=name]").get("value") or "") == sent["name"].strip()
    assert (page.one("input[name=email]").get("value") or "") == sent["email"]
    assert helpers.count(CasePerson) == 0


def test_a_nul_byte_is_dropped_and_not_a_500(client_request, signed_in, lead, case):
    signed_in(lead)
    add(client_request, case, {**GRAN, "name": "Maria\x00 Nowak", "communication_needs": "\x00"})
    person = person_named(case, "Maria Nowak")
    assert person is not None and person.communication_needs is None


def test_a_post_without_the_csrf_token_is_refused(csrf_app, lead):
    case = helpers.assessed_case(lead)
    client = csrf_app.test_client()
    factories.sign_in(client, lead)
    response = client.post(url(case, "/new"), data=GRAN)
    assert response.status_code == 400 and "The form you sent had expired" in response.get_data(as_text=True)
    assert helpers.count(CasePerson) == 0


def _open_edit(client_request, case, person):
    page = client_request.get(url(case, f"/{person.id}/edit"))
    return page, page.one("input[name=version]").get("value")


def test_the_lead_changes_someone_s_details(client_request, signed_in, lead, case):
    signed_in(lead)
    add(client_request, case, GP)
    gp = person_named(case, "Dr Patel")
    page, version = _open_edit(client_request, case, gp)
    assert page.h1 == "Change Dr Patel's details"
    assert page.one("input[name=organisation]").get("value") == "Riverside Surgery"
    client_request.post(url(case, f"/{gp.id}/edit"), data={**GP, "email": "dr.patel@nhs.example", "version": version})
    assert person_named(case, "Dr Patel").email == "dr.patel@nhs.example"
    assert "dr.patel@nhs.example" in client_request.get(url(case)).text
    [changed] = events(case, "case_person_changed")
    assert changed.detail["person"] == gp.id and changed.detail["fields"] == ["email"]


def test_a_stale_edit_is_a_conflict_with_the_input_kept(client_request, signed_in, lead, manager, case):
    signed_in(lead)
    add(client_request, case, GP)
    gp = person_named(case, "Dr Patel")
    _page, version = _open_edit(client_request, case, gp)
    # Meanwhile a manager changes the phone number.
    signed_in(manager)
    _other_page, same = _open_edit(client_request, case, gp)
    client_request.post(url(case, f"/{gp.id}/edit"), data={**GP, "phone": "0161 496 0999", "version": same})

    signed_in(lead)
    page = client_request.post(
        url(case, f"/{gp.id}/edit"), data={**GP, "role": "Family GP", "version": version}, expected_status=409
    )
    assert page.h1 == "Someone else has changed Dr Patel's details"
    assert "0161 496 0999" in page.text  # theirs, as saved now
    assert page.one("input[name=role]").get("value") == "Family GP"  # the user's input, kept
    saved = person_named(case, "Dr Patel")
    assert saved.role == "GP" and saved.phone == "0161 496 0999"
    # Sending it again from the conflict page (which carries the version now saved) works.
    client_request.post(
        url(case, f"/{gp.id}/edit"),
        data={**GP, "role": "Family GP", "phone": "0161 496 0999", "version": helpers.version_on(page.response)},
    )
    assert person_named(case, "Dr Patel").role == "Family GP"
    # A form without its version is stale too.
    client_request.post(url(case, f"/{gp.id}/edit"), data={**GP}, expected_status=409)


def test_someone_without_open_actions_is_taken_off_the_case_and_kept(client_request, signed_in, lead, case):
    signed_in(lead)
    add(client_request, case, GP)
    gp = person_named(case, "Dr Patel")
    page = client_request.get(url(case))
    [form] = page.select("#current-people form")
    assert form.get("action") == url(case, f"/{gp.id}/remove")
    version = form.xpath(".//input[@name='version']")[0].get("value")
    client_request.post(url(case, f"/{gp.id}/remove"), data={"version": version})

    page = client_request.get(url(case))
    assert "There is no one on the case without an eha account" in page.text
    assert "No longer on the case" in page.text
    [row] = rows(page, "removed-people")
    assert "Dr Patel" in row and "Since" in row
    assert person_named(case, "Dr Patel").removed_at is not None  # the row stays
    [removed] = events(case, "case_person_removed")
    assert removed.detail == {
        "person": gp.id,
        "open_actions": [],
        "text": "Took someone without an eha account off the case",
    }
    # Someone no longer on the case cannot be changed or removed again.
    client_request.get(url(case, f"/{gp.id}/edit"), expected_status=409)
    client_request.post(url(case, f"/{gp.id}/remove"), data={"version": version}, expected_status=409)


def test_someone_who_owns_open_actions_is_removed_only_after_confirming(client_request, signed_in, lead, case):
    signed_in(lead)
    add(client_request, case, GRAN)
    gran = person_named(case, "Maria Nowak")
    client_request.get(url(case))
    due = date.today() + timedelta(days=14)
    client_request.post(
        f"/assessments/{case.ref}/plan/actions/new",
        data={
            "need": helpers.NEEDS[0],
            "what": "Take Zofia to school on Mondays",
            "owner": f"person:{gran.id}",
            **helpers.date_parts("due_on", due),
            "success": "Zofia is at school every Monday",
        },
    )
    version = client_request.get(url(case)).one("#current-people form input[name=version]").get("value")
    page = client_request.post(url(case, f"/{gran.id}/remove"), data={"version": version}, expected_status=200)
    assert page.h1 == "Take Maria Nowak off the case"
    assert page.words("#open-actions li") == [f"Take Zofia to school on Mondays (by {due.day} {due:%B} {due.year})"]
    assert person_named(case, "Maria Nowak").removed_at is None
    assert events(case, "case_person_removed") == []  # asking to confirm is not a failure

    [form] = [f for f in page.select("form") if f.get("action") == url(case, f"/{gran.id}/remove")]
    data = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    client_request.post(url(case, f"/{gran.id}/remove"), data=data)
    assert person_named(case, "Maria Nowak").removed_at is not None
    # Her action stays in the plan, with her as its owner.
    plan = client_request.get(f"/assessments/{case.ref}/plan")
    assert "Maria Nowak (maternal grandmother)" in plan.text
    [removed] = events(case, "case_person_removed")
    assert len(removed.detail["open_actions"]) == 1


def test_a_stale_removal_is_a_conflict(client_request, signed_in, lead, case):
    signed_in(lead)
    add(client_request, case, GP)
    gp = person_named(case, "Dr Patel")
    _page, version = _open_edit(client_request, case, gp)
    client_request.post(url(case, f"/{gp.id}/edit"), data={**GP, "phone": "0161 496 0001", "version": version})
    client_request.post(url(case, f"/{gp.id}/remove"), data={"version": version}, expected_status=409)
    assert person_named(case, "Dr Patel").removed_at is None


def test_a_person_of_another_case_is_not_found(client_request, signed_in, lead, case):
    other = helpers.other_case(lead)
    stranger = CasePerson(assessment_id=other.id, kind="network", name="Stranger", role="Aunt")
    db.session.add(stranger)
    db.session.commit()
    signed_in(lead)
    client_request.get(url(case, f"/{stranger.id}/edit"), expected_status=404)
    client_request.post(url(case, f"/{stranger.id}/remove"), data={"version": "1"}, expected_status=404)
    client_request.get(url(case, "/999999/edit"), expected_status=404)


def test_people_cannot_change_once_the_case_is_closed(client_request, signed_in, lead):
    case = helpers.assessed_case(lead, state="closed")
    signed_in(lead)
    client_request.get(url(case))
    page = client_request.get(url(case, "/new"), expected_status=409)
    assert "This case is closed" in page.text
