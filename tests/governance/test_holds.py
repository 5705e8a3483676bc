"""Legal hold: a manager places and lifts a hold (with a reason) on a case or a family; others cannot."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.governance import LegalHold
from tests.pages import Page


def test_a_manager_places_and_lifts_a_hold_with_reasons_kept_out_of_the_audit_trail(app, demo, as_user):
    client = as_user(demo.manager)
    ref = demo.due.ref
    page = Page(client.get(f"/assessments/{ref}/hold"))
    assert page.h1 == "Legal hold" and "There is no legal hold" in page.text
    reason = "Solicitor's letter from Janet Whitfield about a claim"
    assert client.post(f"/assessments/{ref}/hold", data={"on": "case", "reason": reason}).status_code == 302
    page = Page(client.get(f"/assessments/{ref}/hold"))
    assert "In place" in page.text and reason in page.text
    hold = db.session.scalar(sa.select(LegalHold).where(LegalHold.assessment_id == demo.due.id))
    lift = {"hold_id": str(hold.id), "version": str(hold.version_id), "reason": "Claim settled"}
    assert client.post(f"/assessments/{ref}/hold/lift", data=lift).status_code == 302
    page = Page(client.get(f"/assessments/{ref}/hold"))
    assert "Lifted" in page.text and "Claim settled" in page.text
    details = [e.detail for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("legal_hold%")))]
    assert [d["on"] for d in details] == ["case", "case"]
    assert not any("Whitfield" in str(d) or "settled" in str(d) for d in details)


def test_a_hold_needs_a_reason_and_a_second_one_is_refused(app, demo, as_user):
    client = as_user(demo.manager)
    ref = demo.due.ref
    page = Page(client.post(f"/assessments/{ref}/hold", data={"on": "family", "reason": ""}))
    assert page.status_code == 200 and "Enter why the records must be kept" in page.text
    assert page.title.startswith("Error:")
    assert client.post(f"/assessments/{ref}/hold", data={"on": "family", "reason": "Inquiry"}).status_code == 302
    assert client.post(f"/assessments/{ref}/hold", data={"on": "family", "reason": "Again"}).status_code == 409
    assert client.post(f"/assessments/{ref}/hold", data={"on": "everything", "reason": "x"}).status_code == 200


def test_lifting_twice_or_from_a_stale_page_is_refused(app, demo, as_user):
    client = as_user(demo.manager)
    hold = db.session.scalar(sa.select(LegalHold).where(LegalHold.assessment_id == demo.held.id))
    url = f"/assessments/{demo.held.ref}/hold/lift"
    assert client.post(url, data={"hold_id": str(hold.id), "version": "99", "reason": "x"}).status_code == 409
    ok = {"hold_id": str(hold.id), "version": str(hold.version_id), "reason": "Settled"}
    assert client.post(url, data=ok).status_code == 302
    db.session.expire_all()
    assert client.post(url, data={**ok, "version": str(hold.version_id)}).status_code == 409
    assert client.post(url, data={"hold_id": "abc", "version": "1", "reason": "x"}).status_code == 404


def test_the_lead_professional_may_not_place_a_hold(app, demo, as_user):
    client = as_user(demo.lead)
    response = client.post(f"/assessments/{demo.due.ref}/hold", data={"on": "case", "reason": "x"})
    assert response.status_code == 403 and "Only a manager" in Page(response).text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LegalHold)) == 1  # the demo's own
