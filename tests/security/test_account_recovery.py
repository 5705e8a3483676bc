"""Penetration-test finding: an administrator could become a manager.

An administrator set a manager's password on /admin/users/…, reset their second factor, signed in as them and
read case sections, though administrators see no case content. Now nobody sets another person's password:
a single-use link goes to the user's own email; and clearing a second factor needs a second person.
"""

import re
from datetime import timedelta

import sqlalchemy as sa
import time_machine

from eha.auth.passwords import verify_password
from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.base import utcnow
from eha.models.users import MfaResetRequest, PasswordLink, User, UserSession
from tests import factories, mailbox
from tests.security.helpers import seed_world

NEW_PASSWORD = "violet kettle harbour lamp"
TOTP = {"totp_secret": "A" * 32, "totp_last_step": 5}


def _events(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()


def _fresh(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def _sign_in(client, email, password):
    return client.post("/sign-in", data={"email": email, "password": password})


def _enrolled(user):
    user.totp_secret, user.totp_enrolled_at, user.totp_last_step = "A" * 32, utcnow(), 5
    db.session.commit()
    return user


# --- the attack, replayed ---


def test_an_administrator_can_no_longer_set_a_manager_s_password_and_read_a_case(app, client, signed_in, mail_dir):
    world = seed_world()
    manager, admin = world.users["manager"], world.users["admin"]
    signed_in(admin)
    page = client.get(f"/admin/users/{manager.id}")
    assert page.status_code == 200
    assert 'type="password"' not in page.text and "Set a new password" not in page.text
    assert "Send a password reset link" in page.text

    # The old password form, posted by hand: the route is gone.
    old = client.post(f"/admin/users/{manager.id}/password", data={"password": NEW_PASSWORD})
    assert old.status_code in (404, 405)
    # A password smuggled into the details form: logged as a forged field, never applied.
    forged = client.post(
        f"/admin/users/{manager.id}",
        data={
            "name": manager.name,
            "role": "manager",
            "agency": str(manager.agency_id),
            "password": NEW_PASSWORD,
            "password_hash": "x",
        },
    )
    assert forged.status_code == 302
    # … and into the reset-link button.
    assert (
        client.post(f"/admin/users/{manager.id}/password-reset-link", data={"password": NEW_PASSWORD}).status_code
        == 302
    )
    manager = _fresh(manager)
    assert verify_password(manager.password_hash, factories.PASSWORD)
    assert not verify_password(manager.password_hash, NEW_PASSWORD)
    assert {"password", "password_hash"} <= {f for e in _events("forged_field") for f in e.detail["fields"]}

    # The link went to the manager's own mailbox, not to the administrator.
    sent = mailbox.messages(mail_dir)
    assert [m["To"] for m in sent] == [manager.email]
    assert admin.email not in mailbox.body(sent[0])

    # With the guessed password, the administrator does not get in as the manager, and sees no case.
    attacker = app.test_client()
    assert _sign_in(attacker, manager.email, NEW_PASSWORD).status_code == 200
    assert attacker.get(f"/assessments/{world.case.ref}/sections/family").status_code == 302


def test_an_administrator_cannot_clear_a_manager_s_second_factor_alone(app, client, signed_in, mail_dir):
    world = seed_world()
    manager, admin = _enrolled(world.users["manager"]), world.users["admin"]
    theirs = app.test_client()
    factories.sign_in(theirs, manager)
    signed_in(admin)

    # The old one-press reset is not an action any more.
    assert client.post(f"/admin/users/{manager.id}/status", data={"action": "reset_mfa"}).status_code == 400
    response = client.post(
        f"/admin/users/{manager.id}/two-factor-reset",
        data={"reason": "New phone; I called her on her desk number to check"},
    )
    assert response.status_code == 302
    assert _fresh(manager).totp_secret == "A" * 32
    reset = db.session.scalar(sa.select(MfaResetRequest))
    assert reset.status == "pending" and reset.requested_by_id == admin.id

    # The requester cannot approve their own request.
    refused = client.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"})
    assert refused.status_code == 403 and "someone else must approve it" in refused.text
    assert _fresh(manager).totp_secret == "A" * 32
    page = client.get(f"/admin/users/{manager.id}")
    assert "waiting for an early help manager to approve it" in page.text
    listing = client.get("/admin/mfa-resets")
    assert "Waiting for approval" in listing.text and 'value="approve"' not in listing.text

    # Nor can another administrator (they do not even see it), nor the manager whose account it is.
    other_admin = app.test_client()
    factories.sign_in(other_admin, factories.user(role="admin", name="Olu Otheradmin"))
    assert other_admin.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"}).status_code == 404
    assert theirs.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"}).status_code == 403
    assert _fresh(manager).totp_secret == "A" * 32
    assert theirs.get("/").status_code == 200
    assert len(_events("mfa_reset_refused")) == 2


def test_a_second_manager_s_approval_clears_the_second_factor_and_ends_the_sessions(app, client, signed_in, mail_dir):
    world = seed_world()
    manager, admin = _enrolled(world.users["manager"]), world.users["admin"]
    theirs = app.test_client()
    factories.sign_in(theirs, manager)
    signed_in(admin)
    client.post(f"/admin/users/{manager.id}/two-factor-reset", data={"reason": "Lost phone, checked in person"})
    reset = db.session.scalar(sa.select(MfaResetRequest))

    approver = factories.user(role="manager", agency=manager.agency, name="Ava Approver")
    approving = app.test_client()
    factories.sign_in(approving, approver)
    home = approving.get("/")
    assert "A request to reset someone" in home.text and 'href="/admin/mfa-resets"' in home.text
    listing = approving.get("/admin/mfa-resets")
    assert manager.name in listing.text and "Lost phone, checked in person" in listing.text
    assert 'value="approve"' in listing.text
    assert approving.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"}).status_code == 302

    manager = _fresh(manager)
    assert (manager.totp_secret, manager.totp_enrolled_at, manager.totp_last_step) == (None, None, None)
    assert theirs.get("/").status_code == 302  # signed out everywhere
    db.session.refresh(reset)
    assert (reset.status, reset.decided_by_id) == ("approved", approver.id)
    done = _events("mfa_reset")[-1]
    assert done.user_id == approver.id and done.detail["for_user_id"] == manager.id
    assert done.detail["requested_by_id"] == admin.id
    assert _events("mfa_reset_requested")[-1].user_id == admin.id
    notice = mailbox.sent_to(mail_dir, manager.email)[-1]
    assert "two-factor sign-in has been reset" in notice["Subject"]
    # Decided once: a second press changes nothing.
    again = approving.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "decline"})
    assert again.status_code == 403 and "already been approved" in again.text
    assert "Approved" in client.get("/admin/mfa-resets").text  # the administrator sees the outcome


def test_a_manager_can_decline_and_nothing_is_reset(app, client, signed_in, practitioner, manager, admin):
    _enrolled(practitioner)
    signed_in(admin)
    client.post(f"/admin/users/{practitioner.id}/two-factor-reset", data={"reason": "Says they have a new phone"})
    reset = db.session.scalar(sa.select(MfaResetRequest))
    signed_in(manager)
    assert client.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "decline"}).status_code == 302
    assert _fresh(practitioner).totp_secret == "A" * 32
    assert _events("mfa_reset_declined")[-1].detail["for_user_id"] == practitioner.id
    signed_in(admin)
    assert "Declined" in client.get("/admin/mfa-resets").text
    # The administrator can ask again once the first request is decided.
    assert (
        client.post(
            f"/admin/users/{practitioner.id}/two-factor-reset", data={"reason": "Checked again by video call"}
        ).status_code
        == 302
    )


def test_a_request_not_decided_within_three_days_lapses(
    app, client, client_request, signed_in, practitioner, manager, admin
):
    _enrolled(practitioner)
    signed_in(admin)
    client.post(f"/admin/users/{practitioner.id}/two-factor-reset", data={"reason": "New phone"})
    reset = db.session.scalar(sa.select(MfaResetRequest))
    reset.requested_at -= timedelta(days=3, minutes=1)
    db.session.commit()
    signed_in(manager)
    page = client_request.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"}, expected_status=403)
    assert page.errors() == ["This request is more than 3 days old and has lapsed. The administrator can ask again"]
    assert page.one(".govuk-error-summary__list a").get("href") == f"#reset-{reset.id}"
    assert page.words("tbody .govuk-tag") == ["Lapsed"] and not page.select("tbody form")
    assert _fresh(practitioner).totp_secret == "A" * 32


def test_another_administrator_s_second_factor_needs_a_third_administrator(app, client, signed_in, manager):
    asking = factories.user(role="admin", name="Ada Asking")
    target = _enrolled(factories.user(role="admin", name="Tom Target"))
    third = factories.user(role="admin", name="Thea Third")
    signed_in(asking)
    page = client.get(f"/admin/users/{target.id}")
    assert "only when another administrator approves" in page.text
    client.post(f"/admin/users/{target.id}/two-factor-reset", data={"reason": "New phone, checked by video call"})
    reset = db.session.scalar(sa.select(MfaResetRequest))
    assert client.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"}).status_code == 403
    signed_in(manager)
    assert client.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"}).status_code == 404
    assert target.name not in client.get("/admin/mfa-resets").text
    signed_in(target)
    assert client.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"}).status_code == 403
    assert _fresh(target).totp_secret == "A" * 32
    signed_in(third)
    assert client.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"}).status_code == 302
    assert _fresh(target).totp_secret is None


def test_an_administrator_cannot_ask_to_reset_their_own_second_factor(client_request, signed_in, admin):
    _enrolled(admin)
    signed_in(admin)
    page = client_request.post(
        f"/admin/users/{admin.id}/two-factor-reset", data={"reason": "Mine"}, expected_status=200
    )
    assert page.errors() == ["You cannot reset your own two-factor sign-in. Ask another administrator"]
    assert page.one(".govuk-error-summary__list a").get("href") == "#two-factor"
    empty = client_request.post(f"/admin/users/{admin.id}/two-factor-reset", data={}, expected_status=200)
    assert empty.errors() == ["Say why their two-factor sign-in needs resetting"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MfaResetRequest)) == 0


def test_practitioners_do_not_reach_the_reset_requests(client, signed_in, practitioner):
    signed_in(practitioner)
    assert client.get("/admin/mfa-resets").status_code == 404
    assert client.post("/admin/mfa-resets/1", data={"decision": "approve"}).status_code == 404


# --- the password link, end to end through the pages ---


def test_a_forgotten_password_is_reset_from_the_emailed_link_and_the_user_signs_in(app, client, practitioner, mail_dir):
    sign_in_page = client.get("/sign-in")
    assert 'href="/account/reset-password"' in sign_in_page.text and "Forgotten your password?" in sign_in_page.text
    assert client.get("/account/reset-password").status_code == 200
    sent = client.post("/account/reset-password", data={"email": practitioner.email.upper()})
    assert sent.status_code == 200 and "If the address" in sent.text and "we have sent a link" in sent.text

    [message] = mailbox.messages(mail_dir)
    assert message["To"] == practitioner.email and "Reset your" in message["Subject"]
    assert "expires in 60 minutes" in mailbox.body(message)
    link = mailbox.link_in(message)
    form = client.get(link)
    assert form.status_code == 200 and "Choose a new password" in form.text

    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "<title>Error:" in mismatch.text and "The passwords do not match" in mismatch.text
    weak = client.post(link, data={"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 200 and "too easy to guess" in weak.text and "<title>Error:" in weak.text
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert "12 characters or more" in short.text
    assert verify_password(_fresh(practitioner).password_hash, factories.PASSWORD)  # nothing changed yet

    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert "Your password has been changed" in client.get("/sign-in").text
    assert _sign_in(client, practitioner.email, factories.PASSWORD).status_code == 200  # the old one is gone
    assert _sign_in(client, practitioner.email, NEW_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200

    requested, reset = _events("password_reset_requested")[-1], _events("password_reset")[-1]
    assert requested.user_id == practitioner.id and requested.detail["for_user_id"] == practitioner.id
    assert reset.user_id == practitioner.id
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(sa.select(PasswordLink))
    assert stored.token_hash != token and token not in stored.token_hash
    assert all(token not in str(e.detail) for e in db.session.scalars(sa.select(AuditEvent)))


def test_a_used_link_is_refused_and_using_one_spends_the_earlier_ones(
    app, client, signed_in, admin, practitioner, mail_dir
):
    signed_in(admin)
    client.post(f"/admin/users/{practitioner.id}/password-reset-link")
    client.post(f"/admin/users/{practitioner.id}/password-reset-link")
    first, second = (mailbox.link_in(m) for m in mailbox.messages(mail_dir))
    visitor = app.test_client()
    assert visitor.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    for link in (second, first):
        page = visitor.get(link)
        assert page.status_code == 200 and "This link has already been used" in page.text
        again = visitor.post(link, data={"password": "another four words here", "confirm": "another four words here"})
        assert again.status_code == 200 and "This link has already been used" in again.text
    assert verify_password(_fresh(practitioner).password_hash, NEW_PASSWORD)
    assert [e.detail["reason"] for e in _events("password_reset_refused")] == ["used"] * 4


def test_an_expired_link_is_refused(app, client, practitioner, mail_dir):
    client.post("/account/reset-password", data={"email": practitioner.email})
    link = mailbox.link_in(mailbox.messages(mail_dir)[0])
    with time_machine.travel(utcnow() + timedelta(minutes=59), tick=False):
        assert "Choose a new password" in client.get(link).text
    with time_machine.travel(utcnow() + timedelta(minutes=61), tick=False):
        page = client.get(link)
        assert page.status_code == 200 and "This link has expired" in page.text
        posted = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert "This link has expired" in posted.text
    assert verify_password(_fresh(practitioner).password_hash, factories.PASSWORD)


def test_the_link_lifetime_is_a_setting(app, client, practitioner, mail_dir):
    app.config["EHA_PASSWORD_RESET_MINUTES"] = 15
    client.post("/account/reset-password", data={"email": practitioner.email})
    message = mailbox.messages(mail_dir)[0]
    assert "expires in 15 minutes" in mailbox.body(message)
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
        assert "This link has expired" in client.get(mailbox.link_in(message)).text


def test_a_forged_link_gets_a_clear_page_and_changes_nothing(client, practitioner):
    for token in ("not-a-real-token", "x" * 500, "%00", "abc%2F..%2F"):
        page = client.get(f"/account/reset-password/{token}")
        assert page.status_code in (200, 404) and "Sorry, there is a problem with the service" not in page.text
        posted = client.post(
            f"/account/reset-password/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        )
        assert posted.status_code in (200, 404)
    assert "This link is not valid" in client.get("/account/reset-password/not-a-real-token").text
    assert verify_password(_fresh(practitioner).password_hash, factories.PASSWORD)


def test_the_request_page_does_not_say_which_addresses_have_accounts(client, practitioner, mail_dir):
    known = client.post("/account/reset-password", data={"email": practitioner.email})
    unknown = client.post("/account/reset-password", data={"email": "nobody.here@example.org"})
    assert known.status_code == unknown.status_code == 200

    def same(page, email):
        return re.sub(r'nonce="[^"]+"', "", page.text.replace(email, "EMAIL"))

    assert same(known, practitioner.email) == same(unknown, "nobody.here@example.org")
    assert [m["To"] for m in mailbox.messages(mail_dir)] == [practitioner.email]
    failed = _events("password_reset_requested")[-1]
    assert failed.outcome == "failed" and failed.user_id is None
    bad = client.post("/account/reset-password", data={"email": "not an email"})
    assert "<title>Error:" in bad.text and 'value="not an email"' in bad.text


def test_disabled_accounts_and_repeated_requests_get_no_email(client, practitioner, mail_dir):
    client.post("/account/reset-password", data={"email": practitioner.email})
    client.post("/account/reset-password", data={"email": practitioner.email})  # within five minutes: no more mail
    assert len(mailbox.messages(mail_dir)) == 1
    link = mailbox.link_in(mailbox.messages(mail_dir)[0])
    practitioner.active = False
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(minutes=6), tick=False):
        client.post("/account/reset-password", data={"email": practitioner.email})
    assert len(mailbox.messages(mail_dir)) == 1
    assert "This account is disabled" in client.get(link).text
    assert [e.outcome for e in _events("password_reset_requested")] == ["success", "refused", "refused"]


def test_a_reset_clears_a_lockout_and_ends_every_other_session(app, client, practitioner, mail_dir):
    elsewhere = app.test_client()
    factories.sign_in(elsewhere, practitioner)
    attacker = app.test_client()
    for _ in range(app.config["EHA_LOCKOUT_THRESHOLD"]):
        _sign_in(attacker, practitioner.email, "wrong guess number one")
    locked = _sign_in(client, practitioner.email, factories.PASSWORD)
    assert locked.status_code == 200 and "too many attempts" in locked.text

    client.post("/account/reset-password", data={"email": practitioner.email})
    link = mailbox.link_in(mailbox.messages(mail_dir)[0])
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert _events("password_reset")[-1].detail["lockout_cleared"] is True
    assert elsewhere.get("/").status_code == 302  # the other session has ended
    assert all(
        s.ended_at for s in db.session.scalars(sa.select(UserSession).where(UserSession.user_id == practitioner.id))
    )
    assert _sign_in(client, practitioner.email, NEW_PASSWORD).status_code == 302


def test_an_administrator_s_reset_link_is_audited_as_theirs_and_shows_them_no_link(
    client, signed_in, admin, manager, mail_dir
):
    signed_in(admin)
    response = client.post(f"/admin/users/{manager.id}/password-reset-link", follow_redirects=True)
    assert "We have emailed" in response.text and "/account/reset-password/" not in response.text
    [message] = mailbox.messages(mail_dir)
    assert message["To"] == manager.email and admin.name in mailbox.body(message)
    event = _events("password_reset_requested")[-1]
    assert event.user_id == admin.id and event.detail["for_user_id"] == manager.id
    assert event.detail["requested_by_id"] == admin.id and admin.email not in str(event.detail)
    assert verify_password(_fresh(manager).password_hash, factories.PASSWORD)


def test_links_use_the_service_address_not_the_host_the_visitor_sent(app, client, practitioner, mail_dir):
    app.config["EHA_BASE_URL"] = "https://earlyhelp.example.gov.uk"
    client.post("/account/reset-password", data={"email": practitioner.email}, headers={"Host": "attacker.example"})
    link = mailbox.full_link_in(mailbox.messages(mail_dir)[0])
    assert link.startswith("https://earlyhelp.example.gov.uk/account/reset-password/")


def test_a_new_account_gets_a_link_to_choose_its_own_password(app, client, signed_in, admin, agency, mail_dir):
    signed_in(admin)
    form = client.get("/admin/users/new")
    assert 'type="password"' not in form.text
    response = client.post(
        "/admin/users/new",
        data={
            "email": "New.Manager@Example.org",
            "name": "New Manager",
            "role": "manager",
            "agency": str(agency.id),
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new.manager@example.org"))
    assert not verify_password(user.password_hash, NEW_PASSWORD)  # a posted password is ignored
    [message] = mailbox.messages(mail_dir)
    assert message["To"] == "new.manager@example.org" and "expires in 72 hours" in mailbox.body(message)
    visitor = app.test_client()
    page = visitor.get(mailbox.link_in(message))
    assert "Choose your password" in page.text
    visitor.post(mailbox.link_in(message), data={"password": "four brand new words", "confirm": "four brand new words"})
    assert _sign_in(visitor, user.email, "four brand new words").status_code == 302
