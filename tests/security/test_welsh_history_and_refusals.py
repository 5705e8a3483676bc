"""The security pages a Welsh user meets (issue 18): "who has seen or changed this record" names every action in
Welsh, and the administration and two-factor refusals read Welsh on the page, while what the audit trail stores
stays English."""

import pytest
import sqlalchemy as sa

from eha import audit
from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.base import utcnow
from eha.models.users import MfaResetRequest
from tests import factories
from tests.foundation.welsh_walk import english_on

SERVICE_NAME = {"Early help"}  # the header's service name is configuration (EHA_SERVICE_NAME), as the walk allows


def _welsh(client, client_request, user, url):
    """``user`` signs in and asks for ``url`` in Welsh (``?lang=cy``, remembered on their account)."""
    factories.sign_in(client, user)
    page = client_request.get(f"{url}?lang=cy")
    assert page.tree.get("lang") == "cy"
    return page


def _events(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()


def test_a_welsh_lead_reads_every_action_on_the_history_page_in_welsh(client, client_request, world):
    ref = world.case.ref
    # Others look at the case first: the TAF member opens it, a withdrawn agency's practitioner is refused, the
    # manager opens the duty-to-share page.
    for user, expected in ((world.users["taf"], 200), (world.users["taf_withdrawn"], 404)):
        other = client.application.test_client()
        factories.sign_in(other, user)
        assert other.get(f"/assessments/{ref}").status_code == expected
    manager = client.application.test_client()
    factories.sign_in(manager, world.users["manager"])
    assert manager.get(f"/assessments/{ref}/access").status_code == 200
    # A step of the workflow as the engine records it (the trigger named in its detail).
    audit.record(
        "transition",
        assessment=world.case,
        user=world.users["lead"],
        detail={"trigger": "agree_plan", "from": "taf_scheduled", "to": "plan_active"},
    )
    db.session.commit()

    page = _welsh(client, client_request, world.users["lead"], f"/assessments/{ref}/history")
    assert page.h1 == "Pwy sydd wedi gweld neu newid y cofnod hwn"
    rows = page.words("table.app-history tbody tr")
    assert "Wedi gweld pwy sydd wedi gweld y cofnod hwn" in rows[0]
    assert any("Tara Taf" in row and "Wedi gweld yr achos" in row for row in rows)
    assert any("Mia Manager" in row and "Wedi gweld yr achos (dyletswydd i rannu)" in row for row in rows)
    assert any("Mia Manager" in row and "Rheolwr cymorth cynnar" in row for row in rows)  # the role, in Welsh
    assert any("Wedi cael ei wrthod mynediad" in row for row in rows)
    assert any("Wedi symud yr achos ymlaen (cytuno ar y cynllun)" in row for row in rows)
    html = client.get(f"/assessments/{ref}/history").get_data(as_text=True)
    assert set(english_on(html)) <= SERVICE_NAME
    for english in ("Viewed the case", "Was refused access", "Moved the case on", "duty to share", "agree plan"):
        assert english not in html

    # The trail itself is unchanged: the same action names and English detail, and its English words for exports.
    [look] = [e for e in _events("case_viewed") if e.detail and e.detail.get("page")]
    assert look.detail["page"] == "duty to share"
    assert audit.label("case_refused") == "Was refused access"

    # In English the page reads as it did, the step in words.
    english = client_request.get(f"/assessments/{ref}/history?lang=en")
    rows = english.words("table.app-history tbody tr")
    assert any("Viewed the case (duty to share)" in row for row in rows)
    assert any("Moved the case on (agree the plan)" in row for row in rows)


def test_an_email_already_used_is_refused_in_welsh_on_the_new_user_page(
    client, client_request, admin, agency, practitioner
):
    _welsh(client, client_request, admin, "/admin/users/new")
    data = {
        "email": practitioner.email.upper(),
        "name": "New Person",
        "role": "practitioner",
        "agency": str(agency.id),
        "job_title": "",
        "phone": "",
    }
    page = client_request.post("/admin/users/new", data=data, expected_status=200)
    assert page.errors() == ["Mae defnyddiwr gyda’r cyfeiriad e-bost hwn yn bodoli’n barod"]
    assert page.one("#email").get("value") == practitioner.email.upper()  # what was typed is kept
    assert set(english_on(page.html)) <= SERVICE_NAME


def test_an_administrator_cannot_reset_their_own_second_factor_and_is_told_in_welsh(client, client_request, admin):
    admin.totp_secret, admin.totp_enrolled_at = "A" * 32, utcnow()
    db.session.commit()
    _welsh(client, client_request, admin, f"/admin/users/{admin.id}")
    page = client_request.post(
        f"/admin/users/{admin.id}/two-factor-reset", data={"reason": "New phone"}, expected_status=200
    )
    assert "Ni allwch ailosod eich mewngofnodi dau gam eich hun. Gofynnwch i weinyddwr arall" in page.errors()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MfaResetRequest)) == 0


def test_a_second_factor_reset_refused_to_its_requester_reads_welsh_and_is_audited_in_english(
    client, client_request, admin, practitioner
):
    practitioner.totp_secret, practitioner.totp_enrolled_at = "A" * 32, utcnow()
    db.session.commit()
    _welsh(client, client_request, admin, f"/admin/users/{practitioner.id}")
    client_request.post(f"/admin/users/{practitioner.id}/two-factor-reset", data={"reason": "New phone"})
    reset = db.session.scalar(sa.select(MfaResetRequest))
    waiting = client_request.get(f"/admin/users/{practitioner.id}")
    assert "aros i reolwr cymorth cynnar ei gymeradwyo" in waiting.text

    listed = client_request.get("/admin/mfa-resets")
    assert "Yn aros am gymeradwyaeth" in listed.text  # the request's status
    assert "Yn aros am reolwr cymorth cynnar." in listed.text
    assert "Chi ofynnodd am yr ailosodiad hwn, felly rhaid i rywun arall ei gymeradwyo" in listed.text
    assert set(english_on(listed.html)) <= SERVICE_NAME

    # The requester tries to approve it themselves.
    refused = client_request.post(f"/admin/mfa-resets/{reset.id}", data={"decision": "approve"}, expected_status=403)
    assert refused.errors() == ["Chi ofynnodd am yr ailosodiad hwn, felly rhaid i rywun arall ei gymeradwyo"]
    db.session.refresh(reset)
    assert reset.status == "pending"
    [event] = _events("mfa_reset_refused")
    assert event.detail["reason"] == "You asked for this reset, so someone else must approve it"
    [asked] = _events("mfa_reset_requested")
    assert asked.detail["approver"] == "an early help manager"


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_admin_page_refusals_keep_their_english_wording_in_english(
    client, client_request, admin, agency, practitioner, language
):
    """The same refusal in each language: English reads exactly as before."""
    factories.sign_in(client, admin)
    client_request.get(f"/admin/users/new?lang={language}")
    data = {"email": practitioner.email, "name": "New Person", "role": "practitioner", "agency": str(agency.id)}
    page = client_request.post("/admin/users/new", data=data, expected_status=200)
    expected = {
        "en": "A user with this email address already exists",
        "cy": "Mae defnyddiwr gyda’r cyfeiriad e-bost hwn yn bodoli’n barod",
    }
    assert page.errors() == [expected[language]]
