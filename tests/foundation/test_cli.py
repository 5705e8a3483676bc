"""The command line: users, demo data and the audit check."""

import json

import sqlalchemy as sa

from eha.extensions import db
from eha.models.users import User
from tests import factories


def test_users_create_reads_the_password_from_standard_input(app, agency):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "New.Person@Example.org",
            "--name",
            "New Person",
            "--role",
            "manager",
            "--agency",
            agency.name.upper(),
        ],
        input="a perfectly good passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.org"))
    assert user.role == "manager" and user.agency_id == agency.id
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_refuses_a_duplicate_email_regardless_of_case(app, practitioner):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            practitioner.email.upper(),
            "--name",
            "X",
            "--role",
            "practitioner",
            "--agency",
            practitioner.agency.name,
        ],
        input="a perfectly good passphrase\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_users_create_refuses_an_unknown_role_and_a_weak_password(app, agency):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--name", "A", "--role", "boss", "--agency", agency.name],
        input="a perfectly good passphrase\n",
    )
    assert result.exit_code != 0 and "Unknown role 'boss'" in result.output
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--name", "A", "--role", "admin", "--agency", agency.name],
        input="password1234\n",
    )
    assert result.exit_code != 0 and "too easy to guess" in result.output
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--name", "A", "--role", "admin", "--agency", "Nowhere"],
        input="a perfectly good passphrase\n",
    )
    assert result.exit_code != 0 and "No agency called 'Nowhere'" in result.output


def test_demo_is_idempotent_and_prints_json(app, demo_loaded):
    runner = app.test_cli_runner()
    summary = demo_loaded  # what the first `flask demo --json` printed
    roles = {u["role"] for u in summary["users"]}
    assert roles == {"practitioner", "manager", "admin"}
    assert len({u["agency"] for u in summary["users"]}) >= 5
    assert all(set(u) == {"email", "name", "role", "agency"} for u in summary["users"])
    for case in summary["assessments"]:
        assert set(case) == {"ref", "state", "lead_email", "team"}
        assert all(set(member) == {"email", "agency"} for member in case["team"])
    user_count = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    second = runner.invoke(args=["demo", "--json"])
    assert second.exit_code == 0
    assert json.loads(second.output) == summary
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == user_count


def test_demo_accounts_can_sign_in_with_the_demo_password(app, client, demo_loaded):
    response = client.post(
        "/sign-in",
        data={"email": "sarah.okafor@northshire-primary.example.org", "password": app.config["EHA_DEMO_PASSWORD"]},
    )
    assert response.status_code == 302


def test_audit_verify_passes_on_an_intact_chain(app, client, practitioner):
    client.post("/sign-in", data={"email": practitioner.email, "password": factories.PASSWORD})
    client.post("/sign-in", data={"email": practitioner.email, "password": "wrong password entirely"})
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "Audit trail intact" in result.output
