"""Choosing email summaries on the account page, and the managers' delivery report."""

from datetime import timedelta

import pytest

from eha.extensions import db
from eha.models.base import utcnow
from eha.notifications import digests, outbox, worker
from tests import factories
from tests.notifications import helpers
from tests.notifications.conftest import free_port


def test_a_practitioner_chooses_not_to_get_the_daily_summary(client_request, signed_in, app, lead, nurse, health):
    signed_in(nurse)
    page = client_request.get("/account/notifications")
    assert page.h1 == "Email summaries"
    assert page.select("input[name=digests][value=daily][checked]")
    assert not page.select("input[name=digests][value=weekly]")  # managers only
    client_request.post("/account/notifications", data={"submit": "Save"})  # every box unticked
    page = client_request.get("/account/notifications")
    assert "Your choice of email summaries is saved" in page.text
    assert not page.select("input[name=digests][value=daily][checked]")
    case = helpers.assessed_case(lead, [health])
    helpers.schedule(case, lead, [nurse])  # an invitation always goes, whatever the choice
    app.config["EHA_DIGEST_WORKING_DAYS"] = 400
    app.config["EHA_DIGESTS_ANY_TIME"] = True
    digests.queue_daily(utcnow().date())
    db.session.commit()
    assert {r.address for r in helpers.rows("daily_digest")} == {lead.email}
    assert {r.address for r in helpers.rows("invitation")} == {nurse.email}


def test_a_manager_may_choose_the_weekly_summary(client_request, signed_in, manager):
    signed_in(manager)
    client_request.post("/account/notifications", data={"digests": ["weekly"]})
    page = client_request.get("/account/notifications")
    assert page.select("input[name=digests][value=weekly][checked]")
    assert not page.select("input[name=digests][value=daily][checked]")


def test_a_forged_choice_is_refused_with_a_message(client_request, signed_in, nurse):
    signed_in(nurse)
    page = client_request.post(
        "/account/notifications", data={"digests": ["weekly", "everything\x00"]}, expected_status=200
    )
    assert page.errors() == ["Select options from the list"]
    assert page.title.startswith("Error:")


def test_saving_without_the_csrf_token_is_refused(csrf_app, nurse):
    client = csrf_app.test_client()
    factories.sign_in(client, nurse)
    response = client.post("/account/notifications", data={"digests": ["daily"]})
    assert response.status_code == 400


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/account/notifications")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.fixture
def delivered(app):
    """One message sent, one waiting to retry and one failed, through an SMTP server that is not there."""
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False, EHA_NOTIFICATIONS_CHANNEL="files"
    )
    outbox.enqueue("ok", "action_owned", address="ok@example.org", subject="S", body="B")
    db.session.commit()
    worker.deliver_due()
    app.config.update(EHA_NOTIFICATIONS_CHANNEL="smtp", EHA_NOTIFICATIONS_MAX_ATTEMPTS=1)
    outbox.enqueue("bad", "daily_digest", address="bad@example.org", subject="S", body="B")
    db.session.commit()
    worker.deliver_due()
    app.config["EHA_NOTIFICATIONS_MAX_ATTEMPTS"] = 5
    outbox.enqueue("later", "invitation", address="later@example.org", subject="S", body="B")
    db.session.commit()
    worker.deliver_due()


def test_managers_see_what_was_sent_and_what_failed_with_the_reason(client_request, signed_in, manager, delivered):
    signed_in(manager)
    page = client_request.get("/reports/notifications")
    assert page.h1 == "Delivery of notifications"
    rows = page.words("tbody tr")
    assert len(rows) == 3
    assert any("ok@example.org" in r and "Sent" in r for r in rows)
    assert any("bad@example.org" in r and "Failed" in r and "cannot reach the mail server" in r for r in rows)
    assert any("later@example.org" in r and "Queued" in r for r in rows)
    failed = client_request.get("/reports/notifications?status=failed")
    assert [r for r in failed.words("tbody tr")] and all("bad@example.org" in r for r in failed.words("tbody tr"))
    assert "Failed (1)" in failed.text and "Sent (1)" in failed.text
    everything = client_request.get("/reports/notifications?status=nonsense\u00e9")
    assert len(everything.words("tbody tr")) == 3


def test_the_report_is_paginated(client_request, signed_in, app, manager):
    app.config["EHA_PAGE_SIZE"] = 2
    for i in range(5):
        outbox.enqueue(f"k{i}", "action_owned", address=f"p{i}@example.org", subject="S", body="B")
    db.session.commit()
    signed_in(manager)
    page = client_request.get("/reports/notifications?page=3")
    assert len(page.words("tbody tr")) == 1 and "Page 3 of 3 (5 in all)" in page.text
    assert client_request.get("/reports/notifications?page=99999999999999999999").words("tbody tr") == []


def test_the_report_is_for_managers_only(client, signed_in, nurse, admin):
    for user in (nurse, admin):
        signed_in(user)
        assert client.get("/reports/notifications").status_code == 404


def test_sent_after_a_day_in_the_queue_shows_when(client_request, signed_in, app, manager):
    outbox.enqueue("k", "action_owned", address="p@example.org", subject="S", body="B")
    db.session.commit()
    app.config["EHA_NOTIFICATIONS_CHANNEL"] = "files"
    worker.deliver_due(now=utcnow() + timedelta(days=1))
    signed_in(manager)
    assert "Sent" in client_request.get("/reports/notifications").words("tbody tr")[0]
