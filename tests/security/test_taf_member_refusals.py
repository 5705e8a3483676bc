"""A TAF member asking for a step only the lead professional or a manager may take is told who may (403), even
when the case is in a state where nobody could take it now (409 is for those who may, issue 12 item 7).

Every case route the authorization matrix refuses to a TAF member, in the seeded world's state (an agreed plan,
no review scheduled, no closure waiting) and again after a manager has stepped the case up (closed).
"""

from datetime import date

import pytest

from eha.extensions import db
from eha.models.assessments import Assessment
from tests import factories
from tests.security.test_authorization_matrix import KINDS, _routes, fill_url, kind_for


def _refused_to_taf(app):
    """(rule, method) of every case route a TAF member may not use, with the need the route declares."""
    found = []
    for rule, method in _routes(app):
        if "ref" not in rule.arguments or "taf" in KINDS[kind_for(rule.endpoint, method)]:
            continue
        if rule.endpoint.startswith("api."):  # bearer tokens, not pages: tests/security/test_api_authorization_matrix
            continue
        need = app.view_functions[rule.endpoint].eha_need
        found.append((rule, method, need.get(method, need.get("GET")) if isinstance(need, dict) else need))
    return found


def _step_up(app, world):
    """The manager steps the case up through its page: the case is closed."""
    client = app.test_client()
    factories.sign_in(client, world.users["manager"])
    today = date.today()
    response = client.post(
        f"/assessments/{world.case.ref}/step-up",
        data={
            "on": [str(today.day), str(today.month), str(today.year)],
            "team": "Children's Front Door (MASH)",
            "reason": "Disclosure at school",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Assessment, world.case.id).state == "closed"


def _ask(app, world, relationship, rule, method):
    client = app.test_client()
    factories.sign_in(client, world.users[relationship])
    return client.open(fill_url(rule, world), method=method, data={})


@pytest.mark.parametrize("closed", [False, True], ids=["plan-active", "closed"])
def test_a_taf_member_is_told_who_may_take_each_lead_or_manager_step_in_any_state(app, world, closed):
    if closed:
        _step_up(app, world)
    routes = _refused_to_taf(app)
    assert len(routes) >= 25  # the plan, meetings, team, agreement, lead, closure, history and household steps
    problems = []
    for rule, method, need in routes:
        response = _ask(app, world, "taf", rule, method)
        page = " ".join(response.get_data(as_text=True).split())
        if response.status_code != 403 or str(need.refusal) not in page:
            problems.append(f"{method} {rule.rule} ({rule.endpoint}): {response.status_code}")
        db.session.expire_all()
    assert not problems, "\n".join(problems)


def test_on_a_closed_case_the_lead_is_told_the_step_cannot_be_taken_now(app, world):
    """The same steps answer the lead with 409 and why: the TAF member's 403 above is not the state speaking."""
    _step_up(app, world)
    checked = 0
    for rule, method, need in _refused_to_taf(app):
        if need.states is None or need.name != "manage" or method != "GET":
            continue
        response = _ask(app, world, "lead", rule, method)
        assert response.status_code == 409, f"{rule.endpoint}: {response.status_code}"
        assert str(need.state_message) in " ".join(response.get_data(as_text=True).split())
        checked += 1
        db.session.expire_all()
    assert checked >= 5
