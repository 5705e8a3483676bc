"""Administration: users, agencies and form definitions, administrators only, every change audited."""

import io

import sqlalchemy as sa

from eha.auth.passwords import verify_password
from eha.definitions import latest_definition
from eha.extensions import db
from eha.models.assessments import FormDefinitionVersion
from eha.models.audit import AuditEvent
from eha.models.base import utcnow
from eha.models.users import MfaResetRequest, User, UserSession
from tests import factories, mailbox

GOOD_PASSWORD = "violet kettle harbour lamp"


def _admin_changes():
    return [
        e.detail
        for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "admin_change").order_by(AuditEvent.seq)
        )
    ]


def _new_user_form(agency, **overrides):
    data = {
        "email": "New.Person@Example.org",
        "name": "New Person",
        "role": "practitioner",
        "agency": str(agency.id),
        "job_title": "Family worker",
        "phone": "01632 960 999",
    }
    data.update(overrides)
    return data


def test_an_administrator_creates_a_user_who_chooses_a_password_from_the_email_and_signs_in(
    client, signed_in, admin, agency, mail_dir
):
    # Changed deliberately: the administrator no longer gives an initial password (they would know it).
    signed_in(admin)
    response = client.post("/admin/users/new", data=_new_user_form(agency))
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.org"))
    assert user and user.agency_id == agency.id
    assert _admin_changes()[-1]["change"] == "user created"
    client.post("/sign-out")
    [message] = mailbox.messages(mail_dir)
    assert message["To"] == "new.person@example.org"
    link = mailbox.link_in(message)
    assert client.post(link, data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD}).status_code == 302
    signed = client.post("/sign-in", data={"email": "new.person@example.org", "password": GOOD_PASSWORD})
    assert signed.status_code == 302


def test_an_email_already_used_in_any_case_is_refused(client_request, signed_in, admin, agency, practitioner):
    signed_in(admin)
    page = client_request.post(
        "/admin/users/new", data=_new_user_form(agency, email=practitioner.email.upper()), expected_status=200
    )
    assert page.title.startswith("Error:")
    assert page.errors() == ["A user with this email address already exists"]
    assert page.one("#email").get("value") == practitioner.email.upper()  # the input is kept


def test_when_the_email_cannot_be_sent_the_user_is_not_created(app, client_request, signed_in, admin, agency, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the mail directory should be")
    app.config["EHA_MAIL_DIR"] = str(blocked)
    signed_in(admin)
    page = client_request.post("/admin/users/new", data=_new_user_form(agency), expected_status=200)
    assert page.errors() == ["The email could not be sent. Nothing has been changed. Try again later"]
    assert page.one("#email").get("value") == "New.Person@Example.org"
    assert db.session.scalar(sa.select(User).where(User.email == "new.person@example.org")) is None


def test_empty_new_user_form_shows_every_problem(client, signed_in, admin):
    signed_in(admin)
    page = client.post("/admin/users/new", data={})
    for message in ("Enter an email address", "Enter the person&#39;s full name", "Select a role", "Select an agency"):
        assert message in page.text
    assert "password" not in page.text.lower().replace("choose their own password", "")


def test_an_administrator_cannot_change_their_own_role(client, signed_in, admin):
    signed_in(admin)
    page = client.get(f"/admin/users/{admin.id}")
    assert "You cannot change your own role" in page.text
    response = client.post(
        f"/admin/users/{admin.id}", data={"name": "Renamed Admin", "role": "manager", "agency": str(admin.agency_id)}
    )
    assert response.status_code == 302
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.name == "Renamed Admin"
    forged = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "forged_field"))
    assert forged is not None and "role" in forged.detail["fields"] and forged.outcome == "refused"


def test_an_administrator_changes_another_user_s_role_and_it_is_audited(client, signed_in, admin, practitioner):
    signed_in(admin)
    response = client.post(
        f"/admin/users/{practitioner.id}",
        data={"name": practitioner.name, "role": "manager", "agency": str(practitioner.agency_id)},
    )
    assert response.status_code == 302
    db.session.refresh(practitioner)
    assert practitioner.role == "manager"
    assert _admin_changes()[-1]["role"] == {"from": "practitioner", "to": "manager"}
    assert _admin_changes()[-1]["fields"] == ["role"]


def test_disabling_a_user_ends_their_sessions_on_the_next_request(app, client, signed_in, admin, practitioner):
    theirs = app.test_client()
    factories.sign_in(theirs, practitioner)
    assert theirs.get("/").status_code == 200
    signed_in(admin)
    assert client.post(f"/admin/users/{practitioner.id}/status", data={"action": "disable"}).status_code == 302
    response = theirs.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert all(
        s.ended_at for s in db.session.scalars(sa.select(UserSession).where(UserSession.user_id == practitioner.id))
    )
    assert _admin_changes()[-1]["change"] == "user disabled"
    assert (
        theirs.post("/sign-in", data={"email": practitioner.email, "password": factories.PASSWORD}).status_code == 200
    )  # a disabled account cannot sign in


def test_an_administrator_cannot_disable_themself(client_request, signed_in, admin):
    signed_in(admin)
    page = client_request.post(f"/admin/users/{admin.id}/status", data={"action": "disable"}, expected_status=200)
    assert page.errors() == ["You cannot disable your own account"]
    assert page.one(".govuk-error-summary__list a").get("href") == "#account"
    db.session.refresh(admin)
    assert admin.active


def test_unlocking_clears_the_lock_and_the_failure_count(client, signed_in, admin, practitioner):
    practitioner.locked_until = utcnow().replace(year=utcnow().year + 1)
    practitioner.failed_sign_ins = 7
    db.session.commit()
    signed_in(admin)
    assert client.post(f"/admin/users/{practitioner.id}/status", data={"action": "unlock"}).status_code == 302
    db.session.refresh(practitioner)
    assert practitioner.locked_until is None and practitioner.failed_sign_ins == 0
    assert _admin_changes()[-1]["change"] == "account unlocked"


def test_resetting_the_second_factor_once_a_manager_approves_clears_it_and_ends_sessions(
    app, client, signed_in, admin, manager, practitioner
):
    # Changed deliberately: the administrator's press only asks; a manager's approval resets.
    practitioner.totp_secret, practitioner.totp_enrolled_at, practitioner.totp_last_step = "A" * 32, utcnow(), 5
    db.session.commit()
    theirs = app.test_client()
    factories.sign_in(theirs, practitioner)
    signed_in(admin)
    assert (
        client.post(f"/admin/users/{practitioner.id}/two-factor-reset", data={"reason": "New phone"}).status_code == 302
    )
    db.session.refresh(practitioner)
    assert practitioner.totp_secret == "A" * 32 and theirs.get("/").status_code == 200
    signed_in(manager)
    reset = db.session.scalar(sa.select(MfaResetRequest))
    assert client.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"}).status_code == 302
    db.session.refresh(practitioner)
    assert (practitioner.totp_secret, practitioner.totp_enrolled_at, practitioner.totp_last_step) == (None, None, None)
    assert theirs.get("/").status_code == 302


def test_an_administrator_sends_a_password_link_instead_of_setting_a_password(
    client, client_request, signed_in, admin, practitioner, mail_dir
):
    # Changed deliberately: "Set a new password" is gone; the user chooses one from the emailed link.
    signed_in(admin)
    assert client.post(f"/admin/users/{practitioner.id}/password", data={"password": GOOD_PASSWORD}).status_code in (
        404,
        405,
    )
    assert client.post(f"/admin/users/{practitioner.id}/password-reset-link").status_code == 302
    db.session.refresh(practitioner)
    assert verify_password(practitioner.password_hash, factories.PASSWORD)
    assert [m["To"] for m in mailbox.messages(mail_dir)] == [practitioner.email]
    practitioner.active = False
    db.session.commit()
    page = client_request.post(f"/admin/users/{practitioner.id}/password-reset-link", expected_status=200)
    assert page.errors() == ["This account is disabled. Enable it before sending a password reset link"]


def test_the_user_list_filters_and_pages(client_request, signed_in, admin, agency, app):
    app.config["EHA_PAGE_SIZE"] = 5
    for n in range(7):
        factories.user(agency=agency, name=f"Zed Person {n}")
    signed_in(admin)
    page = client_request.get("/admin/users?q=zed+person")
    assert page.words("caption") == ["7 users"] and "Page 1 of 2 (7 in all)" in page.text
    assert len(page.select("tbody tr")) == 5
    [next_link] = page.select(".govuk-pagination__next a")
    assert "q=zed+person" in next_link.get("href") and "page=2" in next_link.get("href")
    second = client_request.get("/admin/users?q=zed+person&page=2")
    assert [name.split(" ")[-1] for name in second.words("tbody tr td:first-child a")] == ["5", "6"]
    assert "No users match" in client_request.get("/admin/users?q=nobody-at-all").text
    filtered = client_request.get(f"/admin/users?q=zed&role=practitioner&status=locked&agency={agency.id}")
    assert filtered.one("#q").get("value") == "zed"  # the filters stay as chosen
    assert [o.get("value") for o in filtered.select("select option[selected]")] == [
        "practitioner",
        str(agency.id),
        "locked",
    ]
    client_request.get("/admin/users?role=admin&status=locked&agency=notanumber")
    assert "No users match" in client_request.get("/admin/users?q=zed+person&page=99999999999999999999").text


def test_agencies_are_added_edited_and_deactivated(client, client_request, signed_in, admin):
    signed_in(admin)
    assert client.post("/admin/agencies", data={"name": "Northshire Libraries", "kind": "other"}).status_code == 302
    again = client_request.post(
        "/admin/agencies", data={"name": "northshire libraries", "kind": "other"}, expected_status=200
    )
    assert again.errors() == ["An agency with this name already exists"]
    from eha.models.users import Agency

    agency = db.session.scalar(sa.select(Agency).where(Agency.name == "Northshire Libraries"))
    response = client.post(
        f"/admin/agencies/{agency.id}", data={"name": "Northshire Library Service", "kind": "voluntary", "active": "no"}
    )
    assert response.status_code == 302
    db.session.refresh(agency)
    assert (agency.name, agency.kind, agency.active) == ("Northshire Library Service", "voluntary", False)
    assert [d["change"] for d in _admin_changes()][-2:] == ["agency created", "agency updated"]


def test_a_definition_is_uploaded_checked_and_activated(client, signed_in, admin):
    signed_in(admin)
    assert client.get("/admin/definitions").status_code == 200  # stores the shipped definition
    shipped = latest_definition()
    text = shipped.to_text().replace(f"version: {shipped.version}", f"version: {shipped.version + 1}", 1)
    response = client.post("/admin/definitions", data={"content": text})
    assert response.status_code == 302
    record = db.session.scalar(
        sa.select(FormDefinitionVersion).where(FormDefinitionVersion.version == shipped.version + 1)
    )
    assert record is not None and not record.active and record.created_by_id == admin.id
    duplicate = client.post("/admin/definitions", data={"content": text})
    assert duplicate.status_code == 200 and "already exists" in duplicate.text
    assert client.get(f"/admin/definitions/{record.id}").status_code == 200
    assert client.post(f"/admin/definitions/{record.id}/activate").status_code == 302
    active = db.session.scalars(
        sa.select(FormDefinitionVersion).where(FormDefinitionVersion.name == shipped.name, FormDefinitionVersion.active)
    ).all()
    assert [r.id for r in active] == [record.id]
    assert [d["change"] for d in _admin_changes()][-2:] == ["form definition uploaded", "form definition activated"]


def test_a_broken_definition_is_refused_naming_the_problem(client_request, signed_in, admin):
    signed_in(admin)
    page = client_request.post("/admin/definitions", data={"content": "name: x\nversion: one\n"}, expected_status=200)
    assert page.title.startswith("Error:")
    [problem] = page.errors()
    assert problem.startswith("The form definition has a problem")
    assert page.one(".govuk-error-summary__list a").get("href") == "#content"
    upload = client_request.post(
        "/admin/definitions",
        data={"file": (io.BytesIO(b"\xff\xfe"), "d.yaml")},
        content_type="multipart/form-data",
        expected_status=200,
    )
    assert upload.errors() == ["The selected file must be a YAML or JSON text file"]
    broken_file = client_request.post(
        "/admin/definitions",
        data={"file": (io.BytesIO(b"name: x\n"), "d.yaml")},
        content_type="multipart/form-data",
        expected_status=200,
    )
    assert broken_file.one(".govuk-error-summary__list a").get("href") == "#file"  # shown on the file it is in
    empty = client_request.post("/admin/definitions", data={}, expected_status=200)
    assert empty.errors() == ["Upload a definition file or paste the definition"]


def test_only_administrators_reach_administration(client, signed_in, manager):
    signed_in(manager)
    for url in (
        "/admin/users",
        "/admin/users/new",
        "/admin/agencies",
        "/admin/definitions",
        f"/admin/users/{manager.id}",
    ):
        assert client.get(url).status_code == 404


def test_unknown_ids_are_not_found(client, signed_in, admin):
    signed_in(admin)
    for url in ("/admin/users/999999", "/admin/agencies/999999", "/admin/definitions/999999"):
        assert client.get(url).status_code == 404


def test_every_administration_page_is_a_well_formed_page(client_request, signed_in, admin, practitioner, agency):
    """One h1, the title, unique ids and forms that post to routes, on each page an administrator has."""
    signed_in(admin)
    shipped = latest_definition()
    text = shipped.to_text().replace(f"version: {shipped.version}", f"version: {shipped.version + 1}", 1)
    uploaded = client_request.post("/admin/definitions", data={"content": text}).location
    pages = {
        "/admin/users": "Users",
        "/admin/users/new": "Add a user",
        f"/admin/users/{practitioner.id}": practitioner.name,
        f"/admin/users/{admin.id}": admin.name,
        "/admin/agencies": "Agencies",
        f"/admin/agencies/{agency.id}": agency.name,
        "/admin/definitions": "Assessment form definitions",
        "/admin/mfa-resets": "Two-factor sign-in resets",
    }
    for url, heading in pages.items():
        assert client_request.get(url).h1 == heading, url
    definition = client_request.get(uploaded)
    assert definition.select(".govuk-back-link") and definition.words("main form button") == [
        "Use this version for new assessments",
        "Upload translation",
    ]
    assert len(client_request.get("/admin/definitions").select("tbody tr")) >= 1
    assert client_request.get("/admin/", expected_status=302).location.endswith("/admin/users")


def test_a_manager_sees_approve_and_decline_buttons_for_a_waiting_request(
    client, client_request, signed_in, admin, manager, practitioner
):
    practitioner.totp_secret, practitioner.totp_enrolled_at = "A" * 32, utcnow()
    db.session.commit()
    signed_in(admin)
    client_request.post(f"/admin/users/{practitioner.id}/two-factor-reset", data={"reason": "New phone"})
    waiting = client_request.get(f"/admin/users/{practitioner.id}")
    assert "waiting for an early help manager to approve it" in waiting.one(".govuk-inset-text").text_content()
    client.post("/sign-out")
    signed_in(manager)
    page = client_request.get("/admin/mfa-resets")
    reset = db.session.scalar(sa.select(MfaResetRequest))
    assert page.words("tbody .govuk-button") == [
        f"Approve resetting {practitioner.name}'s two-factor sign-in",
        f"Decline resetting {practitioner.name}'s two-factor sign-in",
    ]
    assert {f.get("action") for f in page.select("tbody form")} == {f"/admin/mfa-resets/{reset.id}"}
    assert page.select(f"#reset-{reset.id}")
    client_request.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "decline"})
    db.session.refresh(reset)
    assert reset.status == "declined"
    assert client_request.get("/admin/mfa-resets").select("tbody .govuk-button") == []


def test_recovery_and_reset_events_read_as_sentences_in_the_trail():
    from eha import audit

    assert audit.label("password_reset_requested") == "Asked for a password reset link"
    assert audit.label("mfa_reset_refused") == "Was refused a second-factor reset"
