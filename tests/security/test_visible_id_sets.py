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


def _case_page_status(client, user, ref):
    other = client.application.test_client()
    factories.sign_in(other, user)
    return other.get(f"/assessments/{ref}").status_code


def test_the_case_page_lets_in_exactly_those_the_list_shows_the_case_to(client, world):
    """The case page asks its one case whether the user may see it (``access.sees_case``), the lists gather the
    user's id sets: the two answer alike for every relationship, an ended grant, a revoked one and a removed TAF
    member included."""
    from datetime import datetime

    from eha.extensions import db
    from eha.models.assessments import AccessGrant, TafMember

    ended, revoked, removed = (
        factories.user(agency=world.users[name].agency, name=label)
        for name, label in (("grantee", "Ed Ended"), ("grantee", "Rae Revoked"), ("taf", "Rob Removed"))
    )
    for grantee, ends_on, revoked_at in (
        (ended, date.today() - timedelta(days=1), None),
        (revoked, date.today() + timedelta(days=10), datetime.now()),
    ):
        db.session.add(
            AccessGrant(
                assessment_id=world.case.id, user_id=grantee.id, granted_by_id=world.users["manager"].id,
                reason="Strategy discussion", ends_on=ends_on, revoked_at=revoked_at,
            )
        )  # fmt: skip
    db.session.add(
        TafMember(
            assessment_id=world.case.id, user_id=removed.id, added_by_id=world.users["lead"].id,
            removed_at=datetime.now(), removed_reason="Left the team", removed_by_id=world.users["lead"].id,
        )
    )  # fmt: skip
    db.session.commit()
    users = {**world.users, "ended": ended, "revoked": revoked, "removed": removed}
    sees = {name: _case_page_status(client, user, world.case.ref) for name, user in users.items()}
    assert sees == {
        "starter": 200, "lead": 200, "taf": 200, "grantee": 200, "manager": 200,
        "taf_withdrawn": 404, "unrelated": 404, "other_agency": 404, "admin": 404,
        "ended": 404, "revoked": 404, "removed": 404,
    }  # fmt: skip
    for name, user in users.items():
        if name != "admin":
            listed = world.case.ref in _listed(client, user, "/assessments")
            assert listed == (sees[name] == 200), name
    assert _case_page_status(client, world.users["lead"], world.other_case.ref) == 404
