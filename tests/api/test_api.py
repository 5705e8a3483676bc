"""The JSON API as another system uses it: tokens from the account page, my cases, a case's summary, updating
an action I own, the access policy of the pages (404 for a case I may not see), audit events for every call."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from tests.api.helpers import bearer, token_for
from tests.security.helpers import seed_world


def _events(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()


def test_a_token_lists_its_users_cases_and_shows_a_summary(app, client):
    world = seed_world()
    token = token_for(app, world.users["taf"])
    listing = client.get("/api/v1/cases", headers=bearer(token))
    assert listing.status_code == 200
    refs = [item["ref"] for item in listing.json["items"]]
    assert refs == [world.case.ref]
    assert listing.json["next_cursor"] is None
    summary = client.get(f"/api/v1/cases/{world.case.ref}", headers=bearer(token)).json
    assert summary["state"] == "plan_active"
    assert {member["name"] for member in summary["team"]} >= {"Lee Lead", "Tara Taf"}
    (action,) = summary["actions"]
    assert action["key"] == world.action_key and action["yours"] is True and action["agreed"] is True


def test_a_case_the_user_may_not_see_is_not_found_and_recorded(app, client):
    world = seed_world()
    token = token_for(app, world.users["taf"])
    response = client.get(f"/api/v1/cases/{world.other_case.ref}", headers=bearer(token))
    assert response.status_code == 404
    assert response.json["code"] == 404
    refused = _events("case_refused")[-1]
    assert refused.case_ref == world.other_case.ref and refused.user_id == world.users["taf"].id


def test_the_owner_updates_progress_and_a_stale_version_gets_409(app, client):
    world = seed_world()
    token = token_for(app, world.users["taf"])
    url = f"/api/v1/cases/{world.case.ref}/actions/{world.action_key}/progress"
    version = client.get(f"/api/v1/cases/{world.case.ref}", headers=bearer(token)).json["actions"][0]["version"]
    done = client.post(
        url, json={"version": version, "progress": "on_track", "comment": "Going well"}, headers=bearer(token)
    )
    assert done.status_code == 200, done.json
    assert done.json["progress"] == "on_track" and done.json["version"] > version
    stale = client.post(url, json={"version": version, "progress": "done"}, headers=bearer(token))
    assert stale.status_code == 409
    summary = client.get(f"/api/v1/cases/{world.case.ref}", headers=bearer(token)).json
    assert summary["actions"][0]["progress"] == "on_track"
    assert _events("action_updated")[-1].detail["progress"] == "on_track"


def test_only_the_actions_owner_updates_it_through_the_api(app, client):
    world = seed_world()
    token = token_for(app, world.users["lead"])
    url = f"/api/v1/cases/{world.case.ref}/actions/{world.action_key}/progress"
    response = client.post(url, json={"version": 1, "progress": "done"}, headers=bearer(token))
    assert response.status_code == 403
    assert "only the actions you own" in response.json["message"]


def test_a_read_only_token_cannot_update(app, client):
    world = seed_world()
    token = token_for(app, world.users["taf"], scopes=("read",))
    url = f"/api/v1/cases/{world.case.ref}/actions/{world.action_key}/progress"
    response = client.post(url, json={"version": 1, "progress": "done"}, headers=bearer(token))
    assert response.status_code == 403
    assert "actions:update" in response.json["message"]


def test_bad_input_is_refused_with_the_reason_and_never_a_500(app, client):
    world = seed_world()
    token = token_for(app, world.users["taf"])
    url = f"/api/v1/cases/{world.case.ref}/actions/{world.action_key}/progress"
    for body in (
        {"version": 1, "progress": "finished"},
        {"version": "1", "progress": "done"},
        {"version": 1, "progress": "done", "comment": "x" * 50_000},
        {"version": 1, "progress": "done", "state": "closed"},
        ["not", "an", "object"],
    ):
        response = client.post(url, json=body, headers=bearer(token))
        assert response.status_code == 422, (body, response.status_code)
        assert response.json["errors"]
    assert client.get("/api/v1/cases?cursor=forged", headers=bearer(token)).status_code == 400
    assert client.get("/api/v1/cases?limit=100000", headers=bearer(token)).status_code == 422
    assert client.get("/api/v1/cases?cursor=%00", headers=bearer(token)).status_code == 400


def test_no_token_a_wrong_one_or_a_session_cookie_gets_401(app, client, signed_in):
    world = seed_world()
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get("/api/v1/cases", headers=bearer("eha_pat_made-up")).status_code == 401
    signed_in(world.users["taf"])  # a page's session is not an API credential
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert len(_events("api_refused")) == 3


def test_a_revoked_or_expired_token_stops_working(app, client):
    world = seed_world()
    user = world.users["taf"]
    token = token_for(app, user)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    page = app.test_client()
    from tests import factories

    factories.sign_in(page, user)
    listing = page.get("/account/tokens").get_data(as_text=True)
    assert token[:12] in listing and token not in listing  # shown once, then only its first characters
    from eha.models.api import ApiToken

    token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == user.id))
    assert page.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert _events("api_token_revoked")[-1].detail == {"token": token_id}


def test_someone_elses_token_cannot_be_revoked(app, client):
    world = seed_world()
    token_for(app, world.users["taf"])
    from eha.models.api import ApiToken
    from tests import factories

    token_id = db.session.scalar(sa.select(ApiToken.id))
    other = app.test_client()
    factories.sign_in(other, world.users["lead"])
    assert other.post(f"/account/tokens/{token_id}/revoke").status_code == 404


def test_every_call_is_an_audit_event_with_ids_only(app, client):
    world = seed_world()
    token = token_for(app, world.users["taf"])
    client.get("/api/v1/cases", headers=bearer(token))
    client.get(f"/api/v1/cases/{world.case.ref}", headers=bearer(token))
    calls = _events("api_request")
    assert [(e.detail["endpoint"], e.detail["status"]) for e in calls] == [
        ("api.my_cases", 200),
        ("api.case_summary", 200),
    ]
    assert calls[1].case_ref == world.case.ref
    assert set(calls[1].detail) == {"method", "endpoint", "status", "token"}
    assert "Bennett" not in str([e.detail for e in calls])


def test_my_cases_pages_by_cursor(app, client):
    world = seed_world()
    token = token_for(app, world.users["manager"])
    # A manager's "my cases" are the ones they started or lead: give them three.
    from tests.security.helpers import _case

    for n in range(3):
        _case(f"EHA-90010{n}", world.users["manager"], world.users["manager"], [], f"Family{n}")
    db.session.commit()
    first = client.get("/api/v1/cases?limit=2", headers=bearer(token)).json
    second = client.get(f"/api/v1/cases?limit=2&cursor={first['next_cursor']}", headers=bearer(token)).json
    assert [i["ref"] for i in first["items"]] == ["EHA-900100", "EHA-900101"]
    assert [i["ref"] for i in second["items"]] == ["EHA-900102"]
    assert second["next_cursor"] is None


def test_the_token_form_keeps_input_and_says_what_is_wrong(app, client, signed_in):
    world = seed_world()
    signed_in(world.users["taf"])
    response = client.post("/account/tokens", data={"name": "x" * 500, "scopes": ["root"], "days": "9999"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Name must be 100 characters or fewer" in page
    assert "Select options from the list" in page
    assert "eha_pat_" not in page
