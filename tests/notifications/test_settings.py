"""An administrator sets the council's digest defaults and who emails come from (/admin/notifications)."""

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.base import utcnow
from eha.notifications import digests, outbox, worker
from tests import factories
from tests.notifications import helpers

URL = "/admin/notifications"
GOOD = {
    "daily_default": "no",
    "weekly_default": "yes",
    "sender_name": "Northshire Early Help",
    "sender_email": "earlyhelp@northshire.example.gov.uk",
    "reply_to": "earlyhelp-team@northshire.example.gov.uk",
    "version": "0",
}


def _form(**changes):
    return {**GOOD, **changes}


def _events():
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "notification_settings_changed").order_by(AuditEvent.seq)
    ).all()


def _checked(page, name):
    return [i.get("value") for i in page.select(f"input[name={name}][checked]")]


@pytest.fixture
def as_admin(client_request, signed_in, admin):
    signed_in(admin)
    return client_request


def test_the_admin_home_links_to_the_settings_which_show_the_config_values_until_saved(as_admin, app):
    home = as_admin.get("/")
    assert home.select(f"a[href='{URL}']")
    page = as_admin.get(URL)
    assert page.h1 == "Notification settings"
    assert _checked(page, "daily_default") == ["yes"] and _checked(page, "weekly_default") == ["yes"]
    assert page.one("input[name=sender_email]").get("value") == app.config["MAIL_FROM"]
    assert page.one("input[name=version]").get("value") == "0"


def test_saved_defaults_reach_a_user_who_has_not_chosen_on_their_page_and_in_a_digest_run(
    as_admin, signed_in, app, lead, nurse, health
):
    as_admin.post(URL, data=_form())
    page = as_admin.get(URL)
    assert "Notification settings saved" in page.text
    assert _checked(page, "daily_default") == ["no"] and _checked(page, "weekly_default") == ["yes"]
    assert page.one("input[name=sender_name]").get("value") == "Northshire Early Help"
    [event] = _events()
    assert sorted(event.detail["fields"]) == ["daily_digest_default", "reply_to", "sender_email", "sender_name"]
    assert "Northshire" not in str(event.detail)  # names of fields, not what they hold

    signed_in(nurse)  # no choice of their own: the council's new default (no daily summary)
    account = as_admin.get("/account/notifications")
    assert not account.select("input[name=digests][value=daily][checked]")

    case = helpers.assessed_case(lead, [health])
    helpers.schedule(case, lead, [nurse])
    app.config.update(EHA_DIGEST_WORKING_DAYS=400, EHA_DIGESTS_ANY_TIME=True)
    digests.queue_daily(utcnow().date())
    db.session.commit()
    assert helpers.rows("daily_digest") == []  # neither the lead nor the nurse chose, and the default is now off


def test_a_user_who_chose_keeps_their_choice_when_the_default_changes(as_admin, signed_in, nurse):
    signed_in(nurse)
    as_admin.post("/account/notifications", data={"digests": ["daily"]})
    signed_in(factories.user(role="admin"))
    as_admin.post(URL, data=_form())
    signed_in(nurse)
    assert as_admin.get("/account/notifications").select("input[name=digests][value=daily][checked]")


def test_a_message_comes_from_the_saved_sender_with_the_reply_to(as_admin, app, smtp):
    as_admin.post(URL, data=_form())
    outbox.enqueue("m:1", "action_owned", address="nia@example.org", subject="S", body="B")
    db.session.commit()
    assert worker.deliver_due().sent == 1
    [message] = smtp.messages
    assert message["From"] == "Northshire Early Help <earlyhelp@northshire.example.gov.uk>"
    assert message["Reply-To"] == "earlyhelp-team@northshire.example.gov.uk"
    assert message["Message-ID"].endswith("@northshire.example.gov.uk>")


def test_without_a_reply_to_a_message_has_no_reply_to_header(as_admin, smtp):
    as_admin.post(URL, data=_form(reply_to=""))
    outbox.enqueue("m:1", "action_owned", address="nia@example.org", subject="S", body="B")
    db.session.commit()
    worker.deliver_due()
    [message] = smtp.messages
    assert message["From"] == "Northshire Early Help <earlyhelp@northshire.example.gov.uk>"
    assert message["Reply-To"] is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sender_email": "not an email"}, "Enter the sender email address in the correct format"),
        ({"sender_email": ""}, "Enter the sender email address"),
        ({"reply_to": "replies@"}, "Enter the reply-to email address in the correct format"),
        ({"sender_name": "N" * 101}, "The sender name must be 100 characters or fewer"),
        ({"sender_email": "a" * 310 + "@example.org"}, "The sender email address must be 320 characters or fewer"),
        ({"sender_name": "Northshire\r\nBcc: x@example.org"}, "The sender name must be on one line"),
        ({"daily_default": "sometimes"}, "Select"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_the_input_kept(as_admin, changes, message):
    page = as_admin.post(URL, data=_form(**changes), expected_status=200)
    assert page.title.startswith("Error:")
    assert any(error.startswith(message) for error in page.errors()), page.errors()
    assert page.one("input[name=sender_name]").get("value") == _form(**changes)["sender_name"].replace("\r", "")
    assert _events() == []


def test_a_nul_in_the_sender_name_is_stripped(as_admin):
    as_admin.post(URL, data=_form(sender_name="Northshire\x00 Early Help"))
    assert as_admin.get(URL).one("input[name=sender_name]").get("value") == "Northshire Early Help"


def test_saving_over_someone_elses_change_is_refused_with_the_input_kept(as_admin, signed_in):
    as_admin.post(URL, data=_form())  # version 0 -> 1
    page = as_admin.post(URL, data=_form(sender_name="Old tab", version="0"), expected_status=409)
    assert page.h1 == "Someone else has changed the notification settings"
    assert "Your changes have not been saved" in page.text
    assert page.one("input[name=sender_name]").get("value") == "Old tab"
    assert page.one("input[name=version]").get("value") == "1"
    assert as_admin.get(URL).one("input[name=sender_name]").get("value") == "Northshire Early Help"
    missing = _form(sender_name="No version")
    del missing["version"]
    as_admin.post(URL, data=missing, expected_status=409)
    assert len(_events()) == 1


def test_saving_without_the_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    factories.sign_in(client, factories.user(role="admin"))
    assert client.post(URL, data=_form()).status_code == 400


@pytest.mark.parametrize("role", ["manager", "practitioner"])
def test_a_manager_or_practitioner_cannot_see_or_save_the_settings(client, role):
    factories.sign_in(client, factories.user(role=role))
    assert client.get(URL).status_code == 404
    assert client.post(URL, data=_form()).status_code == 404
    assert _events() == []
