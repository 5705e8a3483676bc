"""The access filter as a union of id sets (issue 14) decides exactly what the old OR of conditions did: the lists
and My cases show each user in the matrix world the cases they may see, and no other."""

from datetime import date, timedelta

from tests import factories


def _listed(client, user, url):
    other = client.application.test_client()
    factories.sign_in(other, user)
    response = other.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_relationship_sees_the_case_in_the_list_as_the_rules_say(client, world):
    ref, other_ref = world.case.ref, world.other_case.ref
    for name in ("starter", "lead", "taf", "grantee", "manager"):
        page = _listed(client, world.users[name], "/assessments")
        assert ref in page, name
    for name in ("taf_withdrawn", "unrelated", "other_agency"):
        assert ref not in _listed(client, world.users[name], "/assessments"), name
    assert other_ref not in _listed(client, world.users["lead"], "/assessments")
    # The search goes through the same sets: the grantee finds the family by name, the unrelated user does not.
    assert ref in _listed(client, world.users["grantee"], "/assessments?q=bennett")
    assert ref not in _listed(client, world.users["unrelated"], "/assessments?q=bennett")


def test_my_cases_holds_the_cases_a_user_works_on_not_those_only_granted(client, world):
    ref = world.case.ref
    assert ref in _listed(client, world.users["taf"], "/")
    assert ref not in _listed(client, world.users["grantee"], "/")  # sees it, but does not work on it
    assert ref not in _listed(client, world.users["taf_withdrawn"], "/")


def test_a_taf_member_whose_agency_was_withdrawn_gets_it_back_in_my_cases_with_a_grant(client, world):
    member = world.users["taf_withdrawn"]
    factories.sign_in(client, world.users["manager"])
    day = date.today() + timedelta(days=14)
    response = client.post(
        f"/assessments/{world.case.ref}/access",
        data={
            "user": str(member.id),
            "reason": "Strategy discussion: the police officer must see the plan",
            "ends_on": [str(day.day), str(day.month), str(day.year)],
        },
    )
    assert response.status_code == 302
    assert world.case.ref in _listed(client, member, "/")
    assert world.case.ref in _listed(client, member, "/assessments")
