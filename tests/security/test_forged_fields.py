"""Field-level protection: a POST can never set what the user may not change, and the attempt is logged."""

import sqlalchemy as sa

from eha.extensions import db
from eha.forms.mfa import SecurityCodeForm
from eha.forms.protected import forged_fields, note_forged_fields
from eha.models.audit import AuditEvent
from tests import factories
from tests.security.test_authorization_matrix import _routes, fill_url

FORGED = {
    "state": "closed",
    "lead_id": "0",
    "started_by_id": "0",
    "agency_id": "0",
    "role": "admin",
    "version_id": "999",
    "definition_version": "999",
    "owner_user_id": "0",
}


def test_keys_that_are_not_fields_of_the_form_are_found(app):
    with app.test_request_context(
        "/x", method="POST", data={"code": "123456", "csrf_token": "t", "state": "x", "lead_id": "1"}
    ):
        from flask import request

        form = SecurityCodeForm()
        assert forged_fields(form, request.form) == ["lead_id", "state"]
        assert note_forged_fields(form, request) == ["lead_id", "state"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "forged_field"))
    assert event.outcome == "refused" and event.detail["protected"] == ["lead_id", "state"]


def test_a_clean_post_records_nothing(app):
    with app.test_request_context("/x", method="POST", data={"code": "123456", "csrf_token": "t"}):
        from flask import request

        assert note_forged_fields(SecurityCodeForm(), request) == []
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "forged_field")) is None


def test_no_case_post_lets_forged_fields_change_state_lead_starter_or_owner(app, world):
    """Every POST route under a case, sent only forged fields by a manager (who may do most things)."""
    before = (world.case.state, world.case.lead_id, world.case.started_by_id)
    owners = {a.key: a.owner_user_id for a in world.plan.actions}
    checked = 0
    logged = set()
    for rule, method in _routes(app):
        if method != "POST" or "ref" not in rule.arguments:
            continue
        client = app.test_client()
        factories.sign_in(client, world.users["manager"])
        response = client.post(fill_url(rule, world), data=FORGED)
        assert response.status_code < 500, rule.endpoint
        checked += 1
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "forged_field").order_by(AuditEvent.seq.desc())
        ).first()
        if event is not None and event.detail["endpoint"] == rule.endpoint:
            assert event.assessment_id == world.case.id, rule.endpoint
            assert event.outcome == "refused"
            assert "state" in event.detail["protected"] and "lead_id" in event.detail["protected"]
            logged.add(rule.endpoint)
        db.session.expire_all()
        case = db.session.get(type(world.case), world.case.id)
        assert (case.state, case.lead_id, case.started_by_id) == before, rule.endpoint
        assert {a.key: a.owner_user_id for a in world.plan.actions} == owners, rule.endpoint
    assert checked > 10
    # Every form page logs the attempt against the case, even when it re-shows the form with errors.
    for endpoint in (
        "consent.edit",
        "families.edit_family",
        "meetings.new",
        "plans.action_progress",
        "closure.close",
        "closure.step_up",
        "history.access_grants",
    ):
        assert endpoint in logged, f"{endpoint} did not log the forged fields"


def test_admin_forms_ignore_and_log_forged_fields(client, signed_in, admin, practitioner):
    signed_in(admin)
    response = client.post(
        f"/admin/users/{practitioner.id}",
        data={
            "name": practitioner.name,
            "role": "practitioner",
            "agency": str(practitioner.agency_id),
            "active": "0",
            "totp_secret": "AAAA",
            "password_hash": "x",
        },
    )
    assert response.status_code == 302
    db.session.refresh(practitioner)
    assert practitioner.active and practitioner.totp_secret is None and practitioner.password_hash != "x"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "forged_field"))
    assert sorted(event.detail["fields"]) == ["active", "password_hash", "totp_secret"]
