"""The authorization matrix: every route and method in ``app.url_map`` x every relationship to a case.

Each endpoint has a kind in ``EXPECTATIONS``; a new route missing from the table fails the test, so no route
can be added without deciding who may use it. Denied requests must answer 404 for a case the user may not
see (its existence is not disclosed), 403 where the user may see the case but not do this, and a redirect to
sign-in for anonymous visitors.
"""

import os

import pytest
from werkzeug.routing import BuildError

from eha.extensions import db
from tests import factories

# Single sign-on's two public addresses answer only for a configured provider, which needs a running OpenID
# provider: tests/sso/test_single_sign_on.py checks them (signed out, signed in, unknown provider, forged state).
SKIP = {"static", "assets", "sso.start", "sso.callback"}
RELATIONSHIPS = (
    "anonymous",
    "starter",
    "lead",
    "taf",
    "taf_withdrawn",
    "grantee",
    "unrelated",
    "other_agency",
    "manager",
    "admin",
)
SEES_CASE = {"starter", "lead", "taf", "grantee", "manager"}
STAFF = set(RELATIONSHIPS) - {"anonymous", "admin"}

# kind -> the relationships allowed; everyone else is denied (how: see ``denial``).
KINDS = {
    "public": set(RELATIONSHIPS),
    "signed-in": set(RELATIONSHIPS) - {"anonymous"},
    "staff": STAFF,  # practitioners and managers; administrators get 403 (they see no case content)
    "case-view": SEES_CASE,
    "case-edit": {"starter", "lead", "manager"},
    # The family's rows are shared by its episodes: edited by someone who may edit this case and sees the others.
    "case-household": {"starter", "lead", "manager"},
    "case-manage": {"lead", "manager"},
    "case-history": {"lead", "manager"},
    "case-manager": {"manager"},
    "action-owner": {"lead", "manager", "taf"},
    "manager-only": {"manager"},
    "admin-only": {"admin"},
    "manager-or-admin": {"manager", "admin"},  # two-factor resets: an administrator asks, a manager approves
    "second-factor": set(),  # only a half-signed-in session (tested in test_mfa)
    "api-token": set(),  # the JSON API takes bearer tokens, not sessions: test_api_authorization_matrix.py
}

# endpoint -> kind, or {method: kind}
EXPECTATIONS = {
    "auth.sign_in": "public",
    "auth.sign_out": "signed-in",
    "health.healthz": "public",
    "dashboard.home": "signed-in",
    "help.workflow": "public",
    "help.workflow_svg": "public",
    "mfa.challenge": "second-factor",
    "mfa.setup": "second-factor",
    "mfa.qr_code": "second-factor",
    "mfa.account": "signed-in",
    "mfa.account_qr_code": "signed-in",
    "notifications.account": "signed-in",
    "recovery.forgotten_password": "public",
    "recovery.choose_password": "public",
    "assessments.index": "staff",
    "assessments.index_csv": "staff",
    "assessments.new": "staff",
    "assessments.new_continue": "staff",
    "assessments.new_safety": "staff",
    "assessments.new_family": "staff",
    "assessments.new_children": "staff",
    "assessments.show": "case-view",
    "consent.edit": {"GET": "case-view", "POST": "case-manage"},
    "consent.withdraw": "case-manage",
    "sections.edit": {"GET": "case-view", "POST": "case-edit"},
    "sections.edit_child": {"GET": "case-view", "POST": "case-edit"},
    "families.show": "case-view",
    "families.edit_family": "case-household",
    "families.new_child": "case-household",
    "families.child": "case-household",
    "families.new_carer": "case-household",
    "families.carer": "case-household",
    "families.new_network": "case-household",
    "families.network": "case-household",
    "families.new_agency": "case-household",
    "families.agency": "case-household",
    "meetings.index": "case-view",
    "meetings.show": "case-view",
    "meetings.new": "case-manage",
    "meetings.record": "case-manage",
    "meetings.edit": "case-manage",
    "meetings.cancel": "case-manage",
    "meetings.invitations": "case-manage",
    "meetings.team": "case-view",
    "meetings.remove_member": "case-manage",
    "lead.change": "case-manage",
    "case_people.index": "case-view",
    "case_people.new": "case-manage",
    "case_people.edit": "case-manage",
    "case_people.remove": "case-manage",
    "plans.show": "case-view",
    "plans.change": "case-manage",
    "plans.action_new": "case-manage",
    "plans.action_edit": "case-manage",
    "plans.action_delete": "case-manage",
    "plans.sign": "case-manage",
    "plans.finalise": "case-manage",
    "plans.action_progress": "action-owner",
    "pdfs.plan": "case-view",
    "pdfs.plan_html": "case-view",
    "pdfs.plan_text": "case-view",
    "pdfs.assessment": "case-view",
    "verify.check": "staff",
    "reviews.index": "case-view",
    "reviews.new": "case-manage",
    "closure.fire": "case-manage",
    "closure.close": "case-manage",
    "closure.step_up": "case-manage",
    "closure.approve": "case-manager",
    "closure.reject": "case-manager",
    "history.show": "case-history",
    "history.access_grants": "case-manager",
    "pickers.grant": "case-manager",
    "pickers.lead": "case-manage",
    "pickers.invite": "case-manage",
    "pickers.owner": "case-manage",
    "history.revoke_grant": "case-manager",
    "reports.index": "manager-only",
    "reports.access_review": "manager-only",
    "reports.grants": "manager-only",
    "reports.notifications": "manager-only",
    "reports.show": "manager-only",
    "reports.table_csv": "manager-only",
    "reports.table_xlsx": "manager-only",
    "reports.returns_page": "manager-only",
    "reports.return_csv": "manager-only",
    "admin.index": "admin-only",
    "admin.users": "admin-only",
    "admin.new_user": "admin-only",
    "admin.user": "admin-only",
    "admin.user_status": "admin-only",
    "admin.user_password_link": "admin-only",
    "admin.request_mfa_reset": "admin-only",
    "admin.mfa_resets_list": "manager-or-admin",
    "admin.decide_mfa_reset": "manager-or-admin",
    "admin.agencies": "admin-only",
    "admin.agency": "admin-only",
    "admin.single_sign_on": "admin-only",
    "admin.remove_sso_rule": "admin-only",
    "admin.definitions": "admin-only",
    "admin.definition": "admin-only",
    "admin.activate_definition": "admin-only",
    "admin.definition_preview": "admin-only",
    "admin.definition_translation": "admin-only",
    "admin.notification_settings_page": "admin-only",
    "api_tokens.index": "signed-in",
    "api_tokens.revoke": "signed-in",
    "api_clients.index": "admin-only",
    "api_clients.new_webhook": "admin-only",
    "api_clients.revoke": "admin-only",
    "api_clients.revoke_webhook": "admin-only",
    "api-docs.openapi_json": "public",
    "api_reference.docs": "public",
    "api.me": "api-token",
    "api.my_cases": "api-token",
    "api.case_summary": "api-token",
    "api.action_progress": "api-token",
    "api.webhook_list": "api-token",
    "api.webhook_create": "api-token",
    "api.webhook_delete": "api-token",
    "api.oauth_token": "api-token",
    "api.report_index": "api-token",
    "api.report_outline": "api-token",
    "api.report_table_csv": "api-token",
    "api.return_csv": "api-token",
    # Information governance (issue 19).
    "public.accessibility": "public",
    "public.privacy": "public",
    "public.cookies": "public",
    "holds.place": "case-manager",
    "holds.lift": "case-manager",
    "corrections.index": "case-history",
    "corrections.family": "case-history",
    "corrections.child": "case-history",
    "corrections.carer": "case-history",
    "corrections.network": "case-history",
    "retention.index": "manager-only",
    "retention.create_batch": "manager-only",
    "retention.decide": "manager-only",
    "subject_access.index": "manager-only",
    "subject_access.new": "manager-only",
    "subject_access.show": "manager-only",
    "sar_redactions.index": "case-history",
    "sar_redactions.withhold": "case-history",
    "sar_redactions.release": "case-history",
    "sar_redactions.send": "case-history",
    "subject_access.review": "manager-only",
    "subject_access.export": "manager-only",
}


def kind_for(endpoint, method):
    kind = EXPECTATIONS[endpoint]
    return kind[method] if isinstance(kind, dict) else kind


def _section_key(world, each_child=False):
    from eha.definitions.store import definition_for

    return next(s.key for s in definition_for(world.case).sections if s.each_child == each_child)


def _record_id(rule, world, case, foreign):
    family = (world.other_case if foreign else world.case).family
    kind = rule.endpoint.split(".")[1]
    rows = {
        "child": family.children,
        "carer": family.carers,
        "network": family.network,
        "agency": family.involved_agencies,
    }[kind]
    return rows[0].id


def _key(rule, world, case, foreign):
    if rule.endpoint.startswith("reports."):
        return "months"  # a report's table
    if rule.endpoint.startswith("sections."):
        return _section_key(world, each_child=rule.endpoint == "sections.edit_child")
    if rule.endpoint == "admin.definition_preview":
        return _section_key(world)
    return world.other_action_key if foreign else world.action_key


# route argument -> its value: (rule, world, the case addressed, foreign) -> value
ARGUMENT_VALUES = {
    "rule_id": lambda rule, world, case, foreign: 1,
    "ref": lambda rule, world, case, foreign: case.ref,
    "meeting_id": lambda rule, world, case, foreign: (world.other_meeting if foreign else world.meeting).id,
    "person_id": lambda rule, world, case, foreign: (world.other_person if foreign else world.person).id,
    "key": _key,
    "record_id": _record_id,
    "child_id": lambda rule, world, case, foreign: case.children[0].id,
    "user_id": lambda rule, world, case, foreign: world.users["unrelated"].id,
    "agency_id": lambda rule, world, case, foreign: world.users["unrelated"].agency_id,
    "definition_id": lambda rule, world, case, foreign: world.definition_id,
    "trigger": lambda rule, world, case, foreign: "close",
    "version": lambda rule, world, case, foreign: 1,
    "token": lambda rule, world, case, foreign: "not-a-real-password-link-token",
    "request_id": lambda rule, world, case, foreign: 1,
    "token_id": lambda rule, world, case, foreign: 1,
    "client_id": lambda rule, world, case, foreign: 1,
    "webhook_id": lambda rule, world, case, foreign: 1,
    "batch_id": lambda rule, world, case, foreign: 1,
    "sar_id": lambda rule, world, case, foreign: world.sar_id,
    "redaction_id": lambda rule, world, case, foreign: 1,
    "name": lambda rule, world, case, foreign: (
        "ssd-early-help" if rule.endpoint == "reports.return_csv" else "closures"
    ),
}


def url_values(rule, world, case=None, foreign=False):
    """Values for a rule's arguments from the seeded world (``foreign``: ids that belong to the other case)."""
    case = case or world.case
    unknown = [arg for arg in rule.arguments if arg not in ARGUMENT_VALUES]
    if unknown:
        raise AssertionError(f"The matrix does not know how to fill <{unknown[0]}> in {rule.rule} ({rule.endpoint})")
    return {arg: ARGUMENT_VALUES[arg](rule, world, case, foreign) for arg in rule.arguments}


def fill_url(rule, world, **kwargs):
    from flask import current_app

    adapter = current_app.url_map.bind("localhost")
    try:
        return adapter.build(rule.endpoint, url_values(rule, world, **kwargs), force_external=False)
    except BuildError as exc:  # pragma: no cover
        raise AssertionError(f"cannot build {rule.endpoint}: {exc}") from exc


def denial_ok(response, relationship, kind, is_case_route):
    """Is ``response`` a proper refusal for this relationship?"""
    status = response.status_code
    if relationship == "anonymous":
        return (status == 302 and response.headers["Location"].startswith("/sign-in")) or status == 404
    if kind == "second-factor":
        return status == 404 or (status == 302 and response.headers["Location"].startswith("/sign-in"))
    if is_case_route and relationship not in SEES_CASE:
        return status == 404
    if is_case_route:
        # 403 with the reason, never 409: who may take a step is checked before whether the case allows it now.
        return status == 403
    if kind == "staff":
        return status == 403
    return status == 404


def allowed_ok(response):
    status = response.status_code
    if status == 302:
        return not response.headers["Location"].startswith("/sign-in")
    return status < 400 or status in (400, 409)


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint in SKIP:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_authorization_matrix(app):
    missing = sorted({rule.endpoint for rule, _m in _routes(app) if rule.endpoint not in EXPECTATIONS})
    assert not missing, "\n".join(f"new route {e} is not in the authorization matrix" for e in missing)
    for rule, method in _routes(app):
        assert kind_for(rule.endpoint, method) in KINDS, rule.endpoint


def _client_for(app, world, relationship):
    client = app.test_client()
    if relationship != "anonymous":
        factories.sign_in(client, world.users[relationship])
    return client


# The need each kind of route declares (``eha.access``): the table above and the code must agree.
DECLARED = {
    "signed-in": "signed in",
    "staff": "staff",
    "case-view": "view",
    "case-edit": "edit",
    "case-household": "change household",
    "case-manage": "manage",
    "case-history": "history",
    "case-manager": "manager",
    "action-owner": "update own action",
    "manager-only": "managers",
    "admin-only": "admins",
    "manager-or-admin": "managers or admins",
}


def test_every_route_declares_the_need_the_matrix_expects(app):
    """Notify's test_routes_have_permissions_decorators: each route says what it needs, once, in its decorator."""
    problems = []
    for rule, method in _routes(app):
        kind = kind_for(rule.endpoint, method)
        if kind in ("public", "second-factor", "api-token"):
            continue
        view = app.view_functions[rule.endpoint]
        need = getattr(view, "eha_need", None)
        if isinstance(need, dict):
            need = need.get(method, need.get("GET"))
        declared = getattr(need, "name", None)
        if declared != DECLARED[kind]:
            problems.append(f"{rule.endpoint} {method}: declares {declared!r}, the matrix expects {DECLARED[kind]!r}")
    assert not problems, "\n".join(problems)


# Pages that only answer once another page has been opened (the QR code of a two-factor set-up under way).
OPENED_FIRST = {"mfa.account_qr_code": "/account/two-factor"}


def _check_endpoint(app, world, endpoint, clients):
    problems, requests, unexpected = [], 0, 0
    for rule, method in _routes(app):
        if rule.endpoint != endpoint:
            continue
        kind = kind_for(rule.endpoint, method)
        is_case_route = "ref" in rule.arguments
        # GETs for everyone; POSTs only for the denied (an allowed POST would change the seeded case).
        for relationship in RELATIONSHIPS:
            allowed = relationship in KINDS[kind]
            if method != "GET" and allowed:
                continue
            if rule.endpoint == "auth.sign_out" or relationship not in clients:
                clients[relationship] = _client_for(app, world, relationship)
                if endpoint in OPENED_FIRST:
                    clients[relationship].get(OPENED_FIRST[endpoint])
            url = fill_url(rule, world)
            response = clients[relationship].open(url, method=method, data={})
            requests += 1
            if response.status_code >= 500:
                problems.append(f"{method} {url} as {relationship}: {response.status_code}")
            elif allowed and not allowed_ok(response):
                problems.append(f"{method} {url} as {relationship} ({kind}): refused with {response.status_code}")
            elif not allowed and not denial_ok(response, relationship, kind, is_case_route):
                unexpected += 1
                problems.append(
                    f"{method} {url} as {relationship} ({kind}): expected a refusal, "
                    f"got {response.status_code} {response.headers.get('Location', '')}"
                )
            db.session.expire_all()
    return problems, requests, unexpected


@pytest.mark.parametrize("endpoint", sorted(e for e, kind in EXPECTATIONS.items() if kind != "api-token"))
def test_every_route_for_every_relationship_answers_as_the_matrix_says(app, world, endpoint, capsys):
    """One endpoint x every relationship (``-k plans.sign`` runs one cell). ``EHA_MATRIX_REPORT=1`` prints the
    figures of each cell (sum them for the whole matrix)."""
    if endpoint not in app.view_functions:
        pytest.fail(f"{endpoint} is in the matrix but is not a route")
    problems, requests, unexpected = _check_endpoint(app, world, endpoint, {})
    if os.environ.get("EHA_MATRIX_REPORT"):
        with capsys.disabled():
            print(f"\nauthorization matrix {endpoint}: {requests} requests, {unexpected} unexpected successes")
    assert not problems, "\n".join(problems)


FOREIGN_ID_ARGS = {"meeting_id", "record_id", "key", "person_id"}


def test_ids_from_another_case_under_a_visible_case_answer_404(app, world):
    """IDOR sweep: a meeting, action or family record of case B, asked for under case A, is not found."""
    checked = 0
    problems = []
    for rule, method in _routes(app):
        if "ref" not in rule.arguments or not (FOREIGN_ID_ARGS & set(rule.arguments)):
            continue
        if rule.endpoint.startswith("sections."):
            continue  # section keys are the same words on every case
        if kind_for(rule.endpoint, method) == "api-token":
            continue  # swept with tokens in test_api_authorization_matrix.py
        for relationship in ("lead", "manager"):
            client = _client_for(app, world, relationship)
            url = fill_url(rule, world, foreign=True)
            response = client.open(url, method=method, data={})
            checked += 1
            if response.status_code != 404:
                problems.append(f"{method} {url} as {relationship}: {response.status_code}")
    assert checked >= 4
    assert not problems, "\n".join(problems)


def test_the_other_case_itself_is_not_found_for_this_case_s_team(app, world):
    for relationship in ("starter", "lead", "taf", "grantee"):
        client = _client_for(app, world, relationship)
        assert client.get(f"/assessments/{world.other_case.ref}").status_code == 404
        assert client.get(f"/assessments/{world.other_case.ref}/history").status_code == 404
