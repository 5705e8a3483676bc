"""Signing in and out: the rules a user and an attacker meet."""

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.base import utcnow
from eha.models.users import UserSession
from tests import factories


def sign_in(client, email, password, **kwargs):
    return client.post("/sign-in", data={"email": email, "password": password}, **kwargs)


def events(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_signing_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_a_practitioner_signs_in_and_sees_their_name_and_agency(client, practitioner):
    response = sign_in(client, practitioner.email.upper(), factories.PASSWORD)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert practitioner.name in page
    assert practitioner.agency.name in page
    assert "Sign out" in page
    assert len(events("sign_in")) == 1
    db.session.refresh(practitioner)
    assert practitioner.last_sign_in_at is not None


def test_unknown_email_and_wrong_password_get_the_same_answer(client, practitioner):
    unknown = sign_in(client, "nobody@example.org", factories.PASSWORD).get_data(as_text=True)
    wrong = sign_in(client, practitioner.email, "wrong password entirely").get_data(as_text=True)
    message = "Enter a correct email address and password"
    assert message in unknown and message in wrong
    assert "Error: Sign in" in unknown and "Error: Sign in" in wrong
    assert len(events("sign_in_failed")) == 2


def test_the_email_is_kept_but_the_password_is_not_echoed(client, practitioner):
    page = sign_in(client, practitioner.email, "wrong password entirely").get_data(as_text=True)
    assert practitioner.email in page
    assert "wrong password entirely" not in page


def test_ten_failures_in_a_row_lock_the_account_for_thirty_minutes(client, practitioner):
    for _ in range(9):
        sign_in(client, practitioner.email, "wrong password entirely")
    page = sign_in(client, practitioner.email, "wrong password entirely").get_data(as_text=True)
    assert "Try again in 30 minutes" in page
    # Even the right password is refused while locked.
    page = sign_in(client, practitioner.email, factories.PASSWORD).get_data(as_text=True)
    assert "Try again in 30 minutes" in page
    assert client.get("/").status_code == 302
    assert len(events("account_locked")) == 1
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=False):
        assert sign_in(client, practitioner.email, factories.PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_failure_count(client, practitioner):
    for _ in range(9):
        sign_in(client, practitioner.email, "wrong password entirely")
    assert sign_in(client, practitioner.email, factories.PASSWORD).status_code == 302
    db.session.refresh(practitioner)
    assert practitioner.failed_sign_ins == 0


def test_signing_in_starts_a_new_session(client, practitioner):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, practitioner.email, factories.PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        first_token = session["_user_id"]
    client.post("/sign-out")
    sign_in(client, practitioner.email, factories.PASSWORD)
    with client.session_transaction() as session:
        assert session["_user_id"] != first_token


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, practitioner):
    browser = app.test_client()
    sign_in(browser, practitioner.email, factories.PASSWORD)
    with browser.session_transaction() as session:
        token = session["_user_id"]
    thief = app.test_client()
    with thief.session_transaction() as session:
        session["_user_id"] = token
    assert thief.get("/").status_code == 200
    response = browser.post("/sign-out")
    assert response.status_code == 302
    assert thief.get("/").status_code == 302
    assert browser.get("/").status_code == 302
    assert len(events("sign_out")) == 1


def test_sign_out_is_post_only(client, practitioner, signed_in):
    signed_in(practitioner)
    assert client.get("/sign-out").status_code == 405
    assert client.get("/").status_code == 200


def test_disabling_a_user_ends_their_sessions_on_the_next_request(client, practitioner, signed_in):
    signed_in(practitioner)
    assert client.get("/").status_code == 200
    practitioner.active = False
    db.session.commit()
    assert client.get("/").status_code == 302
    assert db.session.scalar(sa.select(UserSession.ended_at)) is not None


def test_idle_sessions_end_after_thirty_minutes(client, practitioner):
    sign_in(client, practitioner.email, factories.PASSWORD)
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert "expired=1" in response.location
    page = client.get("/sign-in?expired=1").get_data(as_text=True)
    assert "You were signed out because you had not used the service for a while" in page


def test_sessions_end_after_ten_hours_however_busy(client, practitioner):
    sign_in(client, practitioner.email, factories.PASSWORD)
    start = utcnow()
    for minutes in range(20, 600, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(hours=10, minutes=1), tick=False):
        assert client.get("/").status_code == 302


def test_sign_in_only_redirects_within_the_service(client, practitioner):
    response = sign_in(client, practitioner.email, factories.PASSWORD, query_string={"next": "//evil.example"})
    assert response.location == "/"
    client.post("/sign-out")
    response = sign_in(client, practitioner.email, factories.PASSWORD, query_string={"next": "/healthz"})
    assert response.location == "/healthz"


def test_missing_fields_get_gov_uk_messages(client):
    page = client.post("/sign-in", data={}).get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page


def test_signing_out_when_not_signed_in_just_asks_to_sign_in(client):
    # Sign-out declares that it needs a signed-in user (the route's need); a stray POST ends nothing.
    response = client.post("/sign-out")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert events("sign_out") == []
